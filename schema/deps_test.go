package schema

import (
	"os/exec"
	"strings"
	"testing"
)

// Invariant: schema imports only sqltext of ours, no gRPC, no LSP.
func TestImportsNothingOfOurs(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/sparkls/sparkls/") && dep != "github.com/sparkls/sparkls/schema" && dep != "github.com/sparkls/sparkls/sqltext" ||
			strings.Contains(dep, "grpc") || strings.Contains(dep, "protobuf") || strings.Contains(dep, "jsonrpc") || strings.Contains(dep, "lsp") {
			t.Errorf("schema depends on %s", dep)
		}
	}
}
