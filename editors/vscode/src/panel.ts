// The results panel: one webview beside the editor with a tab per run (the
// last 20, and the pinned ones). This file holds the vscode side: the
// panel's life, the history (kept in the workspace state, so that a window
// reload restores it through the webview serializer), the clipboard, saving
// files and moving the cursor to an error. The page's script is webview.ts;
// the history's rules are grid.ts.

import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { addEntry, appendPage, keptHistory, updateEntry, type Entry, type Progress } from './grid';
import type { ResultPage, RunResult } from './protocol';
import { shellPage } from './render';

/** Webview → extension. */
interface Message {
  type: 'ready' | 'select' | 'pin' | 'close' | 'cancel' | 'reveal' | 'copy' | 'saveCsv' | 'fetchMore' | 'export' | 'info';
  id?: string;
  text?: string;
  what?: string;
  rows?: number;
}

/** The keys of the history and the shown tab in the workspace state. */
const historyKey = 'sparkls.results.history';
const activeKey = 'sparkls.results.active';

/** What the panel asks of the extension for a run it shows. */
export interface RunHooks {
  cancel(id: string): void;
  /** The next rows of a result (sparkls/resultPage); undefined when the server cannot page. */
  fetchMore?(e: Entry): Promise<Pick<ResultPage, 'rows' | 'display' | 'more'> | undefined>;
  /** Exports the whole result to a file; undefined when the server cannot. */
  export?(e: Entry): Promise<void>;
}

