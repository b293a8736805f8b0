-- Differences between Neovim 0.7 and 0.11+ in one place: client methods
-- (closures before 0.11, methods after), client lookup, health reporting.
-- Everything else in the plugin is written against the 0.7 API.
local M = {}

M.has_011 = vim.fn.has('nvim-0.11') == 1

-- vim.lsp.config/vim.lsp.enable (0.11+): the plugin then registers a config
-- and lets Neovim attach; before that it starts and attaches clients itself.
M.has_lsp_enable = M.has_011 and type(vim.lsp.enable) == 'function' and vim.lsp.config ~= nil

function M.request(client, method, params, handler, bufnr)
  if M.has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

-- request_sync waits at most timeout ms for the answer: (result, err).
function M.request_sync(client, method, params, timeout, bufnr)
  local res, err
  if M.has_011 then
    res, err = client:request_sync(method, params, timeout, bufnr)
  else
    res, err = client.request_sync(method, params, timeout, bufnr)
  end
  if not res then
    return nil, err
  end
  return res.result, res.err
end

function M.notify(client, method, params)
  if M.has_011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

function M.cancel_request(client, id)
  if M.has_011 then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

function M.is_stopped(client)
  if M.has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

-- clients returns the running sparkls clients, attached to bufnr when given.
function M.clients(bufnr)
  if bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'sparkls' })
  end
  local all = bufnr and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_active_clients()
  local out = {}
  for _, c in pairs(all) do
    if c.name == 'sparkls' then
      table.insert(out, c)
    end
  end
  table.sort(out, function(a, b) return a.id < b.id end)
  return out
end

-- utf16_col is the number of UTF-16 code units in the first `byte` bytes of
-- line (LSP positions count UTF-16 units; Neovim columns count bytes).
function M.utf16_col(line, byte)
  local units = 0
  for i = 1, math.min(byte, #line) do
    local c = line:byte(i)
    if c < 0x80 or c >= 0xC0 then -- not a continuation byte
      units = units + (c >= 0xF0 and 2 or 1)
    end
  end
  return units
end

-- byte_col is the byte offset in line of the UTF-16 offset `units`.
function M.byte_col(line, units)
  local u, i = 0, 1
  while i <= #line and u < units do
    local c = line:byte(i)
    local len = c < 0x80 and 1 or c < 0xE0 and 2 or c < 0xF0 and 3 or 4
    u = u + (len == 4 and 2 or 1)
    i = i + len
  end
  return math.min(i - 1, #line)
end

-- health returns start/ok/info/warn/error reporting functions: vim.health
-- (0.10 names, 0.8-0.9 report_* names) or the 0.7 `health` module.
function M.health()
  local h = vim.health
  if h == nil or (h.start == nil and h.report_start == nil) then
    h = require('health')
  end
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

return M
