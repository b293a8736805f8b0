// The results grid's logic, apart from any DOM and from vscode: the run
// history, sorting and filtering the preview, cutting long values, the
// copy formats, and the display of struct, map and array values with field
// names. Both the extension (panel.ts) and the webview script (webview.ts)
// import it; `node --test` covers it (test/grid.test.ts).
//
// Spark is the oracle: a value is Spark's CAST(x AS STRING) text, and that
// is what every copy format gives. Only the display is prettier: struct,
// map and array values as JSON with field names, which sparkls renders
// from Spark's Arrow data (RunResult.display).

import type { Column, RunResult } from './protocol';

// ---------------------------------------------------------------------------
// History.

/** One run in the results panel's history: a tab. */
export interface Entry {
  id: string; // the runId
  uri: string; // the document that ran it, for the error's position link
  statement: string;
  startedAt: number; // epoch ms
  state: 'running' | 'done' | 'failed' | 'stale';
  pinned: boolean;
  result?: RunResult;
  message?: string; // why a run failed without a result
  progress?: Progress;
  /** Rows fetched after the preview (sparkls/resultPage) are appended to result.rows; more tells whether the server has more. */
  more?: boolean;
  /** Brought back after a window reload: the sparkls that ran it is gone, so neither paging nor export can find it. */
  restored?: boolean;
}

/** A run's work-done progress as the server reports it. */
export interface Progress {
  message?: string;
  percentage?: number;
}

/** How many unpinned runs the history keeps. */
export const historyLimit = 20;

/**
 * Adds or replaces e (by id) at the end of the history and drops the
 * oldest unpinned entries beyond historyLimit. Pinned entries stay.
 */
export function addEntry(list: Entry[], e: Entry, limit = historyLimit): Entry[] {
  const out = list.filter((x) => x.id !== e.id);
  out.push(e);
  let unpinned = out.filter((x) => !x.pinned).length;
  return out.filter((x) => {
    if (x.pinned || unpinned <= limit) {
      return true;
    }
    unpinned--;
    return false;
  });
}

/** The history with entry id's fields changed; unknown ids change nothing. */
export function updateEntry(list: Entry[], id: string, change: Partial<Entry>): Entry[] {
  return list.map((x) => (x.id === id ? { ...x, ...change } : x));
}

