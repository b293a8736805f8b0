package connect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// EnsureLocal makes sure the local Spark Connect server of remote "local" is
// up: it reuses one that answers on the port, else it starts one with the
// project's scripts/spark-server (which installs pyspark on first use and can
// take minutes). progress receives the script's output lines' gist.
func EnsureLocal(ctx context.Context, r Remote, progress func(string)) error {
	if !r.Local || listening(r.Address()) {
		return nil
	}
	script, err := findServerScript()
	if err != nil {
		return fmt.Errorf("no Spark Connect server answers on %s and %v; start one, or pass --remote sc://host:port", r.Address(), err)
	}
	if progress != nil {
		progress(fmt.Sprintf("starting the local Spark Connect server on %s (%s start); the first start installs pyspark", r.Address(), script))
	}
	cmd := exec.CommandContext(ctx, script, "start", "--port", fmt.Sprint(r.Port))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("start the local Spark Connect server (%s start): %w", script, err)
	}
	return nil
}

func listening(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// findServerScript looks for scripts/spark-server: $SPARKLS_SPARK_SERVER, then
// next to the binary (bin/sparkls in a checkout), then upwards from the
// working directory.
func findServerScript() (string, error) {
	if p := os.Getenv("SPARKLS_SPARK_SERVER"); p != "" {
		return p, nil
	}
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(filepath.Dir(exe)))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "scripts", "spark-server")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("scripts/spark-server was not found (set SPARKLS_SPARK_SERVER to its path)")
}
