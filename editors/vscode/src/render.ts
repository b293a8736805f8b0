// Pure rendering for the results webview: the page shell, and HTML strings
// for the tabs, a run's result grid, its progress and its error. No vscode
// import and no DOM, so `node --test` covers it (test/render.test.ts); the
// webview script (webview.ts) puts these strings into the page.
//
// Every value that comes from Spark or the SQL text is escaped: a cell may
// hold "<script>", and the webview runs scripts (ours, by nonce).

import { cut, displayAt, entryTitle, isNumeric, type Entry, type Sort } from './grid';
import type { RunError, RunResult } from './protocol';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** "0.4 s", "12 ms", "2 min 5 s": the run's time for people. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  }
  const min = Math.floor(ms / 60_000);
  const sec = Math.round((ms % 60_000) / 1000);
  return `${min} min ${sec} s`;
}

/** "1 row", "100 rows", "first 100 rows" when truncated. */
export function formatRowCount(r: Pick<RunResult, 'rowCount' | 'truncated'>): string {
  const n = r.rowCount;
  const rows = `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
  return r.truncated ? `first ${rows}` : rows;
}

/** What the page shell needs: the webview's CSP source, a script nonce and our script's URI. */
export interface PageOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
}

/** The page: the tab strip and the shown run are filled in by the script (webview.ts). */
export function shellPage(o: PageOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Spark Results</title>
<style nonce="${escapeHtml(o.nonce)}">${STYLE}</style></head>
<body>
<div id="tabs" role="tablist"></div>
<div id="main"><div class="empty">Run a statement (Ctrl+Enter) to see its result here.</div></div>
<div id="viewer" hidden></div>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body></html>`;
}

/** The tab strip: one tab per run, pinned ones marked. */
export function renderTabs(entries: Entry[], active: string | undefined): string {
  return entries
    .map((e) => {
      const icon = e.state === 'running' ? '⟳' : e.state === 'failed' || e.result?.error ? '✗' : e.state === 'stale' ? '○' : '✓';
      const cls = ['tab', e.id === active ? 'active' : '', e.pinned ? 'pinned' : '', `s-${e.state}`].filter(Boolean).join(' ');
      return `<div class="${cls}" role="tab" data-tab="${escapeHtml(e.id)}" aria-selected="${e.id === active}" title="${escapeHtml(e.statement)}">
<span class="icon">${icon}</span><span class="title">${escapeHtml(entryTitle(e))}</span>
<button class="pin" data-action="pin" data-id="${escapeHtml(e.id)}" title="${e.pinned ? 'Unpin: may leave the history' : 'Pin: kept beyond the last 20 runs'}">${e.pinned ? '★' : '☆'}</button>
<button class="close" data-action="close" data-id="${escapeHtml(e.id)}" title="Close">×</button></div>`;
    })
    .join('');
}

/** What the grid shows of a result: which rows in which order, and how. */
export interface GridView {
  rows: number[]; // indexes into result.rows
  sort: Sort | undefined;
  filter: string;
  more: boolean; // the server can page more rows (sparkls/resultPage)
  exportable: boolean; // the server can export the whole result
}

/** The shown run: its progress, its error or its grid, with the statement above. */
export function renderEntry(e: Entry, v: GridView, now: number): string {
  const stmt = statementBlock(e.statement || e.result?.statement || '');
  if (e.state === 'running') {
    return `${renderProgress(e, now)}${stmt}`;
  }
  if (e.state === 'stale' && !e.result) {
    return `${failureBlock(e.message || 'The window was reloaded while this statement ran; run it again.')}${stmt}`;
  }
  if (e.state === 'failed' || !e.result) {
    return `${failureBlock(e.message || 'The run failed.')}${stmt}`;
  }
  const r = e.result;
  if (r.error) {
    return `${errorBlock(r.error, r.elapsedMs, e.id)}${stmt}`;
  }
  return `${toolbar(r, v)}${stmt}${r.columns.length === 0 ? '<div class="empty">The statement returned no columns.</div>' : renderGrid(r, v)}`;
}

