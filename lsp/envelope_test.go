package lsp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/internal/ittest"
)

// The query envelope as Spark must receive it, spelled out here rather than
// taken from package connect, so that a change to it fails these tests too.
const (
	wantEnvelopeHead = "SELECT * FROM (\n"
	wantEnvelopeTail = "\n\n)"
)

// hostileHoverText is a document of statements whose hover, type lookups,
// code actions and lenses build queries from hostile text: commands, the
// "/*+" comment that Spark does not nest, ${…} substitution, EXECUTE
// IMMEDIATE, script blocks, several statements in one, and CTEs and
// subqueries whose text closes the parenthesis early. {t} is a table the
// statements must not touch.
var hostileHoverText = strings.Join([]string{
	"WITH a AS (SELECT 1 AS x)) ; DROP TABLE {t}; --\nSELECT x FROM a",
	"WITH a AS (SELECT 1 AS x)) DROP TABLE {t} --\n) SELECT * FROM a",
	"WITH a AS (SELECT 1 AS x FROM {t})) INSERT INTO {t} SELECT * FROM a",
	"WITH a AS (SELECT 1 AS x /* /*+ */ ) DROP TABLE {t} -- */ ) SELECT x FROM a",
	"WITH a AS (SELECT 1 AS x -- \\\n) ; DROP TABLE {t}\n) SELECT x FROM a",
	"WITH a AS (SELECT '${system:line.separator}' AS x) SELECT x, * FROM a ${system:line.separator} ; DROP TABLE {t}",
	"WITH a AS (SELECT 1 AS x) INSERT INTO {t} SELECT * FROM a",
	"WITH a AS (SELECT 1 AS x) SELECT x AS y, y + 1 AS z FROM a; DROP TABLE {t}",
	"SELECT s.n, * FROM (SELECT count(*) AS n FROM {t})) ; DROP TABLE {t} ; SELECT (1) s",
	"SELECT s.n FROM (SELECT 1 AS n) /*+ */ ; DROP TABLE {t} -- */ s",
	"SELECT * FROM (/* /*+ */ DROP TABLE {t} -- */ SELECT 1 AS n) s",
	"EXECUTE IMMEDIATE 'DROP TABLE {t}'",
	"BEGIN\n  DECLARE v INT DEFAULT 1;\n  WITH a AS (SELECT v AS x) SELECT x FROM a;\n  SELECT * FROM (SELECT 1 AS n) s;\n  DROP TABLE {t};\nEND",
	"FROM {t} |> WHERE a > 0 |> SELECT a AS b ; DROP TABLE {t}",
	"CREATE TABLE {t}_copy AS WITH a AS (SELECT 1 AS x) SELECT x, * FROM a",
	"INSERT INTO {t} SELECT s.a FROM (SELECT a FROM {t}) s",
	"CACHE TABLE f_cached AS WITH a AS (SELECT 1 AS x) SELECT * FROM a",
}, ";\n")

// probeHostile asks sparkls everything that may analyse text of the
// document: diagnostics (on open), a hover at the start of every word, the
// code actions at every '*', and the code lenses.
func probeHostile(t *testing.T, c *testClient, uri protocol.DocumentURI, text string) {
	t.Helper()
	seen := len(c.notesOf(protocol.MethodTextDocumentPublishDiagnostics))
	c.open(string(uri), text)
	c.waitPublished(seen, uri, 1)
	doc := newDocument(uri, "sql", 1, text)
	for off := 0; off < len(text); off++ {
		if off == 0 || strings.ContainsRune(" \n(.,", rune(text[off-1])) {
			c.hover(uri, doc.Position(off))
		}
		if text[off] == '*' {
			var actions []protocol.CodeAction
			c.callOK(protocol.MethodTextDocumentCodeAction, map[string]any{
				"textDocument": map[string]any{"uri": uri}, "range": doc.Range(off, off), "context": map[string]any{"diagnostics": []any{}},
			}, &actions)
		}
	}
	c.lenses(uri)
	// The analyses the hovers started end within their timeout.
	time.Sleep(2 * typesWait)
}

// sentSQL is every SQL text in the AnalyzePlan and ExecutePlan requests
// the fake received; a request that carries a command (SqlCommand or any
// Command plan) is an error.
func sentSQL(t *testing.T, fake *connecttest.Server) []string {
	t.Helper()
	var out []string
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		switch m.Descriptor().FullName() {
		case "spark.connect.SqlCommand":
			// The connection asks for the current namespace with this fixed
			// text of sparkls' own (the fake knows no catalog RPC for it).
			if q := m.Get(m.Descriptor().Fields().ByName("sql")).String(); q == "SHOW CURRENT NAMESPACE" {
				return
			}
			t.Errorf("a command was sent: %v", m.Interface())
			return
		case "spark.connect.SQL":
			out = append(out, m.Get(m.Descriptor().Fields().ByName("query")).String())
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message())
				}
			case fd.IsMap() && fd.MapValue().Message() != nil:
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool { walk(mv.Message()); return true })
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	for _, method := range []string{"AnalyzePlan", "ExecutePlan"} {
		for _, call := range fake.Requests(method) {
			walk(proto.Clone(call.Request).ProtoReflect())
		}
	}
	return out
}

