// Package ittest gates integration tests on the real Spark Connect server at
// $SPARKLS_IT_REMOTE: it skips a test when no server is configured, and a
// version-specific test when the server is older than what it checks
// ("requires Spark >= 4.0"), so a compatibility run against an older server
// (make test-compat) never fails for the wrong reason.
//
// It asks the server its version once per test binary; it does not start
// servers (scripts/spark-server does) and is imported only by tests.
package ittest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/internal/sparkversion"
)

// Remote is $SPARKLS_IT_REMOTE; without it the test is skipped.
func Remote(t testing.TB) string {
	t.Helper()
	r := os.Getenv("SPARKLS_IT_REMOTE")
	if r == "" {
		t.Skip("SPARKLS_IT_REMOTE not set: no real Spark Connect server (make test starts one)")
	}
	return r
}

var versions sync.Map // remote → version string

// Client connects to the server at $SPARKLS_IT_REMOTE (skipping without
// one) and closes the client when the test ends.
func Client(t testing.TB) *connect.Client {
	t.Helper()
	c := dial(t, Remote(t))
	t.Cleanup(func() { c.Close() })
	return c
}

func dial(t testing.TB, remote string) *connect.Client {
	t.Helper()
	r, err := connect.ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := connect.Dial(ctx, r, connect.Options{Version: "test"})
	if err != nil {
		t.Fatalf("Dial %s: %v", remote, err)
	}
	return c
}

// Version is the Spark version of the server at $SPARKLS_IT_REMOTE, as the
// server reports it.
func Version(t testing.TB) string {
	t.Helper()
	remote := Remote(t)
	if v, ok := versions.Load(remote); ok {
		return v.(string)
	}
	c := dial(t, remote)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := c.SparkVersion(ctx)
	if err != nil {
		t.Fatalf("SparkVersion of %s: %v", remote, err)
	}
	versions.Store(remote, v)
	return v
}

// AtLeast tells whether the server is at least version min ("4.0", "3.5.2").
func AtLeast(t testing.TB, min string) bool {
	t.Helper()
	return sparkversion.Compare(Version(t), min) >= 0
}

// Requires skips the test, saying why, unless the server is at least min.
func Requires(t testing.TB, min, why string) {
	t.Helper()
	if v := Version(t); sparkversion.Compare(v, min) < 0 {
		t.Skipf("requires Spark >= %s (server is %s): %s", min, v, why)
	}
}
