/// <reference lib="dom" />
// The results webview's script (bundled to dist/webview.js by esbuild). The
// extension (panel.ts) owns the run history and sends it here; this script
// owns what is only about looking: the shown tab, sort, filter, the selected
// cell and the value viewer, kept with the webview's own state so that a
// hidden or restored panel shows the same.

import { appendPage, copyAs, displayAt, nextSort, view, viewerText, type CopyFormat, type Entry, type Sort } from './grid';
import { formatElapsed, metaText, renderEntry, renderRows, renderTabs, renderViewer, truncatedText } from './render';

declare function acquireVsCodeApi(): {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
};

/** Host → webview. */
type In =
  | { type: 'state'; entries: Entry[]; active?: string; caps: Caps }
  | { type: 'entry'; entry: Entry; activate: boolean; drop?: string[] }
  | { type: 'progress'; id: string; progress: Entry['progress'] }
  | { type: 'rows'; id: string; rows: (string | null)[][]; display?: Record<string, (string | null)[]>; more: boolean }
  | { type: 'activate'; id: string };

/** What the server can do beyond a preview. */
interface Caps {
  page: boolean;
  export: boolean;
}

interface Look {
  sort?: Sort;
  filter: string;
}

interface Saved {
  active?: string;
  looks: Record<string, Look>;
}

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() as Saved | undefined) ?? { looks: {} };
let entries: Entry[] = [];
let active: string | undefined = saved.active;
let caps: Caps = { page: false, export: false };
const looks: Record<string, Look> = saved.looks ?? {};
let sel = { r: -1, c: -1 };
let viewerValue: string | null = null;
let shown: number[] = []; // the row indexes the grid shows, in order
let drawnId: string | undefined; // the run #main shows

const tabsEl = document.getElementById('tabs') as HTMLElement;
const mainEl = document.getElementById('main') as HTMLElement;
const viewerEl = document.getElementById('viewer') as HTMLElement;

function post(m: Record<string, unknown>): void {
  vscode.postMessage(m);
}

function save(): void {
  const keep: Record<string, Look> = {};
  for (const e of entries) {
    if (looks[e.id]) {
      keep[e.id] = looks[e.id];
    }
  }
  vscode.setState({ active, looks: keep } satisfies Saved);
}

function current(): Entry | undefined {
  return entries.find((e) => e.id === active);
}

function look(id: string): Look {
  return (looks[id] ??= { filter: '' });
}

function renderAll(): void {
  if (!entries.some((e) => e.id === active)) {
    active = entries[entries.length - 1]?.id;
  }
  tabsEl.innerHTML = renderTabs(entries, active);
  tabsEl.querySelector('.tab.active')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  renderMain();
}

function renderMain(): void {
  const e = current();
  if (!e) {
    mainEl.innerHTML = '<div class="empty">Run a statement (Ctrl+Enter) to see its result here.</div>';
    return;
  }
  const l = look(e.id);
  const focused = document.activeElement?.id === 'filter';
  // The same run drawn again (sort, filter, rows) keeps its scroll position.
  const wrap = e.id === drawnId ? mainEl.querySelector('.grid-wrap') : null;
  const scroll = wrap ? { top: wrap.scrollTop, left: wrap.scrollLeft } : undefined;
  drawnId = e.id;
  shown = e.result ? view(e.result, l.sort, l.filter) : [];
  mainEl.innerHTML = renderEntry(e, { rows: shown, sort: l.sort, filter: l.filter, more: caps.page && !!e.more && !e.restored, exportable: caps.export && !!e.result && !e.result.error && !e.restored }, Date.now());
  if (scroll) {
    const w = mainEl.querySelector('.grid-wrap');
    if (w) {
      w.scrollTop = scroll.top;
      w.scrollLeft = scroll.left;
    }
  }
  if (focused) {
    const f = document.getElementById('filter') as HTMLInputElement | null;
    if (f) {
      f.focus();
      f.setSelectionRange(f.value.length, f.value.length);
    }
  }
  sel = { r: -1, c: -1 };
  if (e.result && e.result.rows.length > 0 && !e.result.error) {
    markPainted(e.id);
  }
}

/** Records when a run's first rows were painted (the benchmark reads it). */
function markPainted(id: string): void {
  if (document.body.dataset.paintedId === id) {
    return;
  }
  requestAnimationFrame(() =>
    setTimeout(() => {
      document.body.dataset.paintedId = id;
      document.body.dataset.paintedAt = String(Date.now());
    }, 0),
  );
}

