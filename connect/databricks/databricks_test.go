package databricks

// Tests of databricks remotes: profile resolution, the whole
// databricks://profile path through a TLS proxy (in front of the fake Spark
// Connect server, and of the real one when SPARKLS_IT_REMOTE is set), the
// cluster state check, OAuth machine-to-machine, and that no secret leaks.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sparkls/sparkls/connect"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect/connecttest"
	"github.com/sparkls/sparkls/internal/ittest"
)

// ---- a fake Databricks workspace: OIDC token endpoint, Clusters API, Unity Catalog ----

type apiColumn struct {
	Name           string `json:"name"`
	TypeText       string `json:"type_text"`
	TypeName       string `json:"type_name"`
	Position       int    `json:"position"`
	Nullable       bool   `json:"nullable"`
	Comment        string `json:"comment,omitempty"`
	PartitionIndex *int   `json:"partition_index,omitempty"`
}

type apiTable struct {
	Name        string            `json:"name"`
	CatalogName string            `json:"catalog_name"`
	SchemaName  string            `json:"schema_name"`
	TableType   string            `json:"table_type"`
	Comment     string            `json:"comment,omitempty"`
	Columns     []apiColumn       `json:"columns,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
}

type apiNamed struct {
	Name    string `json:"name"`
	Comment string `json:"comment,omitempty"`
}

type fakeWorkspace struct {
	mu           sync.Mutex
	pat          string // the personal access token accepted
	clientID     string
	clientSecret string
	expiresIn    int             // of issued OAuth tokens, in seconds
	issued       map[string]bool // OAuth tokens handed out
	tokenFetches int
	clusters     map[string]string // cluster id → state
	clusterGets  int
	block        chan struct{} // when set, clusters/get and UC calls wait for it (or the request's end)

	defaultCatalog string
	catalogs       []apiNamed
	schemas        map[string][]apiNamed // by catalog
	tables         map[string][]apiTable // by "catalog.schema"
	functions      map[string][]any      // by "catalog.schema"
	pageSize       int                   // the server's page limit
	throttleEvery  int                   // every n-th UC request is answered 429 first
	throttleAlways bool
	fail500        map[string]bool // UC paths answered 500
	repeatToken    bool            // the catalogs listing hands out the same page token forever
	latency        time.Duration
	ucRequests     int
	inflight       int
	maxInflight    int
	queries        []string // the query strings of UC requests
}

func newFakeWorkspace() *fakeWorkspace {
	one, zero := 1, 0
	return &fakeWorkspace{
		issued:         map[string]bool{},
		expiresIn:      3600,
		clusters:       map[string]string{"0101-running": "RUNNING", "0202-off": "TERMINATED", "0303-pending": "PENDING"},
		defaultCatalog: "main",
		catalogs: []apiNamed{
			{Name: "main", Comment: "Main catalog"}, {Name: "samples"}, {Name: "system", Comment: "System catalog"},
			{Name: "dev"}, {Name: "ext"},
		},
		schemas: map[string][]apiNamed{
			"main":    {{Name: "default"}, {Name: "information_schema"}, {Name: "sales", Comment: "Sales data"}},
			"samples": {{Name: "nyctaxi"}},
			"system":  {{Name: "information_schema"}, {Name: "billing"}},
			"dev":     {},
			"ext":     {{Name: "default"}},
		},
		tables: map[string][]apiTable{
			"main.sales": {
				{Name: "orders", CatalogName: "main", SchemaName: "sales", TableType: "MANAGED", Comment: "Orders", Properties: map[string]string{"delta.minReaderVersion": "1"},
					Columns: []apiColumn{ // out of order on purpose: position decides
						{Name: "amount", TypeText: "decimal(12,2)", TypeName: "DECIMAL", Position: 1, Nullable: true},
						{Name: "order_id", TypeText: "bigint", TypeName: "LONG", Position: 0, Nullable: false, Comment: "id"},
						{Name: "order_date", TypeText: "date", TypeName: "DATE", Position: 2, Nullable: true, PartitionIndex: &zero},
						{Name: "tags", TypeText: "array<string>", TypeName: "ARRAY", Position: 3, Nullable: true},
						{Name: "region", TypeText: "string", TypeName: "STRING", Position: 4, Nullable: true, PartitionIndex: &one},
					}},
				{Name: "big_orders", CatalogName: "main", SchemaName: "sales", TableType: "VIEW", Comment: "Big ones",
					Columns: []apiColumn{{Name: "order_id", TypeText: "bigint", TypeName: "LONG", Nullable: true}}},
				{Name: "customers", CatalogName: "main", SchemaName: "sales", TableType: "EXTERNAL",
					Columns: []apiColumn{{Name: "id", TypeText: "int", TypeName: "INT", Nullable: false}, {Name: "info", TypeText: "struct<name:string,age:int>", TypeName: "STRUCT", Position: 1, Nullable: true}}},
				{Name: "daily", CatalogName: "main", SchemaName: "sales", TableType: "MATERIALIZED_VIEW",
					Columns: []apiColumn{{Name: "day", TypeText: "date", TypeName: "DATE", Nullable: true}}},
				{Name: "empty", CatalogName: "main", SchemaName: "sales", TableType: "MANAGED"},
			},
			"main.default": {},
		},
		functions: map[string][]any{
			"main.default": {map[string]any{"name": "to_eur", "comment": "Converts to euros",
				"input_params": map[string]any{"parameters": []any{map[string]any{"name": "amount", "type_text": "decimal(12,2)"}, map[string]any{"name": "ccy", "type_text": "string"}}}}},
		},
		pageSize: 1000,
		fail500:  map[string]bool{},
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, code int, errorCode, msg string) {
	writeJSON(w, code, map[string]string{"error_code": errorCode, "message": msg})
}

func (f *fakeWorkspace) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oidc/v1/token" {
		f.token(w, r)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	ok := (f.pat != "" && tok == f.pat) || f.issued[tok]
	block := f.block
	f.mu.Unlock()
	if !ok {
		// Echo the presented token, as a careless server might: the client must scrub it.
		apiErr(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Invalid access token "+tok)
		return
	}
	if block != nil {
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	if r.URL.Path == "/api/2.1/clusters/get" {
		f.mu.Lock()
		f.clusterGets++
		state, ok := f.clusters[r.URL.Query().Get("cluster_id")]
		f.mu.Unlock()
		if !ok {
			apiErr(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Cluster "+r.URL.Query().Get("cluster_id")+" does not exist")
			return
		}
		msg := ""
		if state == "TERMINATED" {
			msg = "Inactive cluster terminated (inactive for 120 minutes)."
		}
		writeJSON(w, http.StatusOK, map[string]any{"cluster_id": r.URL.Query().Get("cluster_id"), "cluster_name": "ana's cluster", "state": state, "state_message": msg})
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/2.1/unity-catalog/") {
		f.unityCatalog(w, r)
		return
	}
	http.NotFound(w, r)
}

func (f *fakeWorkspace) token(w http.ResponseWriter, r *http.Request) {
	id, secret, _ := r.BasicAuth()
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != f.clientID || secret != f.clientSecret || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != "all-apis" {
		// Echo the secret, as a careless server might: the client must scrub it.
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed for secret " + secret})
		return
	}
	f.tokenFetches++
	tok := "m2m-" + strconv.Itoa(f.tokenFetches)
	f.issued[tok] = true
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": f.expiresIn, "scope": "all-apis"})
}

func (f *fakeWorkspace) unityCatalog(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.ucRequests++
	n := f.ucRequests
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.queries = append(f.queries, r.URL.Path+"?"+r.URL.RawQuery)
	throttle := f.throttleAlways || (f.throttleEvery > 0 && n%f.throttleEvery == 0)
	latency, fail := f.latency, f.fail500[r.URL.Path]
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
		}
	}
	if throttle {
		w.Header().Set("Retry-After", "1")
		apiErr(w, http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED", "slow down")
		return
	}
	if fail {
		apiErr(w, http.StatusInternalServerError, "INTERNAL_ERROR", "boom")
		return
	}
	q := r.URL.Query()
	path := strings.TrimPrefix(r.URL.Path, "/api/2.1/unity-catalog")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case path == "/current-metastore-assignment":
		writeJSON(w, http.StatusOK, map[string]any{"metastore_id": "m-1", "workspace_id": 1, "default_catalog_name": f.defaultCatalog})
	case path == "/catalogs":
		if f.repeatToken {
			writeJSON(w, http.StatusOK, map[string]any{"catalogs": f.catalogs[:1], "next_page_token": "again"})
			return
		}
		page(w, q, f.pageSize, "catalogs", f.catalogs)
	case path == "/schemas":
		list, ok := f.schemas[q.Get("catalog_name")]
		if !ok {
			apiErr(w, http.StatusNotFound, "CATALOG_DOES_NOT_EXIST", "Catalog '"+q.Get("catalog_name")+"' does not exist.")
			return
		}
		page(w, q, f.pageSize, "schemas", list)
	case path == "/tables":
		key := q.Get("catalog_name") + "." + q.Get("schema_name")
		list := f.tables[key]
		if !slices.ContainsFunc(f.schemas[q.Get("catalog_name")], func(n apiNamed) bool { return n.Name == q.Get("schema_name") }) {
			apiErr(w, http.StatusNotFound, "SCHEMA_DOES_NOT_EXIST", "Schema '"+key+"' does not exist.")
			return
		}
		out := make([]apiTable, len(list))
		for i, t := range list {
			if q.Get("omit_columns") == "true" {
				t.Columns = nil
			}
			if q.Get("omit_properties") == "true" {
				t.Properties = nil
			}
			out[i] = t
		}
		page(w, q, f.pageSize, "tables", out)
	case strings.HasPrefix(path, "/tables/"):
		full := strings.TrimPrefix(path, "/tables/")
		for _, t := range f.tables[full[:strings.LastIndex(full, ".")]] {
			if t.CatalogName+"."+t.SchemaName+"."+t.Name == full {
				writeJSON(w, http.StatusOK, t)
				return
			}
		}
		apiErr(w, http.StatusNotFound, "TABLE_DOES_NOT_EXIST", "Table '"+full+"' does not exist.")
	case path == "/functions":
		page(w, q, f.pageSize, "functions", f.functions[q.Get("catalog_name")+"."+q.Get("schema_name")])
	default:
		apiErr(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for 'GET "+r.URL.Path+"'")
	}
}

// page answers one page of list: max_results (0: the server's size) from
// the offset in page_token.
func page[T any](w http.ResponseWriter, q map[string][]string, serverMax int, field string, list []T) {
	size := serverMax
	if v, _ := strconv.Atoi(first(q["max_results"])); v > 0 && v < size {
		size = v
	}
	off := 0
	if tok := first(q["page_token"]); tok != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(tok, "off-"))
	}
	end := min(off+size, len(list))
	resp := map[string]any{field: list[min(off, len(list)):end]}
	if end < len(list) {
		resp["next_page_token"] = "off-" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, resp)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (f *fakeWorkspace) counts() (tokenFetches, clusterGets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenFetches, f.clusterGets
}

// ---- profiles ----

// The secrets of the test profiles: none may appear in an error or a String.
var testSecrets = []string{"dapi-dev-secret", "dapi-default-secret", "dapi-wrong-secret", "sp-secret-xyz", "sp-wrong-secret", "env-secret-token"}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range testSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s shows the secret %q: %s", what, sec, s)
		}
	}
}

const testProfiles = `; a Databricks configuration file, as the CLI writes it
[DEFAULT]
host  = https://HOST
token = dapi-default-secret
cluster_id = 0101-running

[dev]
host = https://HOST/
token = dapi-dev-secret
cluster_id = 0101-running

[wrongtoken]
host = HOST
token = dapi-wrong-secret
cluster_id = 0101-running

[off]
host = https://HOST
token = dapi-dev-secret
cluster_id = 0202-off

[starting]
host = https://HOST
token = dapi-dev-secret
cluster_id = 0303-pending

[nocluster]
host = https://HOST
token = dapi-dev-secret
cluster_id = 9999-missing

[serverless]
host = https://HOST
token = dapi-dev-secret
serverless_compute_id = auto

[serverless-wrongtoken]
host = https://HOST
token = dapi-wrong-secret
serverless_compute_id = auto

[m2m]
host = https://HOST
client_id = sp-1
client_secret = sp-secret-xyz
cluster_id = 0101-running

[m2m-wrong]
host = https://HOST
client_id = sp-1
client_secret = sp-wrong-secret
cluster_id = 0101-running

[m2m-serverless-wrong]
host = https://HOST
client_id = sp-1
client_secret = sp-wrong-secret
serverless_compute_id = auto
`

// profileEnv writes cfg (HOST replaced by host) to a temporary
// .databrickscfg and returns a getenv that points at it, plus extra variables.
func profileEnv(t *testing.T, host, cfg string, extra ...string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, ".databrickscfg")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(cfg, "HOST", host)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABRICKS_CONFIG_FILE": path, "HOME": dir}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return func(k string) string { return env[k] }
}

func TestResolveDatabricks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, ".databrickscfg")
	cfg := `[DEFAULT]
host = https://adb-1.2.azuredatabricks.net/?o=1
token = dapi-default-secret
cluster_id = 0101-a

[dev]
host = dbc-dev.cloud.databricks.com
token = dapi-dev-secret
cluster_id = 0202-b

[nohost]
token = dapi-dev-secret
cluster_id = 0202-b

[nocluster]
host = https://h
token = dapi-dev-secret

[notoken]
host = https://h
cluster_id = 0202-b

[halfm2m]
host = https://h
client_id = sp-1
cluster_id = 0202-b

[both]
host = https://h
token = dapi-dev-secret
client_id = sp-1
client_secret = sp-secret-xyz
cluster_id = 0202-b

[both-chosen]
host = https://h
token = dapi-dev-secret
client_id = sp-1
client_secret = sp-secret-xyz
cluster_id = 0202-b
auth_type = oauth-m2m

[m2m]
host = https://h:8443
client_id = sp-1
client_secret = sp-secret-xyz
serverless_compute_id = auto

[bothcompute]
host = https://h
token = dapi-dev-secret
cluster_id = 0202-b
serverless_compute_id = auto

[badserverless]
host = https://h
token = dapi-dev-secret
serverless_compute_id = my-warehouse

[http]
host = http://h
token = dapi-dev-secret
cluster_id = 0202-b

[cli]
host = https://h
auth_type = databricks-cli
cluster_id = 0202-b
`
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.cfg")
	if err := os.WriteFile(bad, []byte("[DEFAULT]\nhost = https://h\ntoken dapi-dev-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.cfg")
	type want struct {
		host, cluster, auth, clientID, token, profile string
		port                                          int
		serverless                                    bool
	}
	for _, tc := range []struct {
		name, remote string
		env          map[string]string
		want         want
		err          []string // substrings of the error
	}{
		{name: "default profile", remote: "databricks",
			want: want{host: "adb-1.2.azuredatabricks.net", port: 443, cluster: "0101-a", auth: "pat", token: "dapi-default-secret", profile: "DEFAULT"}},
		{name: "named profile", remote: "databricks://dev",
			want: want{host: "dbc-dev.cloud.databricks.com", port: 443, cluster: "0202-b", auth: "pat", token: "dapi-dev-secret", profile: "dev"}},
		{name: "trailing slash", remote: " databricks://dev/ ",
			want: want{host: "dbc-dev.cloud.databricks.com", port: 443, cluster: "0202-b", auth: "pat", token: "dapi-dev-secret", profile: "dev"}},
		{name: "profile from DATABRICKS_CONFIG_PROFILE", remote: "databricks", env: map[string]string{"DATABRICKS_CONFIG_PROFILE": "dev"},
			want: want{host: "dbc-dev.cloud.databricks.com", port: 443, cluster: "0202-b", auth: "pat", token: "dapi-dev-secret", profile: "dev"}},
		{name: "the remote's profile beats DATABRICKS_CONFIG_PROFILE", remote: "databricks://DEFAULT", env: map[string]string{"DATABRICKS_CONFIG_PROFILE": "dev"},
			want: want{host: "adb-1.2.azuredatabricks.net", port: 443, cluster: "0101-a", auth: "pat", token: "dapi-default-secret", profile: "DEFAULT"}},
		{name: "environment over file", remote: "databricks://dev",
			env:  map[string]string{"DATABRICKS_HOST": "https://env-host:444", "DATABRICKS_TOKEN": "env-secret-token", "DATABRICKS_CLUSTER_ID": "0303-env"},
			want: want{host: "env-host", port: 444, cluster: "0303-env", auth: "pat", token: "env-secret-token", profile: "dev"}},
		{name: "environment only, no file", remote: "databricks",
			env:  map[string]string{"DATABRICKS_CONFIG_FILE": missing, "DATABRICKS_HOST": "env-host", "DATABRICKS_TOKEN": "env-secret-token", "DATABRICKS_SERVERLESS_COMPUTE_ID": "auto"},
			want: want{host: "env-host", port: 443, serverless: true, auth: "pat", token: "env-secret-token"}},
		{name: "m2m serverless with a port", remote: "databricks://m2m",
			want: want{host: "h", port: 8443, serverless: true, auth: "oauth-m2m", clientID: "sp-1", profile: "m2m"}},
		{name: "m2m from the environment", remote: "databricks://notoken", env: map[string]string{"DATABRICKS_CLIENT_ID": "sp-2", "DATABRICKS_CLIENT_SECRET": "sp-secret-xyz"},
			want: want{host: "h", port: 443, cluster: "0202-b", auth: "oauth-m2m", clientID: "sp-2", profile: "notoken"}},
		{name: "auth_type chooses", remote: "databricks://both-chosen",
			want: want{host: "h", port: 443, cluster: "0202-b", auth: "oauth-m2m", clientID: "sp-1", profile: "both-chosen"}},
		{name: "an environment token beats file client credentials", remote: "databricks://m2m", env: map[string]string{"DATABRICKS_TOKEN": "env-secret-token"},
			want: want{host: "h", port: 8443, serverless: true, auth: "pat", token: "env-secret-token", profile: "m2m"}},
		{name: "an environment cluster beats file serverless", remote: "databricks://m2m", env: map[string]string{"DATABRICKS_CLUSTER_ID": "0404-env"},
			want: want{host: "h", port: 8443, cluster: "0404-env", auth: "oauth-m2m", clientID: "sp-1", profile: "m2m"}},
		{name: "tilde in DATABRICKS_CONFIG_FILE", remote: "databricks://dev", env: map[string]string{"DATABRICKS_CONFIG_FILE": "~/.databrickscfg"},
			want: want{host: "dbc-dev.cloud.databricks.com", port: 443, cluster: "0202-b", auth: "pat", token: "dapi-dev-secret", profile: "dev"}},

		{name: "no such profile", remote: "databricks://nope", err: []string{"no profile [nope]", file, "dev"}},
		{name: "no such profile from DATABRICKS_CONFIG_PROFILE", remote: "databricks", env: map[string]string{"DATABRICKS_CONFIG_PROFILE": "nope"}, err: []string{"no profile [nope]", file}},
		{name: "named profile, no file", remote: "databricks://dev", env: map[string]string{"DATABRICKS_CONFIG_FILE": missing}, err: []string{"cannot read", missing, "DATABRICKS_CONFIG_FILE"}},
		{name: "no file, no host", remote: "databricks", env: map[string]string{"DATABRICKS_CONFIG_FILE": missing}, err: []string{"no workspace host", "host", missing, "DATABRICKS_HOST"}},
		{name: "missing host", remote: "databricks://nohost", err: []string{"databricks://nohost", "no workspace host", "set host in [nohost] of " + file, "DATABRICKS_HOST"}},
		{name: "missing cluster", remote: "databricks://nocluster", err: []string{"no compute", "cluster_id in [nocluster] of " + file, "DATABRICKS_CLUSTER_ID", "serverless_compute_id"}},
		{name: "missing token", remote: "databricks://notoken", err: []string{"no credentials", "token in [notoken] of " + file, "DATABRICKS_TOKEN", "client_id"}},
		{name: "client id without secret", remote: "databricks://halfm2m", err: []string{"client secret", "client_secret in [halfm2m] of " + file, "DATABRICKS_CLIENT_SECRET"}},
		{name: "token and client credentials", remote: "databricks://both", err: []string{"both a token", "token in [both] of " + file, "auth_type"}},
		{name: "cluster and serverless", remote: "databricks://bothcompute", err: []string{"cluster_id in [bothcompute]", "serverless_compute_id in [bothcompute]", "keep one"}},
		{name: "serverless must be auto", remote: "databricks://badserverless", err: []string{"serverless_compute_id in [badserverless]", "must be auto"}},
		{name: "plain http", remote: "databricks://http", err: []string{"https", "host in [http] of " + file}},
		{name: "unsupported auth_type", remote: "databricks://cli", err: []string{`auth_type "databricks-cli"`, "not supported", "token"}},
		{name: "unparsable file", remote: "databricks", env: map[string]string{"DATABRICKS_CONFIG_FILE": bad}, err: []string{"cannot parse", bad}},
		{name: "bad profile name", remote: "databricks://a/b", err: []string{"invalid remote"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DATABRICKS_CONFIG_FILE": file, "HOME": dir}
			for k, v := range tc.env {
				env[k] = v
			}
			r, err := ParseRemoteEnv(tc.remote, func(k string) string { return env[k] })
			if tc.err != nil {
				if err == nil {
					t.Fatalf("no error; remote %s", r)
				}
				for _, s := range tc.err {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				assertNoSecret(t, "error", err.Error())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w, _ := r.Workspace.(*Workspace)
			got := want{host: w.Host, port: w.Port, cluster: w.ClusterID, serverless: w.Serverless, auth: w.AuthType(), clientID: w.ClientID, token: r.Token, profile: w.Profile}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if r.Host != w.Host || r.Port != w.Port || !r.TLS || r.MaxMessageSize != connect.DefaultMaxMessageSize {
				t.Errorf("remote %+v", r)
			}
			if wantHeaders := w.ClusterID != ""; wantHeaders != (r.Headers[ClusterIDHeader] == w.ClusterID && len(r.Headers) == 1) {
				t.Errorf("headers %v for cluster %q", r.Headers, w.ClusterID)
			}
			if !strings.HasPrefix(r.String(), "databricks") || !strings.Contains(r.String(), w.Host) {
				t.Errorf("String %q", r)
			}
			assertNoSecret(t, "String", r.String())
			assertNoSecret(t, "Workspace", fmt.Sprintf("%v %s", w, w))
		})
	}
}

// ParseRemoteEnv routes databricks remotes here and every other remote to
// connect, so its callers (the language server, the CLI) understand both.
func TestParseRemoteRoutesDatabricks(t *testing.T) {
	getenv := profileEnv(t, "h.example.com", testProfiles)
	for _, k := range []string{"DATABRICKS_CONFIG_FILE", "HOME"} {
		t.Setenv(k, getenv(k))
	}
	for _, k := range []string{"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLUSTER_ID", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET", "DATABRICKS_SERVERLESS_COMPUTE_ID", "DATABRICKS_AUTH_TYPE"} {
		t.Setenv(k, "")
	}
	r, err := ParseRemoteEnv(connect.ResolveRemote("", func(string) string { return "databricks://dev" }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Workspace == nil || r.Host != "h.example.com" || r.Port != 443 || r.Headers[ClusterIDHeader] != "0101-running" {
		t.Errorf("remote %+v", r)
	}
	env := func(k string) string {
		if k == connect.TokenEnv {
			return "zztok"
		}
		return ""
	}
	r, err = ParseRemoteEnv("sc://127.0.0.1:15002/;use_ssl=false", env)
	if err != nil || r.Workspace != nil || r.Token != "zztok" || r.Host != "127.0.0.1" {
		t.Errorf("sc:// remote: %+v, %v", r, err)
	}
	if IsDatabricksRemote("sc://databricks:443") || IsDatabricksRemote("databricksx") || !IsDatabricksRemote("databricks") {
		t.Error("IsDatabricksRemote")
	}
}

// The workspace scrubs its token and client secret from a message (the
// client's errors use it: connect's TestScrubWorkspaceSecrets).
func TestWorkspaceScrub(t *testing.T) {
	w := &Workspace{Host: "w.example.com", Port: 443, token: "dapiSECRET", clientSecret: "CLIENTSECRET"}
	for _, secret := range []string{"dapiSECRET", "CLIENTSECRET"} {
		if got := w.Scrub("bad credentials " + secret); strings.Contains(got, secret) {
			t.Errorf("secret in %q", got)
		}
	}
}

// ---- the whole path through a TLS proxy ----

// dbxProxy starts the fake workspace's REST API and a TLS proxy in front of
// backend on one port, demanding token and (when set) the cluster header.
func dbxProxy(t *testing.T, ws *fakeWorkspace, backend func() (string, func(context.Context, string) (net.Conn, error)), token, cluster string) *connecttest.TLSProxy {
	t.Helper()
	target, dialer := backend()
	opt := connecttest.TLSProxyOptions{Token: token, HTTP: ws}
	if cluster != "" {
		opt.RequireHeaders = map[string]string{ClusterIDHeader: cluster}
	}
	return connecttest.NewTLSProxy(t, connecttest.BackendConn(t, target, dialer), opt)
}

func fakeBackend(t *testing.T) (*connecttest.Server, func() (string, func(context.Context, string) (net.Conn, error))) {
	s := connecttest.New(t)
	s.Catalog = connecttest.Catalog{Databases: []connecttest.Database{{Name: "sales", Description: "Sales data"}}}
	s.AddTable("sales.orders", connecttest.Rows("order_id bigint, amount double", []any{int64(1), 9.5}, []any{int64(2), 20.0}))
	return s, func() (string, func(context.Context, string) (net.Conn, error)) { return "fake", s.Dialer() }
}

func itBackend(t *testing.T) func() (string, func(context.Context, string) (net.Conn, error)) {
	t.Helper()
	remote := ittest.Remote(t)
	r, err := connect.ParseRemote(remote)
	if err != nil {
		t.Fatal(err)
	}
	if r.Token != "" || r.TLS {
		t.Skip("the proxy forwards in plain text to a server without a token")
	}
	return func() (string, func(context.Context, string) (net.Conn, error)) { return r.Address(), nil }
}

// dialDatabricks dials remote through proxy; tweak may adjust the workspace first.
func dialDatabricks(t *testing.T, proxy *connecttest.TLSProxy, getenv func(string) string, remote string, tweak ...func(*Workspace)) (*connect.Client, error) {
	t.Helper()
	r, err := ParseRemoteEnv(remote, getenv)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tweak {
		f(r.Workspace.(*Workspace))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := connect.Dial(ctx, r, connect.Options{Version: "test", RootCAs: proxy.RootCAs(), ConnectTimeout: 30 * time.Second, CallTimeout: 60 * time.Second})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestDatabricksProfileThroughTLSProxy(t *testing.T) {
	spark, backend := fakeBackend(t)
	ws := newFakeWorkspace()
	ws.pat = "dapi-dev-secret"
	proxy := dbxProxy(t, ws, backend, "dapi-dev-secret", "0101-running")
	getenv := profileEnv(t, proxy.Addr(), testProfiles)

	c, err := dialDatabricks(t, proxy, getenv, "databricks://dev")
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	ctx := context.Background()
	for range 3 {
		res, err := c.Run(ctx, "SELECT * FROM sales.orders", connect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Rows); got != `[["1" "9.5"] ["2" "20.0"]]` {
			t.Errorf("rows %s", got)
		}
	}
	if dbs, err := c.ListDatabases(ctx, ""); err != nil || len(dbs) != 1 || dbs[0].Name != "sales" {
		t.Errorf("ListDatabases = %v, %v", dbs, err)
	}
	// The proxy saw the credentials and the cluster; the server behind it
	// got the cluster header but never the token.
	for _, md := range proxy.Headers() {
		if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer dapi-dev-secret" {
			t.Errorf("authorization at the proxy: %q", got)
		}
	}
	for _, call := range spark.Requests("") {
		if call.Header.Get(ClusterIDHeader)[0] != "0101-running" || len(call.Header.Get("authorization")) != 0 {
			t.Errorf("%s reached Spark with %v", call.Method, call.Header)
		}
	}
	if _, gets := ws.counts(); gets != 1 {
		t.Errorf("the cluster's state was asked %d times, want once for a burst of calls", gets)
	}
	if proxy.Forwarded("ExecutePlan") == 0 || proxy.Rejected() != 0 {
		t.Errorf("forwarded %d ExecutePlan, rejected %d", proxy.Forwarded("ExecutePlan"), proxy.Rejected())
	}
	assertNoSecret(t, "Remote.String", c.Remote().String())
	if key := c.SchemaKey(); strings.Contains(key, "dapi") {
		t.Errorf("schema key %q", key)
	}
}

func TestDatabricksErrorsThroughTLSProxy(t *testing.T) {
	_, backend := fakeBackend(t)
	ws := newFakeWorkspace()
	ws.pat = "dapi-dev-secret"
	proxy := dbxProxy(t, ws, backend, "dapi-dev-secret", "0101-running")
	getenv := profileEnv(t, proxy.Addr(), testProfiles)
	// A second front without the cluster header check, for serverless.
	open := dbxProxy(t, ws, backend, "dapi-dev-secret", "")
	openEnv := profileEnv(t, open.Addr(), testProfiles)

	t.Run("wrong token: the workspace refuses it before any Spark call", func(t *testing.T) {
		_, err := dialDatabricks(t, proxy, getenv, "databricks://wrongtoken")
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 401 || !strings.Contains(err.Error(), "check the token") || !strings.Contains(err.Error(), "databricks://wrongtoken") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, "error", err.Error())
	})
	t.Run("wrong token: Spark Connect refuses it", func(t *testing.T) {
		_, err := dialDatabricks(t, open, openEnv, "databricks://serverless-wrongtoken")
		var te *connect.TransportError
		if !errors.As(err, &te) || te.Code.String() != "Unauthenticated" || te.Hint != "check the token" {
			t.Fatalf("err = %#v", err)
		}
		assertNoSecret(t, "error", err.Error())
	})
	t.Run("missing cluster header", func(t *testing.T) {
		_, err := dialDatabricks(t, proxy, getenv, "databricks://serverless")
		var te *connect.TransportError
		if !errors.As(err, &te) || te.Code.String() != "PermissionDenied" || !strings.Contains(err.Error(), ClusterIDHeader) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no such cluster", func(t *testing.T) {
		_, err := dialDatabricks(t, proxy, getenv, "databricks://nocluster")
		var ae *APIError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "check cluster_id") {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tc := range []struct{ profile, state, says string }{
		{"off", "TERMINATED", "start it"},
		{"starting", "PENDING", "it is starting"},
	} {
		t.Run("cluster "+tc.state, func(t *testing.T) {
			before := proxy.Forwarded("")
			_, err := dialDatabricks(t, proxy, getenv, "databricks://"+tc.profile)
			var cn *ClusterNotRunningError
			if !errors.As(err, &cn) || cn.State != tc.state || !strings.Contains(err.Error(), tc.says) || cn.Starting() != (tc.state == "PENDING") {
				t.Fatalf("err = %v", err)
			}
			if tc.state == "TERMINATED" && !strings.Contains(err.Error(), "inactive for 120 minutes") {
				t.Errorf("err %q lacks Databricks' reason", err)
			}
			if n := proxy.Forwarded(""); n != before {
				t.Errorf("%d Spark Connect calls sent to a %s cluster", n-before, tc.state)
			}
		})
	}
	t.Run("serverless: no cluster check, the session id as a header", func(t *testing.T) {
		_, gets := ws.counts()
		c, err := dialDatabricks(t, open, openEnv, "databricks://serverless")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(context.Background(), "SELECT * FROM sales.orders", connect.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, after := ws.counts(); after != gets {
			t.Errorf("serverless asked the Clusters API")
		}
		for _, md := range open.Headers() {
			if got := md.Get(SessionIDHeader); len(got) != 1 || got[0] != c.SessionID() || len(md.Get(ClusterIDHeader)) != 0 {
				t.Errorf("serverless headers %v", md)
			}
		}
	})
}

// clock is time.Now moved forward by add, for the cluster checks of a workspace.
type clock struct{ ahead atomic.Int64 }

func laterClock() *clock             { return &clock{} }
func (c *clock) add(d time.Duration) { c.ahead.Add(int64(d)) }
func (c *clock) now() time.Time      { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) tweak(w *Workspace)  { w.now = c.now }

// A cluster that stops while connected: the next call fails with the
// state, sends nothing, and closing sends nothing either.
func TestDatabricksClusterStopsWhileConnected(t *testing.T) {
	_, backend := fakeBackend(t)
	ws := newFakeWorkspace()
	ws.pat = "dapi-dev-secret"
	proxy := dbxProxy(t, ws, backend, "dapi-dev-secret", "0101-running")
	later := laterClock()
	c, err := dialDatabricks(t, proxy, profileEnv(t, proxy.Addr(), testProfiles), "databricks://dev", later.tweak)
	if err != nil {
		t.Fatal(err)
	}
	ws.mu.Lock()
	ws.clusters["0101-running"] = "TERMINATED"
	ws.mu.Unlock()
	later.add(time.Hour) // the RUNNING answer is stale
	before := proxy.Forwarded("")
	_, err = c.Run(context.Background(), "SELECT 1", connect.RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "TERMINATED") || !strings.Contains(err.Error(), "start it") {
		t.Fatalf("Run on a terminated cluster: %v", err)
	}
	c.Close()
	if n := proxy.Forwarded(""); n != before {
		t.Errorf("%d calls sent to a terminated cluster", n-before)
	}
}

// Cancelling while the cluster's state is being asked stops there.
func TestDatabricksCancelDuringClusterCheck(t *testing.T) {
	_, backend := fakeBackend(t)
	ws := newFakeWorkspace()
	ws.pat = "dapi-dev-secret"
	proxy := dbxProxy(t, ws, backend, "dapi-dev-secret", "0101-running")
	getenv := profileEnv(t, proxy.Addr(), testProfiles)
	later := laterClock()
	c, err := dialDatabricks(t, proxy, getenv, "databricks://dev", later.tweak)
	if err != nil {
		t.Fatal(err)
	}
	block := make(chan struct{})
	defer close(block)
	ws.mu.Lock()
	ws.block = block
	ws.mu.Unlock()
	later.add(time.Hour)
	before := proxy.Forwarded("")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := c.Run(ctx, "SELECT 1", connect.RunOptions{})
		done <- err
	}()
	<-time.After(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, connect.ErrCanceled) {
			t.Errorf("Run = %v, want connect.ErrCanceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when cancelled during the cluster check")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %v", d)
	}
	if n := proxy.Forwarded(""); n != before {
		t.Errorf("%d calls sent after cancel", n-before)
	}

	// Dial too: its context ends the wait.
	dctx, dcancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer dcancel()
	r, _ := ParseRemoteEnv("databricks://dev", getenv)
	if _, err := connect.Dial(dctx, r, connect.Options{RootCAs: proxy.RootCAs()}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Dial = %v, want the deadline", err)
	}
}

func TestDatabricksOAuthM2MThroughTLSProxy(t *testing.T) {
	spark, backend := fakeBackend(t)
	ws := newFakeWorkspace()
	ws.clientID, ws.clientSecret = "sp-1", "sp-secret-xyz"
	proxy := dbxProxy(t, ws, backend, "m2m-1", "0101-running") // the first token issued
	getenv := profileEnv(t, proxy.Addr(), testProfiles)

	r, err := ParseRemoteEnv("databricks://m2m", getenv)
	if err != nil {
		t.Fatal(err)
	}
	if r.Token != "" || r.Workspace.(*Workspace).AuthType() != "oauth-m2m" {
		t.Fatalf("remote %+v", r)
	}
	c, err := connect.Dial(context.Background(), r, connect.Options{Version: "test", RootCAs: proxy.RootCAs()})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	for range 5 {
		if _, err := c.Run(context.Background(), "SELECT * FROM sales.orders", connect.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The REST API shares the token with gRPC.
	uc, err := NewUCSource(r, UCOptions{RootCAs: proxy.RootCAs()})
	if err != nil {
		t.Fatal(err)
	}
	if cats, err := uc.Catalogs(context.Background()); err != nil || len(cats) != 5 {
		t.Fatalf("Catalogs = %v, %v", cats, err)
	}
	if fetches, _ := ws.counts(); fetches != 1 {
		t.Errorf("%d token fetches for many calls, want 1", fetches)
	}
	if len(spark.Requests("ExecutePlan")) < 5 {
		t.Errorf("ExecutePlan reached Spark %d times", len(spark.Requests("ExecutePlan")))
	}
	assertNoSecret(t, "String", r.String())

	t.Run("wrong secret, REST", func(t *testing.T) {
		_, err := dialDatabricks(t, proxy, getenv, "databricks://m2m-wrong")
		var ae *AuthError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), "invalid_client") || !strings.Contains(err.Error(), "client_secret") {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, "error", err.Error())
	})
	t.Run("wrong secret, gRPC", func(t *testing.T) {
		_, err := dialDatabricks(t, proxy, getenv, "databricks://m2m-serverless-wrong")
		var te *connect.TransportError
		if !errors.As(err, &te) || te.Code.String() != "Unauthenticated" || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("err = %#v", err)
		}
		assertNoSecret(t, "error", err.Error())
	})
}

// An OAuth token is fetched once while valid and again once it expires.
func TestDatabricksOAuthRefresh(t *testing.T) {
	ws := newFakeWorkspace()
	ws.clientID, ws.clientSecret = "sp-1", "sp-secret-xyz"
	ws.expiresIn = 1
	r, uc := ucFake(t, ws, "databricks://m2m", func(r connect.Remote) { r.Workspace.(*Workspace).expiryDelta = time.Millisecond })
	ctx := context.Background()
	for range 3 {
		if _, err := uc.Catalogs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if fetches, _ := ws.counts(); fetches != 1 {
		t.Fatalf("%d token fetches within the token's life, want 1", fetches)
	}
	<-time.After(1100 * time.Millisecond)
	if _, err := uc.Catalogs(ctx); err != nil {
		t.Fatal(err)
	}
	if fetches, _ := ws.counts(); fetches != 2 {
		t.Errorf("%d token fetches after expiry, want 2", fetches)
	}
	assertNoSecret(t, "String", r.String())
}

// The real Spark Connect server behind the TLS proxy: every RPC the client
// uses goes through (queries, catalog, error details), and the checks hold.
func TestITDatabricksThroughTLSProxy(t *testing.T) {
	backend := itBackend(t)
	ws := newFakeWorkspace()
	ws.pat = "dapi-dev-secret"
	proxy := dbxProxy(t, ws, backend, "dapi-dev-secret", "0101-running")
	getenv := profileEnv(t, proxy.Addr(), testProfiles)
	c, err := dialDatabricks(t, proxy, getenv, "databricks://dev")
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	ctx := context.Background()
	if v, err := c.SparkVersion(ctx); err != nil || !regexp.MustCompile(`^[34]\.\d+\.\d+`).MatchString(v) {
		t.Errorf("SparkVersion = %q, %v", v, err)
	}
	res, err := c.Run(ctx, "SELECT id, id * 2 AS twice FROM range(5)", connect.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Rows); got != `[["0" "0"] ["1" "2"] ["2" "4"] ["3" "6"] ["4" "8"]]` {
		t.Errorf("rows %s", got)
	}
	if cats, err := c.ListCatalogs(ctx); err != nil || len(cats) == 0 {
		t.Errorf("ListCatalogs = %v, %v", cats, err)
	}
	_, err = c.Run(ctx, "SELECT * FROM no_such_table_anywhere", connect.RunOptions{})
	var se *connect.SparkError
	if !errors.As(err, &se) || se.ErrorClass != "TABLE_OR_VIEW_NOT_FOUND" {
		t.Errorf("error through the proxy: %v", err)
	}
	if proxy.Forwarded("FetchErrorDetails")+proxy.Forwarded("ExecutePlan") < 2 {
		t.Errorf("forwarded %d", proxy.Forwarded(""))
	}

	if _, err := dialDatabricks(t, proxy, getenv, "databricks://wrongtoken"); err == nil || !strings.Contains(err.Error(), "check the token") {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := dialDatabricks(t, proxy, getenv, "databricks://serverless"); err == nil || !strings.Contains(err.Error(), ClusterIDHeader) {
		t.Errorf("missing header: %v", err)
	}
	if _, err := dialDatabricks(t, proxy, getenv, "databricks://off"); err == nil || !strings.Contains(err.Error(), "TERMINATED") {
		t.Errorf("terminated: %v", err)
	}
	open := dbxProxy(t, ws, backend, "dapi-dev-secret", "")
	if _, err := dialDatabricks(t, open, profileEnv(t, open.Addr(), testProfiles), "databricks://serverless-wrongtoken"); err == nil || !strings.Contains(err.Error(), "check the token") {
		t.Errorf("wrong token over gRPC: %v", err)
	}
}

// The gate asks the Clusters API once per recheck while calls succeed,
// remembers a refusal briefly, and lets cleanup calls through only for a
// cluster seen running lately.
func TestComputeGate(t *testing.T) {
	ws := patWorkspace()
	r, uc := ucFake(t, ws, "databricks://dev", nil)
	g := newComputeGate(r.Workspace.(*Workspace), uc.c)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	ctx := context.Background()
	gets := func() int { _, n := ws.counts(); return n }

	if g.seenWithin(cleanupWindow) {
		t.Error("seen before any check")
	}
	for range 3 {
		if err := g.ready(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if gets() != 1 {
		t.Errorf("%d checks, want 1", gets())
	}
	now = now.Add(3 * time.Minute)
	if !g.seenWithin(cleanupWindow) {
		t.Error("a cluster seen 3 minutes ago may be interrupted")
	}
	if err := g.ready(ctx); err != nil || gets() != 2 {
		t.Errorf("stale answer: %v, %d checks", err, gets())
	}
	now = now.Add(90 * time.Second)
	g.touch() // Spark Connect answered
	now = now.Add(90 * time.Second)
	if err := g.ready(ctx); err != nil || gets() != 2 {
		t.Errorf("after an answer from Spark: %v, %d checks", err, gets())
	}
	now = now.Add(10 * time.Minute)
	if g.seenWithin(cleanupWindow) {
		t.Error("a cluster not seen for 10 minutes may have terminated")
	}

	ws.mu.Lock()
	ws.clusters["0101-running"] = "TERMINATED"
	ws.mu.Unlock()
	var cn *ClusterNotRunningError
	if err := g.ready(ctx); !errors.As(err, &cn) || gets() != 3 {
		t.Fatalf("terminated: %v, %d checks", err, gets())
	}
	if err := g.ready(ctx); !errors.As(err, &cn) || gets() != 3 {
		t.Errorf("a refusal is remembered briefly: %v, %d checks", err, gets())
	}
	ws.mu.Lock()
	ws.clusters["0101-running"] = "RUNNING"
	ws.mu.Unlock()
	now = now.Add(5 * time.Second)
	if err := g.ready(ctx); err != nil || gets() != 4 {
		t.Errorf("started again: %v, %d checks", err, gets())
	}
	var nilGate *computeGate
	if nilGate.ready(ctx) != nil {
		t.Error("a nil gate (serverless) is always ready")
	}
}

func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		header   string
		attempt  int
		min, max time.Duration
	}{
		{"3", 0, 3 * time.Second, 3 * time.Second},
		{"0", 4, 0, 0},
		{"100000", 0, restMaxWait, restMaxWait},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 0, 5 * time.Second, 5 * time.Second},
		{now.Add(-5 * time.Second).Format(http.TimeFormat), 0, 0, 0},
		{"", 0, restBackoff / 2, restBackoff},
		{"garbage", 2, 2 * restBackoff, 4 * restBackoff},
		{"", 20, restMaxBackoff / 2, restMaxBackoff},
	} {
		if d := retryDelay(tc.header, tc.attempt, now); d < tc.min || d > tc.max {
			t.Errorf("retryDelay(%q, %d) = %v, want %v..%v", tc.header, tc.attempt, d, tc.min, tc.max)
		}
	}
}
