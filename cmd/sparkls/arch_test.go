package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The layering of ARCHITECTURE.md, checked on the real import graph: only
// connect speaks gRPC/protobuf, only lsp (and lsptest, the fake editor) speaks LSP, sqltext imports nothing
// of ours, schema imports only sqltext and ide (the features) only
// sqltext, schema, embed, pycheck and internal/sparkversion, so it speaks
// neither LSP nor gRPC;
// connect/databricks builds on connect, which knows nothing of it.
func TestImportLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/sparkls/sparkls/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/sparkls/sparkls/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		for _, imp := range imports {
			switch {
			case strings.HasPrefix(imp, "google.golang.org/grpc") || strings.HasPrefix(imp, "google.golang.org/protobuf"):
				if !strings.HasPrefix(pkg, mod+"connect") {
					t.Errorf("%s imports %s: only connect speaks gRPC", pkg, imp)
				}
			case strings.HasPrefix(imp, "go.lsp.dev/"):
				if pkg != mod+"lsp" && pkg != mod+"lsp/lsptest" {
					t.Errorf("%s imports %s: only lsp (and its fake editor) speaks LSP", pkg, imp)
				}
			case strings.HasPrefix(imp, mod) && pkg == mod+"sqltext":
				t.Errorf("%s imports %s: it must import nothing of ours", pkg, imp)
			case strings.HasPrefix(imp, mod) && pkg == mod+"pylex":
				t.Errorf("%s imports %s: it must import nothing of ours", pkg, imp)
			case strings.HasPrefix(imp, mod) && (pkg == mod+"embed" || pkg == mod+"pycheck") && imp != mod+"pylex":
				t.Errorf("%s imports %s: it imports only pylex of ours", pkg, imp)
			case strings.HasPrefix(imp, mod) && pkg == mod+"schema" && imp != mod+"sqltext":
				t.Errorf("%s imports %s: schema imports only sqltext", pkg, imp)
			case imp == mod+"connect/databricks" && pkg == mod+"connect":
				t.Errorf("%s imports %s: databricks builds on connect, connect knows nothing of it (Remote.Workspace is a Platform)", pkg, imp)
			case strings.HasPrefix(imp, mod) && pkg == mod+"connect/databricks" && imp != mod+"connect" && imp != mod+"schema":
				t.Errorf("%s imports %s: databricks imports only connect and schema of ours", pkg, imp)
			case strings.HasPrefix(imp, mod) && pkg == mod+"internal/sparkversion":
				t.Errorf("%s imports %s: sparkversion imports nothing of ours", pkg, imp)
			case strings.HasPrefix(imp, mod) && pkg == mod+"ide" && !slices.Contains([]string{"sqltext", "schema", "embed", "pycheck", "internal/sparkversion"}, strings.TrimPrefix(imp, mod)):
				t.Errorf("%s imports %s: ide imports only sqltext, schema, embed, pycheck and internal/sparkversion (Spark comes through an interface)", pkg, imp)
			}
		}
	}
}
