package ide

import (
	"context"
	"strings"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// ExpandStar is the code action that replaces the * (or t.*) of a SELECT
// list at byte offset off with the columns it stands for, from the text
// and the catalog cache. ok is false when a column set is not fully known
// (a table not in the cache, a SELECT * the text cannot see through):
// an expansion that misses columns would change the query.
func ExpandStar(ctx context.Context, cache *schema.Cache, text string, off int) (span sqltext.Span, columns string, ok bool) {
	it, found := sqltext.SelectItemAt(text, off)
	if !found || !it.Star {
		return span, "", false
	}
	ctx, cancel := lookupCtx(ctx)
	defer cancel()
	c := sqltext.At(text, it.Span.Start)
	v := newCatalogView(cache, false, text, it.Span.Start)
	var refs []sqltext.TableRef
	for _, r := range c.Scope.Tables {
		if r.Outer != 0 || r.Kind == sqltext.RefPipe {
			continue
		}
		if len(it.Qualifier) > 0 {
			if q, ok := c.Scope.Lookup(it.Qualifier[len(it.Qualifier)-1]); !ok || q.Span != r.Span {
				continue
			}
		}
		refs = append(refs, r)
	}
	if len(refs) == 0 {
		return span, "", false
	}
	var names []string
	for _, r := range refs {
		if r.Kind == sqltext.RefTable && v.table(ctx, v.qualify(r.Name), false) == nil || r.Star && len(r.Sources) == 0 {
			return span, "", false
		}
		for _, s := range r.Sources {
			if v.table(ctx, v.qualify(s.Name), false) == nil {
				return span, "", false
			}
		}
		qual := ""
		if len(refs) > 1 || len(it.Qualifier) > 0 {
			if refName(r) == "" {
				return span, "", false // a subquery without alias
			}
			qual = sqltext.Quote(refName(r)) + "."
		}
		for _, col := range dedupe(v.refColumns(ctx, r, false)) {
			names = append(names, qual+sqltext.Quote(col.Name))
		}
	}
	if len(names) == 0 {
		return span, "", false
	}
	return it.Span, strings.Join(names, ", "), true
}
