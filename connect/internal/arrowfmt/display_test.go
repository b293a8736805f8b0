package arrowfmt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// displayOf renders a one-column batch of type dt built from Arrow JSON
// rows and returns each row's cell.
func displayOf(t *testing.T, dt arrow.DataType, rows string, opt Options) []Cell {
	t.Helper()
	col, _, err := array.FromJSON(memory.DefaultAllocator, dt, strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: dt, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
	defer rec.Release()
	f := NewFormatter(schema, opt)
	var out []Cell
	for i := 0; i < col.Len(); i++ {
		out = append(out, f.Row(rec, i, nil)...)
	}
	return out
}

func fld(name string, dt arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: dt, Nullable: true}
}

func TestDisplay(t *testing.T) {
	utc := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	cases := []struct {
		name string
		typ  arrow.DataType
		rows string
		text []string // CAST text, unchanged
		disp []string // display JSON
	}{
		{"struct with strings that look like CAST's syntax",
			arrow.StructOf(fld("s", arrow.BinaryTypes.String), fld("n", arrow.PrimitiveTypes.Int32)),
			`[{"s": "a, b} {\"q\"", "n": 1}, {"s": null, "n": null}, null, {"s": "null", "n": -2}]`,
			[]string{`{a, b} {"q", 1}`, `{null, null}`, N, `{null, -2}`},
			[]string{`{"s":"a, b} {\"q\"","n":1}`, `{"s":null,"n":null}`, "", `{"s":"null","n":-2}`}},
		{"field names needing quotes",
			arrow.StructOf(fld(`a "b"`, arrow.FixedWidthTypes.Boolean), fld("x.y", arrow.PrimitiveTypes.Float64)),
			`[{"a \"b\"": true, "x.y": 1e10}, {"a \"b\"": false, "x.y": "NaN"}]`,
			[]string{`{true, 1.0E10}`, `{false, NaN}`},
			[]string{`{"a \"b\"":true,"x.y":1.0E10}`, `{"a \"b\"":false,"x.y":"NaN"}`}},
		{"decimals keep their scale",
			arrow.StructOf(fld("d", &arrow.Decimal128Type{Precision: 10, Scale: 2})),
			`[{"d": "42.50"}, {"d": "-0.01"}]`,
			[]string{`{42.50}`, `{-0.01}`},
			[]string{`{"d":42.50}`, `{"d":-0.01}`}},
		{"binary as base64, dates and timestamps as CAST's text",
			arrow.StructOf(fld("b", arrow.BinaryTypes.Binary), fld("d", arrow.FixedWidthTypes.Date32), fld("ts", utc)),
			`[{"b": "AP8Q", "d": "2024-01-02", "ts": "2024-01-02T03:04:05.12Z"}]`,
			nil,
			[]string{`{"b":"AP8Q","d":"2024-01-02","ts":"2024-01-02 03:04:05.12"}`}},
		{"map with string keys is an object",
			arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
			`[[{"key": "a -> b", "value": 1}, {"key": "c", "value": null}], []]`,
			[]string{`{a -> b -> 1, c -> null}`, `{}`},
			[]string{`{"a -> b":1,"c":null}`, `{}`}},
		{"map with other keys is an array of key and value",
			arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
			`[[{"key": 1, "value": "x"}, {"key": 2, "value": null}]]`,
			[]string{`{1 -> x, 2 -> null}`},
			[]string{`[{"key":1,"value":"x"},{"key":2,"value":null}]`}},
		{"array of structs",
			arrow.ListOf(arrow.StructOf(fld("k", arrow.BinaryTypes.String), fld("v", arrow.ListOf(arrow.PrimitiveTypes.Int8)))),
			`[[{"k": "]", "v": [1, null]}, null, {"k": "", "v": []}], []]`,
			[]string{`[{], [1, null]}, null, {, []}]`, `[]`},
			[]string{`[{"k":"]","v":[1,null]},null,{"k":"","v":[]}]`, `[]`}},
		{"strings with control characters and non-ASCII",
			arrow.ListOf(arrow.BinaryTypes.String),
			`[["tab\there\nnew", "héllo \\ 😀"]]`,
			nil,
			[]string{`["tab\there\nnew","héllo \\ 😀"]`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cells := displayOf(t, tc.typ, tc.rows, Options{})
			for i, c := range cells {
				if tc.text != nil {
					if got := c.String(); c.Null != (tc.text[i] == N) || (!c.Null && c.Text != tc.text[i]) {
						t.Errorf("row %d: text %s, want %q", i, got, tc.text[i])
					}
				}
				if c.Display != tc.disp[i] {
					t.Errorf("row %d: display %s, want %s", i, c.Display, tc.disp[i])
				}
				if c.Display != "" && !json.Valid([]byte(c.Display)) {
					t.Errorf("row %d: display is not JSON: %s", i, c.Display)
				}
			}
		})
	}
}

// Only nested columns get a display form; a variant's CAST text is its JSON already.
func TestDisplayOnlyNested(t *testing.T) {
	for _, dt := range []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32, variantType()} {
		if isNested(dt) {
			t.Errorf("%s has a display form", dt)
		}
	}
	cells := displayOf(t, arrow.BinaryTypes.String, `["{a}"]`, Options{})
	if cells[0].Display != "" {
		t.Errorf("string column display = %q", cells[0].Display)
	}
}

// A display longer than the cap is dropped rather than cut (a cut JSON does
// not read); the CAST text is cut as before.
func TestDisplayCap(t *testing.T) {
	dt := arrow.ListOf(arrow.BinaryTypes.String)
	cells := displayOf(t, dt, `[["`+strings.Repeat("x", 100)+`"], ["y"]]`, Options{MaxCellBytes: 40})
	if cells[0].Display != "" || !strings.HasSuffix(cells[0].Text, ellipsis) {
		t.Errorf("long value: %+v", cells[0])
	}
	if cells[1].Display != `["y"]` || cells[1].Text != "[y]" {
		t.Errorf("short value: %+v", cells[1])
	}
}
