package connect_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/sqltext"
)

// The display form of nested values (JSON with field names) holds the same
// names and values as Spark's own to_json of the same value, for values
// whose text trips a reader of CAST's text (strings with ", ", braces,
// quotes, "->"), nulls, maps with string and other keys, arrays of
// structs, decimals, doubles, binary, dates and timestamps. to_json's
// timestamps are asked in CAST's pattern; a map with non-string keys, which
// the display writes as [{"key","value"}], is an object in to_json.
func TestITDisplayMatchesToJSON(t *testing.T) {
	c := itClient(t)
	exprs := []string{
		`named_struct('s', 'a, b} {"q" -> x', 'n', 1, 'z', CAST(NULL AS STRING), 'd', 42.50BD, 'dbl', 1e10D,
			'b', X'00FF10', 'dt', DATE'2024-02-29', 'ts', TIMESTAMP'2024-01-15 10:30:00', 'bo', true)`,
		`array(named_struct('k', ']', 'v', array(1, NULL)), NULL, named_struct('k', '', 'v', CAST(array() AS ARRAY<INT>)))`,
		`map('a -> b', 1, 'c', NULL, '', 3)`,
		`map(1, 'x', 2, CAST(NULL AS STRING))`,
		"named_struct('odd `name`', 'tab\there\\n', 'nested', named_struct('x', 'null', 'y', array(map('k', '{v}'))))",
		`named_struct('nan', CAST('NaN' AS DOUBLE), 'tiny', CAST('-0.0000000001' AS DECIMAL(38,10)), 'big', 9223372036854775807L)`,
		`array(array('[a]', 'b, c'), CAST(NULL AS ARRAY<STRING>))`,
	}
	opts := `map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ss')`
	var sel []string
	for i, e := range exprs {
		sel = append(sel, fmt.Sprintf("%s AS c%d", e, i), fmt.Sprintf("to_json(%s, %s)", e, opts))
	}
	compareDisplay(t, itRun(t, c, "SELECT "+strings.Join(sel, ", "), connect.Limits{}))

	// And the nested columns of the demo catalog, every row.
	cols, err := c.Schema(t.Context(), "SELECT * FROM sales.all_types")
	if err != nil {
		t.Fatal(err)
	}
	sel = sel[:0]
	for _, col := range cols {
		if strings.ContainsAny(col.Type, "<") {
			q := sqltext.Quote(col.Name)
			sel = append(sel, q, "to_json("+q+", "+opts+")")
		}
	}
	if len(sel) == 0 {
		t.Fatal("no nested column in sales.all_types; seed the demo catalog")
	}
	compareDisplay(t, itRun(t, c, "SELECT "+strings.Join(sel, ", ")+" FROM sales.all_types ORDER BY id", connect.Limits{}))
}

// compareDisplay checks each row's pairs of columns (value, its to_json).
func compareDisplay(t *testing.T, res *connect.Result) {
	t.Helper()
	if len(res.Rows) == 0 {
		t.Fatal("no rows")
	}
	for r, row := range res.Rows {
		for i := 0; i+1 < len(row); i += 2 {
			got, want := row[i], row[i+1]
			if got.Null || want.Null {
				if got.Null != want.Null || got.Display != "" {
					t.Errorf("row %d %s: value %+v, to_json %+v", r, res.Columns[i].Name, got, want)
				}
				continue
			}
			g, err1 := decode(got.Display)
			w, err2 := decode(want.Text)
			if err1 != nil || err2 != nil {
				t.Errorf("row %d %s: display %q (%v), to_json %q (%v)", r, res.Columns[i].Name, got.Display, err1, want.Text, err2)
				continue
			}
			if !sameJSON(g, w) {
				t.Errorf("row %d %s (%s):\n display %s\n to_json %s\n CAST    %s", r, res.Columns[i].Name, res.Columns[i].Type, got.Display, want.Text, got.Text)
			}
		}
	}
}

func decode(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// sameJSON compares numbers by value (to_json may write 1E-10 where CAST
// writes 0.0000000001) and a display's [{"key","value"}] with to_json's
// object of the keys' text.
func sameJSON(g, w any) bool {
	switch w := w.(type) {
	case json.Number:
		gn, ok := g.(json.Number)
		if !ok {
			return false
		}
		a, ok1 := new(big.Rat).SetString(string(gn))
		b, ok2 := new(big.Rat).SetString(string(w))
		return ok1 && ok2 && a.Cmp(b) == 0
	case map[string]any:
		switch g := g.(type) {
		case map[string]any:
			if len(g) != len(w) {
				return false
			}
			for k, wv := range w {
				gv, ok := g[k]
				if !ok || !sameJSON(gv, wv) {
					return false
				}
			}
			return true
		case []any:
			if len(g) != len(w) {
				return false
			}
			for _, e := range g {
				kv, ok := e.(map[string]any)
				if !ok || len(kv) != 2 {
					return false
				}
				wv, ok := w[fmt.Sprint(kv["key"])]
				if !ok || !sameJSON(kv["value"], wv) {
					return false
				}
			}
			return true
		}
		return false
	case []any:
		ga, ok := g.([]any)
		if !ok || len(ga) != len(w) {
			return false
		}
		for i := range w {
			if !sameJSON(ga[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(g, w)
}
