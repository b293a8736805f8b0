package ide

import (
	"slices"
	"strings"
)

// The built-in functions and keywords of Spark SQL, read from a real Spark
// Connect server and committed (functions_builtin.go, keywords_builtin.go)
// so that signature help, hover and completion know them without a
// connection. Regenerate them against the local server (make server-start)
// when the Spark version changes:
//
//go:generate go run ../cmd/gen-builtins --remote sc://127.0.0.1:15002

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
type builtinFunction struct{ Name, Usage, Arguments, Examples, Class string }

// lookupBuiltin finds a built-in function by name, ignoring case.
func lookupBuiltin(name string) (builtinFunction, bool) {
	name = strings.ToLower(name)
	i, ok := slices.BinarySearchFunc(builtinFunctions, name, func(f builtinFunction, n string) int {
		return strings.Compare(f.Name, n)
	})
	if !ok {
		return builtinFunction{}, false
	}
	return builtinFunctions[i], true
}

// isReservedKeyword reports whether word (any case) is a keyword that the
// SQL standard reserves, as Spark reports them under ANSI mode with
// spark.sql.ansi.enforceReservedKeywords=true: an identifier spelled like
// one must be backquoted there. With Spark's default settings no keyword is
// reserved, so quoting these is always safe but only sometimes required.
func isReservedKeyword(word string) bool {
	_, ok := slices.BinarySearch(reservedKeywords, strings.ToUpper(word))
	return ok
}