/** A tab's title: the statement's start on one line. */
export function entryTitle(e: Entry, width = 32): string {
  const s = e.statement.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').trim() || 'run';
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

/**
 * What the workspace state keeps of the history: at most budget bytes (as
 * JSON), the newest first; older entries past it keep their statement and
 * lose their rows. A running entry is kept as stale: a reload ends the run's
 * request.
 */
export function keptHistory(list: Entry[], budget = 1 << 20): Entry[] {
  let left = budget;
  const out: Entry[] = [];
  for (let i = list.length - 1; i >= 0; i--) {
    let e: Entry = list[i];
    if (e.state === 'running') {
      e = { ...e, state: 'stale', progress: undefined };
    }
    let size = JSON.stringify(e).length;
    if (size > left && e.result) {
      e = {
        ...e,
        state: 'stale',
        result: undefined,
        more: undefined,
        message: 'The rows of this run were too many to keep across a reload; run it again.',
      };
      size = JSON.stringify(e).length;
    }
    left -= size;
    out.unshift(e);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Types.

const numericType = /^(tinyint|smallint|int|integer|bigint|long|short|byte|float|real|double|decimal(\(\d+,\s*\d+\))?|numeric(\(\d+,\s*\d+\))?)$/i;

/** Tells whether a column of this type holds numbers (right-aligned, sorted as numbers). */
export function isNumeric(type: string): boolean {
  return numericType.test(type.trim());
}

// ---------------------------------------------------------------------------
// Sort and filter.

/** A sort of the preview: by column col, ascending or not. */
export interface Sort {
  col: number;
  asc: boolean;
}

/**
 * Compares two numbers written as Spark writes them, exactly: decimals and
 * bigints of any length, not through a float. NaN and ±Infinity (doubles)
 * order as Spark orders them: -Infinity < numbers < Infinity < NaN.
 */
export function compareNumbers(a: string, b: string): number {
  const ka = numberKey(a);
  const kb = numberKey(b);
  if (ka.rank !== kb.rank) {
    return ka.rank - kb.rank;
  }
  if (ka.rank !== 1) {
    return 0;
  }
  if (ka.neg !== kb.neg) {
    return ka.neg ? -1 : 1;
  }
  const mag = compareMagnitude(ka, kb);
  return ka.neg ? -mag : mag;
}

interface NumberKey {
  rank: number; // 0 -Infinity, 1 finite, 2 Infinity, 3 NaN or not a number
  neg: boolean;
  int: string; // without leading zeros
  frac: string; // without trailing zeros
  exp: number; // of a float written with E
}

function numberKey(s: string): NumberKey {
  const t = s.trim();
  if (t === '-Infinity') {
    return { rank: 0, neg: true, int: '', frac: '', exp: 0 };
  }
  if (t === 'Infinity' || t === '+Infinity') {
    return { rank: 2, neg: false, int: '', frac: '', exp: 0 };
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    return { rank: 3, neg: false, int: '', frac: '', exp: 0 };
  }
  // Normalise d.ddddEx to plain digits: shift the point by the exponent.
  let digits = m[2] + (m[3] ?? '');
  let point = m[2].length + (m[4] ? Number(m[4]) : 0);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits += '0'.repeat(point - digits.length);
  }
  const int = digits.slice(0, point).replace(/^0+/, '');
  const frac = digits.slice(point).replace(/0+$/, '');
  const zero = int === '' && frac === '';
  return { rank: 1, neg: m[1] === '-' && !zero, int, frac, exp: 0 };
}

function compareMagnitude(a: NumberKey, b: NumberKey): number {
  if (a.int.length !== b.int.length) {
    return a.int.length - b.int.length;
  }
  if (a.int !== b.int) {
    return a.int < b.int ? -1 : 1;
  }
  if (a.frac !== b.frac) {
    return a.frac < b.frac ? -1 : 1; // no trailing zeros: the shorter prefix is smaller
  }
  return 0;
}

/**
 * The indexes of r's rows that the grid shows: those with a cell containing
 * filter (case-insensitive; NULL matches "null"), in the order of sort
 * (NULLs last either way; ties keep Spark's order).
 */
export function view(r: Pick<RunResult, 'columns' | 'rows'>, sort: Sort | undefined, filter: string): number[] {
  const f = filter.trim().toLowerCase();
  let idx = r.rows.map((_, i) => i);
  if (f) {
    idx = idx.filter((i) => r.rows[i].some((v) => (v ?? 'null').toLowerCase().includes(f)));
  }
  if (sort && sort.col >= 0 && sort.col < r.columns.length) {
    const c = sort.col;
    const num = isNumeric(r.columns[c].type);
    const dir = sort.asc ? 1 : -1;
    idx.sort((i, j) => {
      const a = r.rows[i][c];
      const b = r.rows[j][c];
      if (a === null || b === null) {
        return a === b ? i - j : a === null ? 1 : -1;
      }
      const d = num ? compareNumbers(a, b) : a < b ? -1 : a > b ? 1 : 0;
      return d === 0 ? i - j : d * dir;
    });
  }
  return idx;
}

/** The next sort when column col's header is clicked: ascending, descending, none. */
export function nextSort(cur: Sort | undefined, col: number): Sort | undefined {
  if (!cur || cur.col !== col) {
    return { col, asc: true };
  }
  return cur.asc ? { col, asc: false } : undefined;
}

// ---------------------------------------------------------------------------
// Cutting long values.

/** Values longer than this are cut in the grid; the value viewer shows them whole. */
export const cutAt = 200;

/** The text the grid shows for v, cut at max characters (code points) with "…". */
export function cut(v: string, max = cutAt): { text: string; cut: boolean } {
  if (v.length <= max) {
    return { text: v, cut: false };
  }
  const cps = Array.from(v);
  if (cps.length <= max) {
    return { text: v, cut: false };
  }
  return { text: `${cps.slice(0, max).join('')}…`, cut: true };
}

// ---------------------------------------------------------------------------
// Copy formats. Values are Spark's text; NULL is noted per format.

export type CopyFormat = 'tsv' | 'csv' | 'json' | 'markdown';

type Table = { columns: Pick<Column, 'name'>[]; rows: (string | null)[][] };

/** rows (some of r's, in this order) in the given format, with a header of column names. */
export function copyAs(format: CopyFormat, t: Table): string {
  switch (format) {
    case 'tsv':
      return toTsv(t);
    case 'csv':
      return toCsvText(t);
    case 'json':
      return toJson(t);
    case 'markdown':
      return toMarkdown(t);
  }
}

/** Tab-separated, as spreadsheets paste it: tabs and line breaks in values become spaces, NULL is empty. */
export function toTsv(t: Table): string {
  const f = (v: string | null) => (v ?? '').replace(/[\t\r\n]/g, ' ');
  return [t.columns.map((c) => f(c.name)), ...t.rows.map((r) => r.map(f))].map((l) => l.join('\t')).join('\n') + '\n';
}

/**
 * RFC 4180 CSV with a header row of column names. SQL NULL is an empty,
 * unquoted field; an empty string is "" so that the two stay apart.
 */
export function toCsvText(t: Table): string {
  const field = (v: string | null): string => {
    if (v === null) {
      return '';
    }
    if (v === '' || /[",\r\n]/.test(v) || v.trim() !== v) {
      return `"${v.replace(/"/g, '""')}"`;
    }
    return v;
  };
  const lines = [t.columns.map((c) => field(c.name)).join(',')];
  for (const row of t.rows) {
    lines.push(row.map(field).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** A JSON array of objects by column name; values are Spark's text, NULL is null. Duplicate names get a suffix. */
export function toJson(t: Table): string {
  const names = uniqueNames(t.columns.map((c) => c.name));
  const objs = t.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? null])));
  return JSON.stringify(objs, null, 2) + '\n';
}

/** A GitHub-flavoured Markdown table; pipes and line breaks in values are escaped, NULL is NULL. */
export function toMarkdown(t: Table): string {
  const f = (v: string) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const head = `| ${t.columns.map((c) => f(c.name)).join(' | ')} |`;
  const rule = `|${t.columns.map(() => ' --- ').join('|')}|`;
  const body = t.rows.map((r) => `| ${r.map((v) => (v === null ? 'NULL' : f(v))).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k === 0 ? n : `${n}_${k + 1}`;
  });
}

// ---------------------------------------------------------------------------
// Structured values. sparkls sends the display form of struct, map and
// array columns (RunResult.display: JSON with field names, built from
// Spark's Arrow data); the value's text stays Spark's CAST text.

/** The display form of row ri's value in column ci, when sparkls sent one. */
export function displayAt(r: Pick<RunResult, 'display'>, ri: number, ci: number): string | undefined {
  return r.display?.[ci]?.[ri] ?? undefined;
}

/** Appends a page's rows and their display form to r, keeping display one entry per row. */
export function appendPage(r: Pick<RunResult, 'rows' | 'display' | 'rowCount'>, page: Pick<RunResult, 'rows' | 'display'>): void {
  const from = r.rows.length;
  r.rows.push(...page.rows);
  r.rowCount = r.rows.length;
  const cols = new Set([...Object.keys(r.display ?? {}), ...Object.keys(page.display ?? {})]);
  if (cols.size === 0) {
    return;
  }
  const d = (r.display ??= {});
  for (const c of cols) {
    const have = (d[c] ??= []);
    while (have.length < from) {
      have.push(null);
    }
    const add = page.display?.[c] ?? [];
    for (let i = 0; i < page.rows.length; i++) {
      have.push(add[i] ?? null);
    }
  }
}

/** JSON text re-indented without parsing its numbers (a variant's 2^63 stays exact); undefined if it is not JSON. */
export function prettyJson(text: string, indent = 2): string | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  let out = '';
  let level = 0;
  const nl = () => `\n${' '.repeat(indent * level)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
      const str = m ? m[0] : c;
      out += str;
      i += str.length - 1;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      let j = i + 1;
      while (/\s/.test(text[j] ?? '')) {
        j++;
      }
      if (text[j] === close) {
        out += c + close;
        i = j;
      } else {
        level++;
        out += c + nl();
      }
    } else if (c === '}' || c === ']') {
      level--;
      out += nl() + c;
    } else if (c === ',') {
      out += ',' + nl();
    } else if (c === ':') {
      out += ': ';
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** The value viewer's text: JSON pretty-printed for a value with a display form or of variant type, else Spark's text. */
export function viewerText(type: string, v: string, display?: string): { text: string; json: boolean } {
  const json = display ?? (/^variant$/i.test(type.trim()) ? v : undefined);
  const p = json === undefined ? undefined : prettyJson(json);
  return p === undefined ? { text: v, json: false } : { text: p, json: true };
}
