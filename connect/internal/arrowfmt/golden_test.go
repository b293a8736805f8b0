package arrowfmt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// Golden files are real Spark 4.0.1 Connect responses, made by
// testdata/golden/gen_golden.py: <name>.arrows holds the raw ArrowBatch.data
// bytes the server sent for SELECT <exprs>, and <name>.json what the same
// server returned for CAST(<expr> AS STRING) and typeof(<expr>) (df.show()
// for top-level binary, to_json for variant). ARROWFMT_GOLDEN_DIR adds a
// directory of more such files.

// knownTypeLoss lists typeof() names Arrow cannot carry; TypeName returns
// the canonical type instead.
var knownTypeLoss = map[string]string{
	"interval hour":   "interval day to second",
	"interval minute": "interval day to second",
	"interval second": "interval day to second",
	"interval day":    "interval day to second",
	"interval year":   "interval year to month",
}

// knownTextLoss: Arrow does not say which interval fields the column had, so
// these render as DAY TO SECOND / YEAR TO MONTH instead of Spark's text.
var knownTextLoss = map[string]string{
	"interval '3' hour":        "INTERVAL '0 03:00:00' DAY TO SECOND",
	"interval '100' year":      "INTERVAL '100-0' YEAR TO MONTH",
	"interval '0' second":      "INTERVAL '0 00:00:00' DAY TO SECOND",
	"interval '10' minute":     "INTERVAL '0 00:10:00' DAY TO SECOND",
	"interval '12.345' second": "INTERVAL '0 00:00:12.345' DAY TO SECOND",
	"array(interval '1' day)":  "[INTERVAL '1 00:00:00' DAY TO SECOND]",
}

func TestGolden(t *testing.T) {
	dirs := []string{"testdata/golden"}
	if d := os.Getenv("ARROWFMT_GOLDEN_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	n := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, jf := range files {
			name := strings.TrimSuffix(filepath.Base(jf), ".json")
			n++
			t.Run(name, func(t *testing.T) { checkGolden(t, jf) })
		}
	}
	if n == 0 {
		t.Skip("no golden files")
	}
}

func checkGolden(t *testing.T, jf string) {
	raw, err := os.ReadFile(strings.TrimSuffix(jf, ".json") + ".arrows")
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(jf)
	if err != nil {
		t.Fatal(err)
	}
	// Null expected texts are JSON null -> decode via *string.
	var g struct {
		Exprs []string      `json:"exprs"`
		Rows  [][][]*string `json:"rows"`
	}
	if err := json.Unmarshal(js, &g); err != nil {
		t.Fatal(err)
	}
	var got [][]Cell
	var f *Formatter
	schema, err := ReadStream(raw, func(rec arrow.RecordBatch) error {
		if f == nil {
			f = NewFormatter(rec.Schema(), Options{})
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			got = append(got, f.Row(rec, i, nil))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(g.Rows) {
		t.Fatalf("rows: got %d, want %d", len(got), len(g.Rows))
	}
	for c, fld := range schema.Fields() {
		want := *g.Rows[0][c][1]
		if lossy, ok := knownTypeLoss[want]; ok {
			want = lossy
		}
		if tn := TypeName(fld.Type); tn != want {
			t.Errorf("%s: TypeName = %q, typeof = %q (arrow %s)", g.Exprs[c], tn, want, fld.Type)
		}
	}
	for r := range got {
		for c, cell := range got[r] {
			w := g.Rows[r][c][0]
			if lossy, ok := knownTextLoss[g.Exprs[c]]; ok {
				w = &lossy
			}
			switch {
			case w == nil && !cell.Null:
				t.Errorf("%s: got %q, want NULL", g.Exprs[c], cell.Text)
			case w != nil && cell.Null:
				t.Errorf("%s: got NULL, want %q", g.Exprs[c], *w)
			case w != nil && cell.Text != *w:
				t.Errorf("%s: got %q, want %q (arrow %s)", g.Exprs[c], cell.Text, *w, schema.Field(c).Type)
			}
		}
	}
}
