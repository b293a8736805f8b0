package lsp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect"
)

// On Databricks, completion is served by Unity Catalog's REST API while the
// cluster is off: no Spark Connect call is needed, and the status says why
// Spark is not connected.
func TestDatabricksCompletionWithClusterOff(t *testing.T) {
	ws := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer zzpat" {
			http.Error(w, `{"error_code":"UNAUTHENTICATED"}`, http.StatusUnauthorized)
			return
		}
		answer := map[string]any{}
		switch p := strings.TrimPrefix(r.URL.Path, "/api/2.1/"); p {
		case "clusters/get":
			answer = map[string]any{"cluster_id": "c-1", "state": "TERMINATED", "state_message": "Inactive for 120 minutes"}
		case "unity-catalog/current-metastore-assignment":
			answer = map[string]any{"default_catalog_name": "main"}
		case "unity-catalog/catalogs":
			answer = map[string]any{"catalogs": []any{map[string]any{"name": "main"}}}
		case "unity-catalog/schemas":
			answer = map[string]any{"schemas": []any{map[string]any{"name": "default"}, map[string]any{"name": "sales"}}}
		case "unity-catalog/tables":
			if r.URL.Query().Get("schema_name") == "sales" {
				answer = map[string]any{"tables": []any{map[string]any{
					"name": "orders", "table_type": "MANAGED", "comment": "Orders",
					"columns": []any{map[string]any{"name": "order_id", "type_text": "bigint", "nullable": false, "position": 0}},
				}}}
			}
		case "unity-catalog/functions":
		default:
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(answer)
	}))
	defer ws.Close()
	pool := ws.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

	cfg := filepath.Join(t.TempDir(), "databrickscfg")
	os.WriteFile(cfg, []byte("[dev]\nhost = "+ws.URL+"\ntoken = zzpat\ncluster_id = c-1\n"), 0o600)
	env := map[string]string{"DATABRICKS_CONFIG_FILE": cfg}

	c := startServer(t, testOptions{realDial: true, catalog: true, opts: Options{
		Getenv:  func(k string) string { return env[k] },
		Connect: connect.Options{RootCAs: pool},
	}})
	c.initialize(map[string]any{"sparkls": map[string]any{"remote": "databricks://dev"}}, false)
	st := c.waitNote(NotifyStatus, func(p json.RawMessage) bool { return strings.Contains(string(p), `"error"`) })
	if !strings.Contains(string(st), "TERMINATED") {
		t.Errorf("status %s does not say the cluster is terminated", st)
	}
	c.open(docURI, "SELECT * FROM sales.")
	c.eventuallyCompletes(docURI, 0, len("SELECT * FROM sales."), "orders")
	if strings.Contains(c.receivedText()+c.log.String(), "zzpat") {
		t.Error("the token reached a message or the log")
	}
}
