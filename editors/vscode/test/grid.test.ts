import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addEntry,
  compareNumbers,
  copyAs,
  cut,
  appendPage,
  displayAt,
  entryTitle,
  isNumeric,
  keptHistory,
  nextSort,
  prettyJson,
  updateEntry,
  view,
  viewerText,
  type Entry,
} from '../src/grid';
import type { RunResult } from '../src/protocol';

function entry(id: string, over: Partial<Entry> = {}): Entry {
  return { id, uri: 'file:///w/a.sql', statement: `SELECT ${id}`, startedAt: 0, state: 'done', pinned: false, ...over };
}

describe('history', () => {
  test('keeps the last 20 unpinned runs and every pinned one', () => {
    let h: Entry[] = [];
    h = addEntry(h, entry('p1', { pinned: true }));
    for (let i = 0; i < 25; i++) {
      h = addEntry(h, entry(`r${i}`));
    }
    h = addEntry(h, entry('p2', { pinned: true }));
    const ids = h.map((e) => e.id);
    assert.equal(ids.length, 22);
    assert.deepEqual(ids.slice(0, 2), ['p1', 'r5']); // r0..r4 left, p1 stayed
    assert.equal(ids[ids.length - 1], 'p2');
  });

  test('a run added again replaces itself and moves last', () => {
    let h = [entry('a'), entry('b')];
    h = addEntry(h, entry('a', { state: 'failed' }));
    assert.deepEqual(
      h.map((e) => [e.id, e.state]),
      [
        ['b', 'done'],
        ['a', 'failed'],
      ],
    );
    h = updateEntry(h, 'b', { pinned: true });
    assert.equal(h[0].pinned, true);
    assert.deepEqual(updateEntry(h, 'zz', { pinned: true }), h);
  });

  test('what a reload keeps: running runs become stale, big old results lose their rows', () => {
    const big = { queryId: 'q', statement: 's', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, columns: [{ name: 'x', type: 'string' }], rows: [['y'.repeat(5000)]], rowCount: 1, truncated: false, elapsedMs: 1, markdown: '', error: null };
    const h = keptHistory([entry('old', { result: big }), entry('new', { result: big }), entry('run', { state: 'running', progress: { message: 'm' } })], 8000);
    assert.deepEqual(
      h.map((e) => [e.id, e.state, e.result === undefined]),
      [
        ['old', 'stale', true],
        ['new', 'done', false],
        ['run', 'stale', true],
      ],
    );
    assert.match(h[0].message ?? '', /run it again/);
    assert.equal(h[2].progress, undefined);
  });

  test('titles are the statement on one line, cut', () => {
    assert.equal(entryTitle(entry('a', { statement: '-- top\nSELECT a,\n  b FROM t' })), 'SELECT a, b FROM t');
    assert.equal(entryTitle(entry('a', { statement: 'SELECT ' + 'x'.repeat(40) }), 10), 'SELECT xx…');
    assert.equal(entryTitle(entry('a', { statement: '' })), 'run');
  });
});

describe('sort and filter', () => {
  const r = {
    columns: [
      { name: 'n', type: 'decimal(38,2)' },
      { name: 's', type: 'string' },
    ],
    rows: [
      ['10.00', 'b'],
      [null, 'a'],
      ['9.50', null],
      ['-1.00', 'B'],
      ['12345678901234567890.01', 'c'],
      ['12345678901234567890.00', 'null'],
    ],
  };

  test('numbers sort as numbers, exactly; NULL last both ways; ties keep order', () => {
    assert.deepEqual(view(r, { col: 0, asc: true }, ''), [3, 2, 0, 5, 4, 1]);
    assert.deepEqual(view(r, { col: 0, asc: false }, ''), [4, 5, 0, 2, 3, 1]);
  });

  test('text sorts by code point, NULL last', () => {
    assert.deepEqual(view(r, { col: 1, asc: true }, ''), [3, 1, 0, 4, 5, 2]);
  });

  test('filter: any cell contains it, case-insensitive; NULL matches null', () => {
    assert.deepEqual(view(r, undefined, 'b'), [0, 3]);
    assert.deepEqual(view(r, undefined, ' NULL '), [1, 2, 5]);
    assert.deepEqual(view(r, { col: 0, asc: false }, 'b'), [0, 3]);
    assert.deepEqual(view(r, undefined, 'zzz'), []);
  });

  test('header clicks: ascending, descending, none', () => {
    let s = nextSort(undefined, 1);
    assert.deepEqual(s, { col: 1, asc: true });
    s = nextSort(s, 1);
    assert.deepEqual(s, { col: 1, asc: false });
    assert.equal(nextSort(s, 1), undefined);
    assert.deepEqual(nextSort(s, 0), { col: 0, asc: true });
  });

  test('compareNumbers', () => {
    const cases: [string, string, number][] = [
      ['1', '2', -1],
      ['10', '9', 1],
      ['-10', '-9', -1],
      ['0.10', '0.1', 0],
      ['-0.0', '0', 0],
      ['1.0E10', '9999999999', 1],
      ['1.5E-3', '0.0015', 0],
      ['-Infinity', '-1E308', -1],
      ['Infinity', '1E308', 1],
      ['NaN', 'Infinity', 1],
      ['99999999999999999999', '99999999999999999998', 1],
    ];
    for (const [a, b, want] of cases) {
      assert.equal(Math.sign(compareNumbers(a, b)), want, `${a} vs ${b}`);
      assert.equal(Math.sign(compareNumbers(b, a)), -want || 0, `${b} vs ${a}`);
    }
  });

  test('numeric types', () => {
    for (const t of ['int', 'bigint', 'tinyint', 'smallint', 'double', 'float', 'decimal(12,2)', 'decimal(10, 0)']) {
      assert.ok(isNumeric(t), t);
    }
    for (const t of ['string', 'date', 'boolean', 'array<int>', 'interval day']) {
      assert.ok(!isNumeric(t), t);
    }
  });
});

