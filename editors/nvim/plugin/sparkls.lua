-- sparkls: Spark SQL language server over Spark Connect.
-- Configure with vim.g.sparkls (see :help sparkls); no setup() to call.
if vim.g.loaded_sparkls == 1 then
  return
end
vim.g.loaded_sparkls = 1

if vim.fn.has('nvim-0.7') ~= 1 then
  vim.api.nvim_echo({ { 'sparkls needs Neovim 0.7 or later', 'ErrorMsg' } }, true, {})
  return
end

local render = require('sparkls.render')
local group = vim.api.nvim_create_augroup('sparkls', { clear = true })
render.define_highlights()
vim.api.nvim_create_autocmd('ColorScheme', { group = group, callback = render.define_highlights })

local function sparkls()
  return require('sparkls')
end

local function range(o)
  if o.range and o.range > 0 then
    return sparkls().range_of(0, o.line1, o.line2)
  end
  return nil
end

local subcommands = {
  run = function(o)
    sparkls().run(0, range(o))
  end,
  cancel = function(o)
    sparkls().cancel(0, o.fargs[2] == 'all')
  end,
  refresh = function()
    sparkls().refresh(0)
  end,
  reconnect = function()
    sparkls().reconnect(0)
  end,
  explain = function(o)
    sparkls().explain(0, range(o))
  end,
  preview = function()
    sparkls().open_preview(0)
  end,
  results = function()
    sparkls().results()
  end,
  more = function()
    sparkls().more()
  end,
  export = function(o)
    sparkls().export(nil, o.fargs[2], o.fargs[3])
  end,
  clear = function()
    sparkls().clear(0)
  end,
}
local names = vim.tbl_keys(subcommands)
table.sort(names)

vim.api.nvim_create_user_command('Spark', function(o)
  local name = o.fargs[1]
  local fn = subcommands[name]
  if fn == nil then
    vim.notify('sparkls: :Spark ' .. table.concat(names, '|') .. ', not ' .. tostring(name), vim.log.levels.ERROR)
    return
  end
  fn(o)
end, {
  nargs = '+',
  range = true,
  desc = 'sparkls: ' .. table.concat(names, '|'),
  complete = function(lead, line)
    local words = vim.split(line:sub(1, #line - #lead), '%s+', { trimempty = true })
    local candidates = #words <= 1 and names
      or (words[#words] == 'cancel' and { 'all' } or (words[#words] == 'export' and { 'csv', 'parquet', 'json' } or {}))
    return vim.tbl_filter(function(c)
      return c:sub(1, #lead) == lead
    end, candidates)
  end,
})

local plug = {
  { 'n', 'SparkRun', '<Cmd>Spark run<CR>' },
  { 'x', 'SparkRun', ':Spark run<CR>' },
  { 'n', 'SparkExplain', '<Cmd>Spark explain<CR>' },
  { 'x', 'SparkExplain', ':Spark explain<CR>' },
  { 'n', 'SparkCancel', '<Cmd>Spark cancel<CR>' },
  { 'n', 'SparkCancelAll', '<Cmd>Spark cancel all<CR>' },
  { 'n', 'SparkRefresh', '<Cmd>Spark refresh<CR>' },
  { 'n', 'SparkPreview', '<Cmd>Spark preview<CR>' },
  { 'n', 'SparkResults', '<Cmd>Spark results<CR>' },
  { 'n', 'SparkClear', '<Cmd>Spark clear<CR>' },
}
for _, m in ipairs(plug) do
  vim.keymap.set(m[1], '<Plug>(' .. m[2] .. ')', m[3], { silent = true, desc = 'sparkls: ' .. m[2] })
end

local compat = require('sparkls.compat')
if compat.has_lsp_enable then
  -- 0.11+: lsp/sparkls.lua plus vim.g.sparkls, attached by vim.lsp.enable.
  sparkls().enable()
  return
end

local cfg = require('sparkls.config').get()
if cfg.autostart then
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = cfg.filetypes,
    callback = function(args)
      sparkls().attach(args.buf)
    end,
  })
  -- Buffers opened before the plugin was loaded (lazy loading).
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(cfg.filetypes, vim.bo[buf].filetype) then
      sparkls().attach(buf)
    end
  end
end
