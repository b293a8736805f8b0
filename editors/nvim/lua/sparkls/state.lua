-- Session state shared by the modules: the last sparkls/status of each
-- client, the runs in flight, and the previews shown.
return {
  -- client id → last sparkls/status payload {state, remote, sparkVersion, message}
  status = {},
  -- the last sparkls/status of any client
  last_status = nil,
  -- queryId → {client_id, uri, range} from sparkls/runStarted, until its result
  running = {},
  -- bufnr → list of {client_id, request_id, run_id, uri, mark, query_id} runs awaiting a result
  pending = {},
  -- bufnr → mark id → {result, lines (statement lines − 1), kind}
  previews = {},
  -- key (cmd and root) → client id, for the clients started before 0.11
  clients = {},
  -- the runs of the session, the last first: {id, result, statement,
  -- summary, bufnr, name, row, time} (:Spark results); by id too
  history = {},
  history_by_id = {},
  history_seq = 0,
  -- the last run_id handed out (runs are "nvim-<pid>-<seq>")
  run_seq = 0,
}
