package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/sparkls/sparkls/connect"
)

// renderers print a preview in one of the --format choices.
var renderers = map[string]func(io.Writer, *connect.Result) error{
	"table": renderTable,
	"json":  renderJSON,
	"csv":   renderCSV,
}

// jsonResult is the documented JSON shape of a preview: SQL NULL is JSON
// null, every other value a string.
type jsonResult struct {
	Columns   []connect.Column `json:"columns"`
	Rows      [][]*string      `json:"rows"`
	RowCount  int              `json:"rowCount"`
	Truncated bool             `json:"truncated"`
	ElapsedMs int64            `json:"elapsedMs"`
}

func renderJSON(w io.Writer, res *connect.Result) error {
	out := jsonResult{
		Columns:   res.Columns,
		Rows:      make([][]*string, len(res.Rows)),
		RowCount:  len(res.Rows),
		Truncated: res.Truncated,
		ElapsedMs: res.Elapsed.Milliseconds(),
	}
	if out.Columns == nil {
		out.Columns = []connect.Column{}
	}
	for i, row := range res.Rows {
		out.Rows[i] = make([]*string, len(row))
		for j := range row {
			if !row[j].Null {
				out.Rows[i][j] = &row[j].Text
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func renderCSV(w io.Writer, res *connect.Result) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		header[i] = c.Name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(res.Columns))
	for _, row := range res.Rows {
		for j := range row {
			rec[j] = row[j].Text // NULL is an empty field
		}
		if err := cw.Write(rec[:len(row)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// renderTable prints an aligned table, NULL as NULL, and a footer with the
// row count, truncation and time.
func renderTable(w io.Writer, res *connect.Result) error {
	cells := make([][]string, 0, len(res.Rows)+2)
	head := make([]string, len(res.Columns))
	types := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		head[i], types[i] = c.Name, c.Type
	}
	cells = append(cells, head, types)
	for _, row := range res.Rows {
		line := make([]string, len(row))
		for j, c := range row {
			if c.Null {
				line[j] = "NULL"
			} else {
				line[j] = printable(c.Text)
			}
		}
		cells = append(cells, line)
	}
	width := make([]int, len(res.Columns))
	for _, line := range cells {
		for j, s := range line {
			if j < len(width) {
				width[j] = max(width[j], utf8.RuneCountInString(s))
			}
		}
	}
	var b strings.Builder
	for i, line := range cells {
		for j, s := range line {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(s)
			if j < len(line)-1 {
				b.WriteString(strings.Repeat(" ", width[j]-utf8.RuneCountInString(s)))
			}
		}
		b.WriteString("\n")
		if i == 1 && len(width) > 0 {
			for j, n := range width {
				if j > 0 {
					b.WriteString("-+-")
				}
				b.WriteString(strings.Repeat("-", n))
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "(%s%s, %s)\n", plural(len(res.Rows), "row"), truncNote(res.Truncated), elapsed(res.Elapsed))
	_, err := io.WriteString(w, b.String())
	return err
}

// printable keeps a cell on one line of the table.
func printable(s string) string {
	return strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}

func truncNote(t bool) string {
	if t {
		return "; truncated, more rows exist"
	}
	return ""
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
