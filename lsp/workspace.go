package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"go.lsp.dev/protocol"
)

// pullTimeout bounds a workspace/configuration round trip.
const pullTimeout = 10 * time.Second

type didChangeConfigurationParams struct {
	Settings json.RawMessage `json:"settings"`
}

// didChangeConfiguration applies pushed settings ({"sparkls": {...}} or the
// bare section) at once, so that the next request sees them, and then pulls
// the section where the client supports it (VS Code pushes null and expects
// the pull). A push without our section (null, {}, other tools' sections)
// changes nothing. A changed remote reconnects.
func (s *Server) didChangeConfiguration(ctx context.Context, p *didChangeConfigurationParams) error {
	if HasSection(p.Settings) {
		s.applySettings(p.Settings, "workspace/didChangeConfiguration")
	} else {
		s.log.Debug("workspace/didChangeConfiguration has no sparkls section; keeping the settings")
	}
	if s.pullsConfiguration() {
		gen := s.settingGen.Load()
		s.goBackground(func() { s.pullSettings(gen) })
	}
	return nil
}

// pullSettings asks the client for the "sparkls" section and applies it
// unless newer settings arrived meanwhile (gen is the generation the pull
// was started at).
func (s *Server) pullSettings(gen uint64) {
	ctx, cancel := context.WithTimeout(s.ctx, pullTimeout)
	defer cancel()
	var res []json.RawMessage
	err := s.conn.call(ctx, protocol.MethodWorkspaceConfiguration,
		protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{{Section: ConfigSection}}}, &res)
	if err != nil {
		s.log.Warn("workspace/configuration failed; keeping the settings", "err", err)
		return
	}
	if len(res) != 1 {
		s.log.Warn("workspace/configuration answered the wrong number of items", "items", len(res))
		return
	}
	if raw := bytes.TrimSpace(res[0]); len(raw) == 0 || string(raw) == "null" {
		// Helix and eglot answer null when their configuration has no
		// sparkls section: the settings of initializationOptions stand.
		s.log.Debug("workspace/configuration has no sparkls section; keeping the settings")
		return
	}
	s.applySettingsIf(res[0], "workspace/configuration", gen)
}

// applySettings decodes raw over the base settings (those of
// initializationOptions) and makes it the settings; problems go to the log
// and the editor's output.
func (s *Server) applySettings(raw json.RawMessage, source string) {
	s.applySettingsIf(raw, source, 0)
}

// applySettingsIf applies raw only if no settings change happened after
// generation gen (0: unconditionally).
func (s *Server) applySettingsIf(raw json.RawMessage, source string, gen uint64) {
	s.settingsMu.Lock()
	settings, problems := s.baseSettings.Merge(raw)
	if gen != 0 && s.settingGen.Load() != gen {
		s.settingsMu.Unlock()
		s.log.Debug("dropped stale settings", "source", source)
		return
	}
	s.settingGen.Add(1)
	s.settings.Store(&settings)
	if s.spark.started.Load() {
		// Under settingsMu, so the connection follows the last settings stored.
		s.reconnect(settings.ResolvedRemote(s.getenv), false)
	}
	s.settingsMu.Unlock()

	for _, p := range problems {
		s.log.Warn("settings problem", "source", source, "problem", p)
		s.logToClient(protocol.MessageTypeWarning, "sparkls: "+p)
	}
	s.log.Debug("settings applied", "source", source, "previewRows", settings.Preview.Rows,
		"previewBytes", settings.Preview.Bytes, "readOnly", settings.ReadOnly)
}