// envelopedInner checks that every text is exactly the query envelope
// around something, and returns those somethings.
func envelopedInner(t *testing.T, sent []string) []string {
	t.Helper()
	var inner []string
	for _, q := range sent {
		body, ok := strings.CutPrefix(q, wantEnvelopeHead)
		if ok {
			body, ok = strings.CutSuffix(body, wantEnvelopeTail)
		}
		if !ok {
			t.Errorf("sent outside the query envelope: %q", q)
			continue
		}
		inner = append(inner, body)
	}
	return inner
}

// closesEarly reports whether s has a ')' that closes nothing of its own.
func closesEarly(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth < 0 {
			return true
		}
	}
	return false
}

// hostileProbe opens the hostile document in sparkls connected to a fake
// server and returns the texts sparkls had Spark analyse or read, each
// checked to be inside the envelope; nothing else reached the server.
func hostileProbe(t *testing.T, table string) []string {
	fake := connecttest.New(t)
	c := startRunClient(t, fake, runSetup{})
	text := strings.ReplaceAll(hostileHoverText, "{t}", table)
	probeHostile(t, c, "file:///work/hostile_hover.sql", text)
	c.exit(true)
	for _, ex := range fake.Executed() {
		if ex != "SHOW CURRENT NAMESPACE" {
			t.Errorf("the fake ran a command: %q", ex)
		}
	}
	inner := envelopedInner(t, sentSQL(t, fake))
	if len(inner) < 10 {
		t.Fatalf("only %d texts were analysed: the probe does not reach the analyzer (%q)", len(inner), inner)
	}
	return inner
}

// Hover, type lookups, diagnostics, code actions and lenses over hostile
// statements send Spark nothing but the query envelope around a text: no
// command, no bare statement. This fails if any path bypassed the envelope.
func TestHostileHoverEnvelope(t *testing.T) {
	inner := hostileProbe(t, "safety.t")
	// The probe reaches a text that closes the parenthesis early: only the
	// envelope keeps what follows it from being a statement of its own.
	if !slices.ContainsFunc(inner, closesEarly) {
		t.Errorf("no analysed text closes a parenthesis it did not open; the test proves little: %q", inner)
	}
}

// The texts sparkls sends for the hostile document are, to the real
// Spark's parser, either not a query (a parse error: nothing runs) or a
// query; and hovering over it on the real server leaves the catalog and
// the rows as they were.
func TestITHostileHoverEnvelope(t *testing.T) {
	remote := ittest.Remote(t)
	cl := ittest.Client(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	sql := func(q string) string {
		t.Helper()
		r, err := cl.Run(ctx, q, connect.RunOptions{Limits: connect.Limits{Rows: 1000}})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var b strings.Builder
		for _, row := range r.Rows {
			for _, v := range row {
				b.WriteString(v.Text + ",")
			}
			b.WriteString(";")
		}
		return b.String()
	}
	sql("DROP DATABASE IF EXISTS f_hover CASCADE; CREATE DATABASE f_hover;" +
		"CREATE TABLE f_hover.t (a INT) USING parquet; INSERT INTO f_hover.t VALUES (1), (2), (3)")
	t.Cleanup(func() {
		_, _ = cl.Run(context.Background(), "DROP DATABASE IF EXISTS f_hover CASCADE", connect.RunOptions{})
	})
	state := func() string {
		return sql("SHOW TABLES IN f_hover") + sql("SHOW TABLES IN sales") +
			sql("SELECT (SELECT count(*) FROM f_hover.t), (SELECT count(*) FROM sales.orders), (SELECT count(*) FROM sales.customers)")
	}
	before := state()

	inner := hostileProbe(t, "f_hover.t")
	queries, rejected := 0, 0
	for _, s := range inner {
		_, err := cl.Schema(ctx, s) // sends exactly envelope(s)
		var se *connect.SparkError
		switch {
		case err == nil:
			queries++
		case errors.As(err, &se) && (strings.HasPrefix(se.ErrorClass, "PARSE_") || se.SQLState == "42601"):
			rejected++
		case errors.As(err, &se):
			queries++ // parsed as a query, failed analysis
		default:
			t.Errorf("%q: %v", s, err)
		}
	}
	t.Logf("%d texts: %d queries, %d parse errors", len(inner), queries, rejected)
	for _, s := range inner {
		if closesEarly(s) {
			var se *connect.SparkError
			if _, err := cl.Schema(ctx, s); !errors.As(err, &se) || !strings.HasPrefix(se.ErrorClass, "PARSE_") && se.SQLState != "42601" {
				t.Errorf("%q closes the envelope early, yet Spark did not reject it: %v", s, err)
			}
		}
	}
	if rejected == 0 {
		t.Errorf("no analysed text was rejected by Spark's parser: the hostile parts never reached it")
	}

	c := connectedServer(t, remote)
	probeHostile(t, c, "file:///work/hostile_hover.sql", strings.ReplaceAll(hostileHoverText, "{t}", "f_hover.t"))
	c.exit(true)
	if after := state(); after != before {
		t.Errorf("changed the server:\nbefore %s\nafter  %s", before, after)
	}
}
