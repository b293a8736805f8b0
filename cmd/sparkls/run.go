package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/sqltext"
)

// cmdRun runs the cells of a SQL file (or "-" for stdin) in order on one
// session, as the editor's "Run" lenses would, printing each preview after
// a "-- cell N: <first line>" header. It stops at the first failing cell.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	remote := remoteFlag(fs)
	cell := fs.Int("cell", 0, "run only cell N (1-based); 0 runs them all")
	format := fs.String("format", "table", "output format: table, json or csv")
	var params connect.Params
	fs.Var(&params, "param", "bind a parameter marker: name=value for :name, a bare value for the next ? (repeatable; 'text' in single quotes is a string)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage{"run: want one FILE (sparkls run queries.sql)"}
	}
	render, ok := renderers[*format]
	if !ok {
		return errUsage{fmt.Sprintf("run: unknown --format %q (table, json or csv)", *format)}
	}
	text, err := readSQL(pos[0])
	if err != nil {
		return err
	}
	cells := sqltext.SplitCells(text)
	if len(cells) == 0 {
		return fmt.Errorf("%s holds no SQL statement", pos[0])
	}
	switch {
	case *cell < 0 || *cell > len(cells):
		return errUsage{fmt.Sprintf("run: --cell %d: %s has %d cells", *cell, pos[0], len(cells))}
	case *cell > 0:
		cells = cells[*cell-1 : *cell]
	}
	first := max(*cell, 1)
	c, err := dial(ctx, *remote, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	return runCells(ctx, c, text, cells, first, render, stdout, params)
}

// runCells runs cells of text (the first one numbered first) and prints
// each preview.
func runCells(ctx context.Context, c *connect.Client, text string, cells []sqltext.Cell, first int, render func(io.Writer, *connect.Result) error, stdout io.Writer, params connect.Params) error {
	for i, cell := range cells {
		fmt.Fprintf(stdout, "-- cell %d: %s\n", first+i, cellTitle(text[cell.Start:cell.End]))
		body := text[cell.Start:cell.End]
		res, err := c.Run(ctx, body, connect.RunOptions{Params: params})
		params = params.Rest(body)
		if err != nil {
			var se *connect.SparkError
			if errors.As(err, &se) {
				for j := range se.Contexts {
					se.Contexts[j].Start += cell.Start
					se.Contexts[j].Stop += cell.Start
				}
			}
			return fmt.Errorf("cell %d: %w", first+i, withPosition(err, text))
		}
		if err := render(stdout, res); err != nil {
			return err
		}
	}
	return nil
}

// cellTitle is the first line of a cell, cut to a readable length.
func cellTitle(body string) string {
	line, _, _ := strings.Cut(body, "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > 72 {
		line = string([]rune(line)[:71]) + "…"
	}
	return line
}

func readSQL(name string) (string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%s is not UTF-8 text", name)
	}
	return string(b), nil
}
