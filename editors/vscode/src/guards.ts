// Run-time checks of the server's answers (protocol.ts, generated, holds
// only their shapes).
import type { RunResult } from './protocol';

/** Tells whether v looks like a RunResult (a server of another version may answer otherwise). */
export function isRunResult(v: unknown): v is RunResult {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const r = v as Partial<RunResult>;
  return Array.isArray(r.columns) && Array.isArray(r.rows) && typeof r.rowCount === 'number';
}
