-- Shows results: virtual lines under the statement (extmarks with
-- virt_lines) and the full result or a plan in a split or floating window.
local render = require('sparkls.render')
local state = require('sparkls.state')

local M = {}

M.ns = vim.api.nvim_create_namespace('sparkls')

local function clamp_row(bufnr, row)
  local n = vim.api.nvim_buf_line_count(bufnr)
  return math.max(0, math.min(row, n - 1))
end

-- end_row is the last line of an LSP range: a range that ends at the start
-- of a line ends on the line before.
function M.end_row(range)
  local s, e = range.start, range['end']
  if e.character == 0 and e.line > s.line then
    return e.line - 1
  end
  return e.line
end

local function previews(bufnr)
  state.previews[bufnr] = state.previews[bufnr] or {}
  return state.previews[bufnr]
end

local function place(bufnr, row, lines, entry)
  row = clamp_row(bufnr, row)
  local id = vim.api.nvim_buf_set_extmark(bufnr, M.ns, row, 0, { virt_lines = lines })
  entry.virt_lines = lines
  previews(bufnr)[id] = entry
  return id
end

function M.delete(bufnr, id)
  if id and vim.api.nvim_buf_is_valid(bufnr) then
    pcall(vim.api.nvim_buf_del_extmark, bufnr, M.ns, id)
    previews(bufnr)[id] = nil
  end
end

-- row_of is the current line of a preview mark (marks move with edits).
function M.row_of(bufnr, id)
  local pos = vim.api.nvim_buf_get_extmark_by_id(bufnr, M.ns, id, {})
  return pos[1]
end

-- clear removes the previews whose statement overlaps lines first..last
-- (0-based), or all of them.
function M.clear(bufnr, first, last)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return
  end
  for id, entry in pairs(previews(bufnr)) do
    local row = M.row_of(bufnr, id)
    if row == nil then
      previews(bufnr)[id] = nil
    elseif first == nil or (row >= first and row - (entry.span or 0) <= last) then
      M.delete(bufnr, id)
    end
  end
end

-- running shows "⋯ running" under row; the mark is replaced by the result.
-- With id, it redraws that running mark as "⋯ <what>" where it now is.
function M.running(bufnr, row, what, id)
  local lines = { { { '⋯ ' .. (what or 'running'), render.hl.running } } }
  if id then
    row = M.row_of(bufnr, id)
    if row == nil or previews(bufnr)[id] == nil then
      return nil
    end
    vim.api.nvim_buf_set_extmark(bufnr, M.ns, row, 0, { id = id, virt_lines = lines })
    previews(bufnr)[id].virt_lines = lines
    return id
  end
  return place(bufnr, row, lines, { kind = 'running', span = 0 })
end

-- show replaces the previews of the statement that ran with its result.
function M.show(bufnr, result, fallback_row, opts)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return
  end
  local first, last = fallback_row, fallback_row
  local range = result.range ~= vim.NIL and result.range or nil
  if range then
    first, last = range.start.line, M.end_row(range)
  end
  M.clear(bufnr, first, last)
  local lines = render.table(result, { rows = opts.inline_rows, max_width = opts.max_width })
  if tonumber(opts.width) and opts.width > 0 then
    lines = render.clip(lines, opts.width)
  end
  local kind = (result.error and result.error ~= vim.NIL) and 'error' or 'result'
  return place(bufnr, last, lines, { kind = kind, result = result, span = last - first })
end

-- show_error shows "✗ message" under row, for a run that got no result.
function M.show_error(bufnr, row, err)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return
  end
  M.clear(bufnr, row, row)
  local lines = { { { render.error_text(err), render.hl.error } } }
  return place(bufnr, row, lines, { kind = 'error', span = 0 })
end

-- at returns the preview of the statement on line row, else the last one
-- shown in the buffer.
function M.at(bufnr, row)
  local best, best_id
  for id, entry in pairs(previews(bufnr)) do
    if entry.result then
      local r = M.row_of(bufnr, id)
      if r and row >= r - (entry.span or 0) and row <= r then
        return entry
      end
      if best_id == nil or id > best_id then
        best, best_id = entry, id
      end
    end
  end
  return best
end

-- open shows lines of chunks in a scratch buffer, in a split or a float.
function M.open(lines, opts)
  local buf = vim.api.nvim_create_buf(false, true)
  local text = render.text(lines)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, text)
  for _, h in ipairs(render.highlights(lines)) do
    vim.api.nvim_buf_add_highlight(buf, M.ns, h[4], h[1], h[2], h[3])
  end
  vim.api.nvim_buf_set_option(buf, 'modifiable', false)
  vim.api.nvim_buf_set_option(buf, 'bufhidden', 'wipe')
  vim.api.nvim_buf_set_option(buf, 'filetype', opts.filetype or 'sparkls')
  local width = 20
  for _, l in ipairs(text) do
    width = math.max(width, vim.api.nvim_strwidth(l))
  end
  local win
  if opts.window == 'float' then
    local cols, rows = vim.o.columns, vim.o.lines
    local w = math.min(width + 2, cols - 4)
    local h = math.min(#text, rows - 6)
    win = vim.api.nvim_open_win(buf, true, {
      relative = 'editor', style = 'minimal', border = 'rounded',
      width = w, height = math.max(h, 1),
      row = math.floor((rows - h) / 2) - 1, col = math.floor((cols - w) / 2),
    })
  else
    vim.cmd(string.format('botright %dsplit', math.max(1, math.min(#text, opts.height or 15))))
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
  end
  vim.api.nvim_win_set_option(win, 'wrap', false)
  vim.api.nvim_win_set_option(win, 'number', false)
  vim.api.nvim_win_set_option(win, 'relativenumber', false)
  vim.api.nvim_buf_set_keymap(buf, 'n', 'q', '<Cmd>close<CR>', { noremap = true, silent = true, nowait = true })
  if opts.title then
    pcall(vim.api.nvim_buf_set_name, buf, opts.title)
  end
  return buf, win
end

return M
