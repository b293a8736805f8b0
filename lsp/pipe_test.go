package lsp

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/ittest"
	"github.com/sparkls/sparkls/sqltext"
)

// Pipe syntax on the real server: the columns sqltext says each step
// produces are the ones Spark's analyzer gives, and diagnostics flag only
// the misspelled column of a pipe step.
func TestITPipeSyntax(t *testing.T) {
	remote := ittest.Remote(t)
	ittest.Requires(t, "4.0", "pipe syntax")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	r, err := connect.ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := connect.Dial(ctx, r, connect.Options{Version: "it"})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, q := range []string{
		"FROM sales.orders |> WHERE amount > 0 |> AGGREGATE sum(amount) AS total, count(*) AS n GROUP BY customer_id",
		"FROM sales.orders |> SELECT order_id AS id, amount |> EXTEND amount * 2 AS dbl |> DROP amount",
		"FROM (SELECT 1 AS a, 2 AS b) |> AS s |> SELECT s.b, s.a |> ORDER BY a |> LIMIT 3",
		"FROM sales.orders AS o |> JOIN (SELECT 1 AS k) ON true |> SELECT o.order_id, k",
	} {
		cols, err := cl.Schema(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		var spark []string
		for _, c := range cols {
			spark = append(spark, c.Name)
		}
		last := strings.LastIndex(q, "|>")
		st, ok := sqltext.PipeStepAt(q, last)
		if !ok || st.Out.Star {
			t.Errorf("%s: the last step's columns are not known: %+v", q, st)
			continue
		}
		if !slices.Equal(st.Out.Columns, spark) {
			t.Errorf("%s: sqltext says %v, Spark %v", q, st.Out.Columns, spark)
		}
	}

	c := startServer(t, testOptions{realDial: true})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": remote}}, false)
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	const uri = "file:///work/pipe.sql"
	text := "FROM sales.orders\n|> WHERE amount > 0\n|> AGGREGATE sum(amount) AS total GROUP BY customer_id\n|> SELECT customer_id, totl;\n" +
		"FROM sales.orders |> SELECT order_id;\n"
	c.open(uri, text)
	_, got := c.waitPublished(0, uri, 1)
	var b strings.Builder
	renderPublished(&b, got[len(got)-1], text)
	want := "published v1:\n  3:23-3:27 \"totl\" error spark UNRESOLVED_COLUMN"
	if !strings.HasPrefix(b.String(), want) || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("got\n%s\nwant one diagnostic starting\n%s", b.String(), want)
	}
	c.exit(true)
}
