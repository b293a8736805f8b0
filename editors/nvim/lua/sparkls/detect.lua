-- Which buffers sparkls serves. SQL buffers always; Python and Scala ones
-- only when sparkls has SQL to offer there, so that it never sits beside
-- Python's own server for nothing: a Databricks source notebook (its first
-- line), or, for Python, a file that calls spark.sql(. vim.g.sparkls.python
-- widens it ('always': every Python buffer) or turns it off ('never').
local M = {}

local headers = {
  python = '# Databricks notebook source',
  scala = '// Databricks notebook source',
}

-- wants tells whether sparkls serves bufnr; python is the vim.g.sparkls
-- setting ('auto', 'always' or 'never'; nil is 'auto').
function M.wants(bufnr, python)
  local ft = vim.bo[bufnr].filetype
  local header = headers[ft]
  if header == nil then
    return true
  end
  if ft == 'python' and python == 'never' then
    return false
  end
  if ft == 'python' and python == 'always' then
    return true
  end
  local first = vim.api.nvim_buf_get_lines(bufnr, 0, 1, false)[1] or ''
  if vim.trim(first) == header then
    return true
  end
  if ft ~= 'python' then
    return false
  end
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:find('spark.sql(', 1, true) then
      return true
    end
  end
  return false
end

return M
