//go:build !windows

package localspark

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeStack is a Java, a Python with pyspark and a spark-submit made of
// shell scripts: spark-submit records how it was run, then becomes a
// process that only listens on the port it was given (named like the
// server, so that the record recognises it).
type fakeStack struct {
	dir    string // the cache directory (Options.Dir)
	rec    string // where the fakes write what they saw
	python string
	env    map[string]string
}

func newFakeStack(t *testing.T) *fakeStack {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 needed for the fake server")
	}
	root := t.TempDir()
	f := &fakeStack{dir: filepath.Join(root, "cache", "sparkls", "server"), rec: filepath.Join(root, "rec")}
	home := filepath.Join(root, "site", "pyspark")
	jdk := filepath.Join(root, "jdk")
	for _, d := range []string{f.rec, filepath.Join(home, "jars"), filepath.Join(home, "bin"), filepath.Join(jdk, "bin")} {
		mkdir(t, d)
	}
	write(t, filepath.Join(home, "jars", connectJar), "")
	write(t, filepath.Join(jdk, "bin", "java"), "#!/bin/sh\necho 'openjdk version \"17.0.15\" 2025-04-15' >&2\n")
	f.python = filepath.Join(root, "python")
	write(t, f.python, "#!/bin/sh\necho \"$PWD|$*\" >> "+f.rec+"/python\nprintf '%s\\n%s\\n' "+SparkVersion+" "+home+"\n")
	write(t, filepath.Join(home, "bin", "spark-submit"), `#!/bin/sh
echo "$PWD" > `+f.rec+`/submit.cwd
echo "$*" > `+f.rec+`/submit.args
env > `+f.rec+`/submit.env
for a in "$@"; do case "$a" in spark.connect.grpc.binding.port=*) port="${a#*=}";; esac; done
exec python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
time.sleep(0.3); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(600)' "$port" `+mainClass+`
`)
	f.env = map[string]string{PythonEnv: f.python, "JAVA_HOME": jdk, "SPARK_CONNECT_AUTHENTICATE_TOKEN": "leaked"}
	return f
}

func (f *fakeStack) opts(port int) Options {
	return Options{Dir: f.dir, Port: port, Getenv: func(k string) string { return f.env[k] }, ReadyTimeout: 20 * time.Second}
}

func (f *fakeStack) read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.rec, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func mkdir(t *testing.T, d string) {
	t.Helper()
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	return lis.Addr().(*net.TCPAddr).Port
}

// hostileDir is a directory whose every file a careless launcher might run
// (a scripts/spark-server, Python modules that `python -m` would import
// from the working directory, a python3 and java for a PATH with "."):
// each touches marker.
func hostileDir(t *testing.T) (dir, marker string) {
	t.Helper()
	dir = t.TempDir()
	marker = filepath.Join(t.TempDir(), "PWNED")
	sh := "#!/bin/sh\ntouch " + marker + "\n"
	py := "open(" + strconv.Quote(marker) + ", 'w').close()\n"
	for _, d := range []string{"scripts", "pip", "bin"} {
		mkdir(t, filepath.Join(dir, d))
	}
	for path, text := range map[string]string{
		"scripts/spark-server": sh, "python3": sh, "python": sh, "java": sh, "bin/spark-submit": sh,
		"venv.py": py, "pip/__init__.py": py, "pip/__main__.py": py, "importlib.py": py, "sitecustomize.py": py,
	} {
		write(t, filepath.Join(dir, path), text)
	}
	return dir, marker
}

// The whole life of a server, from a hostile working directory: start
// records it and waits for the port, a second start reuses it, status sees
// it, stop ends it. Every command ran in the cache directory, Python
// isolated, and nothing of the working directory ran.
func TestStartStatusStop(t *testing.T) {
	f := newFakeStack(t)
	ws, marker := hostileDir(t)
	t.Chdir(ws)
	t.Setenv("PATH", ".:bin:"+os.Getenv("PATH"))
	t.Setenv("SPARK_CONNECT_AUTHENTICATE_TOKEN", "leaked")
	t.Setenv("SPARK_REMOTE", "sc://leaked:15002")
	port := freePort(t)
	ctx := context.Background()

	st, err := Status(f.opts(0))
	if err != nil || st.Running || st.Port != DefaultPort {
		t.Fatalf("before: %+v, %v", st, err)
	}
	var said []string
	o := f.opts(port)
	o.Progress = func(s string) { said = append(said, s) }
	st, err = Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Stop(context.Background(), f.opts(0)) })
	if !st.Running || st.Port != port || st.Pid <= 0 || !Listening(st.Address()) {
		t.Fatalf("started: %+v", st)
	}
	if len(said) != 2 || !strings.Contains(said[0], "starting") || !strings.Contains(said[1], "ready") {
		t.Errorf("progress %q", said)
	}
	if got := f.read(t, "python"); !strings.HasPrefix(got, f.dir+"|-I -c ") {
		t.Errorf("python ran as %q, want in %s with -I", got, f.dir)
	}
	if got := f.read(t, "submit.cwd"); got != f.dir {
		t.Errorf("spark-submit ran in %s, want %s", got, f.dir)
	}
	args := f.read(t, "submit.args")
	for _, want := range []string{"--class " + mainClass, "spark.connect.grpc.binding.address=127.0.0.1", "spark.connect.grpc.binding.port=" + strconv.Itoa(port), "spark.sql.warehouse.dir=" + filepath.Join(f.dir, "warehouse")} {
		if !strings.Contains(args, want) {
			t.Errorf("spark-submit args %q lack %q", args, want)
		}
	}
	env := f.read(t, "submit.env")
	if strings.Contains(env, "leaked") || strings.Contains(env, "SPARK_REMOTE") || !strings.Contains(env, "SPARK_LOCAL_IP=127.0.0.1") {
		t.Errorf("server environment:\n%s", env)
	}

	// Any later process, with no port given, finds the recorded server.
	st2, err := Start(ctx, f.opts(0))
	if err != nil || st2.Pid != st.Pid || st2.Port != port {
		t.Errorf("second start: %+v, %v", st2, err)
	}
	if _, err := Start(ctx, f.opts(freePort(t))); err == nil || !strings.Contains(err.Error(), "already runs on port") {
		t.Errorf("start on another port: %v", err)
	}
	if st2, err = Status(f.opts(0)); err != nil || !st2.Running || st2.Pid != st.Pid || st2.Port != port {
		t.Errorf("status: %+v, %v", st2, err)
	}

	if st2, err = Stop(ctx, f.opts(0)); err != nil || st2.Pid != st.Pid {
		t.Fatalf("stop: %+v, %v", st2, err)
	}
	if alive(st.Pid) || Listening(st.Address()) {
		t.Error("the server still runs after stop")
	}
	st2, err = Status(f.opts(0))
	if err != nil || st2.Running || st2.Port != port {
		t.Errorf("after stop: %+v, %v (the port stays recorded)", st2, err)
	}

	// Stopped by the user, it is not started again for remote "local"
	// until the user starts it.
	auto := f.opts(0)
	auto.Auto = true
	if _, err := Start(ctx, auto); err == nil || !strings.Contains(err.Error(), "stopped with `sparkls server stop`") {
		t.Errorf("auto start after stop: %v", err)
	}
	if st2, err = Start(ctx, f.opts(0)); err != nil || !st2.Running || st2.Port != port {
		t.Fatalf("start after stop: %+v, %v", st2, err)
	}
	if _, err := Stop(ctx, f.opts(0)); err != nil {
		t.Fatal(err)
	}
	// One that merely is not running (after a reboot, say) is started.
	if err := os.Remove(filepath.Join(f.dir, "server.stopped")); err != nil {
		t.Fatal(err)
	}
	if st2, err = Start(ctx, auto); err != nil || !st2.Running || st2.Port != port {
		t.Errorf("auto start of a server that is just not running: %+v, %v", st2, err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a file of the working directory was executed")
	}
}

