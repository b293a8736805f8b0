// The wire shapes of sparkls's custom commands and notifications, as the
// server declares them in package lsp (run.go, command.go, connection.go).
// The names themselves are generated into names.ts from lsp/names.go.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** The argument of sparkls.run and sparkls.explain; an empty range means the cell or statement at range.start. */
export interface RunArgs {
  uri: string;
  range: Range;
  /** The client's name for the run (sparkls.run only): sparkls/runStarted echoes it. */
  runId?: string;
}

export interface Column {
  name: string;
  /** Spark's typeof() name: "int", "decimal(10,2)", "array<string>". */
  type: string;
}

export interface RunError {
  message: string;
  errorClass: string;
  sqlState: string;
  range: Range | null;
  /** The logical plan Spark appended to the message, cut from it (servers before it leave it in message). */
  plan?: string;
}

/** The answer of sparkls.run. Values are Spark's CAST(x AS STRING); null is SQL NULL. */
export interface RunResult {
  queryId: string;
  statement: string;
  range: Range;
  columns: Column[];
  rows: (string | null)[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  markdown: string;
  error: RunError | null;
}

export interface CancelArgs {
  queryId: string;
}

export interface CancelResult {
  queryIds: string[];
}

export interface ExplainResult {
  plan: string;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'error';

/** The payload of sparkls/status. remote never holds a token. */
export interface Status {
  state: ConnectionState;
  remote: string;
  sparkVersion?: string;
  message?: string;
  /** What the connected server cannot do (Spark 3.5: progress counts, error details). */
  lacks?: string[];
}

/** The payload of sparkls/runStarted. */
export interface RunStarted {
  queryId: string;
  uri: string;
  range: Range;
  /** The runId of the sparkls.run argument, when it had one. */
  runId?: string;
  /** The workDoneToken of the sparkls.run request, when it had one. */
  workDoneToken?: string | number;
}

/** Tells whether v looks like a RunResult (a server of another version may answer otherwise). */
export function isRunResult(v: unknown): v is RunResult {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const r = v as Partial<RunResult>;
  return Array.isArray(r.columns) && Array.isArray(r.rows) && typeof r.rowCount === 'number';
}
