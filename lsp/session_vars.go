package lsp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/ide"
	"github.com/sparkls/sparkls/sqltext"
)

// The session's own variables: Spark OSS has no statement that lists them,
// so sparkls remembers the names its runs declared (DECLARE VARIABLE) and,
// after each run, asks the session for each one's type and value with a
// query of its own, SELECT typeof(system.session.`v`), CAST(… AS STRING),
// query-only. A variable the session no longer has (dropped, a new
// session) is forgotten. Completion and hover read the answers.

// maxSessionVars bounds the variables asked about after a run.
const maxSessionVars = 32

type sessionVarState struct {
	mu    sync.Mutex
	names []string         // declared by runs, in order
	vars  []ide.SessionVar // the session's last answers
}

// sessionVars are the session's variables as last read.
func (s *Server) sessionVars() []ide.SessionVar {
	st := &s.sessVars
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.vars
}

// afterRunVars notes the variables the statements of a run declared, then
// reads every known variable's type and value from the session, in the
// background.
func (s *Server) afterRunVars(client *connect.Client, sent []string) {
	joined := strings.Join(sent, ";\n") + ";\n"
	declared := sqltext.SessionVars(joined, len(joined))
	st := &s.sessVars
	st.mu.Lock()
	for i := len(declared) - 1; i >= 0; i-- { // oldest first
		name := declared[i].Name
		if !slices.ContainsFunc(st.names, func(n string) bool { return strings.EqualFold(n, name) }) && len(st.names) < maxSessionVars {
			st.names = append(st.names, name)
		}
	}
	names := append([]string(nil), st.names...)
	st.mu.Unlock()
	if len(names) == 0 {
		return
	}
	s.goBackground(func() {
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		defer cancel()
		var vars []ide.SessionVar
		var gone []string
		for _, name := range names {
			ref := "system.session." + sqltext.QuoteAlways(name)
			r, err := client.Run(ctx, "SELECT typeof("+ref+"), CAST("+ref+" AS STRING)",
				connect.RunOptions{Limits: connect.Limits{Rows: 1, Bytes: 4096}, QueryOnly: true})
			switch {
			case err == nil && len(r.Rows) == 1 && len(r.Rows[0]) == 2:
				vars = append(vars, ide.SessionVar{Name: name, Type: r.Rows[0][0].Text, Value: r.Rows[0][1].Text, Null: r.Rows[0][1].Null})
			case errors.As(err, new(*connect.SparkError)):
				gone = append(gone, name)
			}
		}
		st.mu.Lock()
		st.vars = vars
		for _, g := range gone {
			st.names = slices.DeleteFunc(st.names, func(n string) bool { return strings.EqualFold(n, g) })
		}
		st.mu.Unlock()
	})
}
