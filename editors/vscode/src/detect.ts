// Which documents sparkls serves. SQL ones always; Python and Scala ones
// only when sparkls has SQL to offer there: a Databricks source notebook
// (its first line) or, for Python, a file that calls spark.sql(. A plain
// Python file neither starts the server nor reaches it, so Python's own
// tooling is left alone. The server decides the rest (package embed).

/** The languages sparkls may serve; the document selector lists them. */
export const languages = ['sql', 'sparksql', 'python', 'scala'];

const headers: Record<string, string> = {
  python: '# Databricks notebook source',
  scala: '// Databricks notebook source',
};

/** Whether sparkls serves a document of languageId with text. */
export function wants(languageId: string, text: string): boolean {
  if (languageId === 'sql' || languageId === 'sparksql') {
    return true;
  }
  const header = headers[languageId];
  if (header === undefined) {
    return false;
  }
  const first = text.split('\n', 1)[0].replace(/^\ufeff/, '').trimEnd();
  if (languageId === 'python' && /^\s*%%sql(\s|$)/.test(first)) {
    return true; // a Jupyter %%sql cell
  }
  return first === header || (languageId === 'python' && text.includes('spark.sql('));
}
