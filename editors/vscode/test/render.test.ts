import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../src/protocol';
import type { Entry } from '../src/grid';
import { view } from '../src/grid';
import {
  escapeHtml,
  formatElapsed,
  formatRowCount,
  metaText,
  renderEntry,
  renderRows,
  renderTabs,
  renderViewer,
  shellPage,
  truncatedText,
} from '../src/render';

const opts = { cspSource: 'vscode-webview://x', nonce: 'n0nce', scriptUri: 'https://file+.vscode-resource/x/dist/webview.js' };

function entry(over: Partial<Entry> = {}): Entry {
  return { id: 'r1', uri: 'file:///w/a.sql', statement: 'SELECT 1', startedAt: 1000, state: 'done', pinned: false, ...over };
}

/** The shown run of a finished result, all rows in Spark's order. */
function renderResult(r: RunResult, _o?: unknown, more = false): string {
  return renderEntry(entry({ result: r, statement: r.statement }), { rows: view(r, undefined, ''), sort: undefined, filter: '', more, exportable: false }, 2000);
}

function renderFailure(message: string, statement: string, _o?: unknown): string {
  return renderEntry(entry({ state: 'failed', message, statement }), { rows: [], sort: undefined, filter: '', more: false, exportable: false }, 2000);
}

function renderRunning(statement: string, _o: unknown, message: string): string {
  return renderEntry(entry({ state: 'running', statement, progress: { message, percentage: 40 } }), { rows: [], sort: undefined, filter: '', more: false, exportable: false }, 3500);
}

function result(over: Partial<RunResult> = {}): RunResult {
  return {
    queryId: 'q1',
    statement: 'SELECT order_id, status FROM sales.orders',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 41 } },
    columns: [
      { name: 'order_id', type: 'int' },
      { name: 'status', type: 'string' },
    ],
    rows: [
      ['1', 'shipped'],
      ['2', null],
      ['3', 'null'],
    ],
    rowCount: 3,
    truncated: false,
    elapsedMs: 412,
    markdown: '',
    error: null,
    ...over,
  };
}

/** The text of the body cells, row by row, NULL cells marked. */
function gridCells(html: string): string[][] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return body
    .split('<tr>')
    .slice(1)
    .map((tr) => [...tr.matchAll(/<td([^>]*)>([^<]*)<\/td>/g)].map((m) => (m[1].includes('class="null"') ? `⟨${m[2]}⟩` : m[2])));
}

describe('escapeHtml', () => {
  test('escapes markup and quotes', () => {
    assert.equal(escapeHtml(`<b a="1">'&'</b>`), '&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;');
  });
});

