-- sparkls for Neovim: starts or registers the language server, and runs
-- SQL through its commands (sparkls.run, sparkls.cancel, ...). Configured
-- with vim.g.sparkls (:help g:sparkls); nothing here needs to be called.
local compat = require('sparkls.compat')
local config = require('sparkls.config')
local names = require('sparkls.names')
local detect = require('sparkls.detect')
local preview = require('sparkls.preview')
local state = require('sparkls.state')
local render = require('sparkls.render')

local M = {}

local function notify(msg, level)
  vim.notify('sparkls: ' .. msg, level or vim.log.levels.INFO)
end

-- refresh_lenses asks for the code lenses of bufnr again (0.7 refreshes
-- only the current buffer; 0.9+ takes the buffer).
local function refresh_lenses(bufnr)
  if not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  if compat.has_011 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  else
    vim.api.nvim_buf_call(bufnr, function()
      vim.lsp.codelens.refresh()
    end)
  end
end

-- Handlers of the server's notifications. They may run in a fast event
-- context, so anything touching the editor is scheduled.
M.handlers = {
  [names.NotifyStatus] = function(_, result, ctx)
    if type(result) ~= 'table' then
      return
    end
    state.status[ctx.client_id] = result
    state.last_status = result
    vim.schedule(function()
      vim.api.nvim_exec_autocmds('User', { pattern = 'SparklsStatus', modeline = false })
    end)
  end,
  -- Work-done progress: the reports of a run's own token (its runId) go to
  -- its running line; everything goes on to Neovim's handler.
  ['$/progress'] = function(err, result, ctx, config)
    local value = type(result) == 'table' and result.value or nil
    if type(value) == 'table' and value.kind == 'report' and type(value.message) == 'string' then
      for _, runs in pairs(state.pending) do
        for _, run in ipairs(runs) do
          if run.client_id == ctx.client_id and run.run_id == result.token then
            -- "statement 1 of 1 · " says nothing for a single statement.
            run.progress = value.message:gsub('^statement 1 of 1 · ', ''):gsub('^statement 1 of 1$', '')
            vim.schedule(function()
              M.show_running(run)
            end)
          end
        end
      end
    end
    local default = vim.lsp.handlers['$/progress']
    if default then
      return default(err, result, ctx, config)
    end
  end,
  -- The server asks for fresh lenses when a run starts or ends (advertised
  -- in capabilities below; Neovim itself does not handle it).
  ['workspace/codeLens/refresh'] = function(_, _, ctx)
    vim.schedule(function()
      for _, b in ipairs(vim.lsp.get_buffers_by_client_id(ctx.client_id)) do
        refresh_lenses(b)
      end
    end)
    return vim.NIL
  end,
  [names.NotifyRunStarted] = function(_, result, ctx)
    if type(result) ~= 'table' or result.queryId == nil then
      return
    end
    state.running[result.queryId] = { client_id = ctx.client_id, uri = result.uri, range = result.range }
    -- The run whose runId the server echoes; a server too old to echo it
    -- gets the oldest run of that document still without a queryId.
    local run_id = type(result.runId) == 'string' and result.runId or nil
    for _, runs in pairs(state.pending) do
      for _, run in ipairs(runs) do
        if run.client_id == ctx.client_id and (run_id and run.run_id == run_id
            or not run_id and run.uri == result.uri and run.query_id == nil) then
          run.query_id = result.queryId
          return
        end
      end
    end
  end,
}

-- lsp_config is the client configuration: lsp/sparkls.lua's fields from
-- cfg, plus settings and handlers. With only_user, the fields the user did
-- not set are left out, so that vim.lsp.config's own merging applies.
function M.lsp_config(cfg, user)
  local settings = config.server_settings(cfg)
  local lc = {
    name = 'sparkls',
    settings = settings,
    init_options = settings.sparkls,
    handlers = M.handlers,
    capabilities = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(),
      { workspace = { codeLens = { refreshSupport = true } } }),
  }
  for _, k in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if user == nil or user[k] ~= nil then
      lc[k] = cfg[k]
    end
  end
  if user ~= nil then
    -- 0.11+: attach to Python and Scala buffers only when detect wants them.
    lc.root_dir = function(bufnr, on_dir)
      if detect.wants(bufnr, cfg.python) then
        on_dir(vim.fs.root(bufnr, cfg.root_markers) or vim.fn.getcwd())
      end
    end
  end
  return lc
