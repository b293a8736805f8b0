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

// EnsureLocal starts the local server through scripts/spark-server when
// nothing answers, and leaves a listening server alone.
func TestEnsureLocal(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "spark-server")
	record := filepath.Join(dir, "args")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" > "+record+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SPARKLS_SPARK_SERVER", script)

	// Nothing listens on a port we just closed: the script is run with it.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := lis.Addr().(*net.TCPAddr).Port
	lis.Close()
	r := Remote{Host: "127.0.0.1", Port: port, Local: true}
	var said []string
	if err := EnsureLocal(context.Background(), r, func(s string) { said = append(said, s) }); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(record)
	if strings.TrimSpace(string(got)) != "start --port "+strconv.Itoa(port) || len(said) != 1 {
		t.Errorf("script args %q, progress %q", got, said)
	}

	// A listening server is reused: the script is not run again.
	os.Remove(record)
	lis, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	r.Port = lis.Addr().(*net.TCPAddr).Port
	if err := EnsureLocal(context.Background(), r, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(record); err == nil {
		t.Error("script run although a server listens")
	}

	// A failing script is a clear error.
	os.WriteFile(script, []byte("#!/bin/sh\nexit 3\n"), 0o755)
	r.Port = port
	if err := EnsureLocal(context.Background(), r, nil); err == nil || !strings.Contains(err.Error(), "start the local Spark Connect server") {
		t.Errorf("failing script: %v", err)
	}
}
