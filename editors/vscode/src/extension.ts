// The sparkls extension: starts `sparkls serve` for SQL files and adds what
// LSP has no words for: the results panel, the status bar item, the token in
// SecretStorage and the "Spark: ..." commands. The skeleton is
// microsoft/vscode-extension-samples lsp-sample/client/src/extension.ts.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
} from 'vscode-languageclient/node';
import {
  CommandCancel,
  CommandCancelAll,
  CommandExplain,
  CommandExport,
  CommandParameters,
  CommandReconnect,
  CommandRefreshSchema,
  CommandRun,
  ConfigSection,
  NotifyRunStarted,
  NotifyStatus,
  RequestResultPage,
} from './names';
import { ResultsPanel } from './panel';
import { Runs, type Run } from './runs';
import { isRunResult } from './guards';
import type {
  CancelResult,
  ExplainResult,
  ExportArgs,
  ExportResult,
  ParametersResult,
  ResultPage,
  ResultPageParams,
  RunArgs,
  RunStarted,
  Status,
} from './protocol';
import type { Entry } from './grid';
import { installDir, paramValue, resolveServerPath, serverEnv, serverSettings, tokenKey, type ServerPathEnv } from './settings';
import { StatusBar } from './status';
import { wants } from './detect';

// Python and Scala files too: the server answers only inside their SQL
// (%sql cells, spark.sql strings), and the client starts only for one that
// has some (detect.ts).
const documentSelector = [
  { scheme: 'file', language: 'sql' },
  { scheme: 'untitled', language: 'sql' },
  { scheme: 'file', language: 'sparksql' },
  { scheme: 'untitled', language: 'sparksql' },
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'scala' },
  // Jupyter cells: the server syncs them through notebookDocument/* (it
  // advertises notebookDocumentSync); these route requests to them.
  { notebook: 'jupyter-notebook', language: 'python' },
  { notebook: 'jupyter-notebook', language: 'sql' },
];

const planScheme = 'sparkls-plan';

