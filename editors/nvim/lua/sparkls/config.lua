-- The plugin's configuration: vim.g.sparkls over the defaults. It is read
-- each time a client starts, so changing vim.g.sparkls takes effect on the
-- next start; there is no setup() to call.
local M = {}

M.defaults = {
  -- How to start the server.
  cmd = { 'sparkls', 'serve' },
  filetypes = { 'sql', 'python', 'scala' },
  root_markers = { '.git' },
  -- Python buffers: 'auto' (Databricks notebooks and files calling
  -- spark.sql(), 'always' or 'never'. Scala buffers: notebooks only.
  python = 'auto',
  -- Attach to buffers of `filetypes` by itself.
  autostart = true,
  -- sparkls.remote: "sc://host:port/;token=...", or "local". Unset: the
  -- server uses $SPARK_REMOTE, else "local".
  remote = nil,
  -- Other server settings (lsp/settings.go), without the "sparkls." prefix:
  -- { preview = { rows = 200 }, readOnly = true }.
  settings = {},
  preview = {
    inline_rows = 10, -- rows shown under the statement
    max_width = 40, -- widest cell inline, in screen columns
    width = 80, -- widest line inline (wider ones end with …); 0: no limit
    history = 50, -- runs kept for :Spark results
    page_rows = 100, -- rows each :Spark more fetches
    window = 'split', -- :Spark preview and :Spark explain: 'split' or 'float'
    height = 15, -- split height
  },
}

local types = {
  cmd = 'table',
  filetypes = 'table',
  root_markers = 'table',
  autostart = 'boolean',
  python = 'string',
  remote = 'string',
  settings = 'table',
  preview = 'table',
}

local islist = vim.islist or vim.tbl_islist

local function merge(base, over)
  local out = vim.deepcopy(base)
  for k, v in pairs(over) do
    if type(v) == 'table' and type(out[k]) == 'table' and not islist(v) then
      out[k] = merge(out[k], v)
    else
      out[k] = v
    end
  end
  return out
end

-- get returns the effective configuration and a list of problems (wrong
-- types, unknown keys), which fall back to the defaults.
function M.get()
  local user = vim.g.sparkls
  local problems = {}
  if user == nil then
    user = {}
  elseif type(user) ~= 'table' then
    table.insert(problems, 'vim.g.sparkls must be a table, not ' .. type(user))
    user = {}
  end
  local clean = {}
  for k, v in pairs(user) do
    if types[k] == nil then
      table.insert(problems, 'vim.g.sparkls.' .. tostring(k) .. ' is not a known option (ignored)')
    elseif type(v) ~= types[k] then
      table.insert(problems, string.format('vim.g.sparkls.%s must be a %s, not %s (using the default)', k, types[k], type(v)))
    elseif k == 'cmd' and (type(v[1]) ~= 'string' or v[1] == '') then
      table.insert(problems, 'vim.g.sparkls.cmd must be a list of strings such as { "sparkls", "serve" }')
    else
      clean[k] = v
    end
  end
  table.sort(problems)
  return merge(M.defaults, clean), problems, clean
end

-- server_settings is the "sparkls" section sent to the server (as
-- initializationOptions, workspace/didChangeConfiguration and the answer
-- to workspace/configuration).
function M.server_settings(cfg)
  local s = vim.deepcopy(cfg.settings or {})
  if type(s.sparkls) == 'table' then -- accept { sparkls = { ... } } too
    s = s.sparkls
  end
  if cfg.remote and cfg.remote ~= '' then
    s.remote = cfg.remote
  end
  if next(s) == nil then
    s = vim.empty_dict() -- {} on the wire, not []
  end
  return { sparkls = s }
end

-- remote returns the remote the server will use and where it comes from,
-- with any token hidden.
function M.remote(cfg)
  local r, from = M.server_settings(cfg).sparkls.remote, 'vim.g.sparkls'
  if r == nil or r == '' then
    r, from = vim.env.SPARK_REMOTE, '$SPARK_REMOTE'
  end
  if r == nil or r == '' then
    r, from = 'local', 'default'
  end
  return M.redact(r), from
end

-- secret_words mirrors connect.SecretWords (connect/secret.go; a Go test
-- fails on drift): a parameter whose name contains one of them, in any
-- case, has its value hidden.
M.secret_words = { 'token', 'auth', 'cookie', 'password', 'passwd', 'secret', 'key', 'credential' }

local function is_secret(name)
  name = name:lower()
  for _, w in ipairs(M.secret_words) do
    if name:find(w, 1, true) then
      return true
    end
  end
  return false
end

-- redact hides every secret value of a remote string by pattern, as
-- connect.Redact does, whether or not the string parses: name=value after
-- /, ;, ? or & (the value runs to the next ; or &), and user:password@.
function M.redact(remote)
  local s = (';' .. remote):gsub('://[^/;?&@]*@', '://***@')
  s = s:gsub('([/;?&])([^/;?&=]+)=([^;&]*)', function(sep, name)
    if is_secret(name) then
      return sep .. name .. '=***'
    end
  end)
  return s:sub(2)
end

return M
