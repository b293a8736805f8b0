package lsp

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
)

// hostileStatements are statements that try to make Spark change something
// when sparkls only opens, checks, explains, hovers or runs them under
// readOnly. {m} is a marker path a shell command would create.
var hostileStatements = []string{
	// Spark does not nest a comment at "/*+": it reads the DROP.
	"/* /*+ */ DROP TABLE safety.t -- */ SELECT 1",
	"/* /*+ */ INSERT INTO safety.t VALUES (9) -- */ SELECT 1",
	"/* /*+ */ TRUNCATE TABLE safety.t -- */ SELECT 1",
	"/*\u00a0/*+ */ DELETE FROM safety.t -- */ SELECT 1",
	"SELECT /*+ REPARTITION(1) -- */\n */ 1; DROP TABLE safety.t",
	// Substitution before parsing, no SET needed.
	"/* *${system:file.separator} DROP TABLE safety.t -- */ SELECT 1",
	"SELECT 1 ${system:line.separator} ; DROP TABLE safety.t",
	"/* ${sparkls_x} */ SELECT 1",
	"/* ${env:HOME} */ DROP TABLE safety.t",
	"SELECT '${hiveconf:x}' ; DROP TABLE safety.t",
	// Commands in every disguise.
	"DROP TABLE safety.t",
	"dRoP\u00a0TaBlE safety.t",
	"\u3000TRUNCATE TABLE safety.t",
	"EXECUTE IMMEDIATE 'DROP TABLE safety.t'",
	"EXPLAIN EXECUTE IMMEDIATE 'DROP TABLE safety.t'",
	"SELECT 1) ; DROP TABLE safety.t ; SELECT * FROM (SELECT 1",
	"SELECT 1)\n; DROP TABLE safety.t --",
	"BEGIN DROP TABLE safety.t; END",
	"BEGIN\n  SELECT 1;\n  INSERT INTO safety.t VALUES (9);\nEND",
	"WITH x AS (SELECT 1) INSERT INTO safety.t SELECT * FROM x",
	"FROM safety.t INSERT INTO safety.u SELECT a INSERT INTO safety.u SELECT a",
	"CACHE TABLE safety_cached AS SELECT 1",
	"CREATE TEMP VIEW safety_view AS SELECT 1",
	"INSERT OVERWRITE DIRECTORY '{m}-dir' USING parquet SELECT 1",
	"ADD JAR {m}.jar",
	"SET sparkls_y = 1",
	// Queries that run code on the server when executed.
	"SELECT TRANSFORM(a) USING 'touch {m}' AS (b) FROM safety.t",
	"FROM safety.t MAP a USING 'touch {m}' AS b",
	"FROM safety.t REDUCE a USING 'touch {m}' AS b",
	"SELECT java_method('java.lang.System', 'setProperty', 'sparkls.safety', 'ran')",
	"SELECT reflect('java.lang.System', 'setProperty', 'sparkls.safety', 'ran')",
	"SELECT try_reflect('java.lang.System', 'setProperty', 'sparkls.safety', 'ran')",
	"SELECT * FROM (SELECT JAVA_METHOD('java.lang.System', 'setProperty', 'sparkls.safety', 'ran'))",
}

// safetyState is what a hostile statement must not change.
type safetyState struct {
	tables []string
	rows   string
	files  []string
}