end

local function find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  while dir and dir ~= '' do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. m) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

local warned_missing = false

-- on_attach shows code lenses (▶ Run, ✓ 3 rows · 0.4 s) and keeps them
-- fresh, and before 0.11 (which does it itself) sets 'omnifunc'.
function M.on_attach(_, bufnr)
  if not compat.has_011 then
    vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
  end
  local group = vim.api.nvim_create_augroup('sparkls_lenses_' .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
    group = group,
    buffer = bufnr,
    callback = function()
      refresh_lenses(bufnr)
    end,
  })
  refresh_lenses(bufnr)
end

-- The lens "▶ Run" runs through :Spark run, so that its result shows.
vim.lsp.commands[names.CommandRun] = function(command, ctx)
  local args = type(command.arguments) == 'table' and command.arguments[1] or {}
  local bufnr = ctx.bufnr
  if type(args.uri) == 'string' then
    bufnr = vim.uri_to_bufnr(args.uri)
  end
  M.run(bufnr, type(args.range) == 'table' and args.range or nil)
end

-- attach starts (or reuses) a client for bufnr's project and attaches it.
-- Neovim 0.11+ does this itself through vim.lsp.enable('sparkls').
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' or #compat.clients(bufnr) > 0 then
    return
  end
  local cfg, problems = config.get()
  for _, p in ipairs(problems) do
    notify(p, vim.log.levels.WARN)
  end
  if not detect.wants(bufnr, cfg.python) then
    return
  end
  if vim.fn.executable(cfg.cmd[1]) ~= 1 then
    if not warned_missing then
      warned_missing = true
      notify(cfg.cmd[1] .. ' is not executable; see :checkhealth sparkls', vim.log.levels.ERROR)
    end
    return
  end
  local root = find_root(bufnr, cfg.root_markers) or vim.fn.getcwd()
  local key = table.concat(cfg.cmd, '\0') .. '\0' .. root
  local id = state.clients[key]
  local client = id and vim.lsp.get_client_by_id(id)
  if client == nil or compat.is_stopped(client) then
    local lc = M.lsp_config(cfg)
    lc.root_dir = root
    lc.on_attach = M.on_attach
    lc.on_exit = function()
      state.clients[key] = nil
    end
    id = vim.lsp.start_client(lc)
    if id == nil then
      return
    end
    state.clients[key] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

-- enable registers the config with vim.lsp.config and enables it (0.11+).
function M.enable()
  local cfg, problems, user = config.get()
  for _, p in ipairs(problems) do
    notify(p, vim.log.levels.WARN)
  end
  vim.lsp.config('sparkls', M.lsp_config(cfg, user))
  -- LspAttach, not on_attach: a user's on_attach in vim.lsp.config replaces ours.
  vim.api.nvim_create_autocmd('LspAttach', {
    group = vim.api.nvim_create_augroup('sparkls_attach', { clear = true }),
    callback = function(args)
      local c = vim.lsp.get_client_by_id(args.data.client_id)
      if c and c.name == 'sparkls' then
        M.on_attach(c, args.buf)
      end
    end,
  })
  if cfg.autostart then
    vim.lsp.enable('sparkls')
  end
end

-- client returns the sparkls client of bufnr, or nil with a message.
local function client_of(bufnr)
  local c = compat.clients(bufnr)[1]
  if c == nil then
    notify('no sparkls client in this buffer (see :checkhealth sparkls)', vim.log.levels.WARN)
  end
  return c
end

local function execute(client, bufnr, command, args, handler, token)
  local params = { command = command, workDoneToken = token }
  if args then
    params.arguments = args
  end
  return compat.request(client, 'workspace/executeCommand', params, handler, bufnr)
end

