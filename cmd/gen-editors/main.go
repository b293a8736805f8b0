// Command gen-editors writes the parts of the editors (editors/vscode and
// the Neovim plugin's names) that package lsp is the source of truth for:
//
//   - package.json: contributes.configuration from lsp.SettingsTable (plus
//     the editor-only sparkls.path), contributes.commands, keybindings and
//     menus from the editor command table below, whose server commands are
//     lsp.Commands;
//   - src/names.ts: every wire name of lsp/names.go, lsp.Commands and the
//     names of the settings the server reads;
//   - src/protocol.ts: the payload types of every custom command,
//     request and notification (lsp.CommandSpecs, lsp.RequestSpecs,
//     lsp.Notifications), with their docs;
//   - editors/nvim/lua/sparkls/names.lua: the wire names for Neovim;
//   - README.md: the settings and commands sections, between markers.
//
// Run it from anywhere in the module after changing lsp/names.go or
// lsp/settings.go:
//
//	go run ./cmd/gen-editors
//
// With -check it writes nothing and fails when a file is out of date;
// main_test.go does the same under go test. The shape follows
// golang/vscode-go's extension/tools/generate.go.
package main

//go:generate go run .

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sparkls/sparkls/internal/gomod"

	"github.com/sparkls/sparkls/lsp"
)

// editorCommand is one command of the extension's command palette.
type editorCommand struct {
	ID     string   // the VS Code command id; never a server command id (the language client registers those)
	Title  string   // shown as "Spark: <Title>"
	Server string   // the lsp command it sends, if any
	Also   []string // further lsp commands it sends first (sparkls.parameters before a run)
	SQL    bool     // only offered in a SQL editor
	Key    string   // keybinding in a SQL editor (Windows, Linux)
	Mac    string   // keybinding on macOS
	When   string   // added to the keybinding's when clause
}

// editorCommands is every command the extension contributes. Each server
// command of lsp.Commands is sent by at least one of them (checked by
// main_test.go). The ids use the prefix "spark." because the language
// client registers the server's own "sparkls.*" commands (code lenses
// invoke those).
var editorCommands = []editorCommand{
	// One key runs the selection when there is one, else the cell at the
	// cursor (as in SQLTools, DataGrip and Databricks).
	{ID: "spark.runCell", Title: "Run Cell", Server: lsp.CommandRun, Also: []string{lsp.CommandParameters}, SQL: true, Key: "ctrl+enter", Mac: "cmd+enter", When: "!editorHasSelection"},
	{ID: "spark.runSelection", Title: "Run Selection", Server: lsp.CommandRun, Also: []string{lsp.CommandParameters}, SQL: true, Key: "ctrl+enter", Mac: "cmd+enter", When: "editorHasSelection"},
	{ID: "spark.cancel", Title: "Cancel", Server: lsp.CommandCancel},
	{ID: "spark.cancelAll", Title: "Cancel All Queries", Server: lsp.CommandCancelAll},
	{ID: "spark.refreshSchema", Title: "Refresh Schema", Server: lsp.CommandRefreshSchema},
	{ID: "spark.explain", Title: "Explain", Server: lsp.CommandExplain, SQL: true},
	{ID: "spark.reconnect", Title: "Reconnect", Server: lsp.CommandReconnect},
	{ID: "spark.export", Title: "Export Result to File…", Server: lsp.CommandExport, SQL: true},
	{ID: "spark.setToken", Title: "Set Token"},
	{ID: "spark.clearToken", Title: "Clear Token"},
	{ID: "spark.showLog", Title: "Show Log"},
}

// sqlEditor is the when clause of a SQL editor: VS Code's sql language, and
// sparksql for users who map their files to it.
const sqlEditor = "editorLangId =~ /^(sql|sparksql)$/"

// editorSettings are the settings only the extension reads, shown before
// the server's.
var editorSettings = []lsp.Setting{
	{
		Name: "sparkls.path", Type: "string", Default: "",
		MarkdownDescription: "Path of the `sparkls` binary. Empty: the binary bundled with the extension, else `sparkls` in an absolute directory of `PATH`, " +
			"in the user's cache (`~/.cache/sparkls/bin`, `~/Library/Caches/sparkls/bin`, `%LocalAppData%\\sparkls\\bin`) or in Go's bin directory (`$GOBIN`, `~/go/bin`); " +
			"when there is none it says so and offers to install a binary you pick into that cache. " +
			"`~` and `${workspaceFolder}` are expanded. Changing it restarts the server.",
	},
}

// settingScopes overrides VS Code's default scope ("window").
var settingScopes = map[string]string{
	// A workspace may name its own build, but only a trusted one (see
	// capabilities.untrustedWorkspaces in package.json).
	"sparkls.path": "machine-overridable",
}

func main() {
	check := flag.Bool("check", false, "write nothing; exit 1 if a generated file is out of date")
	flag.Parse()
	root, err := gomod.Root()
	if err != nil {
		fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		fatal(err)
	}
	stale := 0
	for _, f := range files {
		old, _ := os.ReadFile(f.path)
		if bytes.Equal(old, f.data) {
			continue
		}
		rel, _ := filepath.Rel(root, f.path)
		if *check {
			fmt.Fprintf(os.Stderr, "gen-editors: %s is out of date; run go run ./cmd/gen-editors\n", rel)
			stale++
			continue
		}
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			fatal(err)
		}
		fmt.Printf("gen-editors: wrote %s\n", rel)
	}
	if stale > 0 {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen-editors:", err)
	os.Exit(1)
}

