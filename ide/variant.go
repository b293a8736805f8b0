package ide

import (
	"context"
	"strings"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// VARIANT paths (Spark 4.x: v:a.b[0]::int): after col: and col:key. the
// keys complete from the column's shape, which the caller's VariantShapes
// learns from a bounded sample (schema_of_variant_agg over LIMIT 1000) and
// caches. Spark prints a shape as OBJECT<a: BIGINT, b: ARRAY<STRING>>.

// VariantShapes gives the shape of a VARIANT column of a catalog table
// (parts: catalog, namespace, table; one part for a temporary view), as
// schema_of_variant_agg prints it. Shape must answer at once, from what is
// known; ok is false when it is not (yet) known, and the completion is
// then incomplete so that the editor asks again.
type VariantShapes interface {
	Shape(ctx context.Context, table []string, column string) (shape string, ok bool)
}

// variantPath is a VARIANT path being typed: the column (and its
// qualifier) before ':' and the keys after it ("[]" for an element).
type variantPath struct {
	column []string
	keys   []string
}

// variantPathAt finds a VARIANT path that ends at the cursor (after the
// word being typed, if any). Paths are read from the cursor's line.
func variantPathAt(text string, off int) (variantPath, bool) {
	lo := off
	for lo > 0 && text[lo-1] != '\n' && off-lo < 4096 {
		lo--
	}
	var toks []sqltext.Token
	for _, t := range sqltext.Lex(text[lo:off]) {
		if t.Kind != sqltext.Comment {
			toks = append(toks, t)
		}
	}
	i := len(toks) - 1
	if i >= 0 && isNameTok(toks[i]) && toks[i].End == off-lo {
		i-- // the key being typed
	}
	var rev []string
	for i >= 1 {
		switch t := toks[i]; {
		case t.Is(":"):
			if !isNameTok(toks[i-1]) {
				return variantPath{}, false
			}
			col := []string{unquoteToken(toks[i-1])}
			if i >= 3 && toks[i-2].Is(".") && isNameTok(toks[i-3]) {
				col = append([]string{unquoteToken(toks[i-3])}, col...)
			}
			vp := variantPath{column: col}
			for k := len(rev) - 1; k >= 0; k-- {
				vp.keys = append(vp.keys, rev[k])
			}
			return vp, true
		case t.Is("."):
			i--
			for i >= 0 && toks[i].Is("]") {
				for i >= 0 && !toks[i].Is("[") {
					i--
				}
				rev = append(rev, sqltext.ElementPart)
				i--
			}
			if i < 0 {
				return variantPath{}, false
			}
			if isNameTok(toks[i]) {
				rev = append(rev, unquoteToken(toks[i]))
				i--
			}
		default:
			return variantPath{}, false
		}
	}
	return variantPath{}, false
}

func isNameTok(t sqltext.Token) bool {
	return t.Kind == sqltext.Ident || t.Kind == sqltext.QuotedIdent
}

// variantColumn finds the VARIANT column a path starts from, and its table.
func variantColumn(ctx context.Context, v *catalogView, scope sqltext.Scope, col []string) (*schema.Table, string, bool) {
	match := func(r sqltext.TableRef, name string) (*schema.Table, string, bool) {
		for _, c := range v.refColumns(ctx, r, false) {
			if c.Col != nil && c.Table != nil && strings.EqualFold(c.Name, name) && strings.EqualFold(c.Col.Type, "variant") {
				return c.Table, c.Col.Name, true
			}
		}
		return nil, "", false
	}
	if len(col) == 2 {
		if r, ok := scope.Lookup(col[0]); ok {
			return match(r, col[1])
		}
		return nil, "", false
	}
	for _, r := range scope.Tables {
		if t, name, ok := match(r, col[0]); ok {
			return t, name, true
		}
	}
	return nil, "", false
}

// variantKeys offers the keys of the object a VARIANT path reaches.
func (cp *completer) variantKeys(vp variantPath) bool {
	if cp.opt.variants == nil {
		return false
	}
	t, col, ok := variantColumn(cp.ctx, cp.v, cp.c.Scope, vp.column)
	if !ok {
		return false
	}
	r := t.Ref()
	var parts []string
	for _, p := range []string{r.Catalog, r.Namespace, r.Table} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	shape, ok := cp.opt.variants.Shape(cp.ctx, parts, col)
	if !ok {
		cp.more = true // learnt in the background: ask again
		return true
	}
	typ, ok := pathType(variantStruct(shape), vp.keys)
	if !ok {
		return true
	}
	for _, f := range structType(typ) {
		cp.addName(candidate{kind: KindField, detail: "variant key · " + strings.ToLower(f.typ), group: groupColumn}, f.name)
	}
	return true
}

// variantStruct writes a variant shape as the struct<…> and array<…> types
// the nested-path code reads.
func variantStruct(shape string) string {
	return strings.ReplaceAll(shape, "OBJECT<", "struct<")
}
