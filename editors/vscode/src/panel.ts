// The results panel: one webview beside the editor showing the last run.
// The HTML comes from render.ts; this file holds the vscode side: the
// panel's life, copy and CSV export. What it shows is kept in the
// workspace state, so that a window reload restores it (through the
// webview serializer) instead of leaving an empty split.

import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { RunResult } from './protocol';
import { cellText, renderFailure, renderResult, renderRunning, rowText, toCsv } from './render';

interface Message {
  type: 'copyCell' | 'copyRow' | 'exportCsv' | 'cancel';
  row: number;
  col: number;
}

/** What the panel shows, as kept across a window reload. */
type View =
  | { kind: 'result'; result: RunResult }
  | { kind: 'failure'; message: string; statement: string }
  | { kind: 'running'; statement: string };

/** The key of the shown View in the workspace state. */
const viewKey = 'sparkls.results.view';
/** A result bigger than this (as JSON) is not kept: the workspace state is no place for megabytes. */
const maxKeptBytes = 1 << 20;

export class ResultsPanel implements vscode.Disposable {
  static readonly viewType = 'sparkls.results';
  private panel: vscode.WebviewPanel | undefined;
  private result: RunResult | undefined;
  private onCancel: (() => void) | undefined;

  constructor(private readonly state: vscode.Memento) {}

  /** Restores the panel VS Code brings back after a reload, or closes it when there is nothing to show. */
  register(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ResultsPanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        const view = this.state.get<View>(viewKey);
        if (this.panel || !view) {
          panel.dispose(); // a run already opened another, or nothing was kept
          return;
        }
        panel.webview.options = { enableScripts: true, localResourceRoots: [] };
        this.adopt(panel);
        this.render(view);
      },
    });
  }

  /** Shows that a run started; cancel is what the Cancel button does. */
  showRunning(statement: string, cancel: () => void, message = ''): void {
    this.result = undefined;
    this.onCancel = cancel;
    const p = this.ensure();
    p.title = 'Spark Results';
    p.webview.html = renderRunning(statement, this.opts(p), message);
    this.keep({ kind: 'running', statement });
  }

  showResult(r: RunResult): void {
    this.render({ kind: 'result', result: r });
  }

  /** A run that failed without a result (no connection, a closed document). */
  showFailure(message: string, statement = ''): void {
    this.render({ kind: 'failure', message, statement });
  }

  private render(view: View): void {
    this.onCancel = undefined;
    this.result = view.kind === 'result' ? view.result : undefined;
    const p = this.ensure();
    switch (view.kind) {
      case 'result': {
        const r = view.result;
        p.title = r.error ? `Spark: ${r.error.errorClass || 'error'}` : 'Spark Results';
        p.webview.html = renderResult(r, this.opts(p));
        break;
      }
      case 'failure':
        p.title = 'Spark: error';
        p.webview.html = renderFailure(view.message, view.statement, this.opts(p));
        break;
      case 'running':
        // Only after a reload: the run did not survive it.
        p.title = 'Spark Results';
        p.webview.html = renderFailure('The window was reloaded while this statement ran; run it again.', view.statement, this.opts(p));
        break;
    }
    this.keep(view);
  }

  private keep(view: View): void {
    const json = JSON.stringify(view);
    void this.state.update(viewKey, json.length <= maxKeptBytes ? view : undefined);
  }

  private ensure(): vscode.WebviewPanel {
    if (this.panel) {
      if (!this.panel.visible) {
        this.panel.reveal(undefined, true);
      }
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      ResultsPanel.viewType,
      'Spark Results',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
    );
    this.adopt(panel);
    return panel;
  }

  private adopt(panel: vscode.WebviewPanel): void {
    panel.webview.onDidReceiveMessage((m: Message) => void this.onMessage(m));
    panel.onDidDispose(() => {
      if (this.panel === panel && !this.closing) {
        this.panel = undefined;
        this.result = undefined;
        // Closed by the user: a reload brings nothing back.
        void this.state.update(viewKey, undefined);
      }
    });
    this.panel = panel;
  }

  private opts(p: vscode.WebviewPanel): { cspSource: string; nonce: string } {
    return { cspSource: p.webview.cspSource, nonce: crypto.randomBytes(16).toString('base64') };
  }

  private async onMessage(m: Message): Promise<void> {
    if (m.type === 'cancel') {
      this.onCancel?.();
      return;
    }
    const r = this.result;
    if (!r) {
      return;
    }
    switch (m.type) {
      case 'copyCell':
        if (m.row < 0 || m.col < 0) {
          void vscode.window.showInformationMessage('Click a cell first.');
          return;
        }
        await vscode.env.clipboard.writeText(cellText(r, m.row, m.col));
        vscode.window.setStatusBarMessage('Copied the cell', 2000);
        return;
      case 'copyRow':
        if (m.row < 0) {
          void vscode.window.showInformationMessage('Click a cell or a row number first.');
          return;
        }
        await vscode.env.clipboard.writeText(rowText(r, m.row));
        vscode.window.setStatusBarMessage('Copied the row', 2000);
        return;
      case 'exportCsv': {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const uri = await vscode.window.showSaveDialog({
          defaultUri: folder ? vscode.Uri.joinPath(folder, 'result.csv') : undefined,
          filters: { CSV: ['csv'] },
          saveLabel: 'Export',
        });
        if (uri) {
          await vscode.workspace.fs.writeFile(uri, Buffer.from(toCsv(r), 'utf8'));
          vscode.window.setStatusBarMessage(`Exported ${r.rowCount} rows to ${vscode.workspace.asRelativePath(uri)}`, 4000);
        }
        return;
      }
    }
  }

  /** Set while the extension shuts down (a reload): the kept view stays. */
  private closing = false;

  dispose(): void {
    this.closing = true;
    this.panel?.dispose();
  }
}
