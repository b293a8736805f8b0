package lsp

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/connect"
)

func TestDecodeSettings(t *testing.T) {
	def := DefaultSettings()
	with := func(fn func(*Settings)) Settings {
		s := def
		fn(&s)
		return s
	}
	for _, tc := range []struct {
		name     string
		raw      string
		want     Settings
		problems []string // substrings, in order
	}{
		{"null", `null`, def, nil},
		{"empty", ``, def, nil},
		{"empty object", `{}`, def, nil},
		{"nested as editors send it", `{"remote": "sc://h:1", "preview": {"rows": 100, "bytes": 4194304}, "readOnly": false}`,
			with(func(s *Settings) { s.Remote = "sc://h:1" }), nil},
		{"wrapped in the section", `{"sparkls": {"remote": "sc://h:1", "preview": {"rows": 5}}, "other": {"x": 1}}`,
			with(func(s *Settings) { s.Remote, s.Preview.Rows = "sc://h:1", 5 }), nil},
		{"dotted keys", `{"preview.rows": 6, "sparkls.readOnly": true}`,
			with(func(s *Settings) { s.Preview.Rows, s.ReadOnly = 6, true }), nil},
		{"integral floats are integers", `{"preview": {"rows": 7.0, "bytes": 2e6}}`,
			with(func(s *Settings) { s.Preview.Rows, s.Preview.Bytes = 7, 2000000 }), nil},
		{"null keeps the default", `{"remote": null, "preview": null}`, def, nil},
		{"editor-only settings are accepted", `{"trace": {"server": "verbose"}}`, def, nil},
		{"unknown names are reported", `{"remot": "x", "preview": {"colour": 1}}`, def,
			[]string{"unknown setting sparkls.preview.colour", "unknown setting sparkls.remot"}},
		{"wrong types keep the default", `{"preview": {"rows": "many", "bytes": 1.5}, "readOnly": "yes", "remote": 3}`, def,
			[]string{"sparkls.preview.bytes: want an integer, got the number 1.5", "sparkls.preview.rows: want an integer, got a string",
				"sparkls.readOnly: want true or false, got a string", "sparkls.remote: want a string, got the number 3"}},
		{"below the minimum", `{"preview": {"rows": 0}}`, def, []string{"0 is less than the minimum 1"}},
		{"connectTimeout 0 fails at once", `{"connectTimeout": 0}`, with(func(s *Settings) { s.ConnectTimeout = 0 }), nil},
		{"not an object", `[1]`, def, []string{"must be a JSON object, not an array"}},
		{"not JSON", `{`, def, []string{"not valid JSON"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := DecodeSettings(json.RawMessage(tc.raw))
			if got != tc.want {
				t.Errorf("settings = %+v, want %+v", got, tc.want)
			}
			if len(problems) != len(tc.problems) {
				t.Fatalf("problems = %q, want %d like %q", problems, len(tc.problems), tc.problems)
			}
			for i, p := range problems {
				if !strings.Contains(p, tc.problems[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p, tc.problems[i])
				}
			}
		})
	}
}

func TestDefaultSettings(t *testing.T) {
	want := Settings{Preview: PreviewSettings{Rows: connect.DefaultPreviewRows, Bytes: connect.DefaultPreviewBytes, KeepRows: connect.DefaultKeepRows}, ConnectTimeout: 30}
	if got := DefaultSettings(); got != want {
		t.Errorf("DefaultSettings() = %+v, want %+v", got, want)
	}
}

func TestResolvedRemote(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "SPARK_REMOTE" {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct{ setting, env, want string }{
		{"sc://set:1", "sc://env:2", "sc://set:1"},
		{"", "sc://env:2", "sc://env:2"},
		{"  ", "", "local"},
	} {
		if got := (Settings{Remote: tc.setting}).ResolvedRemote(env(tc.env)); got != tc.want {
			t.Errorf("ResolvedRemote(%q, env %q) = %q, want %q", tc.setting, tc.env, got, tc.want)
		}
	}
}

// The table is the one source of truth: every Settings field has exactly
// one entry, names are unique and under "sparkls.", types match the fields
// and defaults decode.
func TestSettingsTableCoversSettings(t *testing.T) {
	var s Settings
	fields := map[uintptr]string{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f, name := v.Field(i), path+v.Type().Field(i).Name
			if f.Kind() == reflect.Struct {
				walk(f, name+".")
				continue
			}
			fields[f.Addr().Pointer()] = name
		}
	}
	walk(reflect.ValueOf(&s).Elem(), "")

	seen := map[string]bool{}
	covered := map[uintptr]bool{}
	for _, def := range SettingsTable {
		if seen[def.Name] || !strings.HasPrefix(def.Name, ConfigSection+".") {
			t.Errorf("setting name %q is repeated or not under %s.", def.Name, ConfigSection)
		}
		seen[def.Name] = true
		if def.MarkdownDescription == "" {
			t.Errorf("%s has no description", def.Name)
		}
		if !slices.Contains([]string{"string", "integer", "boolean"}, def.Type) {
			t.Errorf("%s has type %q", def.Name, def.Type)
		}
		if !def.ServerSide() {
			continue
		}
		ptr := reflect.ValueOf(def.field(&s))
		if _, ok := fields[ptr.Pointer()]; !ok || covered[ptr.Pointer()] {
			t.Errorf("%s points at no field, or at one another setting has", def.Name)
		}
		covered[ptr.Pointer()] = true
		wantKind := map[string]reflect.Kind{"string": reflect.String, "integer": reflect.Int, "boolean": reflect.Bool}[def.Type]
		if ptr.Elem().Kind() != wantKind {
			t.Errorf("%s is %s but its field is %s", def.Name, def.Type, ptr.Elem().Kind())
		}
		// The default, sent by an editor as JSON, decodes to itself.
		raw, _ := json.Marshal(map[string]any{def.Name: def.Default})
		if _, problems := DecodeSettings(raw); len(problems) > 0 {
			t.Errorf("%s: its default does not decode: %q", def.Name, problems)
		}
	}
	for ptr, name := range fields {
		if !covered[ptr] {
			t.Errorf("Settings.%s has no entry in SettingsTable", name)
		}
	}
}
