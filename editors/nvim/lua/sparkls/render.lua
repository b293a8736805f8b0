-- Turns a sparkls.run result into lines of highlighted chunks
-- ({ { text, hl_group }, ... }), the shape of extmark virt_lines. Pure
-- functions of the result: no buffers, no windows.
local M = {}

M.hl = {
  header = 'SparkHeader',
  border = 'SparkBorder',
  cell = 'SparkCell',
  null = 'SparkNull',
  footer = 'SparkFooter',
  error = 'SparkError',
  running = 'SparkRunning',
}

-- Links, applied with :highlight default so a colorscheme or the user wins.
M.links = {
  SparkHeader = 'Title',
  SparkBorder = 'NonText',
  SparkCell = 'Normal',
  SparkNull = 'Comment',
  SparkFooter = 'Comment',
  SparkError = 'DiagnosticError',
  SparkRunning = 'DiagnosticInfo',
}

function M.define_highlights()
  for group, target in pairs(M.links) do
    vim.cmd(string.format('highlight default link %s %s', group, target))
  end
end

local numeric = {
  tinyint = true, smallint = true, int = true, integer = true, bigint = true,
  byte = true, short = true, long = true, float = true, double = true, real = true,
}

local function is_numeric(typ)
  typ = (typ or ''):lower()
  return numeric[typ] or typ:match('^decimal') ~= nil or typ:match('^numeric') ~= nil
end

local function width(s)
  return vim.api.nvim_strwidth(s)
end

-- clean makes a value fit on one screen line.
local function clean(s)
  s = s:gsub('\r\n', '\n'):gsub('\n', '↵'):gsub('\t', ' ')
  return (s:gsub('%c', '?'))
end

-- prefix is the longest start of s at most w screen columns wide.
local function prefix(s, w)
  local out, used = {}, 0
  for ch in s:gmatch('[%z\1-\127\194-\244][\128-\191]*') do
    local cw = width(ch)
    if used + cw > w then
      break
    end
    table.insert(out, ch)
    used = used + cw
  end
  return table.concat(out)
end

-- fit shortens s to at most w screen columns, ending it with an ellipsis.
function M.fit(s, w)
  if width(s) <= w then
    return s
  end
  return prefix(s, w - 1) .. '…'
end

-- clip cuts every line of chunks wider than w screen columns to w, the
-- last one ending with "…" in the highlight of the chunk it cut.
function M.clip(lines, w)
  local out = {}
  for i, line in ipairs(lines) do
    local total = 0
    for _, chunk in ipairs(line) do
      total = total + width(chunk[1])
    end
    if total <= w then
      out[i] = line
    else
      local cut, used = {}, 0
      for _, chunk in ipairs(line) do
        local cw = width(chunk[1])
        if used + cw <= w - 1 then
          table.insert(cut, chunk)
          used = used + cw
        else
          table.insert(cut, { prefix(chunk[1], w - 1 - used) .. '…', chunk[2] })
          break
        end
      end
      out[i] = cut
    end
  end
  return out
end

local function pad(s, w, right)
  local gap = string.rep(' ', w - width(s))
  return right and gap .. s or s .. gap
end

-- elapsed formats milliseconds: "85 ms", "0.4 s", "12.3 s".
function M.elapsed(ms)
  ms = tonumber(ms) or 0
  if ms < 100 then
    return string.format('%d ms', ms)
  end
  return string.format('%.1f s', ms / 1000)
end

-- footer is "N rows · 0.4 s (truncated)", with "(K shown)" when fewer rows
-- are shown than the server returned.
function M.footer(result, shown)
  local n = tonumber(result.rowCount) or #(result.rows or {})
  local parts = { string.format('%d %s', n, n == 1 and 'row' or 'rows') }
  if shown and shown < #(result.rows or {}) then
    parts[1] = parts[1] .. string.format(' (%d shown)', shown)
  end
  local text = table.concat(parts) .. ' · ' .. M.elapsed(result.elapsedMs)
  if result.truncated then
    text = text .. ' (truncated)'
  end
  return text
end

-- summary is the outcome of a run on one line: "✓ 3 rows · 0.4 s",
-- "✓ done · 1.5 s" or "✗ ERROR_CLASS: message".
function M.summary(result)
  if result.error and result.error ~= vim.NIL then
    return M.error_text(result.error)
  end
  local cols = result.columns
  if cols == nil or cols == vim.NIL or #cols == 0 then
    return '✓ done · ' .. M.elapsed(result.elapsedMs)
  end
  return '✓ ' .. M.footer(result)
