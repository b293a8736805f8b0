package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
)

// initializeParams reads initializationOptions raw (the shallower field
// wins over the embedded one), to decode them as settings.
type initializeParams struct {
	protocol.InitializeParams
	InitializationOptions json.RawMessage `json:"initializationOptions,omitempty"`
}

// initialize records the client's capabilities, applies the settings in
// initializationOptions and answers with the server's capabilities. It
// never waits for Spark: the connection is made after initialized.
func (s *Server) initialize(ctx context.Context, _ *Snapshot, p *initializeParams) (*initializeResult, error) {
	s.clientCaps = p.Capabilities
	client := "unknown"
	if p.ClientInfo != nil {
		client = p.ClientInfo.Name + " " + p.ClientInfo.Version
	}
	s.log.Info("initialize", "client", client, "pullsConfiguration", s.pullsConfiguration())
	s.applySettings(p.InitializationOptions, "initializationOptions")
	s.settingsMu.Lock()
	s.baseSettings = *s.settings.Load()
	s.settingsMu.Unlock()
	s.state.Store(stateInitialized)
	version := s.opts.Version
	if version == "" {
		version = "dev"
	}
	return &initializeResult{
		Capabilities: s.capabilities(),
		ServerInfo:   &protocol.ServerInfo{Name: "sparkls", Version: version},
	}, nil
}

// initialized starts the background work: pull the settings where the
// client supports it, then connect to Spark.
func (s *Server) initialized(ctx context.Context, _ *protocol.InitializedParams) error {
	gen := s.settingGen.Load()
	s.goBackground(func() {
		if s.pullsConfiguration() {
			s.pullSettings(gen)
		}
		s.settingsMu.Lock()
		s.spark.started.Store(true)
		s.reconnect(s.settings.Load().ResolvedRemote(s.getenv), false)
		s.settingsMu.Unlock()
	})
	return nil
}

// shutdown closes the Spark connection; later requests get InvalidRequest.
func (s *Server) shutdown(ctx context.Context, _ *Snapshot, _ *struct{}) (any, error) {
	s.state.Store(stateShutdown)
	s.disconnect()
	return nil, nil
}

func (s *Server) pullsConfiguration() bool {
	return s.clientCaps.Workspace != nil && s.clientCaps.Workspace.Configuration
}