/** The running view: elapsed time (ticking, from startedAt), Spark's progress and Cancel. */
export function renderProgress(e: Entry, now: number): string {
  const pct = e.progress?.percentage;
  const bar =
    pct === undefined
      ? ''
      : `<progress class="bar" max="100" value="${Math.round(pct)}" aria-label="Progress">${Math.round(pct)}%</progress>`;
  return `<div class="status running" id="progress"><span class="spinner" aria-hidden="true"></span>
<span>Running…</span> <span class="elapsed" id="elapsed" data-started="${e.startedAt}">${escapeHtml(formatElapsed(now - e.startedAt))}</span>
${e.progress?.message ? `<span class="detail" id="progress-message">${escapeHtml(e.progress.message)}</span>` : ''}
<button data-action="cancel" data-id="${escapeHtml(e.id)}">Cancel</button></div>${bar}`;
}

/** The toolbar's line: rows shown of rows fetched, and the run's time. */
export function metaText(r: RunResult, shownRows: number): string {
  const shown = shownRows !== r.rows.length ? `${shownRows.toLocaleString('en-US')} of ` : '';
  return [shown + formatRowCount(r), formatElapsed(r.elapsedMs)].filter(Boolean).join(' · ');
}

/** The note of a preview that does not hold the whole result. */
export function truncatedText(r: RunResult, more: boolean): string {
  const n = r.rowCount.toLocaleString('en-US');
  return more
    ? `The first ${n} rows were fetched; Fetch more rows reads the next ones.`
    : `Preview: only the first ${n} rows were fetched (sparkls.preview.rows / sparkls.preview.bytes).`;
}

function toolbar(r: RunResult, v: GridView): string {
  const meta = metaText(r, v.rows.length);
  const truncated = r.truncated ? `<div class="truncated" id="truncated" role="note">${escapeHtml(truncatedText(r, v.more))}</div>` : '';
  return `<div class="toolbar">
<span class="meta" id="meta">${escapeHtml(meta)}</span>
<span class="actions">
<input id="filter" type="search" placeholder="Filter rows" value="${escapeHtml(v.filter)}" aria-label="Filter the rows shown">
<button data-action="copyCell" title="Copy the selected cell: Spark's text (Ctrl+C)">Copy cell</button>
<button data-action="copyRow" title="Copy the selected row, tab-separated">Copy row</button>
<select id="copy-as" aria-label="Copy the rows shown as" title="Copy the rows shown (sorted and filtered) as…">
<option value="">Copy as…</option><option value="tsv">TSV</option><option value="csv">CSV</option><option value="json">JSON</option><option value="markdown">Markdown</option>
</select>
<button data-action="saveCsv" title="Save the rows shown as CSV">Save CSV</button>
${v.more ? '<button data-action="fetchMore" id="fetch-more" title="Fetch the next rows of the result without running it again">Fetch more rows</button>' : ''}
${v.exportable ? '<button data-action="export" id="export" title="Export the whole result through Spark to a local file">Export…</button>' : ''}
</span></div>
${truncated}`;
}

/** The grid: sticky header with names and types, sticky row numbers, numbers right-aligned, long values cut. */
export function renderGrid(r: RunResult, v: GridView): string {
  const num = r.columns.map((c) => isNumeric(c.type));
  const head = r.columns
    .map((c, i) => {
      const arrow = v.sort?.col === i ? (v.sort.asc ? ' ▲' : ' ▼') : '';
      const aria = v.sort?.col === i ? (v.sort.asc ? 'ascending' : 'descending') : 'none';
      return `<th scope="col" data-c="${i}" class="${num[i] ? 'num' : ''}" aria-sort="${aria}" title="Sort by ${escapeHtml(c.name)}"><span class="name">${escapeHtml(c.name)}</span><span class="type">${escapeHtml(c.type)}${arrow}</span></th>`;
    })
    .join('');
  return `<div class="grid-wrap"><table id="grid" class="grid">
<thead><tr><th class="rownum corner"></th>${head}</tr></thead>
<tbody>
${renderRows(r, v.rows)}
</tbody></table></div>${v.rows.length === 0 && r.rows.length > 0 ? '<div class="empty">No row matches the filter.</div>' : ''}`;
}

