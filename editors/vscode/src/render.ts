// Pure rendering of run results for the results webview: HTML strings from
// result objects, and the text that copy and CSV export produce. No vscode
// import, so `node --test` covers it (test/render.test.ts).
//
// Every value that comes from Spark or the SQL text is escaped: a cell may
// hold "<script>", and the webview runs scripts (ours, by nonce).

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

/** The text a copied cell gives: its value, and NULL as the empty text. */
export function cellText(r: RunResult, row: number, col: number): string {
  const v = r.rows[row]?.[col];
  return v ?? '';
}

/** A copied row: tab-separated values, NULL as the empty text. */
export function rowText(r: RunResult, row: number): string {
  return (r.rows[row] ?? []).map((v) => (v ?? '').replace(/[\t\r\n]/g, ' ')).join('\t');
}

/**
 * RFC 4180 CSV with a header row of column names. SQL NULL is an empty,
 * unquoted field; an empty string is "" so that the two stay apart.
 */
export function toCsv(r: RunResult): string {
  const field = (v: string | null): string => {
    if (v === null) {
      return '';
    }
    if (v === '' || /[",\r\n]/.test(v) || v.trim() !== v) {
      return `"${v.replace(/"/g, '""')}"`;
    }
    return v;
  };
  const lines = [r.columns.map((c) => field(c.name)).join(',')];
  for (const row of r.rows) {
    lines.push(row.map(field).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** What a page needs besides the result: the webview's CSP source and a script nonce. */
export interface PageOptions {
  cspSource: string;
  nonce: string;
}

/** A page saying the statement runs, with a Cancel button. */
export function renderRunning(statement: string, opts: PageOptions, message = ''): string {
  const body = `<div class="status running"><span class="spinner" aria-hidden="true"></span>
<span>Running…</span>${message ? ` <span class="detail">${escapeHtml(message)}</span>` : ''}
<button id="cancel" data-action="cancel">Cancel</button></div>
${statementBlock(statement)}`;
  return page(body, opts);
}

/** A page for a finished run: the grid, or the error with its class. */
export function renderResult(r: RunResult, opts: PageOptions): string {
  if (r.error) {
    return page(`${errorBlock(r.error, r.elapsedMs)}${statementBlock(r.statement)}`, opts);
  }
  const meta = [formatRowCount(r), formatElapsed(r.elapsedMs)].filter(Boolean).join(' · ');
  const truncated = r.truncated
    ? `<div class="truncated" role="note">Preview: only the first ${r.rowCount.toLocaleString('en-US')} rows were fetched (sparkls.preview.rows / sparkls.preview.bytes).</div>`
    : '';
  const body = `<div class="toolbar">
<span class="meta" id="meta">${escapeHtml(meta)}</span>
<span class="actions">
<button data-action="copyCell" title="Copy the selected cell (Ctrl+C)">Copy cell</button>
<button data-action="copyRow" title="Copy the selected row, tab-separated">Copy row</button>
<button data-action="exportCsv" title="Save the preview as CSV">Export CSV</button>
</span></div>
${truncated}
${r.columns.length === 0 ? '<div class="empty">The statement returned no columns.</div>' : grid(r)}
${statementBlock(r.statement)}`;
  return page(body, opts);
}

/** A page for a run that failed before Spark answered (no result object). */
export function renderFailure(message: string, statement: string, opts: PageOptions): string {
  return page(`${errorBlock({ message, errorClass: '', sqlState: '', range: null })}${statementBlock(statement)}`, opts);
}

function grid(r: RunResult): string {
  const head = r.columns
    .map(
      (c, i) =>
        `<th scope="col" data-c="${i}"><span class="name">${escapeHtml(c.name)}</span><span class="type">${escapeHtml(c.type)}</span></th>`,
    )
    .join('');
  const body = r.rows
    .map((row, ri) => {
      const cells = row
        .map((v, ci) =>
          v === null
            ? `<td class="null" data-r="${ri}" data-c="${ci}" tabindex="-1">NULL</td>`
            : `<td data-r="${ri}" data-c="${ci}" tabindex="-1">${escapeHtml(v)}</td>`,
        )
        .join('');
      return `<tr><th scope="row" class="rownum" data-r="${ri}">${ri + 1}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="grid-wrap"><table id="grid" class="grid">
<thead><tr><th class="rownum"></th>${head}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

function errorBlock(e: RunError, elapsedMs?: number): string {
  const cls = e.errorClass ? `<span class="error-class">${escapeHtml(e.errorClass)}</span>` : '';
  const state = e.sqlState ? `<span class="sql-state">SQLSTATE ${escapeHtml(e.sqlState)}</span>` : '';
  const at = e.range ? `<span class="at">line ${e.range.start.line + 1}, column ${e.range.start.character + 1}</span>` : '';
  const time = elapsedMs !== undefined && elapsedMs > 0 ? `<span class="meta">${escapeHtml(formatElapsed(elapsedMs))}</span>` : '';
  return `<div class="error" role="alert"><div class="error-head">${cls}${state}${at}${time}</div>
<pre class="error-message">${escapeHtml(e.message)}</pre>${planBlock(e.plan)}</div>`;
}

/** Spark's logical plan of an analysis error, folded: it is long and rarely needed. */
function planBlock(plan: string | undefined): string {
  if (!plan) {
    return '';
  }
  return `<details class="plan"><summary>Show plan</summary><pre>${escapeHtml(plan)}</pre></details>`;
}

function statementBlock(statement: string): string {
  if (!statement.trim()) {
    return '';
  }
  return `<details class="statement"><summary>Statement</summary><pre>${escapeHtml(statement)}</pre></details>`;
}

function page(body: string, o: PageOptions): string {
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
${body}
<script nonce="${escapeHtml(o.nonce)}">${SCRIPT}</script>
</body></html>`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 8px; }
.toolbar { display: flex; justify-content: space-between; align-items: center; gap: 8px; padding: 6px 0; position: sticky; top: 0; background: var(--vscode-editor-background); z-index: 2; }
.meta { color: var(--vscode-descriptionForeground); }
button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 3px 8px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.truncated { margin: 4px 0 8px; padding: 4px 8px; border-left: 3px solid var(--vscode-editorWarning-foreground); }
.grid-wrap { overflow: auto; }
table.grid { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
.grid th, .grid td { border: 1px solid var(--vscode-panel-border, #8884); padding: 2px 6px; text-align: left; white-space: pre; vertical-align: top; }
.grid thead th { position: sticky; top: 0; background: var(--vscode-editor-background); }
.grid th .name { font-weight: 600; display: block; }
.grid th .type { font-weight: normal; font-size: 0.85em; color: var(--vscode-descriptionForeground); display: block; }
.grid .rownum { color: var(--vscode-editorLineNumber-foreground); font-weight: normal; text-align: right; cursor: pointer; }
.grid td.null { color: var(--vscode-disabledForeground, #888); font-style: italic; }
.grid td.selected, .grid tr.selected td { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.error { border-left: 3px solid var(--vscode-editorError-foreground); padding: 6px 10px; margin: 8px 0; }
.error-head { display: flex; gap: 12px; flex-wrap: wrap; }
.error-class { font-weight: 600; color: var(--vscode-editorError-foreground); }
.error-message { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); margin: 6px 0 0; }
.plan { margin: 6px 0 0; }
.plan summary { cursor: pointer; color: var(--vscode-textLink-foreground); }
.plan pre { white-space: pre; overflow-x: auto; font-family: var(--vscode-editor-font-family); }
.statement pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
.status.running { display: flex; gap: 8px; align-items: center; padding: 8px 0; }
.spinner { width: 12px; height: 12px; border: 2px solid var(--vscode-descriptionForeground); border-top-color: transparent; border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
`;

// The page's script only tracks the selection and posts messages; the
// extension holds the result and produces the copied text.
const SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  let sel = { r: -1, c: -1 };
  function select(r, c) {
    document.querySelectorAll('.selected').forEach(function (e) { e.classList.remove('selected'); });
    sel = { r: r, c: c };
    if (c >= 0) {
      const td = document.querySelector('td[data-r="' + r + '"][data-c="' + c + '"]');
      if (td) { td.classList.add('selected'); td.focus(); }
    } else if (r >= 0) {
      const th = document.querySelector('th.rownum[data-r="' + r + '"]');
      if (th && th.parentElement) { th.parentElement.classList.add('selected'); }
    }
  }
  document.addEventListener('click', function (ev) {
    const t = ev.target instanceof Element ? ev.target : null;
    if (!t) { return; }
    const btn = t.closest('button[data-action]');
    if (btn) {
      vscode.postMessage({ type: btn.getAttribute('data-action'), row: sel.r, col: sel.c });
      return;
    }
    const cell = t.closest('td[data-r], th.rownum[data-r]');
    if (cell) {
      select(Number(cell.getAttribute('data-r')), cell.tagName === 'TD' ? Number(cell.getAttribute('data-c')) : -1);
    }
  });
  document.addEventListener('keydown', function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === 'c' && sel.r >= 0) {
      ev.preventDefault();
      vscode.postMessage({ type: sel.c >= 0 ? 'copyCell' : 'copyRow', row: sel.r, col: sel.c });
    }
  });
})();
`;
