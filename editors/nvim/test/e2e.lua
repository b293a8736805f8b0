-- End-to-end test of the Neovim plugin: the real sparkls binary against the
-- real Spark Connect server with the demo catalog (scripts/spark-server).
--
--   nvim --headless --clean -u editors/nvim/test/minimal_init.lua -c 'luafile editors/nvim/test/e2e.lua'
--
-- Prints one line per check and "e2e: N passed, N failed"; exits 0 only
-- when all passed. SPARKLS_NVIM_CATALOG=1 adds the catalog completion and
-- hover checks (on once the server completes catalog names).
local t0 = vim.loop.hrtime()
local TIMEOUT_MS = tonumber(os.getenv('SPARKLS_NVIM_TIMEOUT_MS') or '') or 100000
local CATALOG = os.getenv('SPARKLS_NVIM_CATALOG') == '1'

local compat = require('sparkls.compat')
local render = require('sparkls.render')
local preview = require('sparkls.preview')
local state = require('sparkls.state')

local passed, failed = 0, 0
local function out(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end
local function since(t)
  return string.format('%.1f s', (vim.loop.hrtime() - t) / 1e9)
end
local function check(name, cond, detail)
  if cond then
    passed = passed + 1
    out('ok    ' .. name)
  else
    failed = failed + 1
    out('FAIL  ' .. name .. (detail and ('\n      ' .. detail:gsub('\n', '\n      ')) or ''))
  end
  return cond
end
local function eq(name, got, want)
  return check(name, vim.deep_equal(got, want), 'got  ' .. vim.inspect(got) .. '\nwant ' .. vim.inspect(want))
end
local function section(name)
  out(string.format('--- %s (%s)', name, since(t0)))
end

local function finish(code)
  local v = vim.version()
  out(string.format('nvim %d.%d.%d, %s', v.major, v.minor, v.patch, since(t0)))
  out(string.format('e2e: %d passed, %d failed', passed, failed))
  if code == nil then
    code = failed == 0 and 0 or 1
  end
  vim.cmd(code == 0 and 'qall!' or ('cquit ' .. code))
end

-- The watchdog: the test never hangs, whatever the server does.
local watchdog = vim.loop.new_timer()
watchdog:start(TIMEOUT_MS, 0, vim.schedule_wrap(function()
  check('finished within ' .. TIMEOUT_MS .. ' ms', false, 'watchdog fired')
  finish(3)
end))

local notes = {}
local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(notes, msg)
  return notify(msg, level, opts)
end

local function wait(ms, cond)
  return vim.wait(ms, cond, 20)
end

local function write(path, lines)
  vim.fn.writefile(lines, path)
end

local ok, err = xpcall(function()
  ------------------------------------------------------------------
  section('render (no server)')
  local result = {
    columns = { { name = 'id', type = 'bigint' }, { name = 'name', type = 'string' }, { name = 'amount', type = 'decimal(12,2)' } },
    rows = { { '1', 'Ada', '10.50' }, { '22', vim.NIL, '3.00' }, { '333', 'x\ny', vim.NIL } },
    rowCount = 3, truncated = true, elapsedMs = 412,
  }
  local lines = render.table(result, { rows = 2 })
  eq('render: aligned table, first rows, footer', render.text(lines), {
    'id │ name │ amount',
    '───┼──────┼───────',
    ' 1 │ Ada  │  10.50',
    '22 │ NULL │   3.00',
    '3 rows (2 shown) · 0.4 s (truncated)',
  })
  eq('render: NULL has its own highlight', lines[4][3], { 'NULL', 'SparkNull' })
  eq('render: all rows, newline shown as ↵', render.text(render.table(result))[5], '333 │ x↵y  │   NULL')
  eq('render: long cells are cut', render.fit('abcdefghij', 5), 'abcd…')
  eq('render: wide characters', render.text(render.table({ columns = { { name = 'k', type = 'string' }, { name = 'v', type = 'int' } },
    rows = { { '日本', '7' } }, rowCount = 1, elapsedMs = 5 }))[3], '日本 │ 7')
  eq('render: error line', render.error_text({ message = '[TABLE_OR_VIEW_NOT_FOUND] The table `x` cannot be found.\nmore', errorClass = 'TABLE_OR_VIEW_NOT_FOUND' }),
    '✗ TABLE_OR_VIEW_NOT_FOUND: The table `x` cannot be found.')
  eq('render: error line of a message that starts with a line break',
    render.error_text({ message = '\n[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 10)\n\n== SQL ==\nSELECT 1 +\n', errorClass = 'PARSE_SYNTAX_ERROR' }),
    '✗ PARSE_SYNTAX_ERROR: Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 10)')
  -- The inline preview keeps a fixed width: wider lines are cut with "…",
  -- highlights kept.
  local wide = (render.clip or function() return {} end)(render.table({ columns = { { name = 'a', type = 'string' }, { name = 'n', type = 'int' } },
    rows = { { string.rep('x', 30), '7' } }, rowCount = 1, elapsedMs = 5 }), 12)
  eq('render: clip cuts wide lines to the width with …', render.text(wide), { 'a          …', '───────────…', 'xxxxxxxxxxx…', '1 row · 5 ms' })
  eq('render: clip keeps the highlights of what is left', wide[3], { { 'xxxxxxxxxxx…', 'SparkCell' } })
  eq('render: statement without columns', render.text(render.table({ columns = {}, rows = {}, rowCount = 0, elapsedMs = 1500 })), { '✓ done · 1.5 s' })
  eq('utf16: columns of "a😀é|"', { compat.utf16_col('a😀é|', 1), compat.utf16_col('a😀é|', 5), compat.utf16_col('a😀é|', 7) }, { 1, 3, 4 })
  eq('utf16: back to bytes', { compat.byte_col('a😀é|', 3), compat.byte_col('a😀é|', 4) }, { 5, 7 })
  eq('config: redacts tokens', require('sparkls.config').redact('sc://h:443/;use_ssl=true;token=s3cret;x=1'), 'sc://h:443/;use_ssl=true;token=***;x=1')
  eq('config: redacts secret headers', require('sparkls.config').redact('sc://h:443/;x-api-key=s3cret;Cookie=s3cret;x=1'), 'sc://h:443/;x-api-key=***;Cookie=***;x=1')
  for _, bad in ipairs({ 'sc://h:1;token=', 'sc://h:1/token=', 'sc://h:1/?token=', 'sc://h:1/;x=1&token=' }) do
    eq('config: redacts a remote that does not parse', require('sparkls.config').redact(bad .. 's3cret'), bad .. '***')
  end
  eq('config: redacts a password before @', require('sparkls.config').redact('sc://me:s3cret@h:1'), 'sc://***@h:1')

  local saved = vim.g.sparkls
  vim.g.sparkls = { bogus = 1, cmd = 'sparkls serve', preview = { inline_rows = 3 } }
  local cfg, problems = require('sparkls.config').get()
  vim.g.sparkls = saved
  eq('config: problems are reported, defaults kept', { problems, cfg.cmd, cfg.preview.inline_rows, cfg.preview.max_width }, {
    { 'vim.g.sparkls.bogus is not a known option (ignored)', 'vim.g.sparkls.cmd must be a table, not string (using the default)' },
    { 'sparkls', 'serve' }, 3, 40,
  })

  -- Two runs of one document in flight: sparkls/runStarted pairs by the
  -- runId it echoes, whatever order the notifications come in.
  local r1 = { client_id = 99, uri = 'file:///x.sql', run_id = 'nvim-1' }
  local r2 = { client_id = 99, uri = 'file:///x.sql', run_id = 'nvim-2' }
  state.pending[-1] = { r1, r2 }
  local started = require('sparkls').handlers['sparkls/runStarted']
  started(nil, { queryId = 'q2', uri = 'file:///x.sql', runId = 'nvim-2' }, { client_id = 99 })
  started(nil, { queryId = 'q1', uri = 'file:///x.sql', runId = 'nvim-1' }, { client_id = 99 })
  eq('runStarted: pairs runs by runId', { r1.query_id, r2.query_id }, { 'q1', 'q2' })
  r1.query_id, r2.query_id = nil, nil
  started(nil, { queryId = 'q1', uri = 'file:///x.sql' }, { client_id = 99 })
  eq('runStarted without runId (older server): the oldest run', { r1.query_id, r2.query_id }, { 'q1', nil })
  state.pending[-1], state.running.q1, state.running.q2 = nil, nil, nil

  ------------------------------------------------------------------
  section(':Spark and <Plug> mappings')
  eq(':Spark completes subcommands', vim.fn.getcompletion('Spark c', 'cmdline'), { 'cancel', 'clear' })
  eq(':Spark cancel completes "all"', vim.fn.getcompletion('Spark cancel ', 'cmdline'), { 'all' })
  eq(':Spark export completes the formats', vim.fn.getcompletion('Spark export ', 'cmdline'), { 'csv', 'parquet', 'json' })
  for _, m in ipairs({ { 'n', 'SparkRun' }, { 'x', 'SparkRun' }, { 'n', 'SparkCancel' }, { 'n', 'SparkCancelAll' },
    { 'n', 'SparkRefresh' }, { 'n', 'SparkExplain' }, { 'x', 'SparkExplain' }, { 'n', 'SparkPreview' }, { 'n', 'SparkResults' }, { 'n', 'SparkClear' } }) do
    check(m[1] .. ' <Plug>(' .. m[2] .. ')', vim.fn.maparg('<Plug>(' .. m[2] .. ')', m[1]) ~= '')
  end
  local own = {}
  for _, mode in ipairs({ 'n', 'x', 'i' }) do
    for _, map in ipairs(vim.api.nvim_get_keymap(mode)) do
      if (map.rhs or ''):find('Spark') and not map.lhs:find('^<Plug>') then
        table.insert(own, mode .. ' ' .. map.lhs)
      end
    end
  end
  eq('no default key mappings', own, {})

  ------------------------------------------------------------------
  section('help')
  local docdir = vim.fn.tempname()
  vim.fn.mkdir(docdir, 'p')
  local plugin_root = vim.fn.fnamemodify(vim.api.nvim_get_runtime_file('plugin/sparkls.lua', false)[1], ':h:h')
  vim.fn.writefile(vim.fn.readfile(plugin_root .. '/doc/sparkls.txt'), docdir .. '/sparkls.txt')
  local hok, herr = pcall(vim.cmd, 'helptags ' .. vim.fn.fnameescape(docdir))
  check(':helptags doc/ without errors', hok, tostring(herr))
  local tags = table.concat(vim.fn.readfile(docdir .. '/tags'), '\n')
  for _, tag in ipairs({ 'sparkls', 'g:sparkls', ':Spark', ':Spark-run', '<Plug>(SparkRun)', 'SparkNull', 'sparkls-health', ':Spark-results', 'sparkls-history', 'sparkls-codelens' }) do
    check('help tag ' .. tag, tags:find('\n' .. vim.pesc(tag) .. '\t', 1) ~= nil or tags:find('^' .. vim.pesc(tag) .. '\t') ~= nil)
  end

  ------------------------------------------------------------------
  section('attach')
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local run_sql = dir .. '/run.sql'
  write(run_sql, {
    '-- sparkls e2e',
    'SELECT order_id, status FROM sales.orders ORDER BY order_id LIMIT 3;',
    '',
    'SELECT CAST(NULL AS STRING) AS s, 1 AS n;',
    '',
    "SELECT '😀' AS a; SELECT 2 AS b;",
    '',
    'SELECT nope FROM sales.orders;',
    '',
    'SELECT count(*) AS c FROM range(0, 100000000000, 1, 1) WHERE id % 7 = 3;',
    '',
    "SELECT repeat('x', 50) AS a, repeat('y', 50) AS b, repeat('z', 50) AS c;",
  })
  vim.cmd('edit ' .. vim.fn.fnameescape(run_sql))
  local buf = vim.api.nvim_get_current_buf()
  eq('filetype', vim.bo[buf].filetype, 'sql')
  check('a sparkls client attaches by itself', wait(10000, function()
    return #compat.clients(buf) > 0
  end))
  local client = compat.clients(buf)[1]
  if not client then
    return
  end
  check('sparkls/status says connected', wait(60000, function()
    local st = state.status[client.id]
    return st ~= nil and (st.state == 'connected' or st.state == 'error')
  end) and state.status[client.id].state == 'connected', vim.inspect(state.status[client.id]))
  out('      status: ' .. vim.inspect(state.status[client.id]):gsub('%s+', ' '))
  -- 0.11 sets omnifunc itself; before that the plugin does, on attach.
  eq("omnifunc is the LSP's", vim.bo[buf].omnifunc, 'v:lua.vim.lsp.omnifunc')
  local function lens_titles(row)
    local titles = {}
    for _, l in ipairs(vim.lsp.codelens.get(buf)) do
      if row == nil or l.range.start.line == row then
        table.insert(titles, (row and '' or (l.range.start.line .. ' ')) .. (l.command and l.command.title or '?'))
      end
    end
    table.sort(titles)
    return titles
  end
  -- The server puts each lens on its statement's first line (the first
  -- statement's cell starts at the comment on line 0).
  check('code lenses: ▶ Run above each statement, by themselves', wait(15000, function()
    return #lens_titles() == 7
  end) and vim.tbl_contains(lens_titles(9), '▶ Run') and vim.tbl_contains(lens_titles(5), "▶ Run SELECT 2 AS b"), vim.inspect(lens_titles()))

  ------------------------------------------------------------------
  section('completion')
  local comp_sql = dir .. '/complete.sql'
  write(comp_sql, {
    'sel',
    'SELECT o.order_id FROM sales.orders o WH',
    ';',
    'SELECT * FROM ',
    ';',
    'SELECT * FROM sales.',
    ';',
    'SELECT o. FROM sales.orders o;',
    'SELECT * FROM sales.orders;',
  })
  vim.cmd('edit ' .. vim.fn.fnameescape(comp_sql))
  local cbuf = vim.api.nvim_get_current_buf()
  wait(10000, function()
    return #compat.clients(cbuf) > 0
  end)
  local function complete(row, col)
    local res = vim.lsp.buf_request_sync(cbuf, 'textDocument/completion', {
      textDocument = { uri = vim.uri_from_bufnr(cbuf) },
      position = { line = row, character = col },
    }, 10000)
    local items, errs = {}, {}
    for _, r in pairs(res or {}) do
      if r.error then
        table.insert(errs, r.error.message)
      end
      local list = r.result and (r.result.items or r.result) or {}
      for _, it in ipairs(list) do
        items[it.label] = it
      end
    end
    return items, errs
  end
  local items, errs = complete(0, 3)
  check('completion of "sel": SELECT, inserted in the user\'s case', items.SELECT ~= nil and items.SELECT.insertText == 'select',
    vim.inspect(items.SELECT) .. ' ' .. table.concat(errs, '; '))
  items = complete(1, #'SELECT o.order_id FROM sales.orders o WH')
  check('completion of "... o WH": WHERE', items.WHERE ~= nil, vim.inspect(vim.tbl_keys(items)))
  items, errs = complete(3, #'SELECT * FROM ')
  check('completion after "FROM " answers', #errs == 0 and next(items) ~= nil, table.concat(errs, '; '))
  -- Right after the start the catalog may still be loading: the answer is
  -- then the "loading" item (and isIncomplete), never an empty list.
  items, errs = complete(5, #'SELECT * FROM sales.')
  check('completion after "FROM sales." is not empty (its tables, or the catalog loading)', #errs == 0
    and (items.orders ~= nil or items['Loading the Spark catalog…'] ~= nil), vim.inspect(vim.tbl_keys(items)))
  if CATALOG then
    -- A cold cache answers isIncomplete and fetches in the background: ask
    -- again until the name shows up.
    local function eventually_completes(name, row, col, label)
      local got = {}
      local found = wait(15000, function()
        got = complete(row, col)
        return got[label] ~= nil
      end)
      check(name, found, vim.inspect(vim.tbl_keys(got)))
    end
    eventually_completes('[catalog] completion after "FROM ": schema sales', 3, #'SELECT * FROM ', 'sales')
    eventually_completes('[catalog] completion after "FROM sales.": orders', 5, #'SELECT * FROM sales.', 'orders')
    eventually_completes('[catalog] completion after alias "o.": order_id', 7, #'SELECT o.', 'order_id')
    local text = ''
    check('[catalog] hover on sales.orders shows its columns', wait(15000, function()
      text = vim.inspect(vim.lsp.buf_request_sync(cbuf, 'textDocument/hover', {
        textDocument = { uri = vim.uri_from_bufnr(cbuf) },
        position = { line = 8, character = #'SELECT * FROM sales.or' },
      }, 10000))
      return text:find('order_id', 1, true) ~= nil and text:find('amount', 1, true) ~= nil
    end), text)
  else
    out('      (catalog completion and hover checks off: SPARKLS_NVIM_CATALOG=1 turns them on)')
  end

  ------------------------------------------------------------------
  section('python and notebooks')
  local function open_file(name, lines)
    local path = dir .. '/' .. name
    write(path, lines)
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    return vim.api.nvim_get_current_buf()
  end
  local function complete_in(b, row, col)
    local res = vim.lsp.buf_request_sync(b, 'textDocument/completion', {
      textDocument = { uri = vim.uri_from_bufnr(b) },
      position = { line = row, character = col },
    }, 10000)
    local items = {}
    for _, r in pairs(res or {}) do
      for _, it in ipairs(r.result and (r.result.items or r.result) or {}) do
        items[it.label] = it
      end
    end
    return items
  end
  local plain = open_file('plain.py', { 'import os', 'print(os.getcwd())' })
  eq('plain.py: filetype', vim.bo[plain].filetype, 'python')
  wait(1500, function()
    return #compat.clients(plain) > 0
  end)
  eq('plain.py (no spark.sql): no sparkls client', #compat.clients(plain), 0)

  local job = open_file('job.py', {
    'from pyspark.sql import SparkSession',
    'spark = SparkSession.builder.remote("sc://localhost").getOrCreate()',
    'df = spark.sql("SELECT * FROM sales.")',
    'x = df.',
  })
  check('job.py (calls spark.sql): a sparkls client attaches', wait(10000, function()
    return #compat.clients(job) > 0
  end))
  eq('job.py: nothing completed in Python code', vim.tbl_keys(complete_in(job, 3, #'x = df.')), {})
  local label = CATALOG and 'orders' or 'SELECT'
  local row, col = 2, #'df = spark.sql("SELECT * FROM sales.'
  if not CATALOG then
    col = #'df = spark.sql("'
  end
  local got = {}
  check('job.py: completion inside the spark.sql string: ' .. label, wait(15000, function()
    got = complete_in(job, row, col)
    return got[label] ~= nil
  end), vim.inspect(vim.tbl_keys(got)))

  local nb = open_file('nb.py', {
    '# Databricks notebook source',
    'df = spark.range(3)',
    '',
    '# COMMAND ----------',
    '',
    '# MAGIC %sql',
    '# MAGIC SELECT nope FROM sales.orders',
  })
  check('nb.py (Databricks notebook): a sparkls client attaches', wait(10000, function()
    return #compat.clients(nb) > 0
  end))
  local diags = {}
  check('nb.py: Spark\'s error on the %sql line, past "# MAGIC "', wait(30000, function()
    diags = vim.diagnostic.get(nb)
    return #diags > 0
  end) and diags[1].lnum == 6 and diags[1].col == #'# MAGIC SELECT ', vim.inspect(diags))
  vim.cmd('buffer ' .. buf)

  ------------------------------------------------------------------
  section(':Spark run')
  local function marks_at(row)
    return vim.api.nvim_buf_get_extmarks(buf, preview.ns, { row, 0 }, { row, -1 }, { details = true })
  end
  local function virt_text(row)
    local m = marks_at(row)[1]
    return m and render.text(m[4].virt_lines) or nil, m
  end
  -- run executes cmd with the cursor on line row (0-based) and waits for
  -- the result to replace "⋯ running".
  local function run(row, cmd, col, label)
    vim.api.nvim_win_set_cursor(0, { row + 1, col or 0 })
    local t = vim.loop.hrtime()
    vim.cmd(cmd)
    cmd = label or cmd
    local done = wait(60000, function()
      return #(state.pending[buf] or {}) == 0
    end)
    wait(1000, function() -- the result is drawn in a scheduled callback
      local m = marks_at(row)[1]
      return m and state.previews[buf][m[1]] and state.previews[buf][m[1]].kind ~= 'running'
    end)
    check(cmd .. ' on line ' .. (row + 1) .. ' finished', done)
    out('      ' .. cmd .. ': ' .. since(t))
    return virt_text(row)
  end

  local text, mark = run(1, 'Spark run')
  text = text or {}
  eq('preview header', text[1], 'order_id │ status')
  eq('preview rule', text[2], '─────────┼────────')
  eq('preview first row', text[3], '    1001 │ shipped')
  eq('preview rows 2-3', { text[4], text[5] }, { '    1002 │ shipped', '    1003 │ new' })
  check('preview footer "3 rows · <time>"', text[6] ~= nil and text[6]:match('^3 rows · [%d.]+ m?s$') ~= nil, vim.inspect(text))
  eq('preview is the only virtual text under the statement', #marks_at(1), 1)
  local entry = mark and state.previews[buf][mark[1]]
  check('result.statement is the statement', entry and entry.result and type(entry.result.statement) == 'string'
    and entry.result.statement:find('SELECT order_id, status FROM sales.orders', 1, true) ~= nil, vim.inspect(entry and entry.result))
  check('result.queryId is set', entry and entry.result and type(entry.result.queryId) == 'string' and entry.result.queryId ~= '')

  local lens = {}
  check('code lenses refreshed after the run: ✓ 3 rows', wait(10000, function()
    lens = lens_titles()
    for _, l in ipairs(lens) do
      if l:match('^%d+ ✓ 3 rows') then
        return true
      end
    end
  end), vim.inspect(lens))
  text = run(1, 'Spark run') or {}
  eq('running again replaces the preview', #marks_at(1), 1)

  text, mark = run(3, '4,4Spark run')
  text = text or {}
  eq(':4,4Spark run (lines): header', text[1], 's    │ n')
  eq('NULL row', text[3], 'NULL │ 1')
  eq('NULL highlighted as SparkNull', mark and mark[4].virt_lines[3][1], { 'NULL', 'SparkNull' })

  -- A characterwise selection of the second statement on the line, after
  -- a character that takes two UTF-16 units.
  vim.api.nvim_win_set_cursor(0, { 6, 0 })
  local line6 = vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1]
  local s2 = line6:find('SELECT 2', 1, true)
  vim.api.nvim_win_set_cursor(0, { 6, s2 - 1 })
  vim.cmd('normal! v' .. (#'SELECT 2 AS b' - 1) .. 'l\27')
  text = run(5, "'<,'>Spark run") or {}
  eq("'<,'>Spark run (characterwise selection after 😀)", { text[1], text[3] }, { 'b', '2' })
  -- The same through the visual-mode <Plug> mapping.
  vim.keymap.set('x', '<F2>', '<Plug>(SparkRun)')
  vim.cmd('Spark clear')
  text = run(5, 'normal v' .. (#'SELECT 2 AS b' - 1) .. 'l' .. vim.api.nvim_replace_termcodes('<F2>', true, false, true), s2 - 1, 'v…<Plug>(SparkRun)') or {}
  eq('x <Plug>(SparkRun) runs the selection', { text[1], text[3] }, { 'b', '2' })

  text = run(7, 'Spark run') or {}
  check('error: one line "✗ UNRESOLVED_COLUMN…: message"', #text == 1 and text[1]:match('^✗ UNRESOLVED_COLUMN[%w_.]*: .+') ~= nil, vim.inspect(text))
  local diags = {}
  wait(5000, function()
    diags = vim.diagnostic.get(buf, { lnum = 7 })
    return #diags > 0
  end)
  check('error: a diagnostic on the statement', #diags > 0, vim.inspect(vim.diagnostic.get(buf)))
  -- The analysis found the same error before the run: it is listed once.
  vim.wait(1000)
  diags = vim.tbl_filter(function(d)
    return tostring(d.code or ''):match('^UNRESOLVED_COLUMN') ~= nil
  end, vim.diagnostic.get(buf, { lnum = 7 }))
  eq('error: listed once (analysis and run agree)', #diags, 1)

  ------------------------------------------------------------------
  section(':Spark cancel')
  vim.api.nvim_win_set_cursor(0, { 10, 0 })
  local tc = vim.loop.hrtime()
  vim.cmd('Spark run')
  eq('"⋯ running" under the statement while it runs', virt_text(9), { '⋯ running' })
  check('sparkls/runStarted names the query (paired by runId)', wait(20000, function()
    for _, r in ipairs(state.pending[buf] or {}) do
      if r.query_id and r.run_id and state.running[r.query_id] then
        return true
      end
    end
    return false
  end), vim.inspect(state.pending[buf]))
  -- The running line follows the run: elapsed time, then Spark's stages
  -- and tasks from the $/progress of the run's own workDoneToken.
  local running = {}
  check('"⋯ running · <elapsed> · … tasks" while it runs', wait(10000, function()
    running = virt_text(9) or {}
    return #running == 1 and running[1]:match('^⋯ running · [%d.]+ m?s · [1-9]%d* stages? · %d+/[1-9]%d* tasks') ~= nil
  end), vim.inspect(running))
  out('      ' .. tostring(running[1]))
  vim.wait(500) -- let Spark start the job, so that cancelling interrupts it
  vim.cmd('Spark cancel')
  check(':Spark cancel ends the run', wait(20000, function()
    return #(state.pending[buf] or {}) == 0
  end))
  wait(1000, function()
    local m = marks_at(9)[1]
    return m and state.previews[buf][m[1]] and state.previews[buf][m[1]].kind ~= 'running'
  end)
  text = virt_text(9) or {}
  check('cancelled run shows "✗ …"', #text == 1 and text[1]:match('^✗ ') ~= nil, vim.inspect(text))
  out('      ' .. tostring(text[1]))
  out('      run + cancel: ' .. since(tc))

  ------------------------------------------------------------------
  section(':Spark preview, explain, refresh, clear')
  run(1, 'Spark run')
  local wins = #vim.api.nvim_list_wins()
  vim.cmd('Spark preview')
  local pbuf = vim.api.nvim_get_current_buf()
  local plines = vim.api.nvim_buf_get_lines(pbuf, 0, -1, false)
  check(':Spark preview opens a window with the full result', #vim.api.nvim_list_wins() == wins + 1
    and vim.tbl_contains(plines, '    1001 │ shipped') and vim.tbl_contains(plines, '    1003 │ new'), vim.inspect(plines))
  vim.cmd('close')

  -- A wide result: the inline preview keeps its width, :Spark preview
  -- shows it all.
  -- Through its code lens: ▶ Run runs as :Spark run does, preview and all.
  text = run(11, 'lua vim.lsp.codelens.run()', 0, 'the ▶ Run lens') or {}
  local widths = vim.tbl_map(vim.api.nvim_strwidth, text)
  check('inline preview: no line wider than preview.width (80)', #text == 4 and math.max(unpack(widths)) <= 80
    and text[3]:match('…$') ~= nil, vim.inspect(text))
  vim.cmd('Spark preview')
  plines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  check(':Spark preview shows the wide row whole', plines[4] ~= nil and plines[4]:find(string.rep('z', 50), 1, true) ~= nil
    and vim.api.nvim_strwidth(plines[4]) > 80, vim.inspect(plines))
  vim.cmd('close')

  ------------------------------------------------------------------
  section(':Spark results')
  vim.cmd('Spark results')
  local hbuf = vim.api.nvim_get_current_buf()
  local hlines = vim.api.nvim_buf_get_lines(hbuf, 0, -1, false)
  check(':Spark results lists the runs, the last first', hbuf ~= buf and #hlines >= 8
    and hlines[1]:find("✓ 1 row", 1, true) ~= nil and hlines[1]:find("SELECT repeat('x', 50)", 1, true) ~= nil
    and hlines[2]:find('  run.sql:2  ✓ 3 rows', 1, true) ~= nil and hlines[2]:find('SELECT order_id, status', 1, true) ~= nil, vim.inspect(hlines))
  local errline
  for i, l in ipairs(hlines) do
    if l:find('SELECT nope', 1, true) then
      errline = errline or i
    end
  end
  check(':Spark results shows failed runs with ✗', errline ~= nil and hlines[errline]:find('✗ UNRESOLVED_COLUMN', 1, true) ~= nil, vim.inspect(hlines))
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
  plines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  check('<CR> in :Spark results opens that run\'s preview', vim.api.nvim_get_current_buf() ~= hbuf
    and vim.tbl_contains(plines, '    1003 │ new'), vim.inspect(plines))
  vim.cmd('close')
  if vim.api.nvim_buf_is_valid(hbuf) and vim.fn.bufwinid(hbuf) ~= -1 then
    vim.api.nvim_win_close(vim.fn.bufwinid(hbuf), true)
  end
  vim.cmd('buffer ' .. buf)

  ------------------------------------------------------------------
  section(':Spark more and :Spark export')
  local page_sql = dir .. '/page.sql'
  write(page_sql, { 'SELECT id, CAST(id * 2 AS STRING) AS twice FROM range(10000)' })
  vim.cmd('edit ' .. vim.fn.fnameescape(page_sql))
  local pbuf = vim.api.nvim_get_current_buf()
  wait(10000, function()
    return #compat.clients(pbuf) > 0
  end)
  local run_done = false
  vim.api.nvim_create_autocmd('User', { pattern = 'SparklsRunDone', once = true, callback = function() run_done = true end })
  vim.cmd('Spark run')
  check('a 10,000-row query runs', (wait(30000, function() return run_done end)))
  local function more()
    local done = false
    vim.api.nvim_create_autocmd('User', { pattern = 'SparklsPageDone', once = true, callback = function() done = true end })
    vim.cmd('Spark more')
    return (wait(30000, function() return done end))
  end
  local function shown(id)
    for _, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
      if l:match('^%s*' .. id .. ' │ ' .. (id * 2) .. '%s*$') then
        return true
      end
    end
    return false
  end
  check(':Spark more fetches the next 100 rows', more() and shown(199) and not shown(200), vim.inspect(vim.api.nvim_buf_get_lines(0, -4, -1, false)))
  vim.cmd('close')
  -- Past the 1,000 rows kept, it asks before running the query again.
  local asked = nil
  local confirm = vim.fn.confirm
  vim.fn.confirm = function(msg)
    asked = msg
    return 1
  end
  local cfg0 = vim.deepcopy(vim.g.sparkls)
  local cfg1 = vim.deepcopy(cfg0)
  cfg1.preview = cfg1.preview or {}
  cfg1.preview.page_rows = 900
  vim.g.sparkls = cfg1
  more()
  vim.cmd('close')
  check(':Spark more within the kept rows asks nothing', asked == nil and #state.history[1].result.rows == 1000, tostring(asked))
  check(':Spark more past them asks, then runs again from row 1001', more() and asked ~= nil
    and asked:find('Run the query again from row 1001', 1, true) ~= nil and shown(1899), tostring(asked))
  vim.cmd('close')
  vim.fn.confirm = confirm
  vim.g.sparkls = cfg0
  local csv = dir .. '/page.csv'
  local ex = nil
  vim.api.nvim_create_autocmd('User', { pattern = 'SparklsExportDone', once = true, callback = function() ex = true end })
  vim.cmd('Spark export csv ' .. vim.fn.fnameescape(csv))
  check(':Spark export writes the whole result', wait(60000, function() return ex end) and vim.fn.filereadable(csv) == 1
    and #vim.fn.readfile(csv) == 10001 and vim.fn.readfile(csv)[10001] == '9999,19998', vim.fn.filereadable(csv) == 1 and #vim.fn.readfile(csv) or 'no file')
  vim.cmd('buffer ' .. buf)

  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  local ex_done = false
  vim.api.nvim_create_autocmd('User', { pattern = 'SparklsExplainDone', once = true, callback = function() ex_done = true end })
  vim.cmd('Spark explain')
  check(':Spark explain shows a plan', wait(30000, function()
    return ex_done
  end))
  local plan = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check('the plan mentions order_id', plan:find('order_id', 1, true) ~= nil, plan)
  if ex_done then
    vim.cmd('close')
  end

  notes = {}
  vim.cmd('Spark refresh')
  check(':Spark refresh answers', wait(30000, function()
    for _, n in ipairs(notes) do
      if n:find('refresh', 1, true) then
        return true
      end
    end
  end) and notes[1] == 'sparkls: schema refreshed', vim.inspect(notes))

  vim.cmd('Spark clear')
  eq(':Spark clear removes the previews', #vim.api.nvim_buf_get_extmarks(buf, preview.ns, 0, -1, {}), 0)

  ------------------------------------------------------------------
  section(':checkhealth sparkls')
  vim.cmd('checkhealth sparkls')
  local health = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check('health: binary found', health:find('found /', 1, true) ~= nil, health)
  check('health: sparkls version', health:find('`' .. vim.g.sparkls.cmd[1] .. ' version`: sparkls ', 1, true) ~= nil, health)
  check('health: remote', health:find('remote: ' .. vim.g.sparkls.remote .. ' (from vim.g.sparkls)', 1, true) ~= nil, health)
  local st = state.last_status or {}
  check('health: connected', st.sparkVersion ~= nil and health:find('connected to Spark ' .. st.sparkVersion, 1, true) ~= nil, health)
  -- A server that lacks something (Spark 3.5) is said to, once per client.
  local lacks = type(st.lacks) == 'table' and #st.lacks or 0
  check('health: what the server lacks', select(2, health:gsub('Spark [%d.]+ has no ', '')) == lacks, health)
  check('health: no errors', health:find('ERROR') == nil, health)
  if compat.has_lsp_enable then
    check('health: 0.11+ uses vim.lsp.enable', health:find('vim.lsp.enable', 1, true) ~= nil, health)
  else
    check('health: before 0.11 uses start_client', health:find('vim.lsp.start_client', 1, true) ~= nil, health)
  end

  local messages = vim.fn.execute('messages')
  check('no errors or deprecation warnings in :messages', messages:find('E%d+:') == nil and messages:find('[Ee]rror') == nil
    and messages:find('deprecated') == nil and messages:find('No matching autocommands') == nil, messages)
end, debug.traceback)

check('no Lua error', ok, err)
finish()