export class ResultsPanel implements vscode.Disposable {
  static readonly viewType = 'sparkls.results';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private entries: Entry[];
  private active: string | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly extensionUri: vscode.Uri,
    private readonly hooks: RunHooks,
  ) {
    this.entries = keptHistory(state.get<Entry[]>(historyKey) ?? []).map((e) => ({ ...e, restored: true }));
    this.active = state.get<string>(activeKey);
  }

  /** Restores the panel VS Code brings back after a reload, or closes it when there is nothing to show. */
  register(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ResultsPanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        if (this.panel || this.entries.length === 0) {
          panel.dispose(); // a run already opened another, or nothing was kept
          return;
        }
        panel.webview.options = this.webviewOptions();
        this.adopt(panel);
      },
    });
  }

  /** A run started: a new tab, shown, with progress and Cancel. */
  runStarted(id: string, uri: string, statement: string): void {
    this.upsert({ id, uri, statement, startedAt: Date.now(), state: 'running', pinned: false }, true);
  }

  /** The run's statement became known (sparkls/runStarted tells its range). */
  runStatement(id: string, statement: string): void {
    const e = this.find(id);
    if (e && statement && e.statement !== statement) {
      this.upsert({ ...e, statement }, false);
    }
  }

  progress(id: string, p: Progress): void {
    const e = this.find(id);
    if (!e || e.state !== 'running') {
      return;
    }
    e.progress = { ...e.progress, ...p };
    if (this.ready) {
      void this.panel?.webview.postMessage({ type: 'progress', id, progress: e.progress });
    }
  }

  showResult(id: string, r: RunResult): void {
    const e = this.find(id);
    if (!e) {
      return;
    }
    this.upsert({ ...e, state: 'done', result: r, statement: r.statement || e.statement, progress: undefined, more: r.truncated && !r.error }, e.id === this.active);
  }

  /** A run that failed without a result (no connection, a closed document). */
  showFailure(id: string, message: string): void {
    const e = this.find(id);
    if (e) {
      this.upsert({ ...e, state: 'failed', message, progress: undefined }, e.id === this.active);
    }
  }

  private find(id: string): Entry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  private upsert(e: Entry, activate: boolean): void {
    const known = this.find(e.id) !== undefined;
    const before = this.entries;
    this.entries = known ? updateEntry(this.entries, e.id, e) : addEntry(this.entries, e);
    if (activate) {
      this.active = e.id;
    }
    const p = this.ensure(activate);
    if (this.ready) {
      // A new run may push the oldest unpinned one out of the history.
      const drop = before.filter((x) => !this.entries.some((y) => y.id === x.id)).map((x) => x.id);
      void p.webview.postMessage({ type: 'entry', entry: e, activate, drop });
    }
    this.keep();
  }

  private sendState(): void {
    void this.panel?.webview.postMessage({
      type: 'state',
      entries: this.entries,
      active: this.active,
      caps: { page: this.hooks.fetchMore !== undefined, export: this.hooks.export !== undefined },
    });
  }

  private keepTimer: NodeJS.Timeout | undefined;

  /**
   * Writes the history to the workspace state (a reload may come any time),
   * right after the current work: a run's request goes out first.
   */
  private keep(): void {
    this.keepTimer ??= setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    clearTimeout(this.keepTimer);
    this.keepTimer = undefined;
    void this.state.update(historyKey, keptHistory(this.entries));
    void this.state.update(activeKey, this.active);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
  }

  private ensure(reveal: boolean): vscode.WebviewPanel {
    if (this.panel) {
      if (reveal && !this.panel.visible) {
        this.panel.reveal(undefined, true);
      }
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      ResultsPanel.viewType,
      'Spark Results',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...this.webviewOptions(), retainContextWhenHidden: true },
    );
    this.adopt(panel);
    return panel;
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.ready = false;
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    panel.webview.onDidReceiveMessage((m: Message) => void this.onMessage(m));
    panel.onDidDispose(() => {
      if (this.panel === panel && !this.closing) {
        this.panel = undefined;
        this.ready = false;
        // Closed by the user: the history stays for the next run's panel.
        this.keep();
      }
    });
    panel.webview.html = shellPage({
      cspSource: panel.webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
      scriptUri: script.toString(),
    });
    this.panel = panel;
  }

  private async onMessage(m: Message): Promise<void> {
    const e = m.id !== undefined ? this.find(m.id) : undefined;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendState();
        return;
      case 'select':
        this.active = m.id;
        this.keep();
        return;
      case 'pin':
        if (e) {
          this.entries = updateEntry(this.entries, e.id, { pinned: !e.pinned });
          this.sendState();
          this.keep();
        }
        return;
      case 'close':
        if (e) {
          if (e.state === 'running') {
            this.hooks.cancel(e.id);
          }
          this.entries = this.entries.filter((x) => x.id !== e.id);
          this.sendState();
          this.keep();
        }
        return;
      case 'cancel':
        if (e) {
          this.hooks.cancel(e.id);
        }
        return;
      case 'reveal':
        if (e) {
          await this.reveal(e);
        }
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text ?? '');
        vscode.window.setStatusBarMessage(`Copied ${m.what ?? ''}`.trim(), 2000);
        return;
      case 'info':
        void vscode.window.showInformationMessage(m.text ?? '');
        return;
      case 'saveCsv':
        await this.saveCsv(m.text ?? '', m.rows ?? 0);
        return;
      case 'fetchMore':
        if (e) {
          await this.fetchMore(e);
        }
        return;
      case 'export':
        if (e && this.hooks.export) {
          await this.hooks.export(e);
        }
        return;
    }
  }

  /** Moves the cursor to where Spark points in the run's document. */
  private async reveal(e: Entry): Promise<void> {
    const at = e.result?.error?.range;
    if (!at) {
      return;
    }
    const uri = vscode.Uri.parse(e.uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const start = new vscode.Position(at.start.line, at.start.character);
    const end = new vscode.Position(at.end.line, at.end.character);
    const shownIn = vscode.window.visibleTextEditors.find((ed) => ed.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: shownIn?.viewColumn, preserveFocus: false });
    // The cursor at the start of what Spark points at, that text selected.
    editor.selection = new vscode.Selection(end, start);
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async saveCsv(text: string, rows: number): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, 'result.csv') : undefined,
      filters: { CSV: ['csv'] },
      saveLabel: 'Save',
    });
    if (uri) {
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
      vscode.window.setStatusBarMessage(`Saved ${rows} rows to ${vscode.workspace.asRelativePath(uri)}`, 4000);
    }
  }

  private paging = new Set<string>();

  private async fetchMore(e: Entry): Promise<void> {
    if (!this.hooks.fetchMore || !e.result || this.paging.has(e.id)) {
      return;
    }
    this.paging.add(e.id);
    try {
      const page = await this.hooks.fetchMore(e);
      const cur = this.find(e.id);
      if (!page || !cur?.result) {
        void this.panel?.webview.postMessage({ type: 'rows', id: e.id, rows: [], more: cur?.more ?? false });
        return;
      }
      appendPage(cur.result, page);
      cur.result.truncated = page.more;
      cur.more = page.more;
      void this.panel?.webview.postMessage({ type: 'rows', id: e.id, rows: page.rows, display: page.display, more: page.more });
      this.keep();
    } finally {
      this.paging.delete(e.id);
    }
  }

  /** Set while the extension shuts down (a reload): the kept history stays. */
  private closing = false;

  dispose(): void {
    this.closing = true;
    this.flush();
    this.panel?.dispose();
  }
}
