package sqltext

import "strings"

// Pipe syntax (Spark 4.0+): FROM t |> WHERE … |> AGGREGATE … GROUP BY …
// |> SELECT …. Each step after a |> is a core of its own query whose one
// reference, of kind RefPipe, is the result of the step before it; so the
// columns in scope inside a step are those the previous step produces.

// pipeStep is one |> operator of a query.
type pipeStep struct {
	op   string // the operator keyword: WHERE, SELECT, AGGREGATE, …
	opAt int    // its token index, or -1
	in   *core  // the previous step, or nil for the query before the first |>
	q    *qnode
	by   int // AGGREGATE: the first token after GROUP BY, or -1
}

// pipeOps are the operators that may follow |>, as Spark 4.x knows them.
var pipeOps = []string{"WHERE", "SELECT", "EXTEND", "SET", "DROP", "AS", "AGGREGATE",
	"JOIN", "LEFT JOIN", "INNER JOIN", "CROSS JOIN", "ORDER BY", "LIMIT", "OFFSET",
	"UNION ALL", "UNION", "INTERSECT", "EXCEPT", "TABLESAMPLE", "PIVOT", "UNPIVOT"}

// pipes returns the indexes of the |> tokens of a query body at its depth.
func (a *analysis) pipes(i, hi int) []int {
	var out []int
	for j := i; j < hi; j = a.next(j) {
		if a.toks[j].Is("|>") {
			out = append(out, j)
		}
	}
	return out
}

// parsePipes reads the steps after the |> tokens at ps, the query before
// the first having been parsed into q's cores already.
func (a *analysis) parsePipes(q *qnode, ps []int) {
	var in *core
	for k, p := range ps {
		hi := q.hi
		if k+1 < len(ps) {
			hi = ps[k+1]
		}
		c := a.newCore(q, p+1, hi)
		st := &pipeStep{in: in, q: q, opAt: -1, by: -1}
		c.step = st
		i := p + 1
		if i < hi {
			st.op, st.opAt = pipeOp(a.toks[i]), i
		}
		// The result of the previous step, as a reference; an AS step
		// names it for the steps after.
		pr := &ref{kind: RefPipe, span: a.span(p, p), c: c, pipeIn: in}
		if in != nil && in.step != nil && in.step.op == "AS" {
			if j := in.step.opAt + 1; j < in.hi && isName(a.toks[j]) {
				pr.alias, pr.aliasSpan = Unquote(a.toks[j]), a.span(j, j)
			}
		}
		c.refs = append(c.refs, pr)
		switch {
		case st.op == "SELECT" || st.op == "EXTEND":
			c.sel, c.selEnd = i+1, a.clauseEnd(i+1, hi, selectEnd)
		case st.op == "AGGREGATE":
			c.sel, c.selEnd = i+1, hi
			for j := i + 1; j < hi; j = a.next(j) {
				if a.kw(j, "GROUP") && a.kw(j+1, "BY") {
					c.selEnd, st.by = j, j+2
					break
				}
			}
		case st.op != "" && a.isJoinWord(i):
			a.parseFrom(c, i, hi)
		}
		in = c
	}
}

// lastStep returns the last pipe step of q, or nil.
func lastStep(q *qnode) *core {
	if n := len(q.cores); n > 0 && q.cores[n-1].step != nil {
		return q.cores[n-1]
	}
	return nil
}

// pipeInput returns the columns a step receives: those of the step before
// it, or of the query before the first |> (where FROM t alone is all of t).
func (a *analysis) pipeInput(r *ref) outCols {
	if r.pipeIn != nil {
		return a.stepCols(r.pipeIn)
	}
	q := r.c.q
	var first *core
	for _, c := range q.cores {
		if c.step == nil && !c.insertT {
			first = c
			break
		}
	}
	if first != nil && first.sel == -1 && first.values < 0 && first.paren == nil && len(first.refs) > 0 {
		return a.starCols(first, nil) // FROM t |> …
	}
	return a.coreCols(first)
}

