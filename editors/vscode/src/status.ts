// The status bar item: the Spark connection when idle (the Spark version,
// or why there is none), a spinner with the run's progress while a query
// runs. Clicking it cancels the run; when idle it shows the log.

import * as vscode from 'vscode';
import type { Status } from './protocol';
import { formatElapsed } from './render';

/** The progress of one run, from $/progress. */
interface Progress {
  message?: string;
  percentage?: number;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private status: Status | undefined;
  private serverProblem: string | undefined;
  private readonly running = new Map<string, number>(); // key → start time
  private readonly progress = new Map<string, Progress>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cancelCommand: string,
    private readonly idleCommand: string,
  ) {
    this.item = vscode.window.createStatusBarItem('sparkls.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Spark';
    this.render();
    this.item.show();
  }

  /** The server reported the connection (sparkls/status). */
  setStatus(s: Status): void {
    this.status = s;
    this.serverProblem = undefined;
    this.render();
  }

  /** The server could not start or stopped; text says why. */
  setServerProblem(text: string | undefined): void {
    this.serverProblem = text;
    this.render();
  }

  /** A run started; key identifies it until runEnded. */
  runStarted(key: string): void {
    this.running.set(key, Date.now());
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.render(), 1000);
    }
    this.render();
  }

  runEnded(key: string): void {
    this.running.delete(key);
    if (this.running.size === 0) {
      this.progress.clear();
      if (this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }
    this.render();
  }

  /** Work-done progress of any token ($/progress). */
  onProgress(token: string, value: { kind: string; message?: string; percentage?: number }): void {
    if (value.kind === 'end') {
      this.progress.delete(token);
    } else {
      const p = this.progress.get(token) ?? {};
      if (value.message !== undefined) {
        p.message = value.message;
      }
      if (value.percentage !== undefined) {
        p.percentage = value.percentage;
      }
      this.progress.set(token, p);
    }
    this.render();
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    if (this.running.size > 0) {
      const first = Math.min(...this.running.values());
      const p = [...this.progress.values()].pop();
      const parts = ['$(loading~spin) Spark: running'];
      if (p?.percentage !== undefined) {
        parts.push(`${Math.round(p.percentage)}%`);
      }
      parts.push(formatElapsed(Date.now() - first));
      item.text = parts.join(' ');
      const md = new vscode.MarkdownString();
      md.appendText(this.running.size === 1 ? 'A query is running' : `${this.running.size} queries are running`);
      if (p?.message) {
        md.appendText(`: ${p.message}`);
      }
      md.appendMarkdown('\n\nClick to cancel.');
      item.tooltip = md;
      item.command = { title: 'Cancel', command: this.cancelCommand };
      return;
    }
    item.command = this.idleCommand;
    if (this.serverProblem !== undefined) {
      item.text = '$(error) Spark: server not running';
      item.tooltip = this.serverProblem;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    const s = this.status;
    if (s === undefined) {
      item.text = '$(sync~spin) Spark: starting';
      item.tooltip = 'Starting the sparkls language server';
      return;
    }
    switch (s.state) {
      case 'connecting':
        item.text = '$(sync~spin) Spark: connecting';
        item.tooltip = `Connecting to ${s.remote}`;
        break;
      case 'connected':
        item.text = `$(database) Spark ${s.sparkVersion ?? ''}`.trimEnd();
        item.tooltip = `Connected to Spark ${s.sparkVersion ?? ''} at ${s.remote}`;
        break;
      case 'error':
        item.text = '$(warning) Spark: not connected';
        item.tooltip = `${s.remote}: ${s.message ?? 'cannot connect'}\n\nCompletion works without Spark; running SQL needs it. Click for the log.`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      default:
        item.text = '$(debug-disconnect) Spark: disconnected';
        item.tooltip = s.message ?? 'Not connected to Spark';
    }
  }

  dispose(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
    }
    this.item.dispose();
  }
}
