package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/sparkls/sparkls/lsp"
)

// cmdServe runs the language server on stdin and stdout until the client
// says exit. stdout carries only LSP frames: logs go to stderr.
//
//	sparkls serve [--stdio] [--log-level debug|info|warn|error]
func cmdServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Bool("stdio", true, "talk LSP over stdin and stdout (the only transport; editors pass it)")
	fs.Int("clientProcessId", 0, "accepted for vscode-languageclient; unused")
	level := fs.String("log-level", "info", "log level on stderr: debug, info, warn or error")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errUsage{fmt.Sprintf("serve: unexpected argument %q", pos[0])}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return errUsage{fmt.Sprintf("serve: --log-level %q is not debug, info, warn or error", *level)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl})).With("component", "lsp")

	// Anything else printing to os.Stdout would corrupt the protocol stream.
	if f, ok := stdout.(*os.File); ok && f == os.Stdout {
		os.Stdout = os.Stderr
		defer func() { os.Stdout = f }()
	}

	log.Info("sparkls language server starting", "version", sparklsVersion(), "pid", os.Getpid())
	srv := lsp.NewServer(lsp.Options{Logger: log, Version: sparklsVersion()})
	err = srv.Serve(ctx, stdin, stdout)
	switch {
	case err == nil:
		log.Info("sparkls language server exiting")
		return nil
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		log.Info("interrupted")
		return nil
	}
	return err
}
