import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Runs, type Run } from '../src/runs';

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function two(): { runs: Runs; a: Run; b: Run } {
  const runs = new Runs();
  const a: Run = { runId: 'r1', token: 't1', uri: 'file:///x.sql' };
  const b: Run = { runId: 'r2', token: 't2', uri: 'file:///x.sql' };
  runs.add(a);
  runs.add(b);
  return { runs, a, b };
}

describe('Runs', () => {
  test('runStarted pairs by runId, whatever the order', () => {
    const { runs, a, b } = two();
    assert.equal(runs.started({ queryId: 'q2', uri: 'file:///x.sql', range, runId: 'r2', workDoneToken: 't2' }), b);
    assert.equal(runs.started({ queryId: 'q1', uri: 'file:///x.sql', range, runId: 'r1', workDoneToken: 't1' }), a);
    assert.deepEqual([a.queryId, b.queryId], ['q1', 'q2']);
  });

  test('by the token when only it is echoed; an unknown id pairs nothing', () => {
    const { runs, a, b } = two();
    assert.equal(runs.started({ queryId: 'q2', uri: 'file:///x.sql', range, workDoneToken: 't2' }), b);
    assert.equal(runs.started({ queryId: 'q9', uri: 'file:///x.sql', range, runId: 'other' }), undefined);
    assert.equal(a.queryId, undefined);
  });

  test('a server that echoes nothing: the oldest run of the document', () => {
    const { runs, a } = two();
    assert.equal(runs.started({ queryId: 'q1', uri: 'file:///x.sql', range }), a);
  });

  test('by runId: the results tab cancels its own run', () => {
    const { runs, a, b } = two();
    assert.equal(runs.byId(a.runId), a);
    assert.equal(runs.byId(b.runId), b);
    assert.equal(runs.byId('nope'), undefined);
  });

  test('last and remove', () => {
    const { runs, a, b } = two();
    assert.equal(runs.last(), b);
    runs.remove(b);
    assert.equal(runs.last(), a);
    runs.remove(a);
    assert.equal(runs.last(), undefined);
  });
});