describe('cutting long values', () => {
  test('at 200 code points with …', () => {
    assert.deepEqual(cut('abc'), { text: 'abc', cut: false });
    assert.deepEqual(cut('x'.repeat(200)), { text: 'x'.repeat(200), cut: false });
    assert.deepEqual(cut('x'.repeat(201)), { text: `${'x'.repeat(200)}…`, cut: true });
    // Surrogate pairs are not split.
    const emoji = '😀'.repeat(150); // 300 UTF-16 units, 150 code points
    assert.deepEqual(cut(emoji), { text: emoji, cut: false });
    assert.deepEqual(cut('😀'.repeat(201)), { text: `${'😀'.repeat(200)}…`, cut: true });
  });
});

describe('copy formats', () => {
  const t = {
    columns: [{ name: 'a' }, { name: 'b|c' }, { name: 'a' }],
    rows: [
      [null, '', 'x'],
      ['say "hi"', 'x\ny', 'p|q'],
      [' pad', 'null', 'a\tb'],
    ],
  };

  test('TSV: tabs and line breaks become spaces, NULL empty', () => {
    assert.equal(copyAs('tsv', t), 'a\tb|c\ta\n\t\tx\nsay "hi"\tx y\tp|q\n pad\tnull\ta b\n');
  });

  test('CSV keeps NULL and the empty string apart', () => {
    assert.equal(copyAs('csv', t), 'a,b|c,a\r\n,"",x\r\n"say ""hi""","x\ny",p|q\r\n" pad",null,a\tb\r\n');
  });

  test("JSON: Spark's text by name, NULL as null, duplicate names suffixed", () => {
    assert.deepEqual(JSON.parse(copyAs('json', t)), [
      { a: null, 'b|c': '', a_2: 'x' },
      { a: 'say "hi"', 'b|c': 'x\ny', a_2: 'p|q' },
      { a: ' pad', 'b|c': 'null', a_2: 'a\tb' },
    ]);
  });

  test('Markdown: pipes escaped, line breaks as <br>, NULL as NULL', () => {
    assert.equal(
      copyAs('markdown', t),
      '| a | b\\|c | a |\n| --- | --- | --- |\n| NULL |  | x |\n| say "hi" | x<br>y | p\\|q |\n|  pad | null | a\tb |\n',
    );
  });
});

describe('structured values', () => {
  const res = (): Pick<RunResult, 'rows' | 'display' | 'rowCount'> => ({
    rows: [['1', '{a, b, 1}'], ['2', null]],
    display: { '1': ['{"s":"a, b","n":1}', null] },
    rowCount: 2,
  });

  test("the grid shows sparkls' display form of nested columns, else Spark's text", () => {
    const r = res();
    assert.equal(displayAt(r, 0, 1), '{"s":"a, b","n":1}');
    assert.equal(displayAt(r, 1, 1), undefined); // NULL
    assert.equal(displayAt(r, 0, 0), undefined); // not nested
    assert.equal(displayAt({ display: undefined }, 0, 1), undefined); // no nested column
  });

  test('pages keep one display entry per row', () => {
    const r = res();
    appendPage(r, { rows: [['3', '{c, 2}']], display: { '1': ['{"s":"c","n":2}'] } });
    assert.equal(r.rowCount, 3);
    assert.deepEqual(r.display, { '1': ['{"s":"a, b","n":1}', null, '{"s":"c","n":2}'] });
    appendPage(r, { rows: [['4', null]] });
    assert.deepEqual(r.display?.['1'], ['{"s":"a, b","n":1}', null, '{"s":"c","n":2}', null]);
    // A page brings the first display of a column: earlier rows get none.
    const flat: Pick<RunResult, 'rows' | 'display' | 'rowCount'> = { rows: [['x']], rowCount: 1 };
    appendPage(flat, { rows: [['y']], display: { '0': ['[1]'] } });
    assert.deepEqual(flat.display, { '0': [null, '[1]'] });
    const none: Pick<RunResult, 'rows' | 'display' | 'rowCount'> = { rows: [], rowCount: 0 };
    appendPage(none, { rows: [['z']] });
    assert.equal(none.display, undefined);
  });

  test('the viewer pretty-prints the display form and variants, else the text', () => {
    assert.deepEqual(viewerText('struct<a:string,b:array<int>>', '{x, y, [2]}', '{"a":"x, y","b":[2]}'), {
      text: '{\n  "a": "x, y",\n  "b": [\n    2\n  ]\n}',
      json: true,
    });
    assert.deepEqual(viewerText('variant', '{"k":[1,{"x":9223372036854775807}],"e":{}}'), {
      text: '{\n  "k": [\n    1,\n    {\n      "x": 9223372036854775807\n    }\n  ],\n  "e": {}\n}',
      json: true,
    });
    assert.deepEqual(viewerText('variant', '"a, b"'), { text: '"a, b"', json: true });
    assert.deepEqual(viewerText('string', 'plain'), { text: 'plain', json: false });
    // No display form (too long to send whole): Spark's text.
    assert.deepEqual(viewerText('struct<a:string>', '{x}'), { text: '{x}', json: false });
  });

  test('prettyJson keeps strings with brackets and escapes intact', () => {
    assert.equal(prettyJson('{"a":"[x, {y}]\\"q"}'), '{\n  "a": "[x, {y}]\\"q"\n}');
    assert.equal(prettyJson('not json'), undefined);
  });
});
