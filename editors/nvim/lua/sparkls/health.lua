-- :checkhealth sparkls — the binary, the remote, the connection.
local M = {}

function M.check()
  local compat = require('sparkls.compat')
  local config = require('sparkls.config')
  local state = require('sparkls.state')
  local names = require('sparkls.names')
  local h = compat.health()

  h.start('sparkls: configuration')
  local cfg, problems = config.get()
  if #problems == 0 then
    h.ok('vim.g.sparkls is valid')
  end
  for _, p in ipairs(problems) do
    h.warn(p)
  end
  local v = vim.version()
  h.info(string.format('Neovim %d.%d.%d: %s', v.major, v.minor, v.patch,
    compat.has_lsp_enable and "vim.lsp.config('sparkls') + vim.lsp.enable"
      or 'vim.lsp.start_client + buf_attach_client on FileType ' .. table.concat(cfg.filetypes, ',')))
  if not cfg.autostart then
    h.info('autostart is off: the plugin attaches to no buffer by itself')
  end

  h.start('sparkls: binary')
  local exe = cfg.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    h.error(exe .. ' is not executable', {
      'Install it: go install github.com/sparkls/sparkls/cmd/sparkls@latest',
      'or set vim.g.sparkls = { cmd = { "/path/to/sparkls", "serve" } }',
    })
  else
    h.ok('found ' .. vim.fn.exepath(exe))
    local out = vim.fn.system({ exe, 'version' })
    if vim.v.shell_error == 0 then
      h.ok('`' .. exe .. ' version`: ' .. vim.trim(out))
    else
      h.warn('`' .. exe .. ' version` failed: ' .. vim.trim(out))
    end
  end

  h.start('sparkls: remote')
  local remote, from = config.remote(cfg)
  h.info('remote: ' .. remote .. ' (from ' .. from .. ')')
  if remote == 'local' then
    h.info('"local": the server of `sparkls server` (127.0.0.1:15002 unless started on another port); sparkls starts it when it is installed (once: `sparkls server install`)')
  end

  h.start('sparkls: connection')
  local clients = compat.clients()
  if #clients == 0 then
    h.info('no sparkls client is running: open a ' .. table.concat(cfg.filetypes, '/') .. ' buffer')
    return
  end
  for _, c in ipairs(clients) do
    local st = state.status[c.id]
    local who = string.format('client %d (%s)', c.id, c.config.root_dir or 'no root')
    if st == nil then
      h.warn(who .. ': no sparkls/status received yet')
    elseif st.state == names.StateConnected then
      h.ok(string.format('%s: connected to Spark %s at %s', who, st.sparkVersion or '?', st.remote or '?'))
      -- What this server cannot do (Spark 3.5: progress counts, error details).
      for _, lack in ipairs(type(st.lacks) == 'table' and st.lacks or {}) do
        h.info(string.format('Spark %s has %s', st.sparkVersion or '?', lack))
      end
    elseif st.state == names.StateConnecting then
      h.info(string.format('%s: connecting to %s', who, st.remote or '?'))
    elseif st.state == names.StateError then
      h.error(string.format('%s: cannot connect to %s: %s', who, st.remote or '?', st.message or ''),
        { 'Is the Spark Connect server running? Check the remote above.' })
    else
      h.warn(string.format('%s: %s %s', who, st.state or '?', st.message or ''))
    end
  end
end

return M
