// The runs in flight of one extension, from the sparkls.run request until
// its answer, and which of them a sparkls/runStarted is about. No vscode
// import, so `node --test` covers it (test/runs.test.ts).

import type { RunStarted } from './protocol';

/** A run in flight. */
export interface Run {
  runId: string; // ours, sent in the sparkls.run argument and echoed by runStarted
  token: string; // our workDoneToken
  uri: string;
  queryId?: string; // from sparkls/runStarted
}

export class Runs {
  private readonly list: Run[] = [];

  add(run: Run): void {
    this.list.push(run);
  }

  remove(run: Run): void {
    const i = this.list.indexOf(run);
    if (i >= 0) {
      this.list.splice(i, 1);
    }
  }

  /** The run in flight with this runId. */
  byId(runId: string): Run | undefined {
    return this.list.find((r) => r.runId === runId);
  }

  /** The run started last, if any is in flight. */
  last(): Run | undefined {
    return this.list[this.list.length - 1];
  }

  /**
   * Pairs a sparkls/runStarted with its run and gives the run its queryId:
   * by the runId (or workDoneToken) echoed; a server too old to echo them
   * gets the oldest run of that document still without a queryId.
   */
  started(p: RunStarted): Run | undefined {
    let run: Run | undefined;
    if (p.runId !== undefined || p.workDoneToken !== undefined) {
      run = this.list.find((r) => (p.runId !== undefined ? r.runId === p.runId : r.token === p.workDoneToken));
    } else {
      run = this.list.find((r) => r.queryId === undefined && r.uri === p.uri);
    }
    if (run) {
      run.queryId = p.queryId;
    }
    return run;
  }
}
