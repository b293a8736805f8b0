// End-to-end test of the extension in a real VS Code (code-server in a
// headless Chromium driven by playwright-core), against the sparkls binary
// and a real Spark Connect server. scripts/test-vscode sets everything up
// and runs this file; it is not meant to run alone.
//
// Environment: SPARKLS_E2E_URL (code-server, with ?folder=), CHROMIUM (the
// browser binary), SPARKLS_E2E_ARTIFACTS (screenshots), SPARKLS_E2E_PROFILE
// (a fresh browser profile directory), SPARKLS_E2E_WORKSPACE (the folder
// code-server opened). With SPARKLS_E2E_AUTH_REMOTE and SPARKLS_E2E_AUTH_TOKEN
// (a server that needs that token), Spark: Set Token is tested too.
//
// Prints one line per check and "N passed, N failed" at the end; the exit
// status is 0 only if every check passed.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const url = need('SPARKLS_E2E_URL');
const artifacts = need('SPARKLS_E2E_ARTIFACTS');
const executablePath = need('CHROMIUM');
const profile = need('SPARKLS_E2E_PROFILE');
const workspace = need('SPARKLS_E2E_WORKSPACE');
const authRemote = process.env.SPARKLS_E2E_AUTH_REMOTE;
const authToken = process.env.SPARKLS_E2E_AUTH_TOKEN;
mkdirSync(artifacts, { recursive: true });

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
let passed = 0;
let failed = 0;
let shot = 0;

const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);
const consoleErrors = [];
page.on('console', (m) => {
  if (m.type() === 'error') {
    consoleErrors.push(m.text());
  }
});

