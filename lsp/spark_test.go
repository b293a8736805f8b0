package lsp

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/connecttest"
)

// Against the fake Spark Connect server: the real dial connects with the
// token, reports the Spark version, and a new remote replaces the client
// (the old session is released) without a restart.
func TestConnectsToFakeSpark(t *testing.T) {
	fake := connecttest.New(t)
	fake.Token = "zzsecret"
	fake.Version = "4.0.1"
	c := startServer(t, testOptions{realDial: true, opts: Options{
		Connect: connect.Options{Dialer: fake.Dialer(), ConnectTimeout: 5 * time.Second},
	}})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": "sc://127.0.0.1:15002/;token=zzsecret;use_ssl=false"}}, false)
	raw := c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"connected"`) })
	var st Status
	_ = json.Unmarshal(raw, &st)
	if st.SparkVersion != "4.0.1" || st.Remote != "sc://127.0.0.1:15002/;token=***;use_ssl=false" || st.Message != "" {
		t.Errorf("status = %+v", st)
	}
	cl, ok := c.srv.client()
	if !ok {
		t.Fatal("client() = false after connected")
	}
	if v, err := cl.SparkVersion(t.Context()); err != nil || v != "4.0.1" {
		t.Errorf("SparkVersion through client() = %q, %v", v, err)
	}

	// A remote without the token: the old client is closed, the new one is refused.
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": map[string]any{"remote": "sc://127.0.0.1:15002"}})
	c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"error"`) })
	deadline := time.Now().Add(testTimeout)
	for fake.Calls("ReleaseSession") == 0 && time.Now().Before(deadline) {
		<-time.After(5 * time.Millisecond)
	}
	if fake.Calls("ReleaseSession") == 0 {
		t.Errorf("the replaced client was not closed")
	}
	if _, ok := c.srv.client(); ok {
		t.Errorf("client() still reports the old connection")
	}
	c.exit(true)
	if strings.Contains(c.receivedText(), "zzsecret") || strings.Contains(c.log.String(), "zzsecret") {
		t.Errorf("the token leaked")
	}
}