/**
 * Shows rows fetched after row from: appended to the grid as it is, unless
 * a sort or filter decides where they go (then the grid is drawn again).
 */
function appendRows(e: Entry, from: number): void {
  const r = e.result;
  const l = look(e.id);
  const body = document.querySelector('#grid tbody');
  if (!r || l.sort || l.filter.trim() || !body) {
    renderMain();
    return;
  }
  const idx = r.rows.map((_, i) => i).slice(from);
  body.insertAdjacentHTML('beforeend', renderRows(r, idx));
  shown = shown.concat(idx);
  const meta = document.getElementById('meta');
  if (meta) {
    meta.textContent = metaText(r, shown.length);
  }
  const note = document.getElementById('truncated');
  if (note) {
    if (r.truncated) {
      note.textContent = truncatedText(r, caps.page && !!e.more && !e.restored);
    } else {
      note.remove();
    }
  }
  const b = document.getElementById('fetch-more') as HTMLButtonElement | null;
  if (b) {
    if (e.more) {
      b.disabled = false;
      b.textContent = 'Fetch more rows';
    } else {
      b.remove();
    }
  }
}

/** Records when fetched rows were painted (the benchmark reads it). */
function markPaged(rows: number): void {
  requestAnimationFrame(() =>
    setTimeout(() => {
      document.body.dataset.pagedRows = String(rows);
      document.body.dataset.pagedAt = String(Date.now());
    }, 0),
  );
}

function select(r: number, c: number): void {
  document.querySelectorAll('.selected').forEach((x) => x.classList.remove('selected'));
  sel = { r, c };
  if (c >= 0) {
    const td = document.querySelector<HTMLElement>(`td[data-r="${r}"][data-c="${c}"]`);
    if (td) {
      td.classList.add('selected');
      td.focus();
    }
  } else if (r >= 0) {
    document.querySelector(`th.rownum[data-r="${r}"]`)?.parentElement?.classList.add('selected');
  }
}

function openViewer(r: number, c: number): void {
  const e = current();
  const res = e?.result;
  const v = res?.rows[r]?.[c];
  const col = res?.columns[c];
  if (!res || !col || v === null || v === undefined) {
    return;
  }
  const t = viewerText(col.type, v, displayAt(res, r, c));
  viewerValue = v;
  viewerEl.innerHTML = renderViewer(col.name, col.type, t.text, t.json);
  viewerEl.hidden = false;
}

function closeViewer(): void {
  viewerEl.hidden = true;
  viewerEl.innerHTML = '';
  viewerValue = null;
}

/** The rows shown (sorted and filtered) in a copy format. */
function shownAs(format: CopyFormat): string | undefined {
  const r = current()?.result;
  if (!r) {
    return undefined;
  }
  return copyAs(format, { columns: r.columns, rows: shown.map((i) => r.rows[i]) });
}

function copyText(text: string, what: string): void {
  post({ type: 'copy', text, what });
}

function action(name: string, id: string | null): void {
  const e = current();
  const r = e?.result;
  switch (name) {
    case 'fetchMore': {
      const b = document.getElementById('fetch-more') as HTMLButtonElement | null;
      if (b) {
        b.disabled = true;
        b.textContent = 'Fetching…';
      }
      post({ type: name, id: id ?? e?.id });
      return;
    }
    case 'pin':
    case 'close':
    case 'cancel':
    case 'reveal':
    case 'export':
      post({ type: name, id: id ?? e?.id });
      return;
    case 'copyCell':
      if (!r || sel.r < 0 || sel.c < 0) {
        post({ type: 'info', text: 'Click a cell first.' });
        return;
      }
      copyText(r.rows[sel.r]?.[sel.c] ?? '', 'the cell');
      return;
    case 'copyRow':
      if (!r || sel.r < 0) {
        post({ type: 'info', text: 'Click a cell or a row number first.' });
        return;
      }
      copyText((r.rows[sel.r] ?? []).map((v) => (v ?? '').replace(/[\t\r\n]/g, ' ')).join('\t'), 'the row');
      return;
    case 'saveCsv': {
      const text = shownAs('csv');
      if (text !== undefined) {
        post({ type: 'saveCsv', text, rows: shown.length });
      }
      return;
    }
    case 'viewerCopy':
      if (viewerValue !== null) {
        copyText(viewerValue, 'the value');
      }
      return;
    case 'viewerClose':
      closeViewer();
      return;
  }
}

