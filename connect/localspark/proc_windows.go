package localspark

import (
	"context"
	"os"
	"os/exec"
	"syscall"
)

// detach starts the server without a console in a process group of its
// own, so that it outlives the process that started it.
func detach(cmd *exec.Cmd) {
	const detachedProcess = 0x00000008
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP | detachedProcess}
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid) // opens a handle: fails when pid is gone
	if err != nil {
		return false
	}
	p.Release()
	return true
}

func commandLine(int) (string, bool) { return "", false }

// terminate kills at once: Windows has no SIGTERM for a console-less JVM.
func terminate(pid int) error { return kill(pid) }

func kill(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	defer p.Release()
	return p.Kill()
}

// lock does not lock on Windows: two concurrent starts there may race.
func lock(context.Context, string) (func(), error) { return func() {}, nil }