try {
  await check('the workbench loads', async () => {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.statusbar').waitFor();
  });

  await check('orders.sql opens as SQL', async () => {
    await openFile('orders.sql');
    await page.locator('.statusbar-item', { hasText: /SQL$/ }).first().waitFor();
  });

  await check('the status bar shows the Spark version', async () => {
    const item = page.locator('.statusbar-item', { hasText: /Spark \d+\.\d+/ });
    await item.first().waitFor({ timeout: 90_000 });
    const text = (await item.first().innerText()).trim();
    note(`status bar: ${JSON.stringify(text)}`);
  });
  await screenshot('connected');

  await check('completion offers SQL keywords (SELECT)', async () => {
    await gotoLine(1);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('SEL');
    await page.keyboard.press('Control+Space');
    const widget = page.locator('.editor-widget.suggest-widget.visible');
    await widget.waitFor();
    const row = widget.locator('.monaco-list-row', { hasText: 'SELECT' });
    await row.first().waitFor();
    const labels = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
    note(`completion items: ${labels.slice(0, 8).join(', ')}`);
    await screenshot('completion');
    await page.keyboard.press('Escape');
    // Leave the file as it was: undo the typing (and the new line).
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press(`${mod}+z`);
    }
  });

  await check('completion after "FROM sales." lists the table orders', async () => {
    await gotoLine(1);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('SELECT * FROM sales');
    const widget = page.locator('.editor-widget.suggest-widget.visible');
    const row = widget.locator('.monaco-list-row', { hasText: /^orders/ });
    // The catalog loads in the background after connecting: type the dot
    // again until the list has the table.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.keyboard.type('.');
      await page.keyboard.press('Control+Space');
      try {
        await row.first().waitFor({ timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          throw e;
        }
        await page.keyboard.press('Escape');
        await page.keyboard.press('Backspace');
      }
    }
    const labels = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
    note(`completion items: ${labels.slice(0, 8).join(', ')}`);
    await screenshot('completion-catalog');
    await page.keyboard.press('Escape');
    // Leave the file as it was: undo the typing (extra undos do nothing).
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press(`${mod}+z`);
    }
  });

  await check('the ▶ Run code lens runs a query into the results grid', async () => {
    const lenses = page.locator('.codelens-decoration a', { hasText: '▶ Run' });
    await lenses.first().waitFor({ timeout: 60_000 });
    await screenshot('code-lenses');
    await topmost(lenses).then((l) => l.click()); // the lens of the first statement
    const frame = await resultsFrame((f) => f.locator('#grid').count());
    const grid = await readGrid(frame);
    note(`grid: ${JSON.stringify(grid.head)} ${JSON.stringify(grid.rows.slice(0, 2))}`);
    expectEqual(grid.head, [
      ['order_id', 'bigint'],
      ['customer_id', 'bigint'],
      ['amount', 'decimal(12,2)'],
      ['status', 'string'],
    ]);
    expectEqual(grid.rows, [
      ['1001', '1', '42.50', 'shipped'],
      ['1002', '2', '250.00', 'shipped'],
      ['1003', '1', '129.99', 'new'],
    ]);
    const meta = await frame.locator('#meta').innerText();
    if (!/^3 rows · \d/.test(meta)) {
      throw new Error(`meta line ${JSON.stringify(meta)}: want "3 rows · <time>"`);
    }
    await screenshot('run-lens');
  });

  await check('Ctrl+Enter (Spark: Run Cell) shows NULL apart from the text null', async () => {
    await gotoLine(8);
    await page.keyboard.press('Control+Enter');
    const frame = await resultsFrame(async (f) => (await f.locator('#grid th .name', { hasText: 'text_null' }).count()) > 0);
    const grid = await readGrid(frame);
    expectEqual(grid.head.map((h) => h[0]), ['n', 'sql_null', 'text_null']);
    expectEqual(grid.rows, [['1', '⟨NULL⟩', 'null']]);
    await screenshot('run-cell-null');
  });

  await check('Ctrl+Enter with a selection runs the selection', async () => {
    await gotoLine(8);
    for (let i = 0; i < 'SELECT 1 AS n'.length; i++) {
      await page.keyboard.press('Shift+ArrowRight');
    }
    await page.keyboard.press('Control+Enter');
    const frame = await resultsFrame(async (f) => {
      const names = await f.locator('#grid th .name').allInnerTexts();
      return names.length === 1 && names[0] === 'n';
    });
    expectEqual((await readGrid(frame)).rows, [['1']]);
    await screenshot('run-selection');
    await page.keyboard.press('Home'); // drop the selection
  });

  await check('Spark: Run Cell from the command palette shows an error with its class', async () => {
    await gotoLine(10);
    await runCommand('Spark: Run Cell');
    const frame = await resultsFrame((f) => f.locator('.error-class').count());
    const cls = await frame.locator('.error-class').innerText();
    const msg = await frame.locator('.error-message').innerText();
    note(`error: ${cls}: ${msg.split('\n')[0]}`);
    if (!cls.startsWith('UNRESOLVED_COLUMN')) {
      throw new Error(`error class ${JSON.stringify(cls)}: want UNRESOLVED_COLUMN...`);
    }
    // Spark's logical plan is folded behind "Show plan", not in the message.
    if (/Project \[|SubqueryAlias/.test(msg)) {
      throw new Error(`the message holds the plan: ${JSON.stringify(msg)}`);
    }
    const plan = frame.locator('details.plan');
    await plan.locator('summary', { hasText: 'Show plan' }).click();
    const planText = await plan.locator('pre').innerText();
    if (!/Project/.test(planText)) {
      throw new Error(`Show plan shows ${JSON.stringify(planText)}`);
    }
    // The analysis found the same error before the run: one problem, not two.
    await page.waitForTimeout(1000);
    const problems = (await page.locator('[id="status.problems"]').first().innerText()).trim();
    note(`problems in the status bar: ${JSON.stringify(problems)}`);
    if (!/^1\s+0$/.test(problems)) {
      throw new Error(`problems ${JSON.stringify(problems)}: want 1 error, 0 warnings`);
    }
    await screenshot('run-error');
  });

  await check('Spark: Explain opens the plan', async () => {
    await gotoLine(2);
    await runCommand('Spark: Explain');
    const plan = page.locator('.monaco-editor .view-lines', { hasText: 'Physical Plan' });
    await plan.first().waitFor({ timeout: 60_000 });
    await screenshot('explain');
    await page.keyboard.press(`${mod}+W`); // close the plan: read-only, nothing to save
  });

  await check('the status bar shows a running query; clicking it cancels', async () => {
    await page.locator('.tab', { hasText: 'orders.sql' }).first().click();
    await gotoLine(13);
    await page.keyboard.press('Control+Enter');
    const running = page.locator('.statusbar-item', { hasText: 'Spark: running' });
    await running.first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500); // let the spinner tick and progress arrive
    note(`status bar: ${JSON.stringify((await running.first().innerText()).trim())}`);
    await screenshot('running');
    await running.first().click();
    const frame = await resultsFrame((f) => f.locator('.error-class', { hasText: 'OPERATION_CANCELED' }).count(), 30_000);
    note(`after cancel: ${(await frame.locator('.error-message').innerText()).split('\n')[0]}`);
    await page.locator('.statusbar-item', { hasText: /Spark \d+\.\d+/ }).first().waitFor();
    await screenshot('cancelled');
  });

  await check('after a window reload the results panel is restored, no empty split left', async () => {
    await page.locator('.tab', { hasText: 'orders.sql' }).first().click();
    await gotoLine(8);
    await page.keyboard.press('Control+Enter');
    await resultsFrame(async (f) => (await f.locator('#grid th .name', { hasText: 'text_null' }).count()) > 0);
    await runCommand('Developer: Reload Window');
    await page.waitForTimeout(2000);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const frame = await resultsFrame(async (f) => (await f.locator('#grid th .name', { hasText: 'text_null' }).count()) > 0, 60_000);
    expectEqual((await readGrid(frame)).rows, [['1', '⟨NULL⟩', 'null']]);
    const empty = await page.locator('.editor-group-container.empty').count();
    if (empty !== 0) {
      throw new Error(`${empty} empty editor group(s) after the reload`);
    }
    await screenshot('reloaded');
    await page.locator('.statusbar-item', { hasText: /Spark \d+\.\d+/ }).first().waitFor({ timeout: 90_000 });
  });

  await check('a run asks for each parameter value in an input box, and offers it again next time', async () => {
    await openFile('params.sql');
    const input = page.locator('.quick-input-widget .quick-input-box input').first();
    const answer = async (title, value) => {
      await page.locator('.quick-input-widget', { hasText: title }).first().waitFor({ timeout: 60_000 });
      const shown = await input.inputValue();
      await input.fill(value);
      await page.keyboard.press('Enter');
      return shown;
    };
    await gotoLine(1);
    await page.keyboard.press('Control+Enter');
    await answer('value of :who', "x' OR 1=1 --");
    await answer('value of :n', '41');
    let frame = await resultsFrame(async (f) => (await f.locator('#grid th .name', { hasText: 'n_plus_1' }).count()) > 0);
    expectEqual((await readGrid(frame)).rows, [["x' OR 1=1 --", '42']]);
    await gotoLine(1);
    await page.keyboard.press('Control+Enter');
    const again = [await answer('value of :who', 'ada'), await answer('value of :n', '1')];
    expectEqual(again, ["x' OR 1=1 --", '41']);
    frame = await resultsFrame(async (f) => JSON.stringify((await readGrid(f)).rows) === JSON.stringify([['ada', '2']]));
    await screenshot('run-params');
  });

  await check('job.py: completion inside a spark.sql string lists sales tables', async () => {
    await openFile('job.py');
    await gotoLine(4);
    await page.keyboard.press('End');
    for (let i = 0; i < '")'.length + 'orders'.length; i++) {
      await page.keyboard.press('ArrowLeft');
    }
    const widget = page.locator('.editor-widget.suggest-widget.visible');
    // The extension starts sparkls for a Python file only once it has seen
    // SQL in it, which may take a while on a loaded machine: ask again
    // until the list has the tables.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.keyboard.press('Control+Space');
      try {
        await widget.locator('.monaco-list-row', { hasText: /^customers/ }).first().waitFor({ timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          throw e;
        }
        await page.keyboard.press('Escape');
      }
    }
    const labels = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
    note(`completion items in the string: ${labels.slice(0, 8).join(', ')}`);
    await screenshot('python-string-completion');
    await page.keyboard.press('Escape');
  });

  await check('nb.py: the ▶ Run lens of a %sql cell runs it into the grid', async () => {
    await openFile('nb.py');
    const lenses = page.locator('.codelens-decoration a', { hasText: '▶ Run' });
    await lenses.first().waitFor({ timeout: 60_000 });
    const count = await lenses.count();
    if (count !== 1) {
      throw new Error(`${count} Run lenses: want 1 (the %sql cell only)`);
    }
    await lenses.first().click();
    const frame = await resultsFrame(async (f) => (await f.locator('#grid th .name', { hasText: 'seven' }).count()) > 0);
    expectEqual((await readGrid(frame)).rows, [['7', 'nb']]);
    await screenshot('notebook-run');
  });

  await check('cells.ipynb: sparkls completes in a Jupyter %%sql cell (notebookDocument sync)', async () => {
    await openFile('cells.ipynb');
    const cell = page.locator('.notebook-editor .cell-editor-container .monaco-editor .view-lines').first();
    await cell.waitFor({ timeout: 60_000 });
    await cell.click();
    await page.keyboard.press('Control+End'); // after "o WH": only sparkls knows WHERE
    const widget = page.locator('.editor-widget.suggest-widget.visible');
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.keyboard.press('Control+Space');
      try {
        await widget.locator('.monaco-list-row', { hasText: /^WHERE/ }).first().waitFor({ timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          throw e;
        }
        await page.keyboard.press('Escape');
      }
    }
    const labels = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
    note(`completion items in the cell: ${labels.slice(0, 8).join(', ')}`);
    await screenshot('jupyter-cell-completion');
    await page.keyboard.press('Escape');
  });

  if (authRemote && authToken) {
    await check('Spark: Set Token connects to a server that needs a token, settings.json keeps none', async () => {
      const settingsFile = join(workspace, '.vscode', 'settings.json');
      const before = readFileSync(settingsFile, 'utf8');
      try {
        const settings = JSON.parse(before);
        settings['sparkls.remote'] = `${authRemote}/;use_ssl=false`; // loopback: the token may go in plain text
        writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
        const notConnected = page.locator('.statusbar-item', { hasText: 'Spark: not connected' });
        await notConnected.first().waitFor({ timeout: 60_000 });
        await screenshot('no-token');
        await runCommand('Spark: Set Token');
        const input = page.locator('.quick-input-widget .quick-input-box input[type=password]').first();
        await input.waitFor();
        await input.fill(authToken);
        await page.keyboard.press('Enter');
        await page.locator('.statusbar-item', { hasText: /Spark \d+\.\d+/ }).first().waitFor({ timeout: 60_000 });
        await screenshot('token-set');
        if (readFileSync(settingsFile, 'utf8').includes(authToken)) {
          throw new Error('the token was written to settings.json');
        }
      } finally {
        writeFileSync(settingsFile, before);
      }
    });
  } else {
    console.log('skip Spark: Set Token (SPARKLS_IT_AUTH_REMOTE and SPARKLS_IT_AUTH_TOKEN are not set)');
  }
} finally {
  await screenshot('final').catch(() => undefined);
  if (failed > 0 && consoleErrors.length > 0) {
    console.log(`browser console errors (first 10):\n  ${consoleErrors.slice(0, 10).join('\n  ')}`);
  }
  await context.close();
}