document.addEventListener('click', (ev) => {
  const t = ev.target instanceof Element ? ev.target : null;
  if (!t) {
    return;
  }
  const btn = t.closest('[data-action]');
  if (btn) {
    ev.preventDefault();
    ev.stopPropagation();
    action(btn.getAttribute('data-action') ?? '', btn.getAttribute('data-id'));
    return;
  }
  if (t === viewerEl) {
    closeViewer();
    return;
  }
  const tab = t.closest('[data-tab]');
  if (tab) {
    active = tab.getAttribute('data-tab') ?? undefined;
    save();
    post({ type: 'select', id: active });
    renderAll();
    return;
  }
  const head = t.closest('thead th[data-c]');
  if (head) {
    const e = current();
    if (e) {
      const l = look(e.id);
      l.sort = nextSort(l.sort, Number(head.getAttribute('data-c')));
      save();
      renderMain();
    }
    return;
  }
  const cell = t.closest('td[data-r], th.rownum[data-r]');
  if (cell) {
    const r = Number(cell.getAttribute('data-r'));
    const c = cell.tagName === 'TD' ? Number(cell.getAttribute('data-c')) : -1;
    select(r, c);
    if (c >= 0 && (cell.classList.contains('cut') || cell.classList.contains('named') || ev.detail >= 2)) {
      openViewer(r, c);
    }
  }
});

document.addEventListener('input', (ev) => {
  const t = ev.target as HTMLElement | null;
  const e = current();
  if (t?.id === 'filter' && e) {
    look(e.id).filter = (t as HTMLInputElement).value;
    save();
    renderMain();
  }
});

document.addEventListener('change', (ev) => {
  const t = ev.target as HTMLSelectElement | null;
  if (t?.id === 'copy-as' && t.value) {
    const format = t.value as CopyFormat;
    t.value = '';
    const text = shownAs(format);
    if (text !== undefined) {
      copyText(text, `${shown.length} rows as ${format === 'markdown' ? 'Markdown' : format.toUpperCase()}`);
    }
  }
});

document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && !viewerEl.hidden) {
    closeViewer();
    return;
  }
  const inInput = ev.target instanceof HTMLInputElement;
  if ((ev.ctrlKey || ev.metaKey) && ev.key === 'c' && sel.r >= 0 && !inInput && viewerEl.hidden) {
    ev.preventDefault();
    action(sel.c >= 0 ? 'copyCell' : 'copyRow', null);
  }
  if (ev.key === 'Enter' && sel.c >= 0 && !inInput) {
    openViewer(sel.r, sel.c);
  }
});

// The running tab's elapsed time ticks here; progress comes from the host.
setInterval(() => {
  const el = document.getElementById('elapsed');
  if (el) {
    el.textContent = formatElapsed(Date.now() - Number(el.dataset.started));
  }
}, 200);

window.addEventListener('message', (ev: MessageEvent<In>) => {
  const m = ev.data;
  switch (m.type) {
    case 'state':
      entries = m.entries;
      caps = m.caps;
      if (m.active !== undefined) {
        active = m.active;
      }
      renderAll();
      break;
    case 'entry': {
      if (m.drop?.length) {
        entries = entries.filter((e) => !m.drop?.includes(e.id));
      }
      const i = entries.findIndex((e) => e.id === m.entry.id);
      if (i >= 0) {
        entries[i] = m.entry;
      } else {
        entries.push(m.entry);
      }
      if (m.activate) {
        active = m.entry.id;
        save();
      }
      if (i < 0 || m.activate || m.drop?.length) {
        renderAll();
      } else {
        tabsEl.innerHTML = renderTabs(entries, active);
        if (m.entry.id === active) {
          renderMain();
        }
      }
      break;
    }
    case 'progress': {
      const e = entries.find((x) => x.id === m.id);
      if (e) {
        e.progress = m.progress;
        if (e.id === active && e.state === 'running') {
          renderMain();
        }
      }
      break;
    }
    case 'rows': {
      const e = entries.find((x) => x.id === m.id);
      if (e?.result) {
        const from = e.result.rows.length;
        appendPage(e.result, m);
        e.result.truncated = m.more;
        e.more = m.more;
        if (e.id === active) {
          appendRows(e, from);
          markPaged(e.result.rows.length);
        }
      }
      break;
    }
    case 'activate':
      active = m.id;
      save();
      renderAll();
      break;
  }
});

post({ type: 'ready' });