-- range_of returns the LSP range (UTF-16) of lines line1..line2 (1-based),
-- or of the characterwise selection when the last visual mode was `v` on
-- those lines. No lines: the empty range at the cursor.
function M.range_of(bufnr, line1, line2)
  local function pos(row, byte)
    local text = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
    return { line = row, character = compat.utf16_col(text, byte) }
  end
  if line1 == nil then
    local cur = vim.api.nvim_win_get_cursor(0)
    local p = pos(cur[1] - 1, cur[2])
    return { start = p, ['end'] = p }
  end
  local vs, ve = vim.fn.getpos("'<"), vim.fn.getpos("'>")
  if vim.fn.visualmode() == 'v' and vs[2] == line1 and ve[2] == line2 then
    local last = vim.api.nvim_buf_get_lines(bufnr, line2 - 1, line2, false)[1] or ''
    -- '> is the first byte (1-based) of the last character selected: the
    -- range ends after that character's last byte.
    local e = math.min(ve[3], #last)
    while e > 0 and e < #last and last:byte(e + 1) >= 0x80 and last:byte(e + 1) < 0xC0 do
      e = e + 1
    end
    return { start = pos(line1 - 1, vs[3] - 1), ['end'] = pos(line2 - 1, e) }
  end
  local last = vim.api.nvim_buf_get_lines(bufnr, line2 - 1, line2, false)[1] or ''
  return { start = pos(line1 - 1, 0), ['end'] = pos(line2 - 1, #last) }
end

-- show_running redraws the running line of run: "⋯ running · 3.2 s ·
-- 1 stage · 3/8 tasks" (elapsed time, then the last progress report).
function M.show_running(run)
  if run.mark == nil or run.done or not vim.api.nvim_buf_is_valid(run.bufnr) then
    return
  end
  local ms = (vim.loop.hrtime() - run.began) / 1e6
  local text = 'running · ' .. render.elapsed(ms)
  if run.progress and run.progress ~= '' then
    text = text .. ' · ' .. run.progress
  end
  preview.running(run.bufnr, nil, text, run.mark)
end

local function remove_run(bufnr, run)
  local runs = state.pending[bufnr] or {}
  for i, r in ipairs(runs) do
    if r == run then
      table.remove(runs, i)
      break
    end
  end
end

-- run runs the statement or cell at the cursor (range nil) or the text in
-- range, and shows the result under it.
function M.run(bufnr, range)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_of(bufnr)
  if not client then
    return
  end
  range = range or M.range_of(bufnr)
  local row = preview.end_row(range)
  local cfg = config.get()
  state.run_seq = state.run_seq + 1
  local run = { client_id = client.id, uri = vim.uri_from_bufnr(bufnr), run_id = 'nvim-' .. vim.fn.getpid() .. '-' .. state.run_seq }
  run.bufnr, run.began = bufnr, vim.loop.hrtime()
  run.mark = preview.running(bufnr, row)
  -- The clock of the running line; progress reports redraw it too.
  local timer = vim.loop.new_timer()
  local function stop()
    run.done = true
    if not timer:is_closing() then
      timer:stop()
      timer:close()
    end
  end
  timer:start(1000, 1000, vim.schedule_wrap(function()
    M.show_running(run)
  end))
  local args = { { uri = run.uri, range = range, runId = run.run_id } }
  -- The runId is the work-done token too: its $/progress is this run's.
  local ok, request_id = execute(client, bufnr, names.CommandRun, args, function(err, result)
    stop()
    remove_run(bufnr, run)
    if run.query_id then
      state.running[run.query_id] = nil
    end
    if type(result) == 'table' and result.queryId then
      state.running[result.queryId] = nil
    end
    vim.schedule(function()
      if not vim.api.nvim_buf_is_valid(bufnr) then
        return
      end
      local at = preview.row_of(bufnr, run.mark) or row
      preview.delete(bufnr, run.mark)
      local shown = result
      if err then
        shown = { error = { message = err.message or tostring(err) } }
        preview.show_error(bufnr, at, shown.error)
      elseif type(result) ~= 'table' then
        shown = { error = { message = 'the server returned no result' } }
        preview.show_error(bufnr, at, shown.error)
      else
        preview.show(bufnr, result, at, cfg.preview)
      end
      M.remember(bufnr, range, shown, cfg.preview.history)
      refresh_lenses(bufnr)
      vim.api.nvim_exec_autocmds('User', { pattern = 'SparklsRunDone', modeline = false })
    end)
  end, run.run_id)
  if not ok then
    stop()
    preview.delete(bufnr, run.mark)
    notify('the server is not running', vim.log.levels.ERROR)
    return
  end
  run.request_id = request_id
  state.pending[bufnr] = state.pending[bufnr] or {}
  table.insert(state.pending[bufnr], run)
end

-- remember puts a run first in the session's history (:Spark results),
-- keeping at most keep runs.
function M.remember(bufnr, range, result, keep)
  local statement = result.statement
  if type(statement) ~= 'string' then
    local l = vim.api.nvim_buf_get_lines(bufnr, range.start.line, range['end'].line + 1, false)
    statement = table.concat(l, '\n')
  end
  state.history_seq = (state.history_seq or 0) + 1
  local entry = {
    id = state.history_seq,
    result = result,
    statement = statement,
    summary = render.summary(result),
    bufnr = bufnr,
    name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t'),
    -- The line run from (the cursor, the selection, the lens), not the
    -- cell's first line, which may be a comment.
    row = range.start.line,
    time = os.date('%H:%M:%S'),
  }
  table.insert(state.history, 1, entry)
  state.history_by_id = state.history_by_id or {}
  state.history_by_id[entry.id] = entry
  keep = tonumber(keep) or 50
  while #state.history > math.max(keep, 1) do
    local old = table.remove(state.history)
    state.history_by_id[old.id] = nil
  end
end

-- cancel stops the runs started from bufnr: sparkls.cancel for those the
-- server named, $/cancelRequest for the others. all: sparkls.cancelAll.
function M.cancel(bufnr, all)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if all then
    for _, c in ipairs(compat.clients()) do
      execute(c, bufnr, names.CommandCancelAll, nil, function(err)
        if err then
          notify('cancelAll: ' .. err.message, vim.log.levels.ERROR)
        end
      end)
    end
    return
  end
  local n = 0
  for _, run in ipairs(state.pending[bufnr] or {}) do
    local c = vim.lsp.get_client_by_id(run.client_id)
    if c then
      n = n + 1
      if run.query_id then
        execute(c, bufnr, names.CommandCancel, { { queryId = run.query_id } }, function(err)
          if err then
            notify('cancel: ' .. err.message, vim.log.levels.ERROR)
          end
        end)
      else
        compat.cancel_request(c, run.request_id)
      end
    end
  end
  if n == 0 then
    notify('nothing is running in this buffer')
  end
end

-- refresh asks the server to reload the catalog.
function M.refresh(bufnr)
  local client = client_of(bufnr or 0)
  if client then
    execute(client, bufnr or 0, names.CommandRefreshSchema, nil, function(err)
      if err then
        notify('refresh: ' .. err.message, vim.log.levels.ERROR)
      else
        notify('schema refreshed')
      end
    end)
  end
end

-- reconnect asks the server for a fresh connection to Spark at once.
function M.reconnect(bufnr)
  local client = client_of(bufnr or 0)
  if client then
    execute(client, bufnr or 0, names.CommandReconnect, nil, function(err)
      if err then
        notify('reconnect: ' .. err.message, vim.log.levels.ERROR)
      end
    end)
  end
end

-- explain shows the plan of the statement at the cursor (range nil) or of
-- range.
function M.explain(bufnr, range)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_of(bufnr)
  if not client then
    return
  end
  range = range or M.range_of(bufnr)
  local cfg = config.get()
  execute(client, bufnr, names.CommandExplain, { { uri = vim.uri_from_bufnr(bufnr), range = range } }, function(err, result)
    vim.schedule(function()
      if err then
        notify('explain: ' .. err.message, vim.log.levels.ERROR)
        return
      end
      local plan = type(result) == 'table' and result.plan or nil
      if type(plan) ~= 'string' then
        notify('explain: the server returned no plan', vim.log.levels.ERROR)
        return
      end
      local lines = {}
      for _, l in ipairs(vim.split(plan, '\n', { plain = true })) do
        table.insert(lines, { { l } })
      end
      local buf = preview.open(lines, { window = cfg.preview.window, height = cfg.preview.height, filetype = 'sparkls-plan' })
      pcall(vim.api.nvim_buf_set_name, buf, 'sparkls://plan/' .. buf)
      vim.api.nvim_exec_autocmds('User', { pattern = 'SparklsExplainDone', modeline = false })
    end)
  end)
end

-- open_preview shows the full result of the statement at the cursor (or
-- the last result of the buffer) in a window.
function M.open_preview(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local entry = preview.at(bufnr, vim.api.nvim_win_get_cursor(0)[1] - 1)
  if entry == nil then
    notify('no result in this buffer yet: :Spark run first')
    return
  end
  return M.open_result(entry.result)
end

-- open_result shows result whole (every row, no width limit) in a window,
-- its statement as a title; statement overrides result.statement. From
-- the history (h), m fetches more rows and e exports it whole.
function M.open_result(result, statement, h)
  local cfg = config.get()
  local lines = render.table(result, {})
  local title = render.title(statement or result.statement)
  if title ~= '' then
    table.insert(lines, 1, { { render.fit(title, 200), 'Comment' } })
  end
  if h and result.truncated then
    table.insert(lines, { { 'm: more rows · e: export the whole result', 'Comment' } })
  end
  local buf = preview.open(lines, { window = cfg.preview.window, height = cfg.preview.height, filetype = 'sparkls-result' })
  pcall(vim.api.nvim_buf_set_name, buf, 'sparkls://result/' .. buf)
  if h then
    vim.b[buf].sparkls_history_entry = h.id
    vim.keymap.set('n', 'm', function()
      M.more(h)
    end, { buffer = buf, silent = true, nowait = true, desc = 'sparkls: more rows of this result' })
    vim.keymap.set('n', 'e', function()
      M.export(h)
    end, { buffer = buf, silent = true, nowait = true, desc = 'sparkls: export this result whole' })
  end
  return buf
end

-- history_entry is the run :Spark more and :Spark export act on: the one
-- under the cursor in a :Spark results list or a result window opened from
-- it, else the last run of the session.
local function history_entry()
  local h = vim.b.sparkls_history_entry
  if type(h) == 'number' and state.history_by_id and state.history_by_id[h] then
    return state.history_by_id[h]
  end
  local list = vim.b.sparkls_results
  if list then
    local e = state.history_by_id and state.history_by_id[list[vim.api.nvim_win_get_cursor(0)[1]]]
    if e then
      return e
    end
  end
  return state.history[1]
end

local function page_client()
  local c = compat.clients()[1]
  if c == nil then
    notify('no sparkls client is running (see :checkhealth sparkls)', vim.log.levels.WARN)
  end
  return c
end

-- more fetches the next rows of a run's result (sparkls/resultPage) and
-- shows the result with them. When sparkls no longer holds those rows it
-- asks before running the query again. done(page or nil) is called after.
function M.more(h, done)
  h = h or history_entry()
  done = done or function() end
  if h == nil or type(h.result) ~= 'table' or h.result.queryId == nil or h.result.error ~= nil then
    notify('no query result to page: :Spark run one first')
    return done(nil)
  end
  local c = page_client()
  if not c then
    return done(nil)
  end
  local cfg = config.get()
  local params = { queryId = h.result.queryId, offset = #(h.result.rows or {}), limit = cfg.preview.page_rows }
  local function handle(err, page)
    vim.schedule(function()
      if err then
        notify('more rows: ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
        return done(nil)
      end
      if type(page) ~= 'table' then
        notify('more rows: the server returned no page', vim.log.levels.ERROR)
        return done(nil)
      end
      if page.rerunNeeded and not params.rerun then
        local msg = (page.reason or 'the rows need the query to run again') .. '.\nRun the query again from row ' .. (params.offset + 1) .. '?'
        if vim.fn.confirm(msg, '&Run again\n&No', 2) ~= 1 then
          return done(page)
        end
        params.rerun = true
        compat.request(c, names.RequestResultPage, params, handle)
        return
      end
      if page.error ~= vim.NIL and type(page.error) == 'table' then
        notify('more rows: ' .. tostring(page.error.message), vim.log.levels.ERROR)
        return done(page)
      end
      local r = vim.deepcopy(h.result)
      r.rows = r.rows or {}
      for _, row in ipairs(page.rows or {}) do
        table.insert(r.rows, row)
      end
      r.rowCount = #r.rows
      r.truncated = page.more == true
      h.result = r
      h.summary = render.summary(r)
      M.open_result(r, h.statement, h)
      vim.api.nvim_exec_autocmds('User', { pattern = 'SparklsPageDone', modeline = false })
      done(page)
    end)
  end
  compat.request(c, names.RequestResultPage, params, handle)
end

local export_formats = { csv = true, parquet = true, json = true }

-- export writes the whole result of a run to path (format csv, parquet or
-- json; asked for when nil) through sparkls.export, with progress on the
-- LSP's $/progress and a notification at the end. done(result or nil).
function M.export(h, format, path, done)
  h = h or history_entry()
  done = done or function() end
  if h == nil or type(h.result) ~= 'table' or h.result.queryId == nil then
    notify('no query result to export: :Spark run one first')
    return done(nil)
  end
  if format == nil or format == '' then
    format = vim.fn.input('Export as (csv, parquet, json): ', 'csv')
  end
  if not export_formats[format] then
    notify('export: the format is csv, parquet or json, not ' .. tostring(format), vim.log.levels.ERROR)
    return done(nil)
  end
  if path == nil or path == '' then
    path = vim.fn.input('Export to: ', 'result.' .. (format == 'json' and 'jsonl' or format), 'file')
    if path == '' then
      return done(nil)
    end
  end
  path = vim.fn.fnamemodify(vim.fn.expand(path), ':p')
  local c = page_client()
  if not c then
    return done(nil)
  end
  state.run_seq = state.run_seq + 1
  local token = 'nvim-export-' .. vim.fn.getpid() .. '-' .. state.run_seq
  notify('exporting to ' .. path .. ' …')
  execute(c, 0, names.CommandExport, { { queryId = h.result.queryId, format = format, path = path } }, function(err, res)
    vim.schedule(function()
      if err then
        notify('export: ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
        return done(nil)
      end
      if type(res) ~= 'table' then
        notify('export: the server returned nothing', vim.log.levels.ERROR)
        return done(nil)
      end
      if type(res.error) == 'table' then
        notify('export failed: ' .. tostring(res.error.message), vim.log.levels.ERROR)
      else
        notify(('exported %d rows to %s'):format(res.rows or 0, res.path))
      end
      vim.api.nvim_exec_autocmds('User', { pattern = 'SparklsExportDone', modeline = false })
      done(res)
    end)
  end, token)
end

-- results lists the runs of the session, the last first: time, file:line,
-- outcome and statement. <CR> on one opens its result (as :Spark preview),
-- m fetches more of its rows, e exports it whole.
function M.results()
  if #state.history == 0 then
    notify('no run yet in this session: :Spark run first')
    return
  end
  local cfg = config.get()
  local runs = { unpack(state.history) } -- the list as it is now
  local lines = {}
  for _, h in ipairs(runs) do
    local hl = h.summary:sub(1, #'✗') == '✗' and render.hl.error or render.hl.footer
    table.insert(lines, {
      { h.time .. '  ' .. h.name .. ':' .. (h.row + 1) .. '  ', render.hl.border },
      { render.fit(h.summary, 60), hl },
      { '  ' .. render.fit(render.title(h.statement), 120), render.hl.cell },
    })
  end
  local buf = preview.open(lines, { window = cfg.preview.window, height = cfg.preview.height, filetype = 'sparkls-results' })
  pcall(vim.api.nvim_buf_set_name, buf, 'sparkls://results/' .. buf)
  local ids = {}
  for i, h in ipairs(runs) do
    ids[i] = h.id
  end
  vim.b[buf].sparkls_results = ids
  vim.keymap.set('n', '<CR>', function()
    local h = runs[vim.api.nvim_win_get_cursor(0)[1]]
    if h then
      M.open_result(h.result, h.statement, h)
    end
  end, { buffer = buf, silent = true, nowait = true, desc = 'sparkls: open this result' })
  vim.keymap.set('n', 'm', function()
    M.more(runs[vim.api.nvim_win_get_cursor(0)[1]])
  end, { buffer = buf, silent = true, nowait = true, desc = 'sparkls: more rows of this result' })
  vim.keymap.set('n', 'e', function()
    M.export(runs[vim.api.nvim_win_get_cursor(0)[1]])
  end, { buffer = buf, silent = true, nowait = true, desc = 'sparkls: export this result whole' })
  return buf
end

-- clear removes the previews of bufnr.
function M.clear(bufnr)
  preview.clear((bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr)
end

-- status returns the last sparkls/status (for a statusline): {state,
-- remote, sparkVersion, message, lacks}, or nil before the first.
function M.status(bufnr)
  if bufnr then
    local c = compat.clients(bufnr)[1]
    return c and state.status[c.id] or nil
  end
  return state.last_status
end

return M