console.log(`screenshots: ${artifacts}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

// ---------------------------------------------------------------------------

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`e2e: ${name} is not set; run scripts/test-vscode`);
    process.exit(2);
  }
  return v;
}

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message.split('\n').slice(0, 6).join('\n     ') : e}`);
    await screenshot(`fail-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
  }
}

function note(s) {
  console.log(`     ${s}`);
}

async function screenshot(name) {
  shot++;
  const file = join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
}

function expectEqual(got, want) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) {
    throw new Error(`got ${g}\n want ${w}`);
  }
}

/** Runs a command by its title through the command palette. */
async function runCommand(title) {
  await page.keyboard.press(`${mod}+Shift+P`);
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function openFile(name) {
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

/** The element of locator l highest on the page. */
async function topmost(l) {
  let best;
  let bestY = Infinity;
  for (const el of await l.all()) {
    const box = await el.boundingBox();
    if (box && box.y < bestY) {
      best = el;
      bestY = box.y;
    }
  }
  if (!best) {
    throw new Error('no visible element');
  }
  return best;
}

/** Puts the cursor at the start of line n (1-based) of the active editor. */
async function gotoLine(n) {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor();
  await input.fill(`:${n}`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
}

/**
 * The results webview's inner frame, once ready(frame) is truthy. A webview
 * is an iframe holding another ("active-frame") with our page.
 */
async function resultsFrame(ready, timeout = 90_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        if ((await f.title()) !== 'Spark Results') {
          continue;
        }
        if (await ready(f)) {
          return f;
        }
        last = (await f.locator('body').innerText()).slice(0, 300);
      } catch {
        // A frame navigating away between the calls; look again.
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`the results panel did not show the expected content in ${timeout / 1000} s; it showed: ${JSON.stringify(last)}`);
}

/** The grid's header [name, type] pairs and cells, NULL cells as ⟨NULL⟩. */
async function readGrid(frame) {
  return frame.locator('#grid').evaluate((t) => ({
    head: [...t.querySelectorAll('thead th[data-c]')].map((th) => [
      th.querySelector('.name').textContent,
      th.querySelector('.type').textContent,
    ]),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => (td.classList.contains('null') ? `⟨${td.textContent}⟩` : td.textContent)),
    ),
  }));
}
