package ide

import (
	"context"
	"slices"
	"testing"
)

// Offering functions costs per function that matches what was typed, not
// per function known: a name that matches none allocates next to nothing
// for the ~500 built-ins (their call forms and snippets are built only for
// the items offered).
func TestCompletionFunctionsCostPerMatch(t *testing.T) {
	text := "SELECT qqzx"
	opt := completeOptions{snippets: true}
	base := testing.AllocsPerRun(5, func() { complete(context.Background(), nil, "SELECT ", 7, opt) })
	allocs := testing.AllocsPerRun(5, func() {
		if res := complete(context.Background(), nil, text, len(text), opt); len(res.items) != 0 {
			t.Fatalf("items %+v", res.items)
		}
	})
	t.Logf("allocations: %.0f with nothing typed, %.0f with a prefix matching nothing", base, allocs)
	// One schema.Matcher per completion: matching a name allocates nothing.
	if perFn := allocs / float64(len(builtinFunctions)); perFn > 0.5 {
		t.Errorf("completion of a prefix that matches nothing: %.0f allocations, %.1f per function", allocs, perFn)
	}
}

func TestQuoteName(t *testing.T) {
	for in, want := range map[string]string{
		"orders": "orders", "Orders": "Orders", "user-agent": "`user-agent`", "referrer url": "`referrer url`",
		"select": "`select`", "FROM": "`FROM`", "1st": "`1st`", "a`b": "`a``b`", "é": "`é`", "status": "status",
	} {
		if got := quoteName(in); got != want {
			t.Errorf("quoteName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCallSnippet(t *testing.T) {
	for _, tc := range []struct{ usage, name, want string }{
		{"substr(str, pos[, len])", "substr", "substr(${1:str}, ${2:pos})$0"},
		{"count(*)", "count", "count(${1:*})$0"},
		{"current_date()", "current_date", "current_date()$0"},
		{"coalesce(expr1, expr2, ...)", "coalesce", "coalesce(${1:expr1}, ${2:expr2})$0"},
		{"concat(col1, col2, ..., colN)", "concat", "concat(${1:col1}, ${2:col2})$0"},
		{"expr1 % expr2, or mod(expr1, expr2)", "mod", "mod(${1:expr1}, ${2:expr2})$0"},
		{"array_sort(expr, func)", "array_sort", "array_sort(${1:expr}, ${2:func})$0"},
		{"array(expr, ...)", "array", "array(${1:expr})$0"},
		{"", "mask_email", "mask_email($1)$0"},
		{"weird(a$b})", "weird", `weird(${1:a\$b\}})$0`},
		{"struct(col1, col2, col3, ...)", "struct", "struct(${1:col1}, ${2:col2}, ${3:col3})$0"},
		{"x([a])", "x", "x($1)$0"},
	} {
		if got := callSnippet(tc.name, callForm(tc.usage, tc.name)); got != tc.want {
			t.Errorf("callSnippet(%q) = %q, want %q", tc.usage, got, tc.want)
		}
	}
}

func TestStructType(t *testing.T) {
	got := structType("struct<a:int,`b c`:struct<x:decimal(10,2),y:map<string,int>>,d:array<struct<e:int>>>")
	want := []structField{{"a", "int"}, {"b c", "struct<x:decimal(10,2),y:map<string,int>>"}, {"d", "array<struct<e:int>>"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v", got)
	}
	if structType("map<string,int>") != nil || structType("int") != nil {
		t.Errorf("not a struct")
	}
}

// ---------------------------------------------------------------------------
// End to end: the editor over the pipe, the server over Spark Connect.

// eventuallyCompletes asks for completions at line:char of uri until label
// shows up; it returns the list that had it.
