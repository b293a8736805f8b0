// Package embed finds the Spark SQL inside documents that are not SQL
// files: Databricks source notebooks (.py, .sql, .scala with "%sql" cells)
// and Python code that passes SQL to spark.sql(…) or a table name to
// spark.table(…) / spark.read.table(…).
//
// It returns a View: a text exactly as long as the document where every
// byte outside the SQL is blanked (line breaks kept) and the SQL sits at
// its own offsets. The offset map is therefore the identity, so every
// feature that works on SQL text (package ide, diagnostics, runs) runs on
// View.Text unchanged and its byte offsets are the document's. A Python
// string's escapes are overlaid in place (pylex.Overlay); f-string holes
// become ${…} of the same length, which sqltext reads as an unknown
// substitution, never a guessed name. Cells and separate strings are kept
// apart by statement and cell separators written into blanked bytes.
//
// It does not run or import anything, and it reads Python only through
// pylex (the only Python lexer) and SQL not at all.
package embed

import (
	"path"
	"strings"

	"github.com/sparkls/sparkls/pylex"
)

// Kind is what a document is.
type Kind int

const (
	SQL      Kind = iota // a SQL file: all SQL
	Notebook             // a Databricks source notebook in Python or Scala: %sql cells
	Python               // Python: SQL in spark.sql strings
	None                 // no SQL (a Scala file that is not a notebook)
)

// Span is [Start, End) in bytes.
type Span struct{ Start, End int }

// View is the SQL of a document at the document's own offsets.
type View struct {
	Kind    Kind
	Text    string // as long as the document
	Regions []Span // where the SQL is, in order
	Holes   []Span // f-string replacement fields (inside Regions)
}

// In tells whether a cursor at off is inside the SQL (both ends of a
// region included).
func (v *View) In(off int) bool {
	if v.Kind == SQL {
		return true
	}
	for _, r := range v.Regions {
		if r.Start <= off && off <= r.End {
			return true
		}
	}
	return false
}

// Opaque tells whether [start, end) overlaps an f-string hole: SQL whose
// text Python fills in at run time, which nothing should judge.
func (v *View) Opaque(start, end int) bool {
	for _, h := range v.Holes {
		if h.Start < end && start < h.End {
			return true
		}
	}
	return false
}

// KindOf tells what a document is from its file name, LSP language id and
// text. Unknown languages are SQL, as before this package.
func KindOf(uri, languageID, text string) Kind {
	ext := strings.ToLower(path.Ext(uri))
	switch {
	case languageID == "python" || ext == ".py":
		if hasHeader(text, "# ") {
			return Notebook
		}
		return Python
	case languageID == "scala" || ext == ".scala":
		if hasHeader(text, "// ") {
			return Notebook
		}
		return None
	}
	return SQL // a .sql notebook too: its cells are SQL already (sqltext splits them)
}

func hasHeader(text, comment string) bool {
	line, _, _ := strings.Cut(strings.TrimPrefix(text, "\ufeff"), "\n")
	return strings.TrimRight(line, " \t\r") == comment+"Databricks notebook source"
}

// Of returns the view of a document.
func Of(uri, languageID, text string) View {
	switch k := KindOf(uri, languageID, text); k {
	case SQL:
		return View{Kind: SQL, Text: text}
	case Notebook:
		if hasHeader(text, "// ") {
			return notebook(text, "// ")
		}
		return notebook(text, "# ")
	case Python:
		if cellMagic(text) {
			return sqlCell(text)
		}
		return python(text)
	default:
		return View{Kind: None, Text: blank(text)}
	}
}

// cellMagic tells whether text is a Jupyter cell whose first line is the
// %%sql cell magic (sparkmagic, JupySQL, Databricks): the rest is SQL.
func cellMagic(text string) bool {
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimSpace(line)
	return line == "%%sql" || strings.HasPrefix(line, "%%sql ")
}

// sqlCell is the view of a %%sql cell: its first line blanked, the rest
// SQL, one cell (Notebook, so that it runs).
func sqlCell(text string) View {
	i := strings.IndexByte(text, '\n')
	if i < 0 {
		i = len(text)
	}
	out := []byte(text)
	blankBytes(out[:i])
	return View{Kind: Notebook, Text: string(out), Regions: []Span{{min(i+1, len(text)), len(text)}}}
}

// blank returns text with every byte but line breaks turned into a space.
func blank(text string) string {
	b := []byte(text)
	blankBytes(b)
	return string(b)
}

func blankBytes(b []byte) {
	for i, c := range b {
		if c != '\n' && c != '\r' {
			b[i] = ' '
		}
	}
}

// cellMarker replaces a notebook's COMMAND line in the view: sqltext's
// "-- %%" cell marker, which fits in the bytes of "# COMMAND ----------".
const cellMarker = "-- %%"

