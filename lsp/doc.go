// Package lsp is the language server of sparkls: the only package that speaks
// LSP and JSON-RPC. It frames and dispatches messages, keeps the open
// documents and the settings as immutable snapshots, owns the connection to
// Spark (made in the background, never a precondition) and hands each
// request a snapshot so that feature code is plain Go over plain values.
//
// Handlers are thin: one file per method group (text_synchronization.go,
// workspace.go, completion.go, ...), registered in routes.go together with
// the capability they advertise.
//
// What it deliberately does not do: it does not parse SQL (package
// sqltext does), it does not talk gRPC (package connect does) and it
// does not cache the catalog (package schema does). No feature except running
// SQL needs a Spark connection.
//
// Concurrency: messages are handled in arrival order on one goroutine.
// Notifications (didOpen, didChange, settings) are applied there, in order;
// a request captures its [Snapshot] there and then runs on its own
// goroutine, so a slow request never delays the next one. Each request has
// its own context, cancelled by $/cancelRequest (the answer is then
// RequestCancelled) or by the end of the session; a panic in a handler is
// recovered, logged with its stack and answered with InternalError.
package lsp
