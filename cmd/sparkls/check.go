package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/lsp"
)

// runCheck reports the problems of SQL files as the editor shows them
// (lsp.Check: Spark's analysis of every query, without running anything,
// plus local syntax problems), one line each:
//
//	file:line:col: error: message [ERROR_CLASS]
//
// with 1-based lines and columns in characters. The exit code is 0 when
// there is no problem, 1 when there is one (or Spark could not be asked),
// 2 for a usage error; it is what CI wants.
//
//	sparkls check [--remote R] FILE...
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	remote := remoteFlag(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return report(err, stderr)
	}
	if len(files) == 0 {
		return report(errUsage{"check: missing FILE (sparkls check queries.sql)"}, stderr)
	}
	texts := make([]string, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return report(errUsage{"check: " + err.Error()}, stderr)
		}
		texts[i] = string(b)
	}
	c, err := dial(ctx, *remote, stderr)
	if err != nil {
		return report(err, stderr)
	}
	defer c.Close()
	return checkFiles(ctx, c, files, texts, stdout, stderr)
}

// checkFiles checks each text (named by files) with c and prints the
// problems; it returns the exit code.
func checkFiles(ctx context.Context, c *connect.Client, files, texts []string, stdout, stderr io.Writer) int {
	n, w := 0, 0 // errors, warnings (only errors fail the check)
	for i, name := range files {
		problems, err := lsp.CheckFile(ctx, c, name, texts[i])
		for _, p := range problems {
			fmt.Fprintln(stdout, problemLine(name, p))
			if p.Warning {
				w++
			} else {
				n++
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				err = connect.ErrCanceled
			}
			return report(fmt.Errorf("%s: not fully checked: %w", name, err), stderr)
		}
	}
	if n > 0 {
		fmt.Fprintf(stderr, "sparkls: %s in %s\n", plural(n, "error"), plural(len(files), "file"))
		return 1
	}
	if w > 0 {
		fmt.Fprintf(stderr, "sparkls: %s in %s\n", plural(w, "warning"), plural(len(files), "file"))
	}
	return 0
}

// problemLine is one problem as compilers print them, for editors and CI
// annotations that parse file:line:col.
func problemLine(file string, p lsp.Problem) string {
	kind := "error"
	if p.Warning {
		kind = "warning"
	}
	line := fmt.Sprintf("%s:%d:%d: %s: %s", file, p.Line, p.Col, kind, p.Message)
	if p.Code != "" {
		line += " [" + p.Code + "]"
	}
	return strings.ReplaceAll(line, "\n", " ")
}
