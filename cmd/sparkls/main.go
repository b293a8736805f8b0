// Command sparkls is a language server for Spark SQL that talks to Spark
// through Spark Connect. Subcommands: serve (the default), query, run,
// check, catalog, version, server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/databricks"
)

// version is set with -ldflags "-X main.version=..."; else the module version.
var version = ""

func sparklsVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `sparkls — a language server for Spark SQL over Spark Connect

Usage:
  sparkls [serve [--stdio]]     language server on stdin/stdout (the default)
  sparkls query   [--remote R] [--limit N] [--format table|json|csv] SQL
  sparkls run     [--remote R] [--cell N] [--format table|json|csv] FILE
  sparkls catalog [--remote R] [--columns] [--refresh | --stats] [PATTERN]
  sparkls check   [--remote R] FILE...
  sparkls version [--remote R]
  sparkls server  install|start|stop|status [--port N]

A remote is sc://host[:port][/;token=...;use_ssl=true;x-header=value] or
"local": the Spark Connect server that "sparkls server start" installs and
runs on 127.0.0.1 (port 15002 unless started with another), started for you
when it is installed but not running. Without --remote, $SPARK_REMOTE is
used, else local.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: testable, returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(args) == 0 {
		args = []string{"serve"} // editors start the bare binary
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], os.Stdin, stdout, stderr)
	case "query":
		err = cmdQuery(ctx, args[1:], stdout, stderr)
	case "run":
		err = cmdRun(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "catalog":
		err = cmdCatalog(ctx, args[1:], stdout, stderr)
	case "server":
		return runServer(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		err = cmdVersion(ctx, args[1:], stdout, stderr)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "sparkls: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return report(err, stderr)
}

// errUsage marks a command-line mistake (exit 2).
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// report prints err as one clear line and returns the exit code.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var u errUsage
	switch {
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "sparkls: %s\n", u.msg)
		return 2
	case errors.Is(err, connect.ErrCanceled):
		fmt.Fprintln(stderr, "sparkls: "+err.Error())
		return 130
	}
	fmt.Fprintf(stderr, "sparkls: error: %s\n", oneLine(err.Error()))
	return 1
}

// oneLine keeps the first line of a multi-line Spark message (the rest is
// usually the plan or a caret drawing) and cuts very long ones.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// remoteFlag registers --remote on fs.
func remoteFlag(fs *flag.FlagSet) *string {
	return fs.String("remote", "", "Spark Connect remote: sc://host:port/;params or local (default $SPARK_REMOTE, else local)")
}

// dial resolves, parses and connects to the remote, starting the local server if needed.
func dial(ctx context.Context, remote string, stderr io.Writer) (*connect.Client, error) {
	r, err := databricks.ParseRemoteEnv(connect.ResolveRemote(remote, nil), nil)
	if err != nil {
		return nil, err
	}
	r, err = connect.EnsureLocal(ctx, r, func(msg string) { fmt.Fprintln(stderr, "sparkls:", msg) })
	if err != nil {
		return nil, err
	}
	return connect.Dial(ctx, r, connect.Options{Version: sparklsVersion()})
}

// parseFlags parses flags that may come before or after positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage{fmt.Sprintf("%s: %v", fs.Name(), err)}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	remote := remoteFlag(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sparkls %s\n", sparklsVersion())
	if *remote == "" {
		return nil
	}
	c, err := dial(ctx, *remote, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	v, err := c.SparkVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Spark %s at %s\n", v, c.Remote())
	return nil
}

func cmdQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	remote := remoteFlag(fs)
	limit := fs.Int("limit", connect.DefaultPreviewRows, "rows to preview")
	format := fs.String("format", "table", "output format: table, json or csv")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errUsage{"query: missing SQL (sparkls query 'SELECT 1')"}
	}
	render, ok := renderers[*format]
	if !ok {
		return errUsage{fmt.Sprintf("query: unknown --format %q (table, json or csv)", *format)}
	}
	if *limit <= 0 {
		return errUsage{"query: --limit must be positive"}
	}
	text := strings.Join(pos, " ")
	c, err := dial(ctx, *remote, stderr)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.Run(ctx, text, connect.RunOptions{Limits: connect.Limits{Rows: *limit}})
	if err != nil {
		return withPosition(err, text)
	}
	return render(stdout, res)
}

// withPosition adds "line L, column C" to a Spark error that points into text.
func withPosition(err error, text string) error {
	var se *connect.SparkError
	if !errors.As(err, &se) {
		return err
	}
	qc, ok := se.Position()
	if !ok || qc.Start > len(text) {
		return err
	}
	line := 1 + strings.Count(text[:qc.Start], "\n")
	col := qc.Start - strings.LastIndexByte(text[:qc.Start], '\n')
	return fmt.Errorf("%s (at line %d, column %d)", oneLine(err.Error()), line, col)
}

func elapsed(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}