end

-- title is a statement on one line, without its comments.
function M.title(statement)
  if type(statement) ~= 'string' then
    return ''
  end
  local t = statement:gsub('%-%-[^\n]*', ''):gsub('%s+', ' ')
  return vim.trim(t)
end

-- error_text is "✗ ERROR_CLASS: message" on one line.
function M.error_text(err)
  local msg = tostring(err.message or 'error')
  -- The first line that says something: a parse error starts with "\n".
  msg = msg:match('^%s*([^\r\n]*)') or msg
  local class = err.errorClass
  if class == vim.NIL or class == '' then
    class = nil
  end
  if class then
    -- Spark messages often repeat the class: "[CLASS] text".
    local stripped = msg:gsub('^%[' .. vim.pesc(class) .. '%]%s*', '')
    msg = stripped
    return '✗ ' .. class .. ': ' .. clean(msg)
  end
  return '✗ ' .. clean(msg)
end

-- table renders result as lines of chunks: header, separator, up to
-- opts.rows rows (all when nil), footer. Cells wider than opts.max_width
-- are shortened; NULL cells get SparkNull.
function M.table(result, opts)
  opts = opts or {}
  if result.error and result.error ~= vim.NIL then
    return { { { M.error_text(result.error), M.hl.error } } }
  end
  local cols = result.columns
  if cols == nil or cols == vim.NIL or #cols == 0 then
    return { { { '✓ done · ' .. M.elapsed(result.elapsedMs), M.hl.footer } } }
  end
  local rows = result.rows ~= vim.NIL and result.rows or {}
  local shown = opts.rows and math.min(opts.rows, #rows) or #rows
  local maxw = opts.max_width or math.huge

  -- Cell texts (nil for NULL) and column widths over the shown rows.
  local names, right, widths = {}, {}, {}
  for j, c in ipairs(cols) do
    names[j] = M.fit(clean(tostring(c.name)), maxw)
    right[j] = is_numeric(c.type)
    widths[j] = width(names[j])
  end
  local cells = {}
  for i = 1, shown do
    cells[i] = {}
    for j = 1, #cols do
      local v = rows[i][j]
      local text -- nil: NULL
      if v ~= nil and v ~= vim.NIL then
        text = M.fit(clean(tostring(v)), maxw)
      end
      cells[i][j] = text
      widths[j] = math.max(widths[j], width(text or 'NULL'))
    end
  end

  local sep = { ' │ ', M.hl.border }
  local lines = {}
  local last = #cols
  -- The last left-aligned column is not padded: no trailing blanks.
  local function cell(text, j)
    if j == last and not right[j] then
      return text
    end
    return pad(text, widths[j], right[j])
  end
  local header = {}
  for j = 1, #cols do
    if j > 1 then
      table.insert(header, sep)
    end
    table.insert(header, { cell(names[j], j), M.hl.header })
  end
  table.insert(lines, header)
  local rule = {}
  for j = 1, #cols do
    rule[j] = string.rep('─', widths[j] + ((j > 1) and 1 or 0) + ((j < last) and 1 or 0))
  end
  table.insert(lines, { { table.concat(rule, '┼'), M.hl.border } })
  for i = 1, shown do
    local line = {}
    for j = 1, #cols do
      if j > 1 then
        table.insert(line, sep)
      end
      local text = cells[i][j]
      if text == nil then
        table.insert(line, { cell('NULL', j), M.hl.null })
      else
        table.insert(line, { cell(text, j), M.hl.cell })
      end
    end
    table.insert(lines, line)
  end
  table.insert(lines, { { M.footer(result, shown), M.hl.footer } })
  return lines
end

-- text joins the chunks of each line.
function M.text(lines)
  local out = {}
  for i, line in ipairs(lines) do
    local parts = {}
    for _, chunk in ipairs(line) do
      table.insert(parts, chunk[1])
    end
    out[i] = table.concat(parts)
  end
  return out
end

-- highlights returns {line (0-based), col_start, col_end, group} byte ranges
-- of the chunks, to highlight the same lines in a buffer.
function M.highlights(lines)
  local out = {}
  for i, line in ipairs(lines) do
    local col = 0
    for _, chunk in ipairs(line) do
      if chunk[2] and chunk[2] ~= M.hl.cell then
        table.insert(out, { i - 1, col, col + #chunk[1], chunk[2] })
      end
      col = col + #chunk[1]
    end
  end
  return out
end

return M
