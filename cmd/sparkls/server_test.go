package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect/localspark"
	"github.com/sparkls/sparkls/internal/ittest"
)

// userCache gives the test a user cache directory of its own.
func userCache(t *testing.T) string {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", t.TempDir())
	return filepath.Join(cache, "sparkls", "server")
}

func TestServerUsage(t *testing.T) {
	dir := userCache(t)
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"server"}, 2, "Usage: sparkls server install|start|stop|status"},
		{[]string{"server", "--help"}, 0, "Usage: sparkls server"},
		{[]string{"server", "restart"}, 2, `unknown server command "restart"`},
		{[]string{"server", "status", "--port", "15040"}, 2, "only start takes one"},
		{[]string{"server", "start", "--port", "70000"}, 2, "bad --port"},
		{[]string{"server", "stop", "now"}, 2, `unexpected argument "now"`},
		{[]string{"server", "status"}, 3, "stopped (port 15002), log " + filepath.Join(dir, "server.log")},
		{[]string{"server", "stop"}, 0, "not running"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.out) {
			t.Errorf("%q: %d %q %q, want %d and %q", tc.args, code, out.String(), errb.String(), tc.code, tc.out)
		}
	}
}

// What a user with only the binary does, from any directory (here one
// with a hostile scripts/spark-server): start the local server, query it
// as remote "local", see its status, stop it. The pyspark is
// $SPARKLS_IT_PYTHON's (localspark's TestITInstallFromPyPI installs one),
// the port one of its own.
func TestITServerStartQueryStop(t *testing.T) {
	ittest.Remote(t)
	python := os.Getenv("SPARKLS_IT_PYTHON")
	if python == "" {
		t.Skip("SPARKLS_IT_PYTHON not set: no pyspark to start a server with")
	}
	dir := userCache(t)
	t.Setenv(localspark.PythonEnv, python)
	t.Setenv("SPARK_REMOTE", "")
	ws := t.TempDir()
	marker := filepath.Join(t.TempDir(), "PWNED")
	os.MkdirAll(filepath.Join(ws, "scripts"), 0o755)
	os.WriteFile(filepath.Join(ws, "scripts", "spark-server"), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755)
	t.Chdir(ws)
	t.Cleanup(func() { run([]string{"server", "stop"}, &bytes.Buffer{}, &bytes.Buffer{}) })

	var out, errb bytes.Buffer
	if code := run([]string{"server", "start", "--port", "15047"}, &out, &errb); code != 0 {
		t.Fatalf("start: %d %s %s", code, out.String(), errb.String())
	}
	if !strings.HasPrefix(out.String(), "running: Spark ") || !strings.Contains(out.String(), "sc://127.0.0.1:15047") || !strings.Contains(errb.String(), "ready in") {
		t.Errorf("start said %q, %q", out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"query", "--remote", "local", "--format", "csv", "SELECT 1 AS one"}, &out, &errb); code != 0 || out.String() != "one\n1\n" {
		t.Errorf("query: %d %q %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"server", "status"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "running, pid ") || !strings.Contains(out.String(), filepath.Join(dir, "server.log")) {
		t.Errorf("status: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"server", "stop"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "stopped (pid ") {
		t.Errorf("stop: %d %q %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"server", "status"}, &out, &errb); code != 3 || !strings.HasPrefix(out.String(), "stopped (port 15047)") {
		t.Errorf("status after stop: %d %q", code, out.String())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the working directory's scripts/spark-server was executed")
	}
}
