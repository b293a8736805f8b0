package ide

import (
	"context"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/schema"
)

// firstBuiltin is the first function whose name is an identifier and that
// keep accepts.
func firstBuiltin(t *testing.T, keep func(builtinFunction) bool) builtinFunction {
	t.Helper()
	for _, f := range builtinFunctions {
		if isIdentifier(f.Name) && keep(f) {
			return f
		}
	}
	t.Fatal("no such built-in function")
	return builtinFunction{}
}

// Without a connection, completion, hover and signature help offer the
// built-ins of the Spark version the catalog cache last saw: a function
// that Spark 4.2 added is not offered for a 3.5 server, and is for 4.2 and
// for an unknown version (the newest); one that every version has is
// offered for all. The same holds for keywords.
func TestBuiltinsOfVersion(t *testing.T) {
	ctx := context.Background()
	added := firstBuiltin(t, func(f builtinFunction) bool { return f.Since == "4.2" && f.Removed == "" })
	always := firstBuiltin(t, func(f builtinFunction) bool {
		return f.Since == "" && f.Removed == "" && strings.Contains(f.Usage, f.Name+"(")
	})
	var newKw builtinKeyword
	for _, k := range sparkKeywords {
		if k.Since != "" && k.Removed == "" {
			newKw = k
			break
		}
	}
	for _, tc := range []struct {
		version string
		has     bool // the 4.2 function
		hasKw   bool
	}{
		{"3.5.7", false, newKw.Since == ""},
		{"4.2.1", true, inVersion(newKw.Since, "", "4.2.1")},
		{"", true, true},
	} {
		t.Run("spark "+tc.version, func(t *testing.T) {
			cache := schema.New(nil, schema.Options{SparkVersion: tc.version})
			defer cache.Close()
			offered := func(text, label string) bool {
				for _, it := range Complete(ctx, cache, text, len(text), CompleteOptions{}).Items {
					if it.Label == label {
						return true
					}
				}
				return false
			}
			for _, f := range []struct {
				fn   builtinFunction
				want bool
			}{{added, tc.has}, {always, true}} {
				if got := offered("SELECT "+f.fn.Name, f.fn.Name); got != f.want {
					t.Errorf("%s (since %q) offered: %t", f.fn.Name, f.fn.Since, got)
				}
				text := "SELECT " + f.fn.Name + "(1)"
				if _, _, got := HoverAt(ctx, cache, text, len("SELECT ")+1, HoverOptions{}); got != f.want {
					t.Errorf("hover on %s: %t", f.fn.Name, got)
				}
				open := "SELECT " + f.fn.Name + "("
				if got := SignatureHelpAt(open, len(open), SignatureStyle{}, -1, tc.version) != nil; got != f.want && strings.Contains(f.fn.Usage, f.fn.Name+"(") {
					t.Errorf("signature help of %s: %t", f.fn.Name, got)
				}
			}
			if newKw.Word != "" {
				if got := offered("SELECT 1 "+newKw.Word, newKw.Word); got != tc.hasKw {
					t.Errorf("keyword %s (since %s) offered: %t", newKw.Word, newKw.Since, got)
				}
			}
		})
	}
}
