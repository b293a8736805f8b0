-- A clean Neovim with only this plugin, configured the way a user would:
--   nvim --headless --clean -u editors/nvim/test/minimal_init.lua
-- $SPARKLS_BIN is the server binary, $SPARKLS_IT_REMOTE the Spark Connect remote.
local here = debug.getinfo(1, 'S').source:sub(2)
local plugin = vim.fn.fnamemodify(here, ':p:h:h')
vim.opt.runtimepath:prepend(plugin)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

vim.g.sparkls = {
  cmd = { os.getenv('SPARKLS_BIN') or 'sparkls', 'serve', '--log-level', 'debug' },
  remote = os.getenv('SPARKLS_IT_REMOTE') or 'sc://127.0.0.1:15002',
}
vim.lsp.set_log_level(os.getenv('SPARKLS_NVIM_LOG') or 'info')
