package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/localspark"
)

const serverUsage = `Usage: sparkls server install|start|stop|status [--port N]

The local Spark Connect server of remote "local", kept in the user's cache
directory (os.UserCacheDir()/sparkls/server):
  install   install pyspark ` + localspark.SparkVersion + ` there (about 450 MB from PyPI, once; needs python3 and Java 17+)
  start     install if needed, start the server on 127.0.0.1 (--port, default the last one, else 15002) and wait until it answers
  stop      stop it
  status    print whether it runs (exit 0) or not (exit 3)
`

// runServer is `sparkls server`; it returns the exit code (status: 3 when
// the server does not run).
func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, serverUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub := args[0]
	fs := flag.NewFlagSet("server "+sub, flag.ContinueOnError)
	port := fs.Int("port", 0, "port on 127.0.0.1 (default: the last one, else 15002)")
	pos, err := parseFlags(fs, args[1:])
	if err == nil && len(pos) > 0 {
		err = errUsage{fmt.Sprintf("server %s: unexpected argument %q", sub, pos[0])}
	}
	if err == nil && (*port < 0 || *port > 65535 || (*port != 0 && sub != "start")) {
		err = errUsage{fmt.Sprintf("server %s: bad --port (only start takes one, 1-65535)", sub)}
	}
	if err != nil {
		return report(err, stderr)
	}
	opts := localspark.Options{Port: *port, Progress: func(msg string) { fmt.Fprintln(stderr, "sparkls:", msg) }}
	switch sub {
	case "install":
		home, err := localspark.Install(ctx, opts)
		if err != nil {
			return report(err, stderr)
		}
		fmt.Fprintf(stdout, "pyspark %s installed: %s\n", localspark.SparkVersion, home)
	case "start":
		st, err := localspark.Start(ctx, opts)
		if err != nil {
			return report(err, stderr)
		}
		v, err := sparkVersion(ctx, st)
		if err != nil {
			return report(fmt.Errorf("the local server runs (pid %d) but does not answer Spark Connect on %s: %w (log: %s)", st.Pid, st.Address(), err, st.Log), stderr)
		}
		fmt.Fprintf(stdout, "running: Spark %s, sc://%s, pid %d, log %s\n", v, st.Address(), st.Pid, st.Log)
	case "stop":
		st, err := localspark.Stop(ctx, opts)
		if err != nil {
			return report(err, stderr)
		}
		if st.Running {
			fmt.Fprintf(stdout, "stopped (pid %d)\n", st.Pid)
		} else {
			fmt.Fprintln(stdout, "not running")
		}
	case "status":
		st, err := localspark.Status(opts)
		if err != nil {
			return report(err, stderr)
		}
		fmt.Fprintln(stdout, st)
		if !st.Running {
			return 3
		}
	default:
		fmt.Fprintf(stderr, "sparkls: unknown server command %q\n\n%s", sub, serverUsage)
		return 2
	}
	return 0
}

// sparkVersion asks the started server its version: the port accepting
// connections is not yet proof that Spark Connect answers.
func sparkVersion(ctx context.Context, st localspark.State) (string, error) {
	r, err := connect.ParseRemote("sc://127.0.0.1:" + strconv.Itoa(st.Port))
	if err != nil {
		return "", err
	}
	c, err := connect.Dial(ctx, r, connect.Options{Version: sparklsVersion()})
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.SparkVersion(ctx)
}
