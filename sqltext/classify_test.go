package sqltext

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Kind
	}{
		// Queries.
		{"SELECT 1", Query},
		{"select * from t", Query},
		{"WITH x AS (SELECT 1) SELECT * FROM x", Query},
		{"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT * FROM r", Query},
		{"WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b", Query},
		{"WITH x AS (SELECT 1) (SELECT * FROM x) UNION (SELECT 2)", Query},
		{"WITH x AS (SELECT 1", Query}, // half-typed
		{"VALUES (1, 'a'), (2, 'b')", Query},
		{"TABLE t", Query},
		{"FROM t SELECT a, b", Query},
		{"FROM (SELECT * FROM s) t SELECT a", Query},
		{"(SELECT 1) UNION (SELECT 2)", Query},
		{"((SELECT 1))", Query},
		{"-- leading comment\nSELECT 1", Query},
		{"/* a /* nested */ comment */ select 1", Query},
		{"/*+ hint */ SELECT 1", Query},
		{"  \n\tSeLeCt 1", Query},

		// DDL.
		{"CREATE TABLE t (a INT)", DDL},
		{"create or replace temporary view v as select 1", DDL},
		{"CREATE TEMPORARY FUNCTION f AS 'com.x.F'", DDL},
		{"CREATE TABLE t AS SELECT 1", DDL},
		{"DROP TABLE IF EXISTS t", DDL},
		{"ALTER TABLE t ADD COLUMNS (b INT)", DDL},
		{"TRUNCATE TABLE t", DDL},
		{"MSCK REPAIR TABLE t", DDL},
		{"REFRESH TABLE t", DDL},
		{"CACHE LAZY TABLE t", DDL},
		{"UNCACHE TABLE t", DDL},
		{"CLEAR CACHE", DDL},
		{"COMMENT ON TABLE t IS 'x'", DDL},
		{"ANALYZE TABLE t COMPUTE STATISTICS", DDL},

		// DML.
		{"INSERT INTO t VALUES (1)", DML},
		{"insert overwrite table t select * from s", DML},
		{"UPDATE t SET a = 1", DML},
		{"DELETE FROM t WHERE a = 1", DML},
		{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", DML},
		{"LOAD DATA INPATH '/x' INTO TABLE t", DML},
		{"COPY INTO t FROM '/x'", DML},
		{"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", DML},
		{"WITH x AS (SELECT (1)) , y AS (SELECT 2) INSERT OVERWRITE t SELECT * FROM y", DML},
		{"FROM s INSERT INTO t SELECT a", DML},
		{"FROM (SELECT 1) s INSERT OVERWRITE TABLE t SELECT *", DML},

		// Session.
		{"USE db", Session},
		{"SET spark.sql.shuffle.partitions = 8", Session},
		{"SET", Session},
		{"RESET", Session},
		{"ADD JAR /tmp/x.jar", Session},
		{"DECLARE VARIABLE v INT DEFAULT 1", Session},
		{"DROP TEMPORARY VARIABLE v", Session},

		// Describe / show.
		{"DESCRIBE TABLE t", Describe},
		{"desc t", Describe},
		{"SHOW TABLES", Describe},
		{"EXPLAIN SELECT 1", Describe},
		{"EXPLAIN EXTENDED INSERT INTO t SELECT 1", Describe},
		{"LIST JAR", Describe},

		// Script.
		{"CALL p()", Script},
		{"BEGIN SELECT 1; END", Script},
		{"EXECUTE IMMEDIATE 'DROP TABLE t'", Script},

		// Unknown.
		{"", Unknown},
		{"-- only a comment", Unknown},
		{"/* /*+ */ DROP TABLE t -- */ SELECT 1", DDL},
		{"/* ${x} */ SELECT 1", Unknown},
		{"SELECT '${system:line.separator}'", Unknown},
		{"SELEC 1", Unknown},
		{"'x'", Unknown},
		{"`select` 1", Unknown},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := Classify(tc.in); got != tc.want {
				t.Errorf("Classify(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestKindPredicates(t *testing.T) {
	for _, tc := range []struct {
		k                       Kind
		query, catalog, changes bool
	}{
		{Unknown, false, false, false},
		{Query, true, false, false},
		{DDL, false, true, true},
		{DML, false, false, true},
		{Session, false, false, false},
		{Describe, false, false, false},
		{Script, false, true, true},
	} {
		t.Run(tc.k.String(), func(t *testing.T) {
			if got := tc.k.IsQuery(); got != tc.query {
				t.Errorf("IsQuery = %v, want %v", got, tc.query)
			}
			if got := tc.k.ChangesCatalog(); got != tc.catalog {
				t.Errorf("ChangesCatalog = %v, want %v", got, tc.catalog)
			}
			if got := tc.k.ChangesData(); got != tc.changes {
				t.Errorf("ChangesData = %v, want %v", got, tc.changes)
			}
		})
	}
}

func TestIsReadOnly(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"SELECT 1", true},
		{"WITH x AS (SELECT 1) SELECT * FROM x", true},
		{"SHOW TABLES", true},
		{"EXPLAIN INSERT INTO t SELECT 1", true},
		{"DESCRIBE t", true},
		{"SET", true},
		{"SET -v", true},
		{"SET spark.sql.ansi.enabled", true},
		{"SET spark.sql.ansi.enabled = true", false},
		{"SET spark.sql.ansi.enabled=", false},
		{"SET VAR v = 1", false},
		{"SET TIME ZONE 'UTC'", false},
		{"USE db", false},
		{"RESET", false},
		{"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", false},
		{"CREATE TEMPORARY VIEW v AS SELECT 1", false},
		{"CALL p()", false},
		{"", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := IsReadOnly(tc.in); got != tc.want {
				t.Errorf("IsReadOnly(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestImportsStandardLibraryOnly guards the package invariant: sqltext
// imports nothing of ours and nothing that speaks LSP or gRPC.
func TestImportsStandardLibraryOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s; sqltext may use only the standard library", name, path)
			}
		}
	}
}

// TestClassifyNotFooled holds statements that a leading-keyword guess used
// to call a query although Spark parses them as writes. Analysis sends every
// Query to Spark, which executes commands even when only analyzing, so each
// of these would have run.
func TestClassifyNotFooled(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Kind
	}{
		// Spark's line comment continues past a backslash-newline, so the
		// SELECT below is comment and the INSERT is the statement.
		{"-- note \\\nSELECT\nINSERT INTO t VALUES (1)", DML},
		{"-- a \\\n-- b \\\nSELECT\nDROP TABLE t", DDL},
		// Spark accepts non-reserved keywords as CTE and table names.
		{"WITH select AS (SELECT 1) INSERT INTO t SELECT * FROM select", DML},
		{"WITH x AS (SELECT 1), values AS (SELECT 2) INSERT INTO t TABLE x", DML},
		{"WITH RECURSIVE table (a) AS (SELECT 1) INSERT INTO t SELECT * FROM table", DML},
		{"WITH x AS (SELECT 1) FROM x INSERT INTO t SELECT *", DML},
		{"FROM select INSERT INTO t SELECT *", DML},
		{"FROM a JOIN b ON a.select = b.k INSERT INTO t SELECT *", DML},
		{"FROM s AS map INSERT INTO t SELECT *", DML},
		// Still queries.
		{"WITH select AS (SELECT 1) SELECT * FROM select", Query},
		{"WITH x (a, b) AS (SELECT 1, 2) SELECT * FROM x", Query},
		{"WITH x (SELECT 1) SELECT * FROM x", Query},
		{"WITH recursive AS (SELECT 1) SELECT * FROM recursive", Query},
		{"FROM t SELECT a WHERE a.b = 1", Query},
		{"-- a \\\r\nSELECT 1", Query},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := Classify(tc.in); got != tc.want {
				t.Errorf("Classify(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestClassifyMemory: the kind of a large INSERT … VALUES (a data dump's
// statement) is read from its first words, without lexing the rest.
func TestClassifyMemory(t *testing.T) {
	stmt := "INSERT INTO t VALUES " + strings.Repeat("(1, 'a', 2.5), ", 1<<18)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kind, ro := Classify(stmt), IsReadOnly(stmt)
	runtime.ReadMemStats(&after)
	if kind != DML || ro {
		t.Errorf("Classify = %v, IsReadOnly = %v; want DML, false", kind, ro)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
		t.Errorf("classifying a %d-byte statement allocated %d bytes", len(stmt), alloc)
	}
}