type file struct {
	path string
	data []byte
}

// generate returns the generated files with their new contents.
func generate(root string) ([]file, error) {
	ext := filepath.Join(root, "editors", "vscode")
	pkg, err := os.ReadFile(filepath.Join(ext, "package.json"))
	if err != nil {
		return nil, err
	}
	newPkg, err := packageJSON(pkg)
	if err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	consts, err := nameConstants(filepath.Join(root, "lsp", "names.go"))
	if err != nil {
		return nil, err
	}
	readme, err := os.ReadFile(filepath.Join(ext, "README.md"))
	if err != nil {
		return nil, err
	}
	newReadme, err := readmeDoc(readme)
	if err != nil {
		return nil, fmt.Errorf("README.md: %w", err)
	}
	proto, err := protocolTS(root, consts)
	if err != nil {
		return nil, fmt.Errorf("protocol.ts: %w", err)
	}
	return []file{
		{filepath.Join(ext, "package.json"), newPkg},
		{filepath.Join(ext, "src", "names.ts"), namesTS(consts)},
		{filepath.Join(ext, "src", "protocol.ts"), proto},
		{filepath.Join(ext, "README.md"), newReadme},
		{filepath.Join(root, "editors", "nvim", "lua", "sparkls", "names.lua"), namesLua(consts)},
	}, nil
}

// ---------------------------------------------------------------------------
// package.json

// packageJSON replaces the generated members of contributes in pkg, keeping
// every other member and the order of all members.
func packageJSON(pkg []byte) ([]byte, error) {
	top, err := decodeObject(pkg)
	if err != nil {
		return nil, err
	}
	raw, ok := top.get("contributes")
	if !ok {
		raw = json.RawMessage("{}")
	}
	contributes, err := decodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("contributes: %w", err)
	}
	for _, m := range []struct {
		key string
		v   any
	}{
		{"configuration", configuration()},
		{"commands", commands()},
		{"keybindings", keybindings()},
		{"menus", menus()},
	} {
		b, err := marshal(m.v)
		if err != nil {
			return nil, err
		}
		contributes.set(m.key, b)
	}
	cb, err := contributes.marshal()
	if err != nil {
		return nil, err
	}
	top.set("contributes", cb)
	out, err := top.marshal()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, out, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

type configurationJSON struct {
	Title      string  `json:"title"`
	Properties members `json:"properties"`
}

type propertyJSON struct {
	Type                string   `json:"type"`
	Default             any      `json:"default"`
	Minimum             *int     `json:"minimum,omitempty"`
	Enum                []string `json:"enum,omitempty"`
	Scope               string   `json:"scope,omitempty"`
	MarkdownDescription string   `json:"markdownDescription"`
}

func configuration() configurationJSON {
	c := configurationJSON{Title: "Spark SQL (sparkls)"}
	for _, s := range slices.Concat(editorSettings, lsp.SettingsTable) {
		p := propertyJSON{
			Type:                s.Type,
			Default:             s.Default,
			Enum:                s.Enum,
			Scope:               settingScopes[s.Name],
			MarkdownDescription: s.MarkdownDescription,
		}
		if s.Type == "integer" {
			p.Minimum = &s.Minimum
		}
		b, err := marshal(p)
		if err != nil {
			panic(err) // plain values: cannot fail
		}
		c.Properties.set(s.Name, b)
	}
	return c
}

type commandJSON struct {
	Command  string `json:"command"`
	Title    string `json:"title"`
	Category string `json:"category"`
}

func commands() []commandJSON {
	var out []commandJSON
	for _, c := range editorCommands {
		out = append(out, commandJSON{Command: c.ID, Title: c.Title, Category: "Spark"})
	}
	return out
}

type keybindingJSON struct {
	Command string `json:"command"`
	Key     string `json:"key"`
	Mac     string `json:"mac,omitempty"`
	When    string `json:"when"`
}

func keybindings() []keybindingJSON {
	out := []keybindingJSON{}
	for _, c := range editorCommands {
		if c.Key != "" {
			when := "editorTextFocus && " + sqlEditor
			if c.When != "" {
				when += " && " + c.When
			}
			out = append(out, keybindingJSON{Command: c.ID, Key: c.Key, Mac: c.Mac, When: when})
		}
	}
	return out
}

type menuJSON struct {
	Command string `json:"command"`
	When    string `json:"when,omitempty"`
	Group   string `json:"group,omitempty"`
}

func menus() map[string][]menuJSON {
	palette := []menuJSON{}
	context := []menuJSON{}
	for i, c := range editorCommands {
		if c.SQL {
			palette = append(palette, menuJSON{Command: c.ID, When: sqlEditor})
			context = append(context, menuJSON{Command: c.ID, When: sqlEditor, Group: fmt.Sprintf("spark@%d", i)})
		}
	}
	return map[string][]menuJSON{"commandPalette": palette, "editor/context": context}
}

