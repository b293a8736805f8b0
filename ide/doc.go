// Package ide holds sparkls' editor features as plain Go over a document's
// text and the catalog cache (*schema.Cache): completion, hover, signature
// help, definition, the outline, folding, the check (diagnostics and
// `sparkls check`), what a run runs, the built-in function and keyword
// tables of Spark, and the Markdown they are written in. Answers are plain
// structs with byte spans.
//
// It speaks no LSP (package lsp converts to protocol types and owns
// transport, documents, settings and scheduling) and no Spark Connect: the
// cache is its only view of the catalog, read within the cache's budget, so
// every feature works without a connection; the check asks Spark through
// the small Spark interface, which lsp implements over connect.Client.
package ide
