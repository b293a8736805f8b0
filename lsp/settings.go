package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sparkls/sparkls/connect"
)

// Settings are the server's settings, decoded from the editor's "sparkls"
// section. SettingsTable is their one source of truth: names, types,
// defaults and descriptions; VS Code's package.json contributions and the
// docs are generated from it.
type Settings struct {
	// Remote is the Spark Connect remote as configured; empty means
	// $SPARK_REMOTE, else "local" (see [Settings.ResolvedRemote]). It may
	// hold a token: never log it, log connect.Remote.String() instead.
	Remote   string
	Preview  PreviewSettings
	ReadOnly bool
	// ConnectTimeout is how long, in seconds, a run, explain or refresh
	// waits for a connection that is being made.
	ConnectTimeout int
}

func (s Settings) connectTimeout() time.Duration {
	return time.Duration(s.ConnectTimeout) * time.Second
}

// PreviewSettings bound the rows a run shows.
type PreviewSettings struct {
	Rows     int
	Bytes    int
	KeepRows int
}

// Setting describes one setting.
type Setting struct {
	Name                string // "sparkls.preview.rows"
	Type                string // JSON Schema type: "string", "integer" or "boolean"
	Default             any    // a string, int or bool, matching Type
	Minimum             int    // for integers: the least allowed value
	Enum                []string
	MarkdownDescription string

	// field points into a Settings at this setting's value; nil for a
	// setting only the editor reads (sparkls.trace.server).
	field func(*Settings) any
}

// ServerSide tells whether the server reads this setting (else only the
// editor extension does).
func (s Setting) ServerSide() bool { return s.field != nil }

// SettingsTable is every setting, in the order editors show them.
var SettingsTable = []Setting{
	{
		Name: "sparkls.remote", Type: "string", Default: "",
		MarkdownDescription: "Spark Connect remote: `sc://host[:port][/;token=...;use_ssl=true;x-header=value]`, or `local` " +
			"for the Spark Connect server of `sparkls server` (127.0.0.1:15002 unless started on another port; `sparkls server start` installs it once), started for you when it is not running. Empty: `$SPARK_REMOTE`, else `local`. " +
			"Changing it reconnects without a restart. Prefer keeping tokens out of shared settings files.",
		field: func(s *Settings) any { return &s.Remote },
	},
	{
		Name: "sparkls.preview.rows", Type: "integer", Default: connect.DefaultPreviewRows, Minimum: 1,
		MarkdownDescription: "The most rows a run shows; the rest of the result is not fetched.",
		field:               func(s *Settings) any { return &s.Preview.Rows },
	},
	{
		Name: "sparkls.preview.bytes", Type: "integer", Default: connect.DefaultPreviewBytes, Minimum: 1024,
		MarkdownDescription: "The most bytes of rendered text a run shows; the stream is cancelled past it.",
		field:               func(s *Settings) any { return &s.Preview.Bytes },
	},
	{
		Name: "sparkls.preview.keepRows", Type: "integer", Default: connect.DefaultKeepRows, Minimum: 0,
		MarkdownDescription: "The most rows of a query's result a run keeps, so that fetching more rows (`sparkls/resultPage`) needs no re-run: " +
			"Spark computes at most this many (the query is read through a limit), sparkls reads them after the preview and keeps up to 16 MiB of their text for the last 5 results. " +
			"Past them, fetching more runs the query again after asking. 0 or less than `sparkls.preview.rows`: only the preview.",
		field: func(s *Settings) any { return &s.Preview.KeepRows },
	},
	{
		Name: "sparkls.readOnly", Type: "boolean", Default: false,
		MarkdownDescription: "Run queries only: every statement goes to Spark inside a query-only envelope, so anything Spark reads as a command (`INSERT`, `DROP`, `SET`, `USE`, ...) is refused or fails to parse, and a query whose plan runs code on the server (`TRANSFORM … USING`, `reflect`, `java_method`) is refused. Not a sandbox for UDFs.",
		field:               func(s *Settings) any { return &s.ReadOnly },
	},
	{
		Name: "sparkls.connectTimeout", Type: "integer", Default: 30, Minimum: 0,
		MarkdownDescription: "Seconds a run, explain or schema refresh waits for the connection to Spark while it is being made " +
			"(\"Connecting to …\"), before it fails with the reason. After a failure sparkls retries by itself after 1, 2, 4 … 30 s.",
		field: func(s *Settings) any { return &s.ConnectTimeout },
	},
	{
		Name: "sparkls.trace.server", Type: "string", Default: "off", Enum: []string{"off", "messages", "verbose"},
		MarkdownDescription: "Traces the messages between the editor and the language server in the output panel (read by the editor, not the server).",
	},
}

// DefaultSettings returns the settings with every default of SettingsTable.
func DefaultSettings() Settings {
	var s Settings
	for _, def := range SettingsTable {
		if def.field != nil {
			if err := assign(def, def.field(&s), def.Default); err != nil {
				panic("lsp: bad default of " + def.Name + ": " + err.Error())
			}
		}
	}
	return s
}

