package connect

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// EnsureLocal takes the port of remote "local" from the record of `sparkls
// server` in the user's cache directory, leaves a listening server alone,
// and otherwise starts the recorded server: it never runs the
// scripts/spark-server of the working directory.
func TestEnsureLocal(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("SPARKLS_SERVER_PYTHON", "")
	ws := t.TempDir()
	marker := filepath.Join(t.TempDir(), "PWNED")
	os.MkdirAll(filepath.Join(ws, "scripts"), 0o755)
	if err := os.WriteFile(filepath.Join(ws, "scripts", "spark-server"), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(ws, "scripts"))
	dir := filepath.Join(cache, "sparkls", "server")
	os.MkdirAll(dir, 0o700)

	// Other remotes pass through untouched.
	r, err := ParseRemote("sc://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := EnsureLocal(context.Background(), r, nil); err != nil || got.Port != 1 {
		t.Errorf("plain remote: %v, %v", got, err)
	}

	// A server listening on the recorded port is used as it is.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	port := lis.Addr().(*net.TCPAddr).Port
	os.WriteFile(filepath.Join(dir, "server.port"), []byte(strconv.Itoa(port)), 0o600)
	local, _ := ParseRemote(LocalRemote)
	got, err := EnsureLocal(context.Background(), local, func(s string) { t.Errorf("progress %q", s) })
	if err != nil || got.Port != port || got.String() != LocalRemote {
		t.Errorf("listening: %v, %v", got, err)
	}

	// Nothing listens and nothing is installed: a clear error, and the
	// working directory's script was not run.
	lis.Close()
	var said []string
	_, err = EnsureLocal(context.Background(), local, func(s string) { said = append(said, s) })
	if err == nil || !strings.Contains(err.Error(), "start the local Spark Connect server") {
		t.Errorf("not installed: %v", err)
	}
	if len(said) == 0 || !strings.Contains(said[0], "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("progress %q", said)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the working directory's scripts/spark-server was executed")
	}
}
