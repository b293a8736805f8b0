import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../src/protocol';
import {
  cellText,
  escapeHtml,
  formatElapsed,
  formatRowCount,
  renderFailure,
  renderResult,
  renderRunning,
  rowText,
  toCsv,
} from '../src/render';

const opts = { cspSource: 'vscode-webview://x', nonce: 'n0nce' };

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
    // Only our own script runs, by nonce.
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, /<script nonce="n0nce">/);
    assert.match(html, /script-src &#39;nonce-n0nce&#39;/); // the CSP, escaped in its attribute
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
    assert.match(html, /line 3, column 8/);
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

  test('a statement without columns', () => {
    const html = renderResult(result({ columns: [], rows: [], rowCount: 0 }), opts);
    assert.match(html, /returned no columns/);
  });
});

describe('other pages', () => {
  test('running has a cancel button and the statement', () => {
    const html = renderRunning('SELECT 1 < 2', opts, 'stage 1 of 2');
    assert.match(html, /data-action="cancel"/);
    assert.match(html, /SELECT 1 &lt; 2/);
    assert.match(html, /stage 1 of 2/);
  });

  test('failure without a result', () => {
    const html = renderFailure('sparkls.run: not connected to Spark (error: <refused>)', 'SELECT 1', opts);
    assert.match(html, /not connected to Spark \(error: &lt;refused&gt;\)/);
  });
});

describe('copy and export', () => {
  test('cells and rows', () => {
    const r = result();
    assert.equal(cellText(r, 0, 1), 'shipped');
    assert.equal(cellText(r, 1, 1), '');
    assert.equal(cellText(r, 2, 1), 'null');
    assert.equal(cellText(r, 9, 9), '');
    assert.equal(rowText(r, 0), '1\tshipped');
    assert.equal(rowText(result({ rows: [['a\tb', 'c\nd']] }), 0), 'a b\tc d');
  });

  test('CSV keeps NULL and the empty string apart', () => {
    const r = result({
      columns: [
        { name: 'a', type: 'string' },
        { name: 'b,c', type: 'string' },
      ],
      rows: [
        [null, ''],
        ['say "hi"', 'x\ny'],
        [' pad', 'null'],
      ],
    });
    assert.equal(toCsv(r), 'a,"b,c"\r\n,""\r\n"say ""hi""","x\ny"\r\n" pad",null\r\n');
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
