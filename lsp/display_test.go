package lsp

import (
	"encoding/json"
	"testing"

	"github.com/sparkls/sparkls/connect"
)

// Only nested columns travel with a display form, keyed by column index,
// one entry per row; a result without them sends no display at all.
func TestDisplayOf(t *testing.T) {
	rows := [][]connect.Cell{
		{{Text: "1"}, {Text: "{a, 1}", Display: `{"s":"a","n":1}`}},
		{{Text: "2"}, {Null: true}},
	}
	b, err := json.Marshal(RunResult{Rows: wireRows(rows), Display: displayOf(rows)})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Display map[string][]*string `json:"display"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Display) != 1 || len(got.Display["1"]) != 2 || *got.Display["1"][0] != `{"s":"a","n":1}` || got.Display["1"][1] != nil {
		t.Errorf("display = %s", b)
	}
	flat := [][]connect.Cell{{{Text: "1"}}}
	if b, _ := json.Marshal(RunResult{Rows: wireRows(flat), Display: displayOf(flat)}); json.Valid(b) && containsKey(b, "display") {
		t.Errorf("a result without nested columns sends display: %s", b)
	}
}

func containsKey(b []byte, k string) bool {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	_, ok := m[k]
	return ok
}