/** The grid's body rows for r's rows at indexes rows, in that order. */
export function renderRows(r: RunResult, rows: number[]): string {
  const num = r.columns.map((c) => isNumeric(c.type));
  return rows
    .map((ri) => {
      const row = r.rows[ri];
      const cells = row
        .map((val, ci) => {
          if (val === null) {
            return `<td class="null" data-r="${ri}" data-c="${ci}" tabindex="-1">NULL</td>`;
          }
          const shown = displayAt(r, ri, ci) ?? val;
          const c = cut(shown);
          const cls = [num[ci] ? 'num' : '', c.cut ? 'cut' : '', shown !== val ? 'named' : ''].filter(Boolean).join(' ');
          const title = c.cut ? ' title="Click to see the whole value"' : '';
          return `<td${cls ? ` class="${cls}"` : ''} data-r="${ri}" data-c="${ci}" tabindex="-1"${title}>${escapeHtml(c.text)}</td>`;
        })
        .join('');
      return `<tr><th scope="row" class="rownum" data-r="${ri}">${ri + 1}</th>${cells}</tr>`;
    })
    .join('\n');
}

/** A run's error: class, SQLSTATE, the position as a link to the text, the message, the plan folded. */
export function errorBlock(e: RunError, elapsedMs?: number, id = ''): string {
  const cls = e.errorClass ? `<span class="error-class">${escapeHtml(e.errorClass)}</span>` : '';
  const state = e.sqlState ? `<span class="sql-state">SQLSTATE ${escapeHtml(e.sqlState)}</span>` : '';
  const pos = e.range ? `line ${e.range.start.line + 1}, column ${e.range.start.character + 1}` : '';
  const at = e.range
    ? `<a href="#" class="at" data-action="reveal" data-id="${escapeHtml(id)}" title="Move the cursor there">${pos}</a>`
    : '';
  const time = elapsedMs !== undefined && elapsedMs > 0 ? `<span class="meta">${escapeHtml(formatElapsed(elapsedMs))}</span>` : '';
  return `<div class="error" role="alert"><div class="error-head">${cls}${state}${at}${time}</div>
<pre class="error-message">${escapeHtml(e.message)}</pre>${planBlock(e.plan)}</div>`;
}

function failureBlock(message: string): string {
  return errorBlock({ message, errorClass: '', sqlState: '', range: null });
}

/** Spark's logical plan of an analysis error, folded: it is long and rarely needed. */
function planBlock(plan: string | undefined): string {
  if (!plan) {
    return '';
  }
  return `<details class="plan"><summary>Show plan</summary><pre>${escapeHtml(plan)}</pre></details>`;
}

/** The statement that ran, above the grid: open, a few lines high, scrolling past that. */
function statementBlock(statement: string): string {
  if (!statement.trim()) {
    return '';
  }
  return `<details class="statement" open><summary>Statement</summary><pre id="statement">${escapeHtml(statement)}</pre></details>`;
}

