package pycheck

import (
	"fmt"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	const connect = "spark = SparkSession.builder.remote(\"sc://localhost\").getOrCreate()\n"
	for _, tc := range []struct {
		name, src string
		want      []string // "name code"
	}{
		{"classic PySpark is left alone", "sc = spark.sparkContext\nrdd = df.rdd\n", nil},
		{"sparkContext and its RDDs", connect + "sc = spark.sparkContext\nr = sc.parallelize([1, 2])\nacc = sc.accumulator(0)\nb = sc.broadcast({1: 2})\n",
			[]string{"sparkContext connect-sparkcontext", "parallelize connect-rdd", "accumulator connect-accumulator", "broadcast connect-broadcast"}},
		{"df.rdd and mapPartitions", connect + "n = df.rdd.mapPartitions(f).count()\n",
			[]string{"rdd connect-rdd", "mapPartitions connect-rdd"}},
		{"SparkContext and SQLContext names", "from pyspark import SparkContext\nfrom pyspark.sql import SQLContext\nfrom databricks.connect import DatabricksSession\n",
			[]string{"SparkContext connect-sparkcontext", "SQLContext connect-sqlcontext"}},
		{"strings, comments and the broadcast join hint are fine", connect + "# df.rdd\ns = \"sc.parallelize(x)\"\nj = a.join(F.broadcast(b), 'k')\n", nil},
		{"pyspark.sql.connect marks a Connect session", "from pyspark.sql.connect.session import SparkSession\nx = df.rdd\n", []string{"rdd connect-rdd"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(tc.src) {
				got = append(got, fmt.Sprintf("%s %s", tc.src[f.Start:f.End], f.Code))
				if !strings.Contains(f.Message(), "Instead: ") {
					t.Errorf("message %q", f.Message())
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
