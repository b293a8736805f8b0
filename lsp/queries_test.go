package lsp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect/connecttest"
)

// sparkls/queries lists the operation of a run in flight with its queryId
// and statement: as the server reports it where it has GetStatus (4.2+),
// else from sparkls's own runs.
func TestQueries(t *testing.T) {
	for _, tc := range []struct {
		version    string
		fromServer bool
	}{{"4.3.0", true}, {"4.1.4", false}} {
		t.Run(tc.version, func(t *testing.T) {
			fake := connecttest.New(t)
			fake.Version = tc.version
			release := make(chan struct{})
			var once sync.Once
			free := func() { once.Do(func() { close(release) }) }
			defer free()
			fake.HandleSQL(func(stmt string) (connecttest.Result, error) {
				if strings.Contains(stmt, "slow") {
					r := connecttest.Rows("id bigint")
					r.Infinite = true
					r.Gen = func(i int64) []any { <-release; return []any{i} }
					return r, nil
				}
				return connecttest.Result{}, connecttest.ErrNotHandled
			})
			c := startRunClient(t, fake, runSetup{})
			const uri = "file:///work/slow.sql"
			const text = "SELECT * FROM slow"
			c.open(uri, text)
			ran := make(chan RunResult, 1)
			go func() { ran <- c.runCall(newDocument(uri, "sql", 1, text), 0, 0) }()

			var got *QueriesResult
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				res, err := c.srv.queries(context.Background(), nil, &QueriesParams{})
				if err != nil {
					t.Fatal(err)
				}
				// The SqlCommand, then the read of its relation, which waits.
				if len(res.Queries) == 1 && res.Queries[0].Statement == text && res.Queries[0].QueryID != "" {
					got = res
					break
				}
			}
			free()
			if got == nil {
				t.Fatal("the run never showed in sparkls/queries")
			}
			q := got.Queries[0]
			if got.FromServer != tc.fromServer || q.State != "running" || q.URI != uri || q.OperationID == "" {
				t.Errorf("sparkls/queries = %+v", got)
			}
			if res := <-ran; res.Error != nil {
				t.Fatalf("run: %+v", res.Error)
			}
			var res QueriesResult // over the wire this time
			c.callOK(RequestQueries, map[string]any{}, &res)
			if len(res.Queries) != 0 || res.FromServer != tc.fromServer {
				t.Errorf("after the run: %+v", res)
			}
		})
	}
}
