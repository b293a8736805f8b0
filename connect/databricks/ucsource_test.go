package databricks

// Tests of the Unity Catalog REST source against a fake workspace
// (httptest TLS): pagination, 429 with Retry-After, errors, the
// concurrency bound, cancellation, the schema cache on top of it with no
// Spark Connect at all, and the fallback combinator.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/sparkls/sparkls/connect"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparkls/sparkls/schema"
)

// ucFake serves ws over TLS and returns remote (a profile of testProfiles)
// and its Unity Catalog source; tweak may adjust the remote first.
func ucFake(t *testing.T, ws *fakeWorkspace, remote string, tweak func(connect.Remote), opts ...UCOptions) (connect.Remote, *UCSource) {
	t.Helper()
	srv := httptest.NewUnstartedServer(ws)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut by the tests' ends
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	r, err := ParseRemoteEnv(remote, profileEnv(t, srv.Listener.Addr().String(), testProfiles))
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(r)
	}
	var opt UCOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	opt.RootCAs = pool
	uc, err := NewUCSource(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r, uc
}

// sleeps records the waits between retries instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func patWorkspace() *fakeWorkspace {
	ws := newFakeWorkspace()
	ws.pat = "dapi-dev-secret"
	return ws
}

func TestUCSourceLoadsWithPagesAndThrottling(t *testing.T) {
	ws := patWorkspace()
	ws.throttleEvery = 3
	_, uc := ucFake(t, ws, "databricks://dev", nil, UCOptions{PageSize: 2})
	var waits sleeps
	uc.sleep = waits.sleep
	ctx := context.Background()

	cat, ns, err := uc.Current(ctx)
	if err != nil || cat != "main" || ns != "default" {
		t.Errorf("Current = %q %q %v", cat, ns, err)
	}
	cats, err := uc.Catalogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cats); got != "[{main Main catalog [] 0001-01-01 00:00:00 +0000 UTC <nil>} {samples  [] 0001-01-01 00:00:00 +0000 UTC <nil>} {system System catalog [] 0001-01-01 00:00:00 +0000 UTC <nil>} {dev  [] 0001-01-01 00:00:00 +0000 UTC <nil>} {ext  [] 0001-01-01 00:00:00 +0000 UTC <nil>}]" {
		t.Errorf("catalogs %s", got)
	}
	nss, err := uc.Namespaces(ctx, "main")
	if err != nil || len(nss) != 3 || nss[2].Name != "sales" || nss[2].Comment != "Sales data" || nss[2].Catalog != "main" {
		t.Errorf("Namespaces = %+v, %v", nss, err)
	}
	tables, err := uc.Tables(ctx, "main", "sales")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, fmt.Sprintf("%s:%s:%q:%d", tb.Name, tb.Kind, tb.Comment, len(tb.Columns)))
	}
	if got := strings.Join(names, " "); got != `orders:MANAGED:"Orders":0 big_orders:VIEW:"Big ones":0 customers:EXTERNAL:"":0 daily:VIEW:"":0 empty:MANAGED:"":0` {
		t.Errorf("tables %s", got)
	}
	full, err := uc.TablesWithColumns(ctx, "main", "sales")
	if err != nil || len(full) != 5 {
		t.Fatalf("TablesWithColumns = %d tables, %v", len(full), err)
	}
	if got := ucCols(full[0].Columns); got != "order_id bigint NOT NULL -- id; amount decimal(12,2); order_date date PARTITION; tags array<string>; region string PARTITION" {
		t.Errorf("orders columns %s", got)
	}
	if got := ucCols(full[2].Columns); got != "id int NOT NULL; info struct<name:string,age:int>" {
		t.Errorf("customers columns %s", got)
	}
	if full[4].Columns == nil || len(full[4].Columns) != 0 {
		t.Errorf("a table without columns: %#v", full[4].Columns)
	}
	cols, err := uc.Columns(ctx, "", "sales", "orders") // "" is the current catalog
	if err != nil || ucCols(cols) != ucCols(full[0].Columns) {
		t.Errorf("Columns = %s, %v", ucCols(cols), err)
	}
	fns, err := uc.Functions(ctx)
	if err != nil || len(fns) != 1 || fns[0].Usage != "to_eur(amount decimal(12,2), ccy string)" || fns[0].Description != "Converts to euros" || fns[0].Builtin {
		t.Errorf("Functions = %+v, %v", fns, err)
	}
	if tv, err := uc.TempViews(ctx); tv != nil || err != nil {
		t.Errorf("TempViews = %v, %v", tv, err)
	}

	ws.mu.Lock()
	defer ws.mu.Unlock()
	// Pages of 2 (5 catalogs: 3 pages), listings without columns or
	// properties where they are not needed, and every 429 retried after
	// its Retry-After.
	var catalogPages, withColumns, withoutColumns int
	for _, q := range ws.queries {
		switch {
		case strings.HasPrefix(q, "/api/2.1/unity-catalog/catalogs?"):
			if !strings.Contains(q, "max_results=2") {
				t.Errorf("no page size: %s", q)
			}
			if strings.Contains(q, "page_token=off-4") {
				catalogPages++
			}
		case strings.HasPrefix(q, "/api/2.1/unity-catalog/tables?"):
			if !strings.Contains(q, "omit_properties=true") {
				t.Errorf("properties asked for: %s", q)
			}
			if strings.Contains(q, "omit_columns=true") {
				withoutColumns++
			} else {
				withColumns++
			}
		}
	}
	if catalogPages == 0 || withColumns == 0 || withoutColumns == 0 {
		t.Errorf("queries %q", ws.queries)
	}
	waits.mu.Lock()
	defer waits.mu.Unlock()
	if len(waits.d) == 0 || len(waits.d) != ws.ucRequests/3 {
		t.Errorf("%d retries for %d requests", len(waits.d), ws.ucRequests)
	}
	for _, d := range waits.d {
		if d != time.Second {
			t.Errorf("waited %v, want Retry-After's 1s", d)
		}
	}
}