// stepCols returns the columns a pipe step produces.
func (a *analysis) stepCols(c *core) outCols {
	if c.stepOut != nil {
		return *c.stepOut
	}
	if c.stepBusy {
		return outCols{star: true}
	}
	c.stepBusy = true
	out := a.stepColsOf(c)
	c.stepBusy = false
	c.stepOut = &out
	return out
}

func (a *analysis) stepColsOf(c *core) outCols {
	st := c.step
	in := a.refCols(c.refs[0])
	switch st.op {
	case "SELECT":
		return a.itemCols(c, a.selectItems(c))
	case "EXTEND":
		out := in
		out.cols = append(append([]colDef(nil), in.cols...), a.itemCols(c, a.selectItems(c)).cols...)
		return out
	case "AGGREGATE":
		var keys []item
		if st.by >= 0 {
			keys = a.selectItems(&core{q: c.q, sel: st.by, selEnd: c.hi})
		}
		out := a.itemCols(c, keys)
		out.cols = append(out.cols, a.itemCols(c, a.selectItems(c)).cols...)
		return out
	case "DROP":
		drop := map[string]bool{}
		for j := st.opAt + 1; j < c.hi; j = a.next(j) {
			if isName(a.toks[j]) {
				drop[strings.ToLower(Unquote(a.toks[j]))] = true
			}
		}
		out := outCols{star: in.star, sources: in.sources}
		for _, d := range in.cols {
			if !drop[strings.ToLower(d.name)] {
				out.cols = append(out.cols, d)
			}
		}
		return out
	case "PIVOT", "UNPIVOT":
		return outCols{star: true}
	}
	if st.op != "" && st.opAt >= 0 && a.isJoinWord(st.opAt) {
		return a.starCols(c, nil)
	}
	// WHERE, ORDER BY, LIMIT, OFFSET, SET, AS, TABLESAMPLE and the set
	// operators keep the columns.
	return in
}

// itemCols are the columns of SELECT items over c's references.
func (a *analysis) itemCols(c *core, items []item) outCols {
	var out outCols
	for _, it := range items {
		if !it.star {
			out.cols = append(out.cols, it.col)
			continue
		}
		s := a.starCols(c, it.qual)
		out.cols = append(out.cols, s.cols...)
		out.star = out.star || s.star
		out.sources = appendNew(out.sources, s.sources...)
	}
	return out
}

// pipeOp returns the operator word t spells after |>, upper-case, or "".
// AGGREGATE and EXTEND are keywords only there.
func pipeOp(t Token) string {
	if t.Kind != Ident || len(t.Text) > 16 {
		return ""
	}
	return strings.ToUpper(t.Text)
}

// PipeStep is a pipe operator of a query and the columns that flow through
// it, as far as the text tells.
type PipeStep struct {
	// Op is the operator word after |> (WHERE, AGGREGATE, ...), upper-case,
	// or "" while not typed; Span is the |> token.
	Op   string
	Span Span
	// OpSpan is the operator word, or empty.
	OpSpan Span
	// In is what the step reads (the previous step's result) and Out what
	// it produces, both as references of kind RefPipe.
	In, Out TableRef
}

// PipeStepAt finds the pipe step whose |> token or operator word is at
// byte offset off.
func PipeStepAt(src string, off int) (PipeStep, bool) {
	a := analyze(src, off, false)
	if a.literal {
		return PipeStep{}, false
	}
	q := a.cursorQuery()
	for _, c := range q.cores {
		if c.step == nil {
			continue
		}
		t := c.refs[0].span
		var op Span
		if c.step.opAt >= 0 {
			op = a.span(c.step.opAt, c.step.opAt)
		}
		if (off < t.Start || t.End < off) && (op.End == 0 || off < op.Start || op.End < off) {
			continue
		}
		in := a.export(c.refs[0], 0)
		oc := a.stepCols(c)
		out := TableRef{Kind: RefPipe, Span: in.Span, Columns: colNames(oc.cols), Star: oc.star,
			Sources: a.exportSources(oc.sources, nil)}
		return PipeStep{Op: c.step.op, Span: t, OpSpan: op, In: in, Out: out}, true
	}
	return PipeStep{}, false
}
