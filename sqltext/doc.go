// Package sqltext is the text analysis foundation for Spark SQL: a lexer, a
// statement splitter, a notebook cell splitter, a statement classifier, and
// the cursor analysis that completion, hover, signature help and
// go-to-definition start from.
//
// It is built for text that is being typed. Every function accepts any
// string, never returns an error and never panics: half-typed or broken SQL
// yields a best guess, and what could not be closed (an unclosed string,
// comment or parenthesis) is reported as a [Problem] with its offset. All
// positions are byte offsets into the caller's string so that callers can map
// results and server errors back to the source.
//
// The Spark Connect client uses it to split multi-statement text and to
// classify statements before sending them; the language server uses it for
// cells and, through [At], [Definition] and [CurrentNamespace], for what the
// cursor is on: what belongs there (a table, a column, a keyword…), the word
// being typed, the function call around it, and the [Scope] of the statement
// (tables and aliases of FROM, CTEs and the columns of CTEs, subqueries and
// lateral views, as far as the text tells them).
//
// What it deliberately does not do: it is not a parser. It reads keywords at
// the right parenthesis depth and skips what it does not understand; it
// does not validate SQL, and it resolves names only within the statement at
// hand, never against a catalog (a table's columns are the caller's to look
// up; a SELECT * over one is reported as such). Spark is the authority on
// what a statement means; this package only guesses cheaply and never blocks
// on it. It imports nothing of ours and nothing that speaks LSP or gRPC.
//
// The cursor analysis reads only the statement around the cursor, found by
// a scan that skips everything but quotes, comment starts and semicolons;
// for large texts it reuses the statement boundaries of recent versions up
// to the first changed byte, so typing in a large file stays cheap.
//
// Memory follows the text, not its tokens: a [Token] takes about ten times
// the bytes it covers, so whole texts are read through [Tokens], one token
// at a time (the splitters do), and [Lex] is for a statement.
package sqltext
