import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addEntry,
  compareNumbers,
  copyAs,
  cut,
  displayText,
  entryTitle,
  isNumeric,
  keptHistory,
  nextSort,
  parseType,
  prettyJson,
  structured,
  updateEntry,
  view,
  viewerText,
  type Entry,
} from '../src/grid';

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
  test('parseType', () => {
    assert.deepEqual(parseType('struct<a:int,`b c`:array<decimal(10,2)>,m:map<string,struct<x:int>>>'), {
      kind: 'struct',
      fields: [
        { name: 'a', type: { kind: 'leaf', name: 'int' } },
        { name: 'b c', type: { kind: 'array', elem: { kind: 'leaf', name: 'decimal(10,2)' } } },
        {
          name: 'm',
          type: { kind: 'map', key: { kind: 'leaf', name: 'string' }, value: { kind: 'struct', fields: [{ name: 'x', type: { kind: 'leaf', name: 'int' } }] } },
        },
      ],
    });
    assert.equal(parseType('struct<a:int'), undefined);
  });

  test('structs show field names where Spark text reads back for sure', () => {
    assert.equal(displayText('struct<a:int,b:decimal(5,2)>', '{1, 42.50}'), '{"a":1,"b":42.50}');
    assert.equal(displayText('struct<a:int,b:struct<c:boolean,d:date>>', '{null, {true, 2024-01-31}}'), '{"a":null,"b":{"c":true,"d":"2024-01-31"}}');
    assert.equal(displayText('array<struct<x:bigint>>', '[{1}, {2}]'), '[{"x":1},{"x":2}]');
    assert.equal(displayText('map<int,array<int>>', '{1 -> [2, 3], 4 -> []}'), '{"1":[2,3],"4":[]}');
    assert.equal(displayText('struct<ts:timestamp,d:double>', '{2024-01-31 10:00:00, NaN}'), '{"ts":"2024-01-31 10:00:00","d":"NaN"}');
    // Exact digits beyond a double's.
    assert.equal(displayText('struct<n:decimal(38,0)>', '{12345678901234567890123}'), '{"n":12345678901234567890123}');
  });

  test("strings, binary and variant inside keep Spark's text: it cannot be read back for sure", () => {
    assert.equal(displayText('struct<a:string,b:int>', '{x, y, 1}'), undefined);
    assert.equal(displayText('array<string>', '[x, y]'), undefined);
    assert.equal(displayText('struct<v:variant>', '{1}'), undefined);
    // Text that does not match its type.
    assert.equal(displayText('struct<a:int,b:int>', '{1}'), undefined);
    assert.equal(displayText('struct<a:boolean>', '{yes}'), undefined);
    assert.equal(displayText('int', '1'), undefined);
    assert.equal(structured('struct<a:int>', '{1} trailing'), undefined);
  });

  test('the viewer pretty-prints JSON for struct/map/array/variant, else the text', () => {
    assert.deepEqual(viewerText('struct<a:int,b:array<int>>', '{1, [2]}'), { text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}', json: true });
    assert.deepEqual(viewerText('variant', '{"k":[1,{"x":9223372036854775807}],"e":{}}'), {
      text: '{\n  "k": [\n    1,\n    {\n      "x": 9223372036854775807\n    }\n  ],\n  "e": {}\n}',
      json: true,
    });
    assert.deepEqual(viewerText('variant', '"a, b"'), { text: '"a, b"', json: true });
    assert.deepEqual(viewerText('string', 'plain'), { text: 'plain', json: false });
    assert.deepEqual(viewerText('struct<a:string>', '{x}'), { text: '{x}', json: false });
  });

  test('prettyJson keeps strings with brackets and escapes intact', () => {
    assert.equal(prettyJson('{"a":"[x, {y}]\\"q"}'), '{\n  "a": "[x, {y}]\\"q"\n}');
    assert.equal(prettyJson('not json'), undefined);
  });
});