// A recorded pid that now belongs to another program is not the server.
func TestStatusIgnoresRecycledPid(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "server.pid"), strconv.Itoa(os.Getpid()))
	write(t, filepath.Join(dir, "server.port"), "15049")
	st, err := Status(Options{Dir: dir})
	if _, ok := commandLine(os.Getpid()); !ok {
		t.Skip("no /proc: a live pid is taken for the server")
	}
	if err != nil || st.Running || st.Port != 15049 {
		t.Errorf("%+v, %v", st, err)
	}
}

// Installing runs the PATH's python3 in the cache directory, isolated, and
// never a python3 or a module of the working directory.
func TestInstallRunsNothingFromTheWorkingDirectory(t *testing.T) {
	ws, marker := hostileDir(t)
	t.Chdir(ws)
	fakebin := t.TempDir()
	rec := filepath.Join(t.TempDir(), "rec")
	write(t, filepath.Join(fakebin, "python3"), "#!/bin/sh\necho \"$PWD|$*\" >> "+rec+"\necho 'no network here' >&2\nexit 1\n")
	jdk := t.TempDir()
	mkdir(t, filepath.Join(jdk, "bin"))
	write(t, filepath.Join(jdk, "bin", "java"), "#!/bin/sh\necho 'openjdk version \"21.0.2\"' >&2\n")
	dir := filepath.Join(t.TempDir(), "server")
	getenv := func(k string) string {
		if k == "JAVA_HOME" {
			return jdk
		}
		return ""
	}

	t.Setenv("PATH", fakebin)
	_, err := Install(context.Background(), Options{Dir: dir, Getenv: getenv})
	if err == nil || !strings.Contains(err.Error(), "no network here") || !strings.Contains(err.Error(), "install.log") {
		t.Errorf("install error: %v", err)
	}
	b, _ := os.ReadFile(rec)
	if got := strings.TrimSpace(string(b)); got != dir+"|-I -m venv "+filepath.Join(dir, "venv-"+SparkVersion) {
		t.Errorf("python3 ran as %q", got)
	}

	// A PATH whose "." holds a python3 gets an error, not that python3.
	t.Setenv("PATH", ".")
	if _, err := Install(context.Background(), Options{Dir: dir, Getenv: getenv}); err == nil || !strings.Contains(err.Error(), "no Python 3") {
		t.Errorf("PATH=.: %v", err)
	}
	// A start for remote "local" does not install: it says how.
	if _, err := Start(context.Background(), Options{Dir: dir, Port: freePort(t), Getenv: getenv, Auto: true}); err == nil || !strings.Contains(err.Error(), "run: sparkls server install") {
		t.Errorf("start, not installed: %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a file of the working directory was executed")
	}
}

func TestOptionsRefuseRelativePaths(t *testing.T) {
	dir := t.TempDir()
	for name, getenv := range map[string]func(string) string{
		PythonEnv: func(k string) string {
			return map[string]string{PythonEnv: "venv/bin/python", "JAVA_HOME": "/nonexistent"}[k]
		},
		"JAVA_HOME": func(k string) string { return map[string]string{"JAVA_HOME": "jdk"}[k] },
	} {
		_, err := Install(context.Background(), Options{Dir: dir, Getenv: getenv})
		if err == nil || !strings.Contains(err.Error(), "absolute") {
			t.Errorf("relative %s: %v", name, err)
		}
	}
	if _, err := Status(Options{Dir: "cache"}); err == nil {
		t.Error("relative Dir accepted")
	}
}
