package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
)

func TestBackoff(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 8; n++ {
		got = append(got, backoff(n))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(got, want) {
		t.Errorf("backoff = %v, want %v", got, want)
	}
}

// startConnClient starts a server for fake's remote whose retries wait
// delay(n) after n failures.
func startConnClient(t *testing.T, fake *connecttest.Server, delay func(int) time.Duration) *testClient {
	t.Helper()
	to := testOptions{realDial: true, setup: func(s *Server) { s.spark.delay = delay }}
	to.opts.Connect = connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 2 * time.Second}
	c := startServer(t, to)
	c.initialize(map[string]any{"remote": fakeRemote}, false)
	return c
}

// waitStatus waits until the last sparkls/status satisfies ok.
func (c *testClient) waitStatus(what string, ok func(Status) bool) Status {
	c.t.Helper()
	var last Status
	eventually(c.t, what, func() bool {
		sts := c.statuses()
		if len(sts) == 0 {
			return false
		}
		last = sts[len(sts)-1]
		return ok(last)
	})
	return last
}

func connected(st Status) bool { return st.State == StateConnected }

// waitingHour is the status of a failed attempt whose retry is an hour away.
func waitingHour(st Status) bool { return st.State == StateError && st.RetryIn == 3600 }

func hour(int) time.Duration { return time.Hour }

// Spark is not up when the editor starts, then comes up: sparkls.reconnect,
// or the same settings sent again, connects at once rather than at the
// next retry.
func TestReconnectAfterFailedFirstAttempt(t *testing.T) {
	for _, how := range []string{"command", "same settings"} {
		t.Run(how, func(t *testing.T) {
			fake := newRunFake(t)
			fake.Stop()
			c := startConnClient(t, fake, hour)
			st := c.waitStatus("an error status with a retry planned", waitingHour)
			if st.Message == "" || st.Remote != fakeRemote {
				t.Errorf("error status %+v", st)
			}
			fake.Start()
			begin := time.Now()
			if how == "command" {
				c.callOK(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": CommandReconnect}, nil)
			} else {
				c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"remote": fakeRemote}})
			}
			c.waitStatus("connected", connected)
			if took := time.Since(begin); took > 5*time.Second {
				t.Errorf("reconnecting took %v", took)
			}
			c.open(runURI, "SELECT 1")
			if res := c.runCall(newDocument(runURI, "sql", 1, "SELECT 1"), 0, 0); res.RowCount != 1 {
				t.Errorf("run after reconnecting: %+v %+v", res, res.Error)
			}
		})
	}
}

// The server goes away while connected, then comes back: the status says
// so, and sparkls reconnects by itself after the backoff.
func TestReconnectAfterLostConnection(t *testing.T) {
	fake := newRunFake(t)
	c := startConnClient(t, fake, func(n int) time.Duration { return time.Duration(n) * 50 * time.Millisecond })
	c.waitStatus("connected", connected)
	fake.Stop()
	st := c.waitStatus("connection lost", func(st Status) bool { return st.State == StateError })
	if st.RetryIn < 1 || st.Message == "" {
		t.Errorf("error status %+v, want a message and a retry", st)
	}
	if _, ok := c.srv.client(); ok {
		t.Errorf("client() still reports the lost connection")
	}
	fake.Start()
	c.waitStatus("connected again", connected)
	c.open(runURI, "SELECT 1")
	if res := c.runCall(newDocument(runURI, "sql", 1, "SELECT 1"), 0, 0); res.RowCount != 1 {
		t.Errorf("run after reconnecting: %+v %+v", res, res.Error)
	}
	var lost, retried bool
	for _, st := range c.statuses() {
		lost = lost || (st.State == StateError && strings.HasPrefix(st.Message, "connection lost: "))
		retried = retried || (lost && st.State == StateConnecting)
	}
	if !lost || !retried {
		t.Errorf("statuses %+v: want a lost connection, then a new attempt", c.statuses())
	}
	if logs := c.receivedText(); !strings.Contains(logs, "retrying in") {
		t.Errorf("the editor's log does not say when the next attempt is: %s", logs)
	}
}

// startGatedClient starts a server whose dials to fake wait for release,
// for a client with work-done progress; it does not wait for anything.
func startGatedClient(t *testing.T, fake *connecttest.Server, release <-chan struct{}, settings map[string]any) *testClient {
	t.Helper()
	to := testOptions{catalog: true, setup: func(s *Server) { s.spark.delay = hour }}
	to.opts.Dial = func(ctx context.Context, r connect.Remote, _ func(string)) (*connect.Client, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return connect.Dial(ctx, r, connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 2 * time.Second})
	}
	c := startServer(t, to)
	settings["remote"] = fakeRemote
	c.callOK(protocol.MethodInitialize, map[string]any{
		"processId": nil, "rootUri": nil, "initializationOptions": settings,
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}},
	}, nil)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return c
}

