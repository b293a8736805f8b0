// Package sqltext is the text analysis foundation for Spark SQL: a lexer, a
// statement splitter, a notebook cell splitter and a statement classifier.
//
// It is built for text that is being typed. Every function accepts any
// string, never returns an error and never panics: half-typed or broken SQL
// yields a best guess, and the lexer reports what it could not close
// (an unclosed string or comment) as a [Problem] with its offset. All
// positions are byte offsets into the caller's string so that callers can map
// results and server errors back to the source.
//
// The Spark Connect client uses it to split multi-statement text and to
// classify statements before sending them; the language server uses it for
// cells and completion context.
//
// What it deliberately does not do: it is not a parser. It knows no grammar
// beyond what splitting and classifying need (parentheses, BEGIN/CASE/END
// depth, the first keyword after a CTE list), it does not validate SQL, and it
// does not resolve names. Spark is the authority on what a statement means;
// this package only guesses cheaply and never blocks on it. It imports nothing
// of ours and nothing that speaks LSP or gRPC.
package sqltext