// TestITSafety opens, checks, explains, hovers and runs (readOnly) every
// hostile statement on the real server, and after each asserts that the
// tables, their rows, the warehouse files and the marker are as before and
// the server still answers.
func TestITSafety(t *testing.T) {
	remote := itRemote(t)
	ctx := context.Background()
	admin := ittest.Client(t)
	sql := func(text string) *connect.Result {
		t.Helper()
		res, err := admin.Run(ctx, text, connect.RunOptions{Limits: connect.Limits{Rows: 10000}})
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return res
	}
	sql("DROP DATABASE IF EXISTS safety CASCADE; CREATE DATABASE safety;" +
		"CREATE TABLE safety.t (a INT) USING parquet; INSERT INTO safety.t VALUES (1), (2), (3);" +
		"CREATE TABLE safety.u (a INT) USING parquet; INSERT INTO safety.u VALUES (1)")
	warehouse := strings.TrimPrefix(sql("SET spark.sql.warehouse.dir").Rows[0][1].Text, "file:")
	marker := filepath.Join(t.TempDir(), "marker")

	state := func() safetyState {
		var st safetyState
		for _, row := range sql("SHOW TABLES IN safety").Rows {
			st.tables = append(st.tables, row[0].Text+"."+row[1].Text)
		}
		for _, row := range sql("SHOW TABLES IN sales").Rows {
			st.tables = append(st.tables, row[0].Text+"."+row[1].Text)
		}
		res := sql("SELECT (SELECT count(*) FROM safety.t), (SELECT count(*) FROM safety.u), (SELECT count(*) FROM sales.orders), " +
			"java_method('java.lang.System', 'getProperty', 'sparkls.safety')")
		for _, c := range res.Rows[0] {
			st.rows += c.Text + " "
		}
		// Only the database this test owns: other packages' tests create
		// and drop their own databases in the same warehouse meanwhile.
		_ = filepath.WalkDir(filepath.Join(warehouse, "safety.db"), func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				info, _ := d.Info()
				st.files = append(st.files, fmt.Sprintf("%s %d %d", p, info.Size(), info.ModTime().UnixNano()))
			}
			return nil
		})
		for _, p := range []string{marker, marker + "-dir"} {
			if _, err := os.Stat(p); err == nil {
				st.files = append(st.files, "MARKER "+p)
			}
		}
		return st
	}
	before := state()

	c := startRunClient(t, nil, runSetup{remote: remote})
	// The user's own run arms a substitution that would end a comment and
	// bring out a DROP: a later read-only statement must not fire it.
	armURI := protocol.DocumentURI("file:///tmp/safety-arm.sql")
	arm := "SET sparkls_x = */ DROP TABLE safety.t --"
	c.open(string(armURI), arm)
	if res := c.runCall(newDocument(armURI, "sql", 1, arm), 0, len(arm)); res.Error != nil {
		t.Fatalf("arming run: %+v", res.Error)
	}
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"sparkls": map[string]any{"remote": remote, "readOnly": true}}})
	eventually(t, "readOnly on", func() bool { return c.srv.snapshot().Settings.ReadOnly })

	sparkClient, ok := c.srv.client()
	if !ok {
		t.Fatal("not connected")
	}
	for i, stmt := range hostileStatements {
		stmt = strings.ReplaceAll(stmt, "{m}", marker)
		uri := protocol.DocumentURI(fmt.Sprintf("file:///tmp/safety-%d.sql", i))
		doc := newDocument(uri, "sql", 1, stmt)
		seen := len(c.notesOf(protocol.MethodTextDocumentPublishDiagnostics))
		c.open(string(uri), stmt) // diagnostics
		c.waitPublished(seen, uri, 1)
		if _, err := Check(ctx, sparkClient, stmt); err != nil && connect.IsTransport(err) { // sparkls check
			t.Errorf("%q: check: %v", stmt, err)
		}
		c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandExplain, map[string]any{"uri": uri, "range": doc.Range(0, len(stmt))}))
		c.hover(uri, doc.Position(min(7, len(stmt))))
		res := c.runCall(doc, 0, len(stmt))
		if res.Error == nil {
			t.Errorf("%q ran under readOnly: %+v", stmt, res)
		}
		after := state()
		if !slices.Equal(after.tables, before.tables) || after.rows != before.rows || !slices.Equal(after.files, before.files) {
			t.Fatalf("%q changed the server:\ntables %q -> %q\nrows %s-> %s\nfiles gone %q, new %q",
				stmt, before.tables, after.tables, before.rows, after.rows, missing(before.files, after.files), missing(after.files, before.files))
		}
	}
	// The server is alive and the session still works.
	if res := sql("SELECT 1"); len(res.Rows) != 1 {
		t.Error("the server does not answer")
	}
	deadline, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := sparkClient.Schema(deadline, "SELECT 1"); err != nil {
		t.Errorf("sparkls' session: %v", err)
	}
}

// missing returns the elements of a that are not in b.
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
