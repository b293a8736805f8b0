package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/internal/gomod"

	"github.com/sparkls/sparkls/lsp"
)

// TestUpToDate fails when a generated file of editors/vscode drifts from
// package lsp: run go run ./cmd/gen-editors and commit the result.
func TestUpToDate(t *testing.T) {
	root, err := gomod.Root()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f.path)
		t.Run(rel, func(t *testing.T) {
			old, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(old, f.data) {
				t.Errorf("%s is out of date with package lsp; run: go run ./cmd/gen-editors\n%s", rel, firstDiff(old, f.data))
			}
		})
	}
}

// TestPackageJSON checks the contributions as VS Code reads them.
func TestPackageJSON(t *testing.T) {
	root, err := gomod.Root()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "editors", "vscode", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Contributes struct {
			Configuration struct {
				Properties map[string]struct {
					Type                string `json:"type"`
					Default             any    `json:"default"`
					MarkdownDescription string `json:"markdownDescription"`
				} `json:"properties"`
			} `json:"configuration"`
			Commands []struct {
				Command, Title, Category string
			} `json:"commands"`
		} `json:"contributes"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	props := pkg.Contributes.Configuration.Properties
	for _, name := range []string{"sparkls.path", "sparkls.remote", "sparkls.preview.rows", "sparkls.readOnly", "sparkls.trace.server"} {
		p, ok := props[name]
		if !ok {
			t.Errorf("setting %s is not contributed", name)
			continue
		}
		if p.MarkdownDescription == "" {
			t.Errorf("setting %s has no markdownDescription", name)
		}
	}
	for _, s := range lsp.SettingsTable {
		if _, ok := props[s.Name]; !ok {
			t.Errorf("setting %s of lsp.SettingsTable is not contributed", s.Name)
		}
	}
	for _, c := range pkg.Contributes.Commands {
		if slices.Contains(lsp.Commands, c.Command) {
			t.Errorf("command %s is contributed under a server command id; the language client registers those", c.Command)
		}
		if c.Category != "Spark" || c.Title == "" {
			t.Errorf("command %s: want category Spark and a title, got %q %q", c.Command, c.Category, c.Title)
		}
	}
}

// TestEveryServerCommandIsSent: each command the server offers has an
// editor command that sends it, so a new one in lsp.Commands needs a line
// in editorCommands.
func TestEveryServerCommandIsSent(t *testing.T) {
	for _, c := range lsp.Commands {
		if !slices.ContainsFunc(editorCommands, func(e editorCommand) bool { return e.Server == c || slices.Contains(e.Also, c) }) {
			t.Errorf("server command %s has no editor command in editorCommands (cmd/gen-editors/main.go)", c)
		}
	}
	seen := map[string]bool{}
	for _, e := range editorCommands {
		if seen[e.ID] {
			t.Errorf("editor command %s listed twice", e.ID)
		}
		seen[e.ID] = true
		if !strings.HasPrefix(e.ID, "spark.") {
			t.Errorf("editor command %s: want the prefix spark.", e.ID)
		}
		if e.Server != "" && !slices.Contains(lsp.Commands, e.Server) {
			t.Errorf("editor command %s sends %s, which is not in lsp.Commands", e.ID, e.Server)
		}
	}
}

// TestNamesTS: every exported name constant of lsp/names.go reaches the
// extension.
func TestNamesTS(t *testing.T) {
	root, err := gomod.Root()
	if err != nil {
		t.Fatal(err)
	}
	consts, err := nameConstants(filepath.Join(root, "lsp", "names.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ConfigSection": lsp.ConfigSection, "NotifyStatus": lsp.NotifyStatus, "CommandRun": lsp.CommandRun}
	for name, v := range want {
		i := slices.IndexFunc(consts, func(c nameConst) bool { return c.name == name })
		if i < 0 || consts[i].value != v {
			t.Errorf("names.go constant %s: parsed %v, want %q", name, consts, v)
		}
	}
	ts := string(namesTS(consts))
	if !strings.Contains(ts, "export const CommandRun = 'sparkls.run';") {
		t.Errorf("names.ts lacks CommandRun:\n%s", ts)
	}
}

func TestTSString(t *testing.T) {
	for in, want := range map[string]string{
		"sparkls.run": `'sparkls.run'`,
		`it's "x"`:    `'it\'s "x"'`,
		"a\nb\\":      `'a\nb\\'`,
	} {
		if got := tsString(in); got != want {
			t.Errorf("tsString(%q) = %s, want %s", in, got, want)
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  have: %s\n  want: %s", i+1, x, y)
		}
	}
	return ""
}

// protocol.ts spells every command's payloads as encoding/json writes them.
func TestProtocolTS(t *testing.T) {
	root, err := gomod.Root()
	if err != nil {
		t.Fatal(err)
	}
	consts, err := nameConstants(filepath.Join(root, "lsp", "names.go"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := protocolTS(root, consts)
	if err != nil {
		t.Fatal(err)
	}
	ts := string(data)
	for _, c := range lsp.CommandSpecs() {
		if !strings.Contains(ts, fmt.Sprintf("  '%s': ", c.Name)) {
			t.Errorf("protocol.ts lacks command %s", c.Name)
		}
	}
	for _, want := range []string{
		"export interface ExplainArgs extends RunArgs {",
		"  rows: ((string | null)[])[];",
		"  error: RunError | null;",
		"  state: ConnectionState;",
		"  workDoneToken?: string | number;",
		"  'sparkls.cancelAll': undefined;",
		"  'sparkls/runStarted': RunStarted;",
		"  'sparkls/resultPage': ResultPageParams;",
		"  'sparkls/resultPage': ResultPage;",
	} {
		if !strings.Contains(ts, want) {
			t.Errorf("protocol.ts lacks %q", want)
		}
	}
}

// The Neovim plugin spells no wire name itself: it reads names.lua.
func TestNvimUsesNames(t *testing.T) {
	root, err := gomod.Root()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "editors", "nvim", "lua", "sparkls", "*.lua"))
	for _, f := range files {
		if filepath.Base(f) == "names.lua" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range lsp.Commands {
			if bytes.Contains(data, []byte("'"+c+"'")) {
				t.Errorf("%s spells %q; use require('sparkls.names')", filepath.Base(f), c)
			}
		}
		for _, n := range lsp.Notifications {
			if bytes.Contains(data, []byte("'"+n.Name+"'")) {
				t.Errorf("%s spells %q; use require('sparkls.names')", filepath.Base(f), n.Name)
			}
		}
	}
}