describe('renderResult', () => {
  test('grid with names, types and values', () => {
    const html = renderResult(result(), opts);
    assert.match(html, /<span class="name">order_id<\/span><span class="type">int<\/span>/);
    assert.match(html, /<span class="name">status<\/span><span class="type">string<\/span>/);
    assert.deepEqual(gridCells(html), [
      ['1', 'shipped'],
      ['2', '⟨NULL⟩'],
      ['3', 'null'],
    ]);
  });

  test('NULL is styled apart from the text null', () => {
    const html = renderResult(result(), opts);
    assert.match(html, /<td class="null" data-r="1" data-c="1" tabindex="-1">NULL<\/td>/);
    assert.match(html, /<td data-r="2" data-c="1" tabindex="-1">null<\/td>/);
  });

  test('row count, time and truncation', () => {
    let html = renderResult(result(), opts);
    assert.match(html, /<span class="meta" id="meta">3 rows · 412 ms<\/span>/);
    assert.doesNotMatch(html, /class="truncated"/);
    html = renderResult(result({ truncated: true, rowCount: 100, elapsedMs: 2500 }), opts);
    assert.match(html, /first 100 rows · 2\.5 s/);
    assert.match(html, /class="truncated"/);
  });

  test('escapes values, names, types and the statement', () => {
    const html = renderResult(
      result({
        statement: "SELECT '<script>alert(1)</script>'",
        columns: [{ name: '<img src=x onerror=alert(1)>', type: 'map<string,int>' }],
        rows: [['<script>alert(1)</script>']],
        rowCount: 1,
      }),
      opts,
    );
    assert.doesNotMatch(html, /<script>alert/);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /map&lt;string,int&gt;/);
    assert.doesNotMatch(html, /<script/);
  });

  test('errors show their class, SQLSTATE and position', () => {
    const html = renderResult(
      result({
        columns: [],
        rows: [],
        rowCount: 0,
        error: {
          message: 'A column, variable, or function parameter with name `nope` cannot be resolved.',
          errorClass: 'UNRESOLVED_COLUMN.WITH_SUGGESTION',
          sqlState: '42703',
          range: { start: { line: 2, character: 7 }, end: { line: 2, character: 11 } },
        },
      }),
      opts,
    );
    assert.match(html, /<span class="error-class">UNRESOLVED_COLUMN\.WITH_SUGGESTION<\/span>/);
    assert.match(html, /SQLSTATE 42703/);
    // The position is a link that moves the cursor there.
    assert.match(html, /<a href="#" class="at" data-action="reveal" data-id="r1" title="Move the cursor there">line 3, column 8<\/a>/);
    assert.match(html, /cannot be resolved/);
    assert.doesNotMatch(html, /<table/);
  });

  test("Spark's logical plan is folded behind Show plan, not in the message", () => {
    const html = renderResult(
      result({
        columns: [],
        rows: [],
        rowCount: 0,
        error: {
          message: '[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column `nope` cannot be resolved. SQLSTATE: 42703',
          errorClass: 'UNRESOLVED_COLUMN.WITH_SUGGESTION',
          sqlState: '42703',
          range: null,
          plan: "'Project ['nope]\n+- SubqueryAlias <orders>",
        },
      }),
      opts,
    );
    const message = /<pre class="error-message">([^<]*)<\/pre>/.exec(html);
    assert.ok(message, 'no error message');
    assert.doesNotMatch(message[1], /Project/);
    assert.match(html, /<details class="plan"><summary>Show plan<\/summary><pre>&#39;Project \[&#39;nope\]\n\+- SubqueryAlias &lt;orders&gt;<\/pre><\/details>/);
  });

  test('an error without a plan has no Show plan', () => {
    const html = renderFailure('not connected', '', opts);
    assert.doesNotMatch(html, /Show plan/);
  });

  test('numbers right-aligned, long values cut, structs with field names', () => {
    const long = 'x'.repeat(250);
    const html = renderResult(
      result({
        columns: [
          { name: 'n', type: 'decimal(12,2)' },
          { name: 'long', type: 'string' },
          { name: 's', type: 'struct<a:int,b:array<bigint>>' },
          { name: 't', type: 'struct<a:string>' },
        ],
        rows: [['42.50', long, '{1, [2, 3]}', '{x, y}']],
        display: { '2': ['{"a":1,"b":[2,3]}'], '3': [null] },
        rowCount: 1,
      }),
    );
    assert.match(html, /<th scope="col" data-c="0" class="num" aria-sort="none"/);
    assert.match(html, /<td class="num" data-r="0" data-c="0" tabindex="-1">42\.50<\/td>/);
    assert.match(html, new RegExp(`<td class="cut" data-r="0" data-c="1" tabindex="-1" title="Click to see the whole value">${'x'.repeat(200)}…</td>`));
    assert.match(html, /<td class="named" data-r="0" data-c="2" tabindex="-1">\{&quot;a&quot;:1,&quot;b&quot;:\[2,3\]\}<\/td>/);
    // No display form sent (too long to send whole): Spark's text.
    assert.match(html, /<td data-r="0" data-c="3" tabindex="-1">\{x, y\}<\/td>/);
  });

  test('fetch more rows only when the server can page', () => {
    assert.doesNotMatch(renderResult(result({ truncated: true })), /fetch-more/);
    assert.match(renderResult(result({ truncated: true }), undefined, true), /id="fetch-more"/);
  });

  test('rows fetched later are rendered alone, numbered by their place in the result', () => {
    const r = result({ rows: [['1', 'a'], ['2', null], ['3', 'c']], rowCount: 3, truncated: true });
    const html = renderRows(r, [2]);
    assert.equal(html, '<tr><th scope="row" class="rownum" data-r="2">3</th><td class="num" data-r="2" data-c="0" tabindex="-1">3</td><td data-r="2" data-c="1" tabindex="-1">c</td></tr>');
    assert.equal(metaText(r, 3), 'first 3 rows · 412 ms');
    assert.equal(metaText(r, 1), '1 of first 3 rows · 412 ms');
    assert.match(truncatedText(r, true), /^The first 3 rows were fetched; Fetch more rows reads the next ones\.$/);
    assert.match(truncatedText(r, false), /sparkls\.preview\.rows/);
  });

  test('a statement without columns', () => {
    const html = renderResult(result({ columns: [], rows: [], rowCount: 0 }), opts);
    assert.match(html, /returned no columns/);
  });
});