// marshal is json.Marshal without HTML escaping (descriptions hold < and >).
func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// members is a JSON object that keeps its members' order.
type members []member

type member struct {
	key   string
	value json.RawMessage
}

func decodeObject(data []byte) (members, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out members
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, member{key, v})
	}
	return out, nil
}

func (ms members) get(key string) (json.RawMessage, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

func (ms *members) set(key string, v json.RawMessage) {
	for i := range *ms {
		if (*ms)[i].key == key {
			(*ms)[i].value = v
			return
		}
	}
	*ms = append(*ms, member{key, v})
}

func (ms members) marshal() (json.RawMessage, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshal(m.key)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func (ms members) MarshalJSON() ([]byte, error) { return ms.marshal() }

// ---------------------------------------------------------------------------
// src/names.ts

// nameConst is one exported string constant of lsp/names.go.
type nameConst struct {
	name, value, doc string
}

// nameConstants parses lsp/names.go (not the compiled package, so that a
// new name needs no change here) for its exported string constants.
func nameConstants(path string) ([]nameConst, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []nameConst
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !n.IsExported() || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v := constant.StringVal(constant.MakeFromLiteral(lit.Value, lit.Kind, 0))
				doc := ""
				if vs.Doc != nil {
					doc = strings.TrimSpace(vs.Doc.Text())
				} else if vs.Comment != nil {
					doc = strings.TrimSpace(vs.Comment.Text())
				}
				out = append(out, nameConst{n.Name, v, doc})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no exported string constants", path)
	}
	return out, nil
}

func namesTS(consts []nameConst) []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./cmd/gen-editors from lsp/names.go and lsp/settings.go. DO NOT EDIT.\n\n")
	for _, c := range consts {
		if c.doc != "" {
			for _, line := range strings.Split(c.doc, "\n") {
				b.WriteString("// " + line + "\n")
			}
		}
		fmt.Fprintf(&b, "export const %s = %s;\n", c.name, tsString(c.value))
	}
	b.WriteString("\n// Commands lists every command the server may offer (lsp.Commands).\n")
	b.WriteString("export const Commands: readonly string[] = [")
	for i, c := range lsp.Commands {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tsString(c))
	}
	b.WriteString("];\n")
	b.WriteString("\n// ServerSettings are the settings the server reads (lsp.SettingsTable); the\n// extension sends only these.\n")
	b.WriteString("export const ServerSettings: readonly string[] = [")
	var names []string
	for _, s := range lsp.SettingsTable {
		if s.ServerSide() {
			names = append(names, tsString(s.Name))
		}
	}
	b.WriteString(strings.Join(names, ", "))
	b.WriteString("];\n")
	return b.Bytes()
}

func tsString(s string) string {
	b, _ := marshal(s)
	return "'" + strings.ReplaceAll(strings.ReplaceAll(string(b[1:len(b)-1]), `\"`, `"`), "'", `\'`) + "'"
}

// ---------------------------------------------------------------------------
// README.md

const (
	beginMarker = "<!-- BEGIN GENERATED by cmd/gen-editors: do not edit below -->"
	endMarker   = "<!-- END GENERATED by cmd/gen-editors -->"
)

// readmeDoc replaces the text between the markers with tables of the
// settings and commands.
func readmeDoc(readme []byte) ([]byte, error) {
	s := string(readme)
	i := strings.Index(s, beginMarker)
	j := strings.Index(s, endMarker)
	if i < 0 || j < i {
		return nil, fmt.Errorf("missing the markers %q and %q", beginMarker, endMarker)
	}
	var b strings.Builder
	b.WriteString(s[:i+len(beginMarker)])
	b.WriteString("\n\n### Settings\n\n| Setting | Default | Description |\n|---|---|---|\n")
	for _, st := range slices.Concat(editorSettings, lsp.SettingsTable) {
		def, _ := marshal(st.Default)
		desc := st.MarkdownDescription
		if len(st.Enum) > 0 {
			desc += " One of " + "`" + strings.Join(st.Enum, "`, `") + "`."
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", st.Name, def, strings.ReplaceAll(desc, "|", `\|`))
	}
	b.WriteString("\n### Commands\n\n| Command | Id | Keys | Sends |\n|---|---|---|---|\n")
	for _, c := range editorCommands {
		keys := ""
		if c.Key != "" {
			keys = fmt.Sprintf("`%s` (`%s`)", titleKey(c.Key), titleKey(c.Mac))
			switch c.When {
			case "editorHasSelection":
				keys += " with a selection"
			case "!editorHasSelection":
				keys += " without a selection"
			}
		}
		server := ""
		if c.Server != "" {
			server = "`" + c.Server + "`"
		}
		fmt.Fprintf(&b, "| Spark: %s | `%s` | %s | %s |\n", c.Title, c.ID, keys, server)
	}
	b.WriteString("\n")
	b.WriteString(s[j:])
	return []byte(b.String()), nil
}

func titleKey(k string) string {
	parts := strings.Split(k, "+")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, "+")
}