// ResolvedRemote is the remote to connect to: Remote, else $SPARK_REMOTE
// (read with getenv), else "local".
func (s Settings) ResolvedRemote(getenv func(string) string) string {
	return connect.ResolveRemote(s.Remote, getenv)
}

// DecodeSettings decodes the editor's settings over the defaults: see
// [Settings.Merge].
func DecodeSettings(raw json.RawMessage) (Settings, []string) {
	return DefaultSettings().Merge(raw)
}

// Merge decodes the editor's settings over base (the defaults, or the
// settings from initializationOptions, which later pushes and pulls only
// override). It accepts the shapes editors send: {"sparkls": {...}}, the
// bare section {...}, and dotted keys ({"preview.rows": 5},
// {"sparkls.preview.rows": 5}). A null or missing value keeps base's.
// Problems (unknown names, wrong types, values out of range) are returned
// as readable lines, and the offending setting keeps base's value: a typo
// never stops the server.
func (base Settings) Merge(raw json.RawMessage) (Settings, []string) {
	s := base
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return s, []string{fmt.Sprintf("settings are not valid JSON: %v", err)}
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return s, []string{fmt.Sprintf("settings must be a JSON object, not %s", jsonKind(root))}
	}
	if inner, ok := obj[ConfigSection].(map[string]any); ok {
		obj = inner // {"sparkls": {...}, other editors' sections...}
	}
	values := map[string]any{}
	flatten(obj, ConfigSection, values)

	var problems []string
	for _, name := range sortedKeys(values) {
		v := values[name]
		if v == nil {
			continue // null: the default, whatever the name
		}
		i := slices.IndexFunc(SettingsTable, func(d Setting) bool { return d.Name == name })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("unknown setting %s (ignored)", name))
			continue
		}
		def := SettingsTable[i]
		if def.field == nil {
			continue
		}
		if err := assign(def, def.field(&s), v); err != nil {
			problems = append(problems, fmt.Sprintf("setting %s: %v; ignored", name, err))
		}
	}
	return s, problems
}

// HasSection tells whether pushed settings (workspace/didChangeConfiguration)
// carry the sparkls section: {"sparkls": {...}}, or a bare or dotted name of
// one of its settings. Clients that have nothing for us push null, {} or
// only other tools' sections (Helix, eglot), and that must not undo what
// initializationOptions said.
func HasSection(raw json.RawMessage) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return false
	}
	if v, ok := obj[ConfigSection]; ok {
		return string(bytes.TrimSpace(v)) != "null"
	}
	for k := range obj {
		if strings.HasPrefix(k, ConfigSection+".") {
			return true
		}
		first, _, _ := strings.Cut(k, ".")
		if slices.ContainsFunc(SettingsTable, func(d Setting) bool {
			name, _, _ := strings.Cut(strings.TrimPrefix(d.Name, ConfigSection+"."), ".")
			return name == first
		}) {
			return true
		}
	}
	return false
}

// flatten walks nested objects into dotted names under prefix. It stops at
// a name the table knows, so an object-valued setting stays whole.
func flatten(obj map[string]any, prefix string, out map[string]any) {
	for k, v := range obj {
		name := k
		if !strings.HasPrefix(k, ConfigSection+".") {
			name = prefix + "." + k
		}
		if inner, ok := v.(map[string]any); ok && !known(name) {
			flatten(inner, name, out)
			continue
		}
		out[name] = v
	}
}

func known(name string) bool {
	return slices.ContainsFunc(SettingsTable, func(d Setting) bool { return d.Name == name })
}

// assign stores v (a decoded JSON value or a Go default) in dst, checking
// the type and the bounds that def declares.
func assign(def Setting, dst any, v any) error {
	switch p := dst.(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %s", jsonKind(v))
		}
		if len(def.Enum) > 0 && !slices.Contains(def.Enum, s) {
			return fmt.Errorf("%q is not one of %s", s, strings.Join(def.Enum, ", "))
		}
		*p = s
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %s", jsonKind(v))
		}
		*p = b
	case *int:
		n, ok := asInt(v)
		if !ok {
			return fmt.Errorf("want an integer, got %s", jsonKind(v))
		}
		if n < def.Minimum {
			return fmt.Errorf("%d is less than the minimum %d", n, def.Minimum)
		}
		*p = n
	default:
		return fmt.Errorf("unsupported field type %T", dst)
	}
	return nil
}

// asInt accepts integers and integral floats (Lua and JavaScript numbers).
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case json.Number:
		if i, err := n.Int64(); err == nil && i >= math.MinInt32 && i <= math.MaxInt32 {
			return int(i), true
		}
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 {
			return int(f), true
		}
	}
	return 0, false
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string" // not its text: it may be a misplaced token
	case bool:
		return fmt.Sprintf("%t", v)
	case json.Number:
		return "the number " + v.String()
	case int:
		return fmt.Sprintf("the number %d", v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