class Extension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly output: vscode.OutputChannel;
  private readonly status: StatusBar;
  readonly panel: ResultsPanel;
  private readonly runs = new Runs();
  private seq = 0;
  private readonly started = Date.now().toString(36);
  private planSeq = 0;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.panel = new ResultsPanel(context.workspaceState, context.extensionUri, {
      cancel: (id) => {
        const run = this.runs.byId(id);
        if (run) {
          void this.cancel(run);
        }
      },
      fetchMore: (e) => this.fetchMore(e),
      export: async (e) => {
        if (e.result?.queryId) {
          await this.exportResult({ queryId: e.result.queryId });
        }
      },
    });
    this.output = vscode.window.createOutputChannel('Spark SQL (sparkls)');
    this.status = new StatusBar('spark.cancel', 'spark.showLog');
  }

  // -------------------------------------------------------------------------
  // The language client.

  /** The running client, started on first use. undefined if it cannot start. */
  ready(): Promise<LanguageClient | undefined> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<LanguageClient | undefined> {
    const config = vscode.workspace.getConfiguration(ConfigSection);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const trusted = vscode.workspace.isTrusted;
    const pathSetting = trusted ? config.get<string>('path') : config.inspect<string>('path')?.globalValue;
    const where = this.pathEnv(folder);
    const server = resolveServerPath(pathSetting, where);
    if (server.source === 'missing') {
      this.starting = undefined;
      this.missingServer(where);
      return undefined;
    }
    this.output.appendLine(`sparkls: starting ${server.command} serve (from ${server.source})`);
    const serverOptions: ServerOptions = {
      command: server.command,
      args: ['serve'],
      options: { cwd: folder, env: serverEnv(process.env, await this.token()) },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector,
      outputChannel: this.output,
      initializationOptions: serverSettings(JSON.parse(JSON.stringify(config))),
      middleware: {
        workspace: {
          // The server pulls its settings: send only those it reads.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) {
              return result;
            }
            return params.items.map((item, i) => (item.section === ConfigSection ? serverSettings(result[i]) : result[i]));
          },
        },
        // Code lenses run sparkls.run and sparkls.explain through the
        // command the language client registers: answer them here, in the
        // panel, like the palette commands.
        executeCommand: async (command, args, next) => {
          const arg = args[0] as RunArgs | undefined;
          if (command === CommandRun && arg !== undefined) {
            return this.run(arg);
          }
          if (command === CommandExplain && arg !== undefined) {
            return this.explain(arg);
          }
          return next(command, args);
        },
        handleWorkDoneProgress: (token, params, next) => {
          this.status.onProgress(String(token), params);
          if (params.kind !== 'end') {
            // Our runs' tokens are their runIds.
            this.panel.progress(String(token), { message: params.message, percentage: params.percentage });
          }
          next(token, params);
        },
      },
    };
    const client = new LanguageClient('sparkls', 'Spark SQL (sparkls)', serverOptions, clientOptions);
    client.onNotification(NotifyStatus, (s: Status) => this.status.setStatus(s));
    client.onNotification(NotifyRunStarted, (p: RunStarted) => this.onRunStarted(p));
    try {
      await client.start();
    } catch (e) {
      const why = `cannot start ${server.command} serve: ${message(e)}`;
      this.output.appendLine(`sparkls: ${why}`);
      this.status.setServerProblem(why);
      void vscode.window
        .showErrorMessage(`Spark SQL: ${why}. Set sparkls.path to the sparkls binary.`, 'Open Settings')
        .then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'sparkls.path'));
      this.starting = undefined;
      await client.dispose().catch(() => undefined);
      return undefined;
    }
    this.client = client;
    return client;
  }

  private pathEnv(folder?: string): ServerPathEnv {
    return {
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      home: os.homedir(),
      workspaceFolder: folder,
      exists: (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
      env: process.env,
    };
  }

  private offered = false;

  /**
   * No sparkls anywhere: say where it was looked for and how to get it, and
   * offer to install a binary the user picks (a release binary or one built
   * with make build) into the user's cache, where it is found from then on.
   * Nothing is downloaded, and nothing runs without the user's choice.
   */
  private missingServer(where: ServerPathEnv): void {
    const dest = installDir(where);
    const exe = where.platform === 'win32' ? 'sparkls.exe' : 'sparkls';
    const why = `the sparkls language server was not found: not bundled with the extension, not on PATH${dest ? `, not in ${dest}` : ''}, not in Go's bin directory`;
    this.output.appendLine(`sparkls: ${why}.`);
    this.output.appendLine(
      'sparkls: get it from a per-platform .vsix (it has the binary inside), from the release binaries ' +
        '(scripts/release), or build it in a checkout with `make build` (bin/sparkls); then use ' +
        `"Install a Binary…" (copies it to ${dest ?? 'the cache'}) or set sparkls.path.`,
    );
    this.status.setServerProblem(why);
    if (this.offered) {
      return;
    }
    this.offered = true;
    const actions = [...(dest ? ['Install a Binary…'] : []), 'Set sparkls.path', 'Show Log'];
    void vscode.window.showErrorMessage(`Spark SQL: ${why}.`, ...actions).then(async (pick) => {
      this.offered = false;
      if (pick === 'Install a Binary…' && dest) {
        const uris = await vscode.window.showOpenDialog({ title: `The sparkls binary to copy to ${dest}`, canSelectMany: false, openLabel: 'Install' });
        const from = uris?.[0]?.fsPath;
        if (!from) {
          return;
        }
        try {
          await fs.promises.mkdir(dest, { recursive: true });
          await fs.promises.copyFile(from, `${dest}/${exe}`);
          await fs.promises.chmod(`${dest}/${exe}`, 0o755);
        } catch (e) {
          void vscode.window.showErrorMessage(`Spark SQL: cannot install ${from}: ${message(e)}`);
          return;
        }
        this.output.appendLine(`sparkls: installed ${from} as ${dest}/${exe}`);
        void this.restart();
      } else if (pick === 'Set sparkls.path') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkls.path');
      } else if (pick === 'Show Log') {
        this.output.show(true);
      }
    });
  }

  async restart(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (old) {
      await old.stop().catch(() => undefined);
    }
    await this.ready();
  }

  /** The token of the configured remote, from SecretStorage. */
  private async token(): Promise<string | undefined> {
    const key = tokenKey(vscode.workspace.getConfiguration(ConfigSection).get<string>('remote') ?? '');
    return key ? this.context.secrets.get(key) : undefined;
  }

  /** Tells the server its settings changed; it pulls them through the middleware. */
  settingsChanged(): void {
    void this.client?.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  // -------------------------------------------------------------------------
  // Runs.

  /** Runs args (sparkls.run) and shows the answer in the panel. */
  async run(args: RunArgs): Promise<unknown> {
    const client = await this.ready();
    if (!client) {
      return undefined;
    }
    if (args.params === undefined) {
      const params = await this.askParams(args);
      if (params === null) {
        return undefined; // the user dismissed an input box
      }
      args = { ...args, params };
    }
    // The token doubles as the runId and the results tab's id: unique among
    // this extension's runs, and apart from the tabs kept from before a reload.
    const token = `sparkls-vscode-${process.pid}-${this.started}-${++this.seq}`;
    const run: Run = { runId: token, token, uri: args.uri };
    this.runs.add(run);
    this.status.runStarted(token);
    this.panel.runStarted(run.runId, args.uri, this.textOf(args));
    // Progress on our token reaches the status bar through the
    // handleWorkDoneProgress middleware.
    const progress = client.onProgress(WorkDoneProgress.type, token, () => undefined);
    try {
      const res: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
        command: CommandRun,
        arguments: [{ ...args, runId: run.runId }],
        workDoneToken: token,
      });
      if (isRunResult(res)) {
        this.panel.showResult(run.runId, res);
      } else {
        this.panel.showFailure(run.runId, `unexpected answer from the server: ${JSON.stringify(res)}`);
      }
      return res;
    } catch (e) {
      this.panel.showFailure(run.runId, message(e));
      return undefined;
    } finally {
      progress.dispose();
      this.runs.remove(run);
      this.status.runEnded(token);
    }
  }

  /**
   * Asks for the value of each parameter marker of what args runs
   * (sparkls.parameters), offering the value last given in this file.
   * The answer is sent as typed: 42 and true as a number and a boolean,
   * anything else (or '…' quoted) as a string. null: dismissed.
   */
  private async askParams(args: RunArgs): Promise<Record<string, unknown> | undefined | null> {
    const markers = await this.command<ParametersResult>(CommandParameters, args);
    const keys = [...(markers?.named ?? []), ...Array.from({ length: markers?.positional ?? 0 }, (_, i) => String(i + 1))];
    if (keys.length === 0) {
      return undefined;
    }
    const memo = `sparkls.params:${args.uri}`;
    const last = this.context.workspaceState.get<Record<string, string>>(memo) ?? {};
    const params: Record<string, unknown> = {};
    for (const key of keys) {
      const typed = await vscode.window.showInputBox({
        title: /^\d+$/.test(key) ? `Spark: value of ? number ${key}` : `Spark: value of :${key}`,
        prompt: "42 and true bind a number and a boolean; anything else (or '…' in quotes) a string",
        value: last[key],
        ignoreFocusOut: true,
      });
      if (typed === undefined) {
        return null;
      }
      last[key] = typed;
      params[key] = paramValue(typed);
    }
    await this.context.workspaceState.update(memo, last);
    return params;
  }

  private onRunStarted(p: RunStarted): void {
    const run = this.runs.started(p);
    if (run) {
      this.panel.runStatement(run.runId, this.textOf(p));
    }
  }

  /** Cancels one run: by its query id, or by its progress token before the id is known. */
  async cancel(run?: Run): Promise<void> {
    const client = this.client;
    run ??= this.runs.last();
    if (!client || !run) {
      void vscode.window.showInformationMessage('Spark: no query is running.');
      return;
    }
    if (run.queryId === undefined) {
      await client.sendNotification(WorkDoneProgressCancelNotification.type, { token: run.token });
      return;
    }
    await this.command<CancelResult>(CommandCancel, { queryId: run.queryId });
  }

  /**
   * The next page of a run's result for the grid's Fetch more rows: as many
   * rows as a preview, through resultPage (which asks before a re-run).
   */
  async fetchMore(e: Entry): Promise<Pick<ResultPage, 'rows' | 'display' | 'more'> | undefined> {
    const r = e.result;
    if (!r) {
      return undefined;
    }
    const limit = vscode.workspace.getConfiguration(ConfigSection).get<number>('preview.rows') ?? 100;
    const page = await this.resultPage({ queryId: r.queryId, offset: r.rows.length, limit });
    if (!page || page.rerunNeeded) {
      return undefined; // failed (said so) or the user chose not to run again
    }
    if (page.error) {
      void vscode.window.showErrorMessage(`Spark: ${page.error.errorClass ? `${page.error.errorClass}: ` : ''}${page.error.message}`);
      return undefined;
    }
    return { rows: page.rows, display: page.display, more: page.more };
  }

  /** Shows the plan of the statement at args in a read-only editor beside. */
  async explain(args: RunArgs): Promise<unknown> {
    const res = await this.command<ExplainResult>(CommandExplain, args);
    if (res && typeof res.plan === 'string') {
      const uri = vscode.Uri.from({ scheme: planScheme, path: `/Spark plan ${++this.planSeq}` });
      this.plans.set(uri.toString(), res.plan);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
    return res;
  }

  /**
   * Exports a query's whole result to a local file (sparkls.export): of run
   * queryId, or of the statement at args. Asks for the format and the file,
   * then shows progress with a Cancel button.
   */
  async exportResult(what: { queryId: string } | RunArgs): Promise<ExportResult | undefined> {
    const client = await this.ready();
    if (!client) {
      return undefined;
    }
    const formats = [
      { label: 'CSV', format: 'csv', detail: "values as Spark's CAST(x AS STRING), NULL as an empty field" },
      { label: 'Parquet', format: 'parquet', detail: "Spark's types as they are" },
      { label: 'JSON Lines', format: 'json', detail: "one object per row, rendered by Spark's to_json" },
    ];
    const pick = await vscode.window.showQuickPick(formats, { title: 'Spark: export the whole result as' });
    if (!pick) {
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, `result.${pick.format === 'json' ? 'jsonl' : pick.format}`),
      title: 'Spark: export the whole result to',
    });
    if (!target || target.scheme !== 'file') {
      return undefined;
    }
    const token = `sparkls-vscode-export-${process.pid}-${++this.seq}`;
    const arg: ExportArgs = { ...(what as Partial<ExportArgs>), range: (what as RunArgs).range ?? zeroRange, format: pick.format, path: target.fsPath };
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Spark: exporting to ${target.fsPath}`, cancellable: true },
      async (progress, cancel) => {
        const sub = client.onProgress(WorkDoneProgress.type, token, (p) => {
          if (p.kind === 'report' && p.message) {
            progress.report({ message: p.message });
          }
        });
        try {
          const res = (await client.sendRequest(
            ExecuteCommandRequest.type,
            { command: CommandExport, arguments: [arg], workDoneToken: token },
            cancel,
          )) as ExportResult;
          if (res.error) {
            void vscode.window.showErrorMessage(`Spark: export failed: ${res.error.message}`);
          } else {
            void vscode.window.showInformationMessage(`Spark: exported ${res.rows} rows to ${res.path}`);
          }
          return res;
        } catch (e) {
          if (!cancel.isCancellationRequested) {
            void vscode.window.showErrorMessage(`Spark: export failed: ${message(e)}`);
          }
          return undefined;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /**
   * More rows of run queryId (sparkls/resultPage). When sparkls no longer
   * holds them, asks the user before running the query again.
   */
  async resultPage(p: ResultPageParams): Promise<ResultPage | undefined> {
    const client = await this.ready();
    if (!client) {
      return undefined;
    }
    try {
      let page = (await client.sendRequest(RequestResultPage, p)) as ResultPage;
      if (page.rerunNeeded && !p.rerun) {
        const again = await vscode.window.showWarningMessage(
          `Spark: ${page.reason ?? 'the rows need the query to run again'}. Run the query again from row ${p.offset + 1}?`,
          { modal: true },
          'Run Again',
        );
        if (again !== 'Run Again') {
          return page;
        }
        page = (await client.sendRequest(RequestResultPage, { ...p, rerun: true })) as ResultPage;
      }
      return page;
    } catch (e) {
      void vscode.window.showErrorMessage(`Spark: ${message(e)}`);
      return undefined;
    }
  }

  /** Read-only documents of explained plans (scheme sparkls-plan). */
  readonly plans = new Map<string, string>();
  readonly planProvider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => this.plans.get(uri.toString()) ?? '',
  };

  /** Sends a server command; errors are shown and give undefined. */
  async command<T>(command: string, arg?: unknown): Promise<T | undefined> {
    const client = await this.ready();
    if (!client) {
      return undefined;
    }
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, {
        command,
        arguments: arg === undefined ? [] : [arg],
      })) as T;
    } catch (e) {
      void vscode.window.showErrorMessage(`Spark: ${message(e)}`);
      return undefined;
    }
  }

  /** The run arguments for the active SQL editor: the cursor (empty range) or the selection. */
  argsFromEditor(selection: boolean): RunArgs | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !['sql', 'sparksql'].includes(editor.document.languageId)) {
      void vscode.window.showInformationMessage('Spark: open a SQL file first.');
      return undefined;
    }
    const sel = editor.selection;
    const range = selection ? sel : new vscode.Range(sel.active, sel.active);
    const c2p = this.client?.code2ProtocolConverter;
    return {
      uri: c2p ? c2p.asUri(editor.document.uri) : editor.document.uri.toString(),
      range: {
        start: { line: range.start.line, character: range.start.character },
        end: { line: range.end.line, character: range.end.character },
      },
    };
  }

  private textOf(a: { uri: string; range: RunArgs['range'] }): string {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.parse(a.uri).toString());
    if (!doc) {
      return '';
    }
    const r = new vscode.Range(a.range.start.line, a.range.start.character, a.range.end.line, a.range.end.character);
    return r.isEmpty ? '' : doc.getText(r);
  }

  // -------------------------------------------------------------------------
  // Tokens.

  async setToken(): Promise<void> {
    const remote = vscode.workspace.getConfiguration(ConfigSection).get<string>('remote') ?? '';
    const key = tokenKey(remote);
    if (!key) {
      void vscode.window.showErrorMessage(
        'Spark: set sparkls.remote to an sc:// remote first; the token is kept for its host and port.',
      );
      return;
    }
    const host = key.slice(key.indexOf('/') + 1);
    const token = await vscode.window.showInputBox({
      title: `Spark Connect token for ${host}`,
      prompt: 'Kept in VS Code secret storage, never in settings.json. Empty removes it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) {
      return;
    }
    if (token === '') {
      await this.context.secrets.delete(key);
    } else {
      await this.context.secrets.store(key, token);
    }
    vscode.window.setStatusBarMessage(`Spark: token ${token ? 'saved' : 'removed'} for ${host}`, 4000);
  }

  async clearToken(): Promise<void> {
    const key = tokenKey(vscode.workspace.getConfiguration(ConfigSection).get<string>('remote') ?? '');
    if (key) {
      await this.context.secrets.delete(key);
      vscode.window.setStatusBarMessage('Spark: token removed', 4000);
    }
  }

  showLog(): void {
    this.output.show(true);
  }

  dispose(): void {
    this.panel.dispose();
    this.status.dispose();
    this.output.dispose();
  }

  async stop(): Promise<void> {
    await this.client?.stop().catch(() => undefined);
  }
}

const zeroRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function message(e: unknown): string {
  if (e instanceof ResponseError || e instanceof Error) {
    return e.message;
  }
  return String(e);
}

let ext: Extension | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const x = new Extension(context);
  ext = x;
  const reg = (id: string, fn: () => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('spark.runCell', () => {
    const a = x.argsFromEditor(false);
    return a && x.run(a);
  });
  reg('spark.runSelection', () => {
    const a = x.argsFromEditor(true);
    return a && x.run(a);
  });
  reg('spark.explain', () => {
    const a = x.argsFromEditor(true);
    return a && x.explain(a);
  });
  reg('spark.cancel', () => x.cancel());
  reg('spark.cancelAll', () => x.command<CancelResult>(CommandCancelAll));
  reg('spark.refreshSchema', async () => {
    if ((await x.ready()) && (await x.command(CommandRefreshSchema)) !== undefined) {
      vscode.window.setStatusBarMessage('Spark: schema refresh requested', 3000);
    }
  });
  reg('spark.reconnect', () => x.command(CommandReconnect));
  // From the palette: the statement at the cursor (or selected); from the
  // results: a run's queryId.
  context.subscriptions.push(
    vscode.commands.registerCommand('spark.export', (arg?: { queryId: string }) => {
      if (arg && typeof arg.queryId === 'string') {
        return x.exportResult(arg);
      }
      const a = x.argsFromEditor(true);
      return a && x.exportResult(a);
    }),
  );
  reg('spark.setToken', () => x.setToken());
  reg('spark.clearToken', () => x.clearToken());
  reg('spark.showLog', () => x.showLog());

  context.subscriptions.push(
    x,
    x.panel.register(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The token travels in the server's environment: a new remote (whose
      // token may differ) or a new token restarts the server.
      if (e.affectsConfiguration(`${ConfigSection}.path`) || e.affectsConfiguration(`${ConfigSection}.remote`)) {
        void x.restart();
      } else if (e.affectsConfiguration(ConfigSection)) {
        x.settingsChanged();
      }
    }),
    context.secrets.onDidChange((e) => {
      if (e.key.startsWith('sparkls.token/')) {
        void x.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void x.restart()),
    vscode.workspace.registerTextDocumentContentProvider(planScheme, x.planProvider),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === planScheme) {
        x.plans.delete(d.uri.toString());
      }
    }),
  );
  // Activated by a Python or Scala file: start only once a document has SQL
  // for sparkls (a plain Python file starts nothing).
  const startFor = (d: vscode.TextDocument) => {
    if (d.uri.scheme !== planScheme && wants(d.languageId, d.getText())) {
      void x.ready();
      return true;
    }
    return false;
  };
  if (!vscode.workspace.textDocuments.some(startFor)) {
    const sub = vscode.workspace.onDidOpenTextDocument((d) => {
      if (startFor(d)) {
        sub.dispose();
      }
    });
    context.subscriptions.push(sub);
  }
}

export async function deactivate(): Promise<void> {
  await ext?.stop();
  ext = undefined;
}