/** The value viewer: a value whole, JSON pretty-printed where it reads back. */
export function renderViewer(column: string, type: string, text: string, json: boolean): string {
  return `<div class="viewer-box" role="dialog" aria-label="Value of ${escapeHtml(column)}">
<div class="viewer-head"><span class="name">${escapeHtml(column)}</span> <span class="type">${escapeHtml(type)}</span>${json ? ' <span class="meta">JSON</span>' : ''}
<span class="actions"><button data-action="viewerCopy" title="Copy Spark's text of the value">Copy</button><button data-action="viewerClose" title="Close (Esc)">Close</button></span></div>
<pre id="viewer-text">${escapeHtml(text)}</pre></div>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 8px; margin: 0; }
#tabs { display: flex; gap: 2px; overflow-x: auto; border-bottom: 1px solid var(--vscode-panel-border, #8884); position: sticky; top: 0; background: var(--vscode-editor-background); z-index: 4; }
.tab { display: flex; align-items: center; gap: 4px; padding: 3px 6px; cursor: pointer; white-space: nowrap; border-bottom: 2px solid transparent; color: var(--vscode-descriptionForeground); }
.tab.active { color: var(--vscode-foreground); border-bottom-color: var(--vscode-focusBorder); }
.tab .title { font-family: var(--vscode-editor-font-family); max-width: 28ch; overflow: hidden; text-overflow: ellipsis; }
.tab button { background: none; color: inherit; padding: 0 2px; opacity: 0.6; }
.tab.pinned .pin, .tab:hover button { opacity: 1; }
.tab.pinned .pin { color: var(--vscode-editorWarning-foreground); }
.toolbar { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 6px 0; flex-wrap: wrap; }
.actions { display: flex; gap: 4px; align-items: center; flex-wrap: wrap; }
.meta { color: var(--vscode-descriptionForeground); }
button, select { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 3px 8px; cursor: pointer; font: inherit; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
input[type=search] { color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 2px 4px; font: inherit; }
.truncated { margin: 0 0 6px; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground); }
.grid-wrap { overflow: auto; max-height: calc(100vh - 120px); }
table.grid { border-collapse: separate; border-spacing: 0; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
.grid th, .grid td { border-right: 1px solid var(--vscode-panel-border, #8884); border-bottom: 1px solid var(--vscode-panel-border, #8884); padding: 2px 6px; text-align: left; white-space: pre; vertical-align: top; background: var(--vscode-editor-background); }
.grid thead th { position: sticky; top: 0; z-index: 2; cursor: pointer; }
.grid .rownum { position: sticky; left: 0; z-index: 1; color: var(--vscode-editorLineNumber-foreground); font-weight: normal; text-align: right; cursor: pointer; }
.grid thead th.rownum { z-index: 3; }
.grid th .name { font-weight: 600; display: block; }
.grid th .type { font-weight: normal; font-size: 0.85em; color: var(--vscode-descriptionForeground); display: block; }
.grid .num { text-align: right; }
.grid td.null { color: var(--vscode-disabledForeground, #888); font-style: italic; }
.grid td.cut { cursor: zoom-in; }
.grid td.named { color: var(--vscode-symbolIcon-structForeground, inherit); }
.grid td.selected, .grid tr.selected td { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.error { border-left: 3px solid var(--vscode-editorError-foreground); padding: 6px 10px; margin: 8px 0; }
.error-head { display: flex; gap: 12px; flex-wrap: wrap; }
.error-class { font-weight: 600; color: var(--vscode-editorError-foreground); }
a.at { color: var(--vscode-textLink-foreground); }
.error-message { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); margin: 6px 0 0; }
.plan { margin: 6px 0 0; }
.plan summary, .statement summary { cursor: pointer; color: var(--vscode-textLink-foreground); }
.plan pre { white-space: pre; overflow-x: auto; font-family: var(--vscode-editor-font-family); }
.statement pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); max-height: 6.5em; overflow: auto; margin: 2px 0 6px; padding: 2px 6px; background: var(--vscode-textCodeBlock-background); }
.status.running { display: flex; gap: 8px; align-items: center; padding: 8px 0; flex-wrap: wrap; }
.detail { color: var(--vscode-descriptionForeground); }
.bar { display: block; width: 100%; height: 4px; margin-bottom: 6px; appearance: none; border: none; background: var(--vscode-panel-border, #8884); }
.bar::-webkit-progress-bar { background: var(--vscode-panel-border, #8884); }
.bar::-webkit-progress-value { background: var(--vscode-progressBar-background); }
.spinner { width: 12px; height: 12px; border: 2px solid var(--vscode-descriptionForeground); border-top-color: transparent; border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
.empty { color: var(--vscode-descriptionForeground); padding: 8px 0; }
#viewer { position: fixed; inset: 0; background: rgba(0,0,0,0.4); z-index: 10; display: flex; align-items: center; justify-content: center; }
#viewer[hidden] { display: none; }
.viewer-box { background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); border: 1px solid var(--vscode-widget-border, #8886); width: 80vw; max-height: 80vh; display: flex; flex-direction: column; padding: 8px; }
.viewer-head { display: flex; gap: 8px; align-items: center; }
.viewer-head .actions { margin-left: auto; }
.viewer-head .type { color: var(--vscode-descriptionForeground); }
#viewer-text { overflow: auto; white-space: pre-wrap; word-break: break-all; font-family: var(--vscode-editor-font-family); }
`;