func ucCols(cols []schema.Column) string {
	var parts []string
	for _, c := range cols {
		s := c.Name + " " + c.Type
		if !c.Nullable {
			s += " NOT NULL"
		}
		if c.Partition {
			s += " PARTITION"
		}
		if c.Comment != "" {
			s += " -- " + c.Comment
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestUCSourceErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("no such schema", func(t *testing.T) {
		_, uc := ucFake(t, patWorkspace(), "databricks://dev", nil)
		_, err := uc.TablesWithColumns(ctx, "main", "nope")
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.ErrorCode != "SCHEMA_DOES_NOT_EXIST" || !strings.Contains(err.Error(), "main.nope") {
			t.Errorf("err = %v", err)
		}
		if _, err := uc.Columns(ctx, "main", "sales", "nope"); !errors.As(err, &ae) || ae.ErrorCode != "TABLE_DOES_NOT_EXIST" {
			t.Errorf("Columns: %v", err)
		}
		if _, err := uc.Columns(ctx, "", "", "temp_view"); !errors.Is(err, schema.ErrUnsupported) {
			t.Errorf("temporary view: %v", err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		ws := patWorkspace()
		ws.fail500["/api/2.1/unity-catalog/catalogs"] = true
		_, uc := ucFake(t, ws, "databricks://dev", nil)
		var ae *APIError
		if _, err := uc.Catalogs(ctx); !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Message != "boom" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("throttled for good", func(t *testing.T) {
		ws := patWorkspace()
		ws.throttleAlways = true
		_, uc := ucFake(t, ws, "databricks://dev", nil)
		var waits sleeps
		uc.sleep = waits.sleep
		var ae *APIError
		if _, err := uc.Catalogs(ctx); !errors.As(err, &ae) || ae.StatusCode != 429 {
			t.Errorf("err = %v", err)
		}
		if ws.ucRequests != restAttempts || len(waits.d) != restAttempts-1 {
			t.Errorf("%d requests, %d waits", ws.ucRequests, len(waits.d))
		}
	})
	t.Run("a page token that repeats", func(t *testing.T) {
		ws := patWorkspace()
		ws.repeatToken = true
		_, uc := ucFake(t, ws, "databricks://dev", nil)
		if _, err := uc.Catalogs(ctx); err == nil || !strings.Contains(err.Error(), "repeated a page token") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		_, uc := ucFake(t, patWorkspace(), "databricks://wrongtoken", nil)
		_, err := uc.Catalogs(ctx)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 401 || !strings.Contains(err.Error(), "Invalid access token ***") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, "error", err.Error())
		// Current and Functions are lenient, but not about credentials.
		if _, _, err := uc.Current(ctx); err == nil {
			t.Error("Current with a wrong token succeeded")
		}
	})
	t.Run("wrong OAuth secret", func(t *testing.T) {
		ws := newFakeWorkspace()
		ws.clientID, ws.clientSecret = "sp-1", "sp-secret-xyz"
		_, uc := ucFake(t, ws, "databricks://m2m-wrong", nil)
		_, err := uc.Catalogs(ctx)
		var ae *AuthError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "HTTP 401 invalid_client") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, "error", err.Error())
	})
	t.Run("not a databricks remote", func(t *testing.T) {
		r, _ := connect.ParseRemote("sc://h:443/;token=dapi-dev-secret")
		_, err := NewUCSource(r, UCOptions{})
		if err == nil {
			t.Fatal("no error")
		}
		assertNoSecret(t, "error", err.Error())
	})
}

func TestUCSourceConcurrencyBound(t *testing.T) {
	ws := patWorkspace()
	ws.latency = 20 * time.Millisecond
	_, uc := ucFake(t, ws, "databricks://dev", nil, UCOptions{Concurrency: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := uc.Columns(context.Background(), "main", "sales", "orders")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.maxInflight > 2 || ws.maxInflight < 1 {
		t.Errorf("%d requests in flight at once, bound 2", ws.maxInflight)
	}
}

func TestUCSourceCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*fakeWorkspace)
	}{
		{"waiting for an answer", func(ws *fakeWorkspace) { ws.block = make(chan struct{}) }},
		{"waiting out a Retry-After", func(ws *fakeWorkspace) { ws.throttleAlways = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := patWorkspace()
			tc.setup(ws)
			_, uc := ucFake(t, ws, "databricks://dev", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := uc.Catalogs(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v after the deadline", d)
			}
			if ws.block != nil {
				close(ws.block)
			}
		})
	}
}

// The schema cache over Unity Catalog alone: lookups answered, columns
// with comments, no Spark Connect at all, and no secret in the cache file.
func TestUCSourceSchemaCacheEndToEnd(t *testing.T) {
	ws := patWorkspace()
	r, uc := ucFake(t, ws, "databricks://dev", nil, UCOptions{PageSize: 2})
	dir := t.TempDir()
	cache := schema.New(uc, schema.Options{Key: uc.SchemaKey(), Dir: dir, Budget: 10 * time.Second, SaveDelay: time.Millisecond})
	defer cache.Close()
	ctx := context.Background()
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap := cache.Snapshot()
	if snap.CurrentCatalog != "main" || snap.CurrentNamespace != "default" || len(snap.Catalogs) != 5 {
		t.Errorf("snapshot: current %s.%s, %d catalogs", snap.CurrentCatalog, snap.CurrentNamespace, len(snap.Catalogs))
	}
	tb, complete := cache.Describe(ctx, schema.Ref{Catalog: "main", Namespace: "sales", Table: "orders"})
	if !complete || tb == nil || tb.Comment != "Orders" || tb.Kind != schema.KindManaged {
		t.Fatalf("Describe = %+v, %v", tb, complete)
	}
	if got := ucCols(tb.Columns); got != "order_id bigint NOT NULL -- id; amount decimal(12,2); order_date date PARTITION; tags array<string>; region string PARTITION" {
		t.Errorf("columns %s", got)
	}
	if n, complete := cache.Namespace(ctx, "", "sales"); !complete || n == nil || len(n.Tables) != 5 {
		t.Errorf("Namespace(current, sales) = %v, %v", n, complete)
	}
	if err := cache.Save(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no cache file")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "order_date") {
			t.Errorf("%s does not hold the catalog", f)
		}
		assertNoSecret(t, f, string(data))
	}

	// One cache per workspace and cluster, shared with the Spark Connect
	// client of the same remote, and never keyed by a credential.
	c, err := connect.NewClient(r, connect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close() // refused at once: the cluster was never seen running
	if c.SchemaKey() != uc.SchemaKey() {
		t.Errorf("client key %s, Unity Catalog key %s", c.SchemaKey(), uc.SchemaKey())
	}
	other := r
	other.Token = "another-token"
	uc2, _ := NewUCSource(other, UCOptions{})
	m2m, _ := ParseRemoteEnv("databricks://m2m", profileEnv(t, fmt.Sprintf("%s:%d", r.Host, r.Port), testProfiles))
	uc3, _ := NewUCSource(m2m, UCOptions{})
	if uc2.SchemaKey() != uc.SchemaKey() || uc3.SchemaKey() != uc.SchemaKey() {
		t.Error("the schema key depends on the credentials")
	}
}

// stubSource fails every call with err (nil: answers "spark").
type stubSource struct {
	err   error
	calls int
	mu    sync.Mutex
}

func (s *stubSource) call() error {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return s.err
}

func (s *stubSource) Current(context.Context) (string, string, error) {
	return "spark_catalog", "spark_ns", s.call()
}
func (s *stubSource) Catalogs(context.Context) ([]schema.Catalog, error) {
	return []schema.Catalog{{Name: "spark"}}, s.call()
}
func (s *stubSource) Namespaces(context.Context, string) ([]schema.Namespace, error) {
	return []schema.Namespace{{Name: "spark"}}, s.call()
}
func (s *stubSource) Tables(context.Context, string, string) ([]schema.Table, error) {
	return []schema.Table{{Name: "spark"}}, s.call()
}
func (s *stubSource) TablesWithColumns(context.Context, string, string) ([]schema.Table, error) {
	return []schema.Table{{Name: "spark"}}, s.call()
}
func (s *stubSource) Columns(context.Context, string, string, string) ([]schema.Column, error) {
	return []schema.Column{{Name: "spark"}}, s.call()
}
func (s *stubSource) TempViews(context.Context) ([]schema.Table, error) {
	return []schema.Table{{Name: "spark_temp"}}, s.call()
}
func (s *stubSource) Functions(context.Context) ([]schema.Function, error) {
	return []schema.Function{{Name: "spark_fn"}}, s.call()
}

func TestFallbackSource(t *testing.T) {
	ctx := context.Background()
	ws := patWorkspace()
	_, uc := ucFake(t, ws, "databricks://dev", nil)
	down := &stubSource{err: &ClusterNotRunningError{ClusterID: "0202-off", State: "TERMINATED"}}
	up := &stubSource{}

	// The cluster is off: everything comes from Unity Catalog.
	f := &FallbackSource{Primary: func() schema.Source { return down }, Fallback: uc}
	if cat, ns, err := f.Current(ctx); err != nil || cat != "main" || ns != "default" {
		t.Errorf("Current = %s %s %v", cat, ns, err)
	}
	if cats, err := f.Catalogs(ctx); err != nil || len(cats) != 5 {
		t.Errorf("Catalogs = %v %v", cats, err)
	}
	if ts, err := f.TablesWithColumns(ctx, "main", "sales"); err != nil || len(ts) != 5 || len(ts[0].Columns) != 5 {
		t.Errorf("TablesWithColumns = %v %v", ts, err)
	}
	if tv, err := f.TempViews(ctx); err != nil || tv != nil {
		t.Errorf("TempViews = %v %v", tv, err)
	}
	if down.calls != 4 {
		t.Errorf("primary asked %d times", down.calls)
	}

	// Not connected at all.
	f = &FallbackSource{Primary: func() schema.Source { return nil }, Fallback: uc}
	if ns, err := f.Namespaces(ctx, "main"); err != nil || len(ns) != 3 {
		t.Errorf("Namespaces = %v %v", ns, err)
	}

	// Running: Spark answers, Unity Catalog is not asked.
	before := ws.ucRequests
	f = &FallbackSource{Primary: func() schema.Source { return up }, Fallback: uc}
	if tv, err := f.TempViews(ctx); err != nil || len(tv) != 1 || tv[0].Name != "spark_temp" {
		t.Errorf("TempViews = %v %v", tv, err)
	}
	if cols, err := f.Columns(ctx, "main", "sales", "orders"); err != nil || cols[0].Name != "spark" {
		t.Errorf("Columns = %v %v", cols, err)
	}
	if ws.ucRequests != before {
		t.Errorf("Unity Catalog asked while Spark answered")
	}

	// No bulk path on Spark: Unity Catalog's listing has the columns.
	noBulk := &stubSource{err: fmt.Errorf("no bulk listing: %w", schema.ErrUnsupported)}
	f = &FallbackSource{Primary: func() schema.Source { return noBulk }, Fallback: uc}
	if ts, err := f.TablesWithColumns(ctx, "main", "sales"); err != nil || len(ts) != 5 {
		t.Errorf("TablesWithColumns = %v %v", ts, err)
	}

	// Both fail: the error says both.
	f = &FallbackSource{Primary: func() schema.Source { return down }, Fallback: uc}
	_, err := f.Tables(ctx, "main", "nope")
	var cn *ClusterNotRunningError
	var ae *APIError
	if !errors.As(err, &cn) || !errors.As(err, &ae) {
		t.Errorf("err = %v", err)
	}

	// Cancelled: no fallback.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	before = ws.ucRequests
	canceled := &stubSource{err: context.Canceled}
	f = &FallbackSource{Primary: func() schema.Source { return canceled }, Fallback: uc}
	if _, err := f.Catalogs(cctx); !errors.Is(err, context.Canceled) || ws.ucRequests != before {
		t.Errorf("cancelled: %v, %d requests", err, ws.ucRequests-before)
	}
}
