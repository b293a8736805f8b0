package lsp

// Every custom wire name of sparkls: commands, notifications, the settings
// section. Editors (editors/vscode, editors/nvim) use the same strings; the
// generated editor contributions are derived from this file and settings.go.
const (
	// ConfigSection is the section of every setting ("sparkls.remote", ...),
	// asked for with workspace/configuration.
	ConfigSection = "sparkls"

	// NotifyStatus (server → client) reports the Spark connection:
	// [Status] is its payload.
	NotifyStatus = "sparkls/status"

	// NotifyRunStarted (server → client) announces a sparkls.run as soon as
	// it starts, before any answer: [RunStarted] is its payload, whose
	// queryId sparkls.cancel takes, and which echoes the runId of the
	// sparkls.run argument and the request's workDoneToken: runs in
	// flight at once are paired with their queryIds by those, never by
	// their order.
	NotifyRunStarted = "sparkls/runStarted"

	// Commands (workspace/executeCommand), added by the features that run SQL.
	CommandRun           = "sparkls.run"
	CommandCancel        = "sparkls.cancel"
	CommandCancelAll     = "sparkls.cancelAll"
	CommandRefreshSchema = "sparkls.refreshSchema"
	CommandExplain       = "sparkls.explain"
	// CommandReconnect makes a fresh connection to the configured remote at
	// once (after a failure, instead of waiting for the next retry).
	CommandReconnect = "sparkls.reconnect"
	// CommandParameters lists the parameter markers of what a sparkls.run
	// with the same argument would run, so that an editor can ask for their
	// values first.
	CommandParameters = "sparkls.parameters"
	// CommandExport writes a query's whole result to a local file (CSV,
	// Parquet or JSON Lines) with progress and cancel.
	CommandExport = "sparkls.export"

	// RequestResultPage (client → server) is a request of its own, not a
	// command: more rows of a run's result ([ResultPageParams],
	// answered by [ResultPage]), without running it again while sparkls
	// holds them.
	RequestResultPage = "sparkls/resultPage"

	// RequestQueries (client → server) is a request of its own, not a
	// command: the queries running on the user's Spark session
	// ([QueriesParams], answered by [QueriesResult]).
	RequestQueries = "sparkls/queries"

	// RunArgParams is the field of the sparkls.run argument that binds the
	// statements' parameter markers: {"name": value} for :name, {"1": value,
	// "2": …} for the ?s in order. A JSON string binds a STRING, a number an
	// INT, BIGINT or DECIMAL by its form, true/false a BOOLEAN. Values go to
	// Spark as arguments of the SQL relation, never into the text.
	RunArgParams = "params"
)

// States of the Spark connection in a [Status].
const (
	StateConnecting   = "connecting"
	StateConnected    = "connected"
	StateDisconnected = "disconnected"
	StateError        = "error"
)

// Commands lists every command the server may offer, in a stable order:
// those of commandTable (command.go), where each has its handler and
// payload types.
var Commands = func() []string {
	names := make([]string, len(commandTable))
	for i, c := range commandTable {
		names[i] = c.Name
	}
	return names
}()
