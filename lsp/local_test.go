package lsp

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect/localspark"
	"github.com/sparkls/sparkls/internal/ittest"
)

// hostileWorkspace is a cloned repository whose scripts/spark-server (the
// file sparkls used to run for remote "local") and Python modules touch a
// marker when run. The test's working directory becomes the workspace.
func hostileWorkspace(t *testing.T) (ws, marker string) {
	t.Helper()
	ws = t.TempDir()
	marker = filepath.Join(t.TempDir(), "PWNED")
	for path, text := range map[string]string{
		"scripts/spark-server": "#!/bin/sh\ntouch " + marker + "\n",
		"venv.py":              "open(" + strconv.Quote(marker) + ", 'w').close()\n",
		"query.sql":            "SELECT 1 AS one\n",
	} {
		p := filepath.Join(ws, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(ws)
	return ws, marker
}

// localCache points the user's cache directory at a fresh one whose record
// says the local server's port is port; it returns the server's directory.
func localCache(t *testing.T, port int) string {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", t.TempDir())
	dir := filepath.Join(cache, "sparkls", "server")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server.port"), []byte(strconv.Itoa(port)), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startLocalClient starts a language server in ws with remote "local" (no
// setting, no $SPARK_REMOTE) whose retries wait an hour.
func startLocalClient(t *testing.T, ws string) *testClient {
	t.Helper()
	c := startServer(t, testOptions{realDial: true, setup: func(s *Server) { s.spark.delay = hour }})
	c.callOK(protocol.MethodInitialize, map[string]any{
		"processId": nil, "rootUri": "file://" + ws, "capabilities": map[string]any{},
	}, nil)
	c.notify(protocol.MethodInitialized, map[string]any{})
	c.open("file://"+filepath.Join(ws, "query.sql"), "SELECT 1 AS one\n")
	return c
}

// Opening a file of a hostile workspace with remote "local" and no local
// server running starts sparkls' own server (here its Python, from
// $SPARKLS_SERVER_PYTHON, fails) and runs nothing of the workspace.
func TestLocalNeverRunsTheWorkspace(t *testing.T) {
	ws, marker := hostileWorkspace(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0") // a port where nothing listens
	if err != nil {
		t.Fatal(err)
	}
	lis.Close()
	dir := localCache(t, lis.Addr().(*net.TCPAddr).Port)
	jdk := filepath.Join(t.TempDir(), "jdk")
	os.MkdirAll(filepath.Join(jdk, "bin"), 0o755)
	if err := os.WriteFile(filepath.Join(jdk, "bin", "java"), []byte("#!/bin/sh\necho 'openjdk version \"17.0.15\"' >&2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("JAVA_HOME", jdk)
	rec := filepath.Join(t.TempDir(), "python-ran")
	python := filepath.Join(t.TempDir(), "python")
	if err := os.WriteFile(python, []byte("#!/bin/sh\necho \"$PWD|$*\" >> "+rec+"\necho 'no pyspark here' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(localspark.PythonEnv, python)

	c := startLocalClient(t, ws)
	st := c.waitStatus("an error status", waitingHour)
	if st.Remote != "local" || !strings.Contains(st.Message, "start the local Spark Connect server") || !strings.Contains(st.Message, "no pyspark here") {
		t.Errorf("status %+v", st)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a file of the workspace was executed")
	}
	if b, err := os.ReadFile(rec); err != nil || !strings.HasPrefix(string(b), dir+"|-I ") {
		t.Errorf("sparkls' Python ran as %q (%v), want in %s, isolated", b, err, dir)
	}
}

// The same on the real Spark: from inside the hostile workspace, the
// language server starts its own local server (pyspark of
// $SPARKLS_IT_PYTHON, a port of its own), connects and runs a cell.
func TestITLocalFromHostileWorkspace(t *testing.T) {
	ittest.Remote(t)
	python := os.Getenv("SPARKLS_IT_PYTHON")
	if python == "" {
		t.Skip("SPARKLS_IT_PYTHON not set: no pyspark to start a server with")
	}
	ws, marker := hostileWorkspace(t)
	localCache(t, 15048)
	t.Setenv(localspark.PythonEnv, python)
	t.Cleanup(func() { localspark.Stop(context.Background(), localspark.Options{}) })

	c := startLocalClient(t, ws)
	// The first query of a cold JVM on a busy machine may take longer than
	// a request usually may (it did once on 4.3.0 under load).
	c.slow = true
	deadline := time.Now().Add(4 * time.Minute) // a cold JVM on a busy CI machine
	for {
		sts := c.statuses()
		if n := len(sts); n > 0 && sts[n-1].State == StateConnected {
			break
		}
		if n := len(sts); n > 0 && sts[n-1].State == StateError {
			t.Fatalf("status %+v", sts[n-1])
		}
		if time.Now().After(deadline) {
			t.Fatalf("not connected; statuses %+v", sts)
		}
		<-time.After(100 * time.Millisecond)
	}
	doc := newDocument(protocol.DocumentURI("file://"+filepath.Join(ws, "query.sql")), "sql", 1, "SELECT 1 AS one\n")
	c.slow = true // the first query of a fresh JVM compiles its code paths
	if res := c.runCall(doc, 0, 0); res.Error != nil || res.RowCount != 1 || *res.Rows[0][0] != "1" {
		t.Errorf("run: %+v %+v", res, res.Error)
	}
	st, err := localspark.Status(localspark.Options{})
	if err != nil || !st.Running || st.Port != 15048 {
		t.Errorf("local server %+v, %v", st, err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a file of the workspace was executed")
	}
}