// notebook is the view of a Python or Scala Databricks source notebook
// whose comments start with c ("# " or "// "). A cell is SQL when its
// first non-blank line is "<c>MAGIC %sql" (the lines after it lose their
// "<c>MAGIC " prefix). Every other cell is blank.
func notebook(text, c string) View {
	v := View{Kind: Notebook}
	out := []byte(text)
	magic := c + "MAGIC"
	type line struct{ start, end int } // end excludes the line break
	var lines []line
	for i := 0; i <= len(text); {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			lines = append(lines, line{i, len(text)})
			break
		}
		lines = append(lines, line{i, i + j})
		i += j + 1
	}
	trim := func(l line) string { return strings.TrimRight(text[l.start:l.end], " \t\r") }
	cell := func(ls []line) {
		first := -1
		for k, l := range ls {
			if strings.TrimSpace(text[l.start:l.end]) != "" {
				first = k
				break
			}
		}
		if first < 0 {
			return
		}
		head := strings.TrimSpace(text[ls[first].start:ls[first].end])
		if head != magic+" %sql" && !strings.HasPrefix(head, magic+" %sql ") {
			blankBytes(out[ls[0].start:ls[len(ls)-1].end])
			return
		}
		blankBytes(out[ls[0].start:ls[first].end]) // the %sql line
		reg := Span{-1, -1}
		for _, l := range ls[first+1:] {
			s := text[l.start:l.end]
			switch {
			case strings.HasPrefix(s, magic+" "):
				blankBytes(out[l.start : l.start+len(magic)+1])
				if reg.Start < 0 {
					reg.Start = l.start + len(magic) + 1
				}
				reg.End = l.end
			case strings.TrimRight(s, " \t\r") == magic:
				blankBytes(out[l.start:l.end])
			default:
				blankBytes(out[l.start:l.end])
			}
		}
		if reg.Start >= 0 {
			v.Regions = append(v.Regions, reg)
		}
	}
	from := 1 // the header line is not a cell
	blankBytes(out[lines[0].start:lines[0].end])
	for k := 1; k <= len(lines); k++ {
		if k < len(lines) && trim(lines[k]) != c+"COMMAND ----------" {
			continue
		}
		if from < k {
			cell(lines[from:k])
		}
		if k < len(lines) {
			l := lines[k]
			blankBytes(out[l.start:l.end])
			copy(out[l.start:], cellMarker)
		}
		from = k + 1
	}
	v.Text = string(out)
	return v
}

// python is the view of Python code: the first argument of spark.sql(…)
// when it is a string literal or adjacent literals (implicit
// concatenation), and the name in spark.table("…") or
// spark.read.table("…"), which the view reads as the query "TABLE name".
func python(text string) View {
	v := View{Kind: Python}
	out := []byte(text)
	blankBytes(out)
	toks := pylex.Lex(text)
	// Drop comments and line breaks, which may sit inside a call (in place:
	// a large file has many tokens).
	code := toks[:0]
	for _, t := range toks {
		if t.Kind != pylex.Comment && t.Kind != pylex.Newline {
			code = append(code, t)
		}
	}
	is := func(i int, k pylex.Kind, s string) bool {
		return i >= 0 && i < len(code) && code[i].Kind == k && text[code[i].Start:code[i].End] == s
	}
	for i := range code {
		if code[i].Kind != pylex.Name || code[i].End-code[i].Start != len("spark") {
			continue
		}
		// spark . (sql | table | read . table) (
		if !is(i, pylex.Name, "spark") || is(i-1, pylex.Op, ".") || !is(i+1, pylex.Op, ".") {
			continue
		}
		j, table := i+2, false
		switch {
		case is(j, pylex.Name, "sql"):
		case is(j, pylex.Name, "table"):
			table = true
		case is(j, pylex.Name, "read") && is(j+1, pylex.Op, ".") && is(j+2, pylex.Name, "table"):
			j, table = j+2, true
		default:
			continue
		}
		name := code[j]
		if !is(j+1, pylex.Op, "(") {
			continue
		}
		k := j + 2
		for k < len(code) && code[k].Kind == pylex.String && !code[k].Bytes() {
			k++
		}
		strs := code[j+2 : k]
		// The argument is the literal alone (not "…" % x or "…" + x), or a
		// triple-quoted one still being typed (it runs to the end).
		if len(strs) == 0 || !is(k, pylex.Op, ")") && !is(k, pylex.Op, ",") && strs[len(strs)-1].Terminated() {
			continue
		}
		for _, s := range strs {
			pylex.Overlay(out, text, s)
			for _, h := range pylex.Holes(text, s) {
				v.Holes = append(v.Holes, Span{h.Start, h.End})
				// ${…} of the same length: an unknown substitution to sqltext.
				fill := out[h.Start:h.End]
				for n := range fill {
					fill[n] = '_'
				}
				copy(fill, "${")
				fill[len(fill)-1] = '}'
			}
		}
		last := strs[len(strs)-1]
		reg := Span{strs[0].BodyStart, last.BodyEnd}
		if table {
			copy(out[name.Start:], "TABLE ")
		}
		v.Regions = append(v.Regions, reg)
		// End the statement after the string: a line break (ends a "--"
		// comment) and a ';', in the closing quote and what follows it.
		if last.Terminated() {
			out[last.BodyEnd] = '\n'
			if p := last.BodyEnd + 1; p < len(out) {
				out[p] = ';'
			}
		}
	}
	v.Text = string(out)
	return v
}
