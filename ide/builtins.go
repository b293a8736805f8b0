package ide

import (
	"slices"
	"strings"

	"github.com/sparkls/sparkls/internal/sparkversion"
)

// The built-in functions and keywords of Spark SQL, read from real Spark
// Connect servers of each version in builtinVersions and committed
// (functions_builtin.go, keywords_builtin.go) so that signature help, hover
// and completion know them without a connection. Each name carries the
// versions that have it; the features offer those of the Spark version of
// the catalog cache (the server last seen, else the newest). Regenerate
// them with make generate-builtins (a local server of each version, one
// after another) when a version is added:
//
//go:generate go run ../cmd/gen-builtins

// builtinFunction is one function of SHOW SYSTEM FUNCTIONS as DESCRIBE
// FUNCTION EXTENDED describes it. The texts are Spark's Markdown (names in
// backquotes), trimmed and dedented:
//
//	Name       "date_add"; lower case, or an operator such as "+" or "!="
//	Usage      "date_add(start_date, num_days) - Returns the date ...";
//	           several signatures are separated by a blank line
//	Arguments  "* start_date - ...\n* num_days - ..." or ""
//	Examples   the first example: "> SELECT date_add('2016-07-30', 1);\n 2016-07-31"
//	Class      the implementing class, "org.apache.spark.sql.catalyst.expressions.DateAdd"
//	Since      the first minor version that has it, "4.2" ("": all of builtinVersions)
//	Removed    the first minor version that no longer has it ("": the newest has it)
type builtinFunction struct{ Name, Usage, Arguments, Examples, Class, Since, Removed string }

// builtinKeyword is one keyword of sql_keywords(), upper case; Reserved as
// the newest version that has it reports it under ANSI mode with
// spark.sql.ansi.enforceReservedKeywords=true; Since and Removed as for
// builtinFunction.
type builtinKeyword struct {
	Word           string
	Reserved       bool
	Since, Removed string
}

// inVersion reports whether a name that Spark has from since up to removed
// is in Spark version v ("": the newest of builtinVersions).
func inVersion(since, removed, v string) bool {
	if v == "" {
		return removed == ""
	}
	return (since == "" || sparkversion.Compare(v, since) >= 0) && (removed == "" || sparkversion.Compare(v, removed) < 0)
}

// lookupBuiltin finds a built-in function of Spark version v ("": the
// newest) by name, ignoring case.
func lookupBuiltin(name, v string) (builtinFunction, bool) {
	name = strings.ToLower(name)
	i, ok := slices.BinarySearchFunc(builtinFunctions, name, func(f builtinFunction, n string) int {
		return strings.Compare(f.Name, n)
	})
	if !ok || !inVersion(builtinFunctions[i].Since, builtinFunctions[i].Removed, v) {
		return builtinFunction{}, false
	}
	return builtinFunctions[i], true
}

// isReservedKeyword reports whether word (any case) is a keyword that the
// SQL standard reserves, as Spark reports them under ANSI mode with
// spark.sql.ansi.enforceReservedKeywords=true: an identifier spelled like
// one must be backquoted there. With Spark's default settings no keyword is
// reserved, so quoting these is always safe but only sometimes required.
// Any version's: quoting is never wrong.
func isReservedKeyword(word string) bool {
	k, ok := lookupKeyword(word)
	return ok && k.Reserved
}

// lookupKeyword finds a keyword of any version by word, ignoring case.
func lookupKeyword(word string) (builtinKeyword, bool) {
	word = strings.ToUpper(word)
	i, ok := slices.BinarySearchFunc(sparkKeywords, word, func(k builtinKeyword, w string) int {
		return strings.Compare(k.Word, w)
	})
	if !ok {
		return builtinKeyword{}, false
	}
	return sparkKeywords[i], true
}
