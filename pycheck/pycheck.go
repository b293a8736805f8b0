// Package pycheck is the PySpark compatibility lint for Spark Connect: in
// Python that uses a Spark Connect session, it finds the APIs Spark Connect
// does not support (the RDD API, SparkContext, accumulators, broadcast
// variables, SQLContext) and says why and what to use instead.
//
// It reads tokens from pylex, so names inside strings and comments never
// count. It does not resolve names or types: `df.rdd` is flagged for any
// receiver, because only RDD-era objects have these members. It does not
// guess about code that does not show a Spark Connect session (a remote,
// an sc:// string, DatabricksSession, pyspark.sql.connect): classic
// PySpark supports all of it.
package pycheck

import "github.com/sparkls/sparkls/pylex"

// Finding is one unsupported use: the span of its name, a rule code, the
// reason and the DataFrame alternative.
type Finding struct {
	Start, End  int
	Code        string
	Reason      string
	Alternative string
}

// Message is the finding as one line for an editor.
func (f Finding) Message() string { return f.Reason + " Instead: " + f.Alternative }

type rule struct {
	code, reason, alternative string
}

var (
	sparkContext = rule{"connect-sparkcontext",
		"SparkContext does not exist on a Spark Connect session: the client has no JVM.",
		"spark.conf for settings, spark.createDataFrame or spark.range for data, DataFrame operations for the rest."}
	rdd = rule{"connect-rdd",
		"DataFrame.rdd and the RDD API are not supported by Spark Connect.",
		"DataFrame operations; mapInPandas or mapInArrow for per-partition Python; collect() or toPandas() for local data."}
	mapPartitions = rule{"connect-rdd",
		"mapPartitions is RDD API, which Spark Connect does not support.",
		"df.mapInPandas(func, schema) or df.mapInArrow(func, schema)."}
	parallelize = rule{"connect-rdd",
		"parallelize creates an RDD through SparkContext, which Spark Connect does not support.",
		"spark.createDataFrame(data, schema) or spark.range(n)."}
	accumulator = rule{"connect-accumulator",
		"Accumulators are not supported by Spark Connect.",
		"aggregate with DataFrame functions (F.sum, F.count), or df.observe(name, ...) for metrics."}
	broadcast = rule{"connect-broadcast",
		"Broadcast variables (SparkContext.broadcast) are not supported by Spark Connect.",
		"a broadcast join hint, F.broadcast(small_df), or pass the value as a literal column (F.lit)."}
	sqlContext = rule{"connect-sqlcontext",
		"SQLContext and HiveContext are not supported by Spark Connect.",
		"the SparkSession (spark.sql, spark.read, spark.table)."}
)

// UsesConnect tells whether the Python in toks shows a Spark Connect
// session: SparkSession.builder.remote(…), an "sc://" string,
// DatabricksSession (Databricks Connect), pyspark.sql.connect, or
// SPARK_REMOTE.
func UsesConnect(src string, toks []pylex.Token) bool {
	text := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return src[toks[i].Start:toks[i].End]
	}
	for i, t := range toks {
		switch t.Kind {
		case pylex.Name:
			switch text(i) {
			case "remote":
				if text(i-1) == "." && text(i+1) == "(" {
					return true
				}
			case "DatabricksSession", "SPARK_REMOTE":
				return true
			case "connect":
				if text(i-1) == "." && text(i-2) == "sql" {
					return true
				}
			}
		case pylex.String:
			body := src[t.BodyStart:t.BodyEnd]
			if len(body) >= 5 && body[:5] == "sc://" || body == "SPARK_REMOTE" {
				return true
			}
		}
	}
	return false
}

// Check returns the findings of src; none unless UsesConnect.
func Check(src string) []Finding {
	var toks []pylex.Token
	for _, t := range pylex.Lex(src) {
		if t.Kind != pylex.Comment && t.Kind != pylex.Newline {
			toks = append(toks, t)
		}
	}
	if !UsesConnect(src, toks) {
		return nil
	}
	text := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return src[toks[i].Start:toks[i].End]
	}
	var out []Finding
	add := func(i int, r rule) {
		out = append(out, Finding{Start: toks[i].Start, End: toks[i].End, Code: r.code, Reason: r.reason, Alternative: r.alternative})
	}
	for i, t := range toks {
		if t.Kind != pylex.Name {
			continue
		}
		attr := text(i-1) == "."
		call := text(i+1) == "("
		switch name := text(i); {
		case name == "SparkContext" || attr && name == "sparkContext":
			add(i, sparkContext)
		case name == "SQLContext" || name == "HiveContext":
			add(i, sqlContext)
		case attr && name == "rdd" && !call:
			add(i, rdd)
		case attr && call && name == "mapPartitions":
			add(i, mapPartitions)
		case attr && call && name == "parallelize":
			add(i, parallelize)
		case attr && call && name == "accumulator":
			add(i, accumulator)
		case attr && call && name == "broadcast" && (text(i-2) == "sc" || text(i-2) == "sparkContext"):
			add(i, broadcast)
		}
	}
	return out
}
