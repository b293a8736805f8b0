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

---@type vim.lsp.Config
return {
  cmd = { 'sparkls', 'serve' },
  filetypes = { 'sql' },
  root_markers = { '.git' },
  settings = { sparkls = vim.empty_dict() },
}
