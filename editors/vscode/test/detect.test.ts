import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { wants } from '../src/detect';

describe('wants', () => {
  test('SQL always', () => {
    assert.equal(wants('sql', ''), true);
    assert.equal(wants('sparksql', 'x'), true);
  });
  test('Python: notebooks and files that call spark.sql(', () => {
    assert.equal(wants('python', '# Databricks notebook source\r\nx = 1\n'), true);
    assert.equal(wants('python', 'df = spark.sql("SELECT 1")\n'), true);
    assert.equal(wants('python', 'import os\nprint(os.getcwd())\n'), false);
    assert.equal(wants('python', '%%sql\nSELECT 1\n'), true);
    assert.equal(wants('python', 'x = 1  # %%sql\n'), false);
  });
  test('Scala: notebooks only', () => {
    assert.equal(wants('scala', '// Databricks notebook source\n'), true);
    assert.equal(wants('scala', 'spark.sql("SELECT 1")'), false);
  });
  test('other languages: never', () => {
    assert.equal(wants('markdown', 'spark.sql('), false);
  });
});
