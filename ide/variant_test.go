package ide

import (
	"slices"
	"strings"
	"testing"
)

// variantPathAt reads the column and keys of a VARIANT path before the
// cursor ($ marks it); variantStruct and pathType then walk a shape as
// schema_of_variant_agg prints it (Spark 4.3.0's output).
func TestVariantPath(t *testing.T) {
	for _, tc := range []struct {
		text       string
		col, keys  []string
		notAVarint bool
	}{
		{text: "SELECT payload:$", col: []string{"payload"}},
		{text: "SELECT e.payload:us$", col: []string{"e", "payload"}},
		{text: "SELECT payload:a.b[0].$ FROM t", col: []string{"payload"}, keys: []string{"a", "b", "[]"}},
		{text: "SELECT payload:`a b`.c$", col: []string{"payload"}, keys: []string{"a b"}},
		{text: "SELECT payload::$", notAVarint: true},
		{text: "SELECT a.b$", notAVarint: true},
		{text: "SELECT x FROM t WHERE y = :p$", notAVarint: true},
	} {
		off := strings.Index(tc.text, "$")
		text := strings.Replace(tc.text, "$", "", 1)
		word := off
		for word > 0 && (isWordByte(text[word-1]) || text[word-1] == '`' || text[word-1] == ' ' && strings.Count(text[:word], "`")%2 == 1) {
			word--
		}
		vp, ok := variantPathAt(text, word)
		if ok == tc.notAVarint || ok && (!slices.Equal(vp.column, tc.col) || !slices.Equal(vp.keys, tc.keys)) {
			t.Errorf("%q: %v %+v", tc.text, ok, vp)
		}
	}
	shape := "OBJECT<a: OBJECT<b: ARRAY<OBJECT<sku: STRING, qty: BIGINT>>>, c: STRING, d: DECIMAL(2,1)>"
	typ, ok := pathType(variantStruct(shape), []string{"a", "b", "[]"})
	var names []string
	for _, f := range structType(typ) {
		names = append(names, f.name+" "+f.typ)
	}
	if !ok || !slices.Equal(names, []string{"sku STRING", "qty BIGINT"}) {
		t.Errorf("a.b[0]: %v %q", ok, names)
	}
}