// A run, explain or refresh asked at once, while sparkls is still
// connecting, waits for the connection with progress, then answers.
func TestCommandsWaitForConnection(t *testing.T) {
	text := "SELECT 1"
	for _, tc := range []struct {
		command string
		args    any
		ok      func(json.RawMessage) bool
	}{
		{CommandRun, RunArgs{URI: runURI}, func(r json.RawMessage) bool { return strings.Contains(string(r), `"rowCount":1`) }},
		{CommandExplain, ExplainArgs{RunArgs: RunArgs{URI: runURI}}, func(r json.RawMessage) bool { return strings.Contains(string(r), "SELECT 1") }},
		{CommandRefreshSchema, nil, func(r json.RawMessage) bool { return string(r) == "null" }},
	} {
		t.Run(tc.command, func(t *testing.T) {
			fake := newRunFake(t)
			release := make(chan struct{})
			c := startGatedClient(t, fake, release, map[string]any{})
			c.open(runURI, text)
			params := map[string]any{"command": tc.command}
			if tc.args != nil {
				params["arguments"] = []any{tc.args}
			}
			_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, params)
			c.waitNote(protocol.MethodProgress, func(p json.RawMessage) bool {
				return strings.Contains(string(p), "Connecting to "+fakeRemote)
			})
			select {
			case m := <-ch:
				t.Fatalf("answered before the connection was made: %s %+v", m.Result, m.Error)
			case <-time.After(100 * time.Millisecond):
			}
			close(release)
			m := c.wait(ch, tc.command)
			if m.Error != nil || !tc.ok(m.Result) {
				t.Errorf("%s answered %s %+v", tc.command, m.Result, m.Error)
			}
		})
	}
}

// The wait ends after connectTimeout, with the reason.
func TestCommandWaitTimesOut(t *testing.T) {
	t.Run("still connecting", func(t *testing.T) {
		c := startGatedClient(t, newRunFake(t), make(chan struct{}), map[string]any{"connectTimeout": 1})
		c.open(runURI, "SELECT 1")
		begin := time.Now()
		m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
		if m.Error == nil || !strings.Contains(m.Error.Message, "not connected to Spark (connecting)") {
			t.Errorf("run answered %s %+v", m.Result, m.Error)
		}
		if took := time.Since(begin); took < time.Second || took > 5*time.Second {
			t.Errorf("the run waited %v, want about connectTimeout (1 s)", took)
		}
	})
	t.Run("server down", func(t *testing.T) {
		fake := newRunFake(t)
		fake.Stop()
		c := startConnClient(t, fake, hour)
		c.waitStatus("an error status with a retry planned", waitingHour)
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"remote": fakeRemote, "connectTimeout": 2}})
		c.open(runURI, "SELECT 1")
		m := c.call(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
		if m.Error == nil || !strings.Contains(m.Error.Message, "not connected to Spark (") || !strings.Contains(m.Error.Message, "connect "+fakeRemote) {
			t.Errorf("run answered %s %+v, want the reason of the failed attempt", m.Result, m.Error)
		}
	})
}

// A cancel answers within a second whatever the network does; the run's
// answer says whether Spark confirmed the interrupt, which goes on in the
// background when the network stalls.
func TestCancelAnswersAtOnce(t *testing.T) {
	for _, stalled := range []bool{false, true} {
		t.Run(fmt.Sprintf("stalled=%v", stalled), func(t *testing.T) {
			fake := slowFake(t) // 200 ms per answer: a confirmation arrives in time
			c := startRunClient(t, fake, runSetup{})
			c.open(runURI, "SELECT * FROM range(1000000000) r")
			_, ch := c.startN(protocol.MethodWorkspaceExecuteCommand, runParams(CommandRun, RunArgs{URI: runURI}))
			started := c.runStarted(1)
			eventually(t, "the run reaching Spark", func() bool { return runOps(fake) > 0 })
			if stalled {
				fake.SetLatency(2 * time.Second) // the interrupt takes 2 s to land
			}
			begin := time.Now()
			var cr CancelResult
			c.callOK(protocol.MethodWorkspaceExecuteCommand, runParams(CommandCancel, CancelArgs{QueryID: started.QueryID}), &cr)
			if took := time.Since(begin); took > time.Second {
				t.Errorf("sparkls.cancel answered after %v, want within 1 s", took)
			}
			if !slices.Equal(cr.QueryIDs, []string{started.QueryID}) {
				t.Errorf("cancel answered %+v", cr)
			}
			m := c.wait(ch, "the cancelled run")
			if took := time.Since(begin); took > time.Second {
				t.Errorf("the run answered %v after the cancel, want within 1 s", took)
			}
			var res RunResult
			if err := json.Unmarshal(m.Result, &res); err != nil || res.Error == nil || res.Error.ErrorClass != ClassCancelled {
				t.Fatalf("run answered %s %v", m.Result, m.Error)
			}
			want := "Spark confirmed the interrupt"
			if stalled {
				want = "Spark has not confirmed the interrupt yet"
			}
			if !strings.Contains(res.Error.Message, want) {
				t.Errorf("run error %q, want it to say %q", res.Error.Message, want)
			}
			// Confirmed or not, the interrupt reaches Spark.
			eventually(t, "the interrupt landing on Spark", func() bool { return len(fake.Interrupted()) > 0 })
		})
	}
}
