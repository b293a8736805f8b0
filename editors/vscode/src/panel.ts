// The results panel: one webview beside the editor showing the last run.
// The HTML comes from render.ts; this file holds the vscode side: the
// panel's life, copy and CSV export.

import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { RunResult } from './protocol';
import { cellText, renderFailure, renderResult, renderRunning, rowText, toCsv } from './render';

interface Message {
  type: 'copyCell' | 'copyRow' | 'exportCsv' | 'cancel';
  row: number;
  col: number;
}

export class ResultsPanel implements vscode.Disposable {
  static readonly viewType = 'sparkls.results';
  private panel: vscode.WebviewPanel | undefined;
  private result: RunResult | undefined;
  private onCancel: (() => void) | undefined;

  /** Shows that a run started; cancel is what the Cancel button does. */
  showRunning(statement: string, cancel: () => void, message = ''): void {
    this.result = undefined;
    this.onCancel = cancel;
    const p = this.ensure();
    p.title = 'Spark Results';
    p.webview.html = renderRunning(statement, this.opts(p), message);
  }

  showResult(r: RunResult): void {
    this.result = r;
    this.onCancel = undefined;
    const p = this.ensure();
    p.title = r.error ? `Spark: ${r.error.errorClass || 'error'}` : 'Spark Results';
    p.webview.html = renderResult(r, this.opts(p));
  }

  /** A run that failed without a result (no connection, a closed document). */
  showFailure(message: string, statement = ''): void {
    this.result = undefined;
    this.onCancel = undefined;
    const p = this.ensure();
    p.title = 'Spark: error';
    p.webview.html = renderFailure(message, statement, this.opts(p));
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
    panel.webview.onDidReceiveMessage((m: Message) => void this.onMessage(m));
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
    this.panel = panel;
    return panel;
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

  dispose(): void {
    this.panel?.dispose();
  }
}
