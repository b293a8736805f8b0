---@brief
---
--- https://github.com/sparkls/sparkls
---
--- sparkls, a language server for Spark SQL over Spark Connect: completion
--- from the Spark catalog, and running statements with a bounded preview.
---
--- Install the `sparkls` binary (`go install github.com/sparkls/sparkls/cmd/sparkls@latest`).
--- The Spark Connect remote comes from the `sparkls.remote` setting, else
--- `$SPARK_REMOTE`, else `local` (a local server that sparkls starts):
---
--- ```lua
--- vim.lsp.config('sparkls', {
---   settings = { sparkls = { remote = 'sc://localhost:15002' } },
--- })
--- ```
---
--- The editors/nvim plugin (`:Spark run`, previews, `:checkhealth sparkls`)
--- registers this config itself, from `vim.g.sparkls`.

--- Python and Scala buffers are served only when they are Databricks
--- notebooks or (Python) call `spark.sql(`; `vim.g.sparkls.python = 'always'`
--- widens it to every Python buffer, `'never'` turns it off.

---@type vim.lsp.Config
return {
  cmd = { 'sparkls', 'serve' },
  filetypes = { 'sql', 'python', 'scala' },
  root_dir = function(bufnr, on_dir)
    local g = type(vim.g.sparkls) == 'table' and vim.g.sparkls or {}
    if require('sparkls.detect').wants(bufnr, g.python) then
      on_dir(vim.fs.root(bufnr, g.root_markers or { '.git' }) or vim.fn.getcwd())
    end
  end,
  settings = { sparkls = vim.empty_dict() },
}