describe('other pages', () => {
  test('running has a cancel button, the statement, elapsed time and progress', () => {
    const html = renderRunning('SELECT 1 < 2', opts, 'statement 1 of 1 · 2 stages · 3/10 tasks');
    assert.match(html, /data-action="cancel" data-id="r1"/);
    assert.match(html, /SELECT 1 &lt; 2/);
    assert.match(html, /<span class="elapsed" id="elapsed" data-started="1000">2\.5 s<\/span>/);
    assert.match(html, /statement 1 of 1 · 2 stages · 3\/10 tasks/);
    assert.match(html, /<progress class="bar" max="100" value="40"/);
    assert.doesNotMatch(html, /style=/); // the CSP allows no inline style
  });

  test('the shell page runs only our script, by nonce', () => {
    const html = shellPage(opts);
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, /<script nonce="n0nce" src="https:\/\/file\+\.vscode-resource\/x\/dist\/webview\.js">/);
    assert.match(html, /script-src &#39;nonce-n0nce&#39;/); // the CSP, escaped in its attribute
  });

  test('tabs: one per run, the active one marked, pinned ones say so', () => {
    const html = renderTabs(
      [entry({ id: 'a', statement: 'SELECT <b>\n  FROM t -- note' }), entry({ id: 'b', pinned: true, state: 'running' })],
      'b',
    );
    assert.match(html, /<div class="tab s-done" role="tab" data-tab="a" aria-selected="false"/);
    assert.match(html, /<div class="tab active pinned s-running" role="tab" data-tab="b" aria-selected="true"/);
    assert.match(html, /<span class="title">SELECT &lt;b&gt; FROM t<\/span>/);
    assert.match(html, /title="Unpin: may leave the history"/);
  });

  test('the value viewer escapes and says JSON', () => {
    const html = renderViewer('s', 'struct<a:int>', '{\n  "a": 1\n}<x>', true);
    assert.ok(html.includes('<pre id="viewer-text">{\n  &quot;a&quot;: 1\n}&lt;x&gt;</pre>'));
    assert.match(html, /<span class="meta">JSON<\/span>/);
  });

  test('failure without a result', () => {
    const html = renderFailure('sparkls.run: not connected to Spark (error: <refused>)', 'SELECT 1', opts);
    assert.match(html, /not connected to Spark \(error: &lt;refused&gt;\)/);
  });
});

describe('formatting', () => {
  test('elapsed', () => {
    assert.equal(formatElapsed(0), '0 ms');
    assert.equal(formatElapsed(999), '999 ms');
    assert.equal(formatElapsed(1234), '1.2 s');
    assert.equal(formatElapsed(12_345), '12 s');
    assert.equal(formatElapsed(125_000), '2 min 5 s');
    assert.equal(formatElapsed(-1), '');
  });

  test('row count', () => {
    assert.equal(formatRowCount({ rowCount: 1, truncated: false }), '1 row');
    assert.equal(formatRowCount({ rowCount: 1000, truncated: true }), 'first 1,000 rows');
  });
});
