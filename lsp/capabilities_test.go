package lsp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
)

// A server without progress and FetchErrorDetails (Spark 3.5: the fake
// answers UNIMPLEMENTED as a real 3.5.7 does) is said to lack them, once,
// in sparkls/status and the log; so is one without CloneSession (before
// 4.1) or GetStatus (before 4.2); a 4.3 server lacks nothing.
func TestStatusSaysWhatTheServerLacks(t *testing.T) {
	for _, tc := range []struct {
		version string
		lacks   int
	}{{"3.5.7", 4}, {"4.0.1", 2}, {"4.1.4", 1}, {"4.3.0", 0}} {
		t.Run(tc.version, func(t *testing.T) {
			fake := connecttest.New(t)
			fake.Version = tc.version
			if tc.lacks > 2 {
				fake.FailMethod("FetchErrorDetails", 100, status.Error(codes.Unimplemented, "Method not found"))
			}
			c := startServer(t, testOptions{opts: Options{Dial: func(ctx context.Context, r connect.Remote, _ func(string)) (*connect.Client, error) {
				return connect.Dial(ctx, r, connect.Options{Dialer: fake.Dialer(), CallTimeout: 5 * time.Second})
			}}})
			c.initialize(map[string]any{"sparkls": map[string]any{"remote": "sc://127.0.0.1:15002"}}, false)
			c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
			sts := c.statuses()
			st := sts[len(sts)-1]
			if st.SparkVersion != tc.version || len(st.Lacks) != tc.lacks {
				t.Fatalf("status %+v, want Spark %s lacking %d things", st, tc.version, tc.lacks)
			}
			if tc.lacks > 2 && (!strings.Contains(st.Lacks[0], "progress") || !strings.Contains(st.Lacks[1], "error-detail")) {
				t.Errorf("lacks %q", st.Lacks)
			}
			if tc.lacks > 0 && !strings.Contains(st.Lacks[len(st.Lacks)-1], map[bool]string{true: "operation-status", false: "session cloning"}[tc.lacks == 1]) {
				t.Errorf("lacks %q", st.Lacks)
			}
			if tc.lacks > 2 {
				c.waitNote(protocol.MethodWindowLogMessage, func(p json.RawMessage) bool {
					return strings.Contains(string(p), "Spark 3.5.7 has no progress counts")
				})
			} else {
				c.waitNote(protocol.MethodWindowLogMessage, func(p json.RawMessage) bool { return strings.Contains(string(p), "connected to Spark") })
				if tc.lacks == 0 && strings.Contains(c.NoteSummary(), " has no ") {
					t.Errorf("a 4.3 server said to lack something:\n%s", c.NoteSummary())
				}
			}
		})
	}
}
