// Package localspark installs and runs the local Spark Connect server of
// remote "local": pyspark from PyPI in a virtualenv under the user's cache
// directory (os.UserCacheDir()/sparkls/server), a server on 127.0.0.1 started
// from it, and the record of that server (pid, port, log) in the same
// directory.
//
// Everything it executes comes from the binary itself, the user's PATH
// (python3, java; never a relative PATH entry) or the cache directory it
// wrote; every command runs with the cache directory as its working
// directory and Python in isolated mode (-I), so nothing in the directory a
// language server was started from, or in a workspace, is ever run.
//
// It does not speak Spark Connect (readiness is the port accepting
// connections while the recorded process lives; callers dial to check more)
// and it does not serve the project's own tests, which use
// scripts/spark-server with its shared .spark/venv.
package localspark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// SparkVersion is the pyspark version installed, the same that
// scripts/spark-server pins.
const SparkVersion = "4.3.0"

// DefaultPort is the port of a server started without one.
const DefaultPort = 15002

// PythonEnv names an optional Python (an absolute path) that already has
// pyspark SparkVersion installed: it is used instead of the cache's own
// virtualenv, and nothing is installed.
const PythonEnv = "SPARKLS_SERVER_PYTHON"

const (
	mainClass    = "org.apache.spark.sql.connect.service.SparkConnectServer"
	connectJar   = "spark-connect_2.13-" + SparkVersion + ".jar"
	readyTimeout = 180 * time.Second
	stopTimeout  = 20 * time.Second
)

// Options say where the server lives and how to report.
type Options struct {
	// Dir holds the virtualenv and the server's files; "" is DefaultDir().
	Dir string
	// Port for Start; 0 is the recorded port, else DefaultPort.
	Port int
	// Progress receives one line per step; nil discards them.
	Progress func(string)
	// Auto marks a start on behalf of remote "local" rather than the
	// user's `sparkls server start`: it never installs pyspark (about 450
	// MB the user did not ask for), and it does not start a server that
	// the user stopped (Stop) until they start it again.
	Auto bool
	// Getenv is os.Getenv outside tests.
	Getenv func(string) string
	// ReadyTimeout bounds the wait for a started server; 0 is 180 s.
	ReadyTimeout time.Duration
}

// State is what the record in Dir says about the server.
type State struct {
	Dir     string
	Port    int  // the recorded port, else DefaultPort
	Running bool // the recorded process is alive
	Pid     int  // when Running
	Log     string
}

// Address is 127.0.0.1:Port.
func (s State) Address() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

func (s State) String() string {
	if s.Running {
		return fmt.Sprintf("running, pid %d, sc://%s, log %s", s.Pid, s.Address(), s.Log)
	}
	return fmt.Sprintf("stopped (port %d), log %s", s.Port, s.Log)
}

// DefaultDir is os.UserCacheDir()/sparkls/server.
func DefaultDir() (string, error) {
	ucd, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the local Spark server: %w", err)
	}
	return filepath.Join(ucd, "sparkls", "server"), nil
}

func (o *Options) init() error {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = readyTimeout
	}
	if o.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return err
		}
		o.Dir = d
	}
	if !filepath.IsAbs(o.Dir) {
		return fmt.Errorf("the local Spark server's directory %q is not absolute", o.Dir)
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("bad port %d", o.Port)
	}
	return nil
}

func (o Options) file(name string) string { return filepath.Join(o.Dir, name) }

// Status reads the record: the port and whether its process still runs.
func Status(o Options) (State, error) {
	if err := o.init(); err != nil {
		return State{}, err
	}
	return o.state(), nil
}

func (o Options) state() State {
	st := State{Dir: o.Dir, Port: DefaultPort, Log: o.file("server.log")}
	if p, err := readInt(o.file("server.port")); err == nil && p > 0 && p < 65536 {
		st.Port = p
	}
	if pid, err := readInt(o.file("server.pid")); err == nil && pid > 0 && ourServer(pid) {
		st.Running, st.Pid = true, pid
	}
	return st
}

func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Install makes sure pyspark SparkVersion is installed (in Dir's virtualenv,
// or the Python of $SPARKLS_SERVER_PYTHON) and Java 17+ is on hand; it
// returns pyspark's directory, which is the server's SPARK_HOME.
func Install(ctx context.Context, o Options) (sparkHome string, err error) {
	if err := o.init(); err != nil {
		return "", err
	}
	unlock, err := lock(ctx, o.Dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	o.Auto = false
	return o.install(ctx)
}

// install finds (or, unless o.Auto, installs) pyspark; the lock is held.
func (o Options) install(ctx context.Context) (string, error) {
	py := o.Getenv(PythonEnv)
	if py != "" && !filepath.IsAbs(py) {
		return "", fmt.Errorf("$%s must be an absolute path, not %q", PythonEnv, py)
	}
	if _, err := o.java(ctx); err != nil {
		return "", err
	}
	if py != "" {
		home, err := o.pyspark(ctx, py)
		if err != nil {
			return "", fmt.Errorf("$%s (%s): %w", PythonEnv, py, err)
		}
		return home, nil
	}
	venv := o.file("venv-" + SparkVersion)
	py = venvPython(venv)
	if home, err := o.pyspark(ctx, py); err == nil {
		return home, nil
	} else if o.Auto {
		return "", fmt.Errorf("pyspark %s is not installed in %s (%v); run: sparkls server install", SparkVersion, venv, err)
	}
	base, err := systemPython()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(py); err != nil {
		o.Progress(fmt.Sprintf("creating the virtualenv %s", venv))
		if err := o.run(ctx, base, "-I", "-m", "venv", venv); err != nil {
			return "", fmt.Errorf("create the virtualenv %s: %w", venv, err)
		}
	}
	o.Progress(fmt.Sprintf("installing pyspark %s from PyPI into %s (about 450 MB, once)", SparkVersion, venv))
	if err := o.run(ctx, py, "-I", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip", "setuptools", "wheel"); err != nil {
		return "", fmt.Errorf("upgrade pip in %s: %w", venv, err)
	}
	if err := o.run(ctx, py, "-I", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pyspark=="+SparkVersion); err != nil {
		return "", fmt.Errorf("install pyspark %s: %w", SparkVersion, err)
	}
	home, err := o.pyspark(ctx, py)
	if err != nil {
		return "", fmt.Errorf("after installing: %w", err)
	}
	o.Progress(fmt.Sprintf("installed pyspark %s (%s)", SparkVersion, home))
	return home, nil
}

func venvPython(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts", "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}

// systemPython is python3 (or python) from PATH; exec.LookPath refuses a
// match through a relative PATH entry such as ".".
func systemPython() (string, error) {
	var errs []error
	for _, name := range []string{"python3", "python"} {
		p, err := exec.LookPath(name)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("no Python 3 to install pyspark with (install python3 with venv and pip): %w", errors.Join(errs...))
}

// pysparkProbe reads pyspark's version and directory from its metadata
// without importing it.
const pysparkProbe = `import importlib.metadata as m
d = m.distribution("pyspark")
print(d.version)
print(d.locate_file("pyspark"))`

// pyspark returns the directory of py's pyspark SparkVersion, which has
// the Spark Connect server jar.
func (o Options) pyspark(ctx context.Context, py string) (string, error) {
	if _, err := os.Stat(py); err != nil {
		return "", err
	}
	out, err := o.output(ctx, py, "-I", "-c", pysparkProbe)
	if err != nil {
		return "", fmt.Errorf("no pyspark: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		return "", fmt.Errorf("unexpected answer %q", out)
	}
	if v := strings.TrimSpace(lines[0]); v != SparkVersion {
		return "", fmt.Errorf("pyspark %s, not %s", v, SparkVersion)
	}
	home := strings.TrimSpace(lines[1])
	if _, err := os.Stat(filepath.Join(home, "jars", connectJar)); err != nil {
		return "", fmt.Errorf("pyspark in %s has no %s", home, connectJar)
	}
	return home, nil
}

var javaVersion = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// java returns JAVA_HOME after checking that its java is 17 or newer:
// $JAVA_HOME when set (absolute), else java from PATH.
func (o Options) java(ctx context.Context) (string, error) {
	javaHome := o.Getenv("JAVA_HOME")
	var bin string
	if javaHome != "" {
		if !filepath.IsAbs(javaHome) {
			return "", fmt.Errorf("$JAVA_HOME must be an absolute path, not %q", javaHome)
		}
		bin = filepath.Join(javaHome, "bin", "java")
	} else {
		p, err := exec.LookPath("java")
		if err != nil {
			return "", fmt.Errorf("java not found (Spark %s needs Java 17 or 21; e.g. apt-get install openjdk-17-jdk-headless): %w", SparkVersion, err)
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return "", err
		}
		bin, javaHome = p, filepath.Dir(filepath.Dir(real))
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin, "-version")
	cmd.Dir = o.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s -version: %w", bin, err)
	}
	m := javaVersion.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("cannot read the Java version from %q", firstLine(string(out)))
	}
	major, _ := strconv.Atoi(string(m[1]))
	if major == 1 && len(m[2]) > 0 { // "1.8.0_392"
		major, _ = strconv.Atoi(string(m[2]))
	}
	if major < 17 {
		return "", fmt.Errorf("Spark %s needs Java 17 or newer; %s is Java %d", SparkVersion, bin, major)
	}
	return javaHome, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// run runs a setup command in Dir with its output in Dir/install.log.
func (o Options) run(ctx context.Context, name string, args ...string) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	logf, err := os.OpenFile(o.file("install.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "$ %s %s\n", name, strings.Join(args, " "))
	var tail bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = o.Dir
	cmd.Stdout = logf
	cmd.Stderr = io.MultiWriter(logf, &tail)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		msg := lastLines(tail.String(), 3)
		if msg != "" {
			return fmt.Errorf("%w: %s (log: %s)", err, msg, o.file("install.log"))
		}
		return fmt.Errorf("%w (log: %s)", err, o.file("install.log"))
	}
	return nil
}

// output runs a probe in Dir and returns its standard output.
func (o Options) output(ctx context.Context, name string, args ...string) (string, error) {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = o.Dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if msg := lastLines(stderr.String(), 1); msg != "" {
			return "", fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	return stdout.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}

// Start starts the server on 127.0.0.1 (o.Port, else the recorded port,
// else DefaultPort) unless the recorded one runs, records it, and waits
// until it accepts connections. It returns the running server's state.
func Start(ctx context.Context, o Options) (State, error) {
	if err := o.init(); err != nil {
		return State{}, err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return State{}, err
	}
	unlock, err := lock(ctx, o.Dir)
	if err != nil {
		return State{}, err
	}
	defer unlock()

	st := o.state()
	if o.Port == 0 {
		o.Port = st.Port
	}
	if st.Running {
		if st.Port != o.Port {
			return st, fmt.Errorf("the local Spark server already runs on port %d (pid %d), not %d; stop it first: sparkls server stop", st.Port, st.Pid, o.Port)
		}
		if !Listening(st.Address()) {
			o.Progress(fmt.Sprintf("the local Spark server (pid %d) is starting; waiting for it", st.Pid))
			if err := o.waitReady(ctx, st, nil); err != nil {
				return st, err
			}
		}
		return st, nil
	}
	if o.Auto {
		if _, err := os.Stat(o.file("server.stopped")); err == nil {
			return st, errors.New("the local Spark server was stopped with `sparkls server stop`; start it with: sparkls server start")
		}
	}
	st.Port = o.Port
	if Listening(st.Address()) {
		return st, fmt.Errorf("port %d is already in use by another process; pick another with --port", o.Port)
	}
	sparkHome, err := o.install(ctx)
	if err != nil {
		return st, err
	}
	javaHome, err := o.java(ctx)
	if err != nil {
		return st, err
	}
	if err := os.WriteFile(o.file("server.port"), []byte(strconv.Itoa(o.Port)+"\n"), 0o600); err != nil {
		return st, err
	}
	os.Remove(o.file("server.stopped"))
	os.Remove(o.file("server.pid"))
	logf, err := os.OpenFile(st.Log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return st, err
	}
	defer logf.Close()

	// The same server as scripts/spark-server's: Hive catalog with a Derby
	// metastore and warehouse of its own, no UI, bound to loopback.
	args := []string{
		"--master", "local[2]",
		"--driver-memory", "1g",
		"--name", "sparkls-connect-local",
		"--driver-java-options", "-Dderby.system.home=" + o.Dir,
		"--class", mainClass,
		"--conf", "spark.connect.grpc.binding.port=" + strconv.Itoa(o.Port),
		"--conf", "spark.connect.grpc.binding.address=127.0.0.1",
		"--conf", "spark.sql.catalogImplementation=hive",
		"--conf", "spark.sql.warehouse.dir=" + o.file("warehouse"),
		"--conf", "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=" + o.file("metastore_db") + ";create=true",
		// No metastore connection pool: an operation interrupted inside a
		// metastore call keeps its pooled connection, and a dry pool hangs
		// every catalog call.
		"--conf", "spark.hadoop.datanucleus.connectionPoolingType=None",
		"--conf", "spark.ui.enabled=false",
		"--conf", "spark.local.dir=" + o.file("tmp"),
	}
	submit := filepath.Join(sparkHome, "bin", "spark-submit")
	if runtime.GOOS == "windows" {
		submit += ".cmd"
	}
	// Not CommandContext: the server outlives this process (and the
	// language server that started it) until `sparkls server stop`.
	cmd := exec.Command(submit, args...)
	cmd.Dir = o.Dir // derby.log and Hive's scratch files land here
	cmd.Env = serverEnv(os.Environ(), map[string]string{
		"SPARK_HOME": sparkHome, "JAVA_HOME": javaHome, "TZ": "UTC",
		"SPARK_LOG_DIR": o.Dir, "SPARK_PID_DIR": o.Dir,
		// Else the driver binds to the first non-loopback interface.
		"SPARK_LOCAL_IP": "127.0.0.1",
	})
	cmd.Stdout, cmd.Stderr = logf, logf
	detach(cmd)
	o.Progress(fmt.Sprintf("starting the local Spark Connect server (Spark %s) on 127.0.0.1:%d; log: %s", SparkVersion, o.Port, st.Log))
	if err := cmd.Start(); err != nil {
		return st, fmt.Errorf("start %s: %w", submit, err)
	}
	// spark-submit execs down to the JVM, so this pid is the server's.
	st.Pid, st.Running = cmd.Process.Pid, true
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }() // reap it if it dies while we live
	if err := os.WriteFile(o.file("server.pid"), []byte(strconv.Itoa(st.Pid)+"\n"), 0o600); err != nil {
		return st, err
	}
	begin := time.Now()
	if err := o.waitReady(ctx, st, exited); err != nil {
		return st, err
	}
	o.Progress(fmt.Sprintf("the local Spark Connect server is ready in %.0f s (pid %d, sc://%s)", time.Since(begin).Seconds(), st.Pid, st.Address()))
	return st, nil
}

// clientEnv are variables of a Spark Connect client's environment that
// must not reach the server: with $SPARK_REMOTE (even empty) spark-submit
// refuses to start a server ("Remote cannot be specified with master"),
// and the server of remote "local" takes no token.
var clientEnv = map[string]bool{"SPARK_REMOTE": true, "SPARK_CONNECT_MODE": true, "SPARK_CONNECT_MODE_ENABLED": true, "SPARK_CONNECT_AUTHENTICATE_TOKEN": true}

// serverEnv is env with set applied and without clientEnv.
func serverEnv(env []string, set map[string]string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok || clientEnv[k] {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// waitReady waits until st's port accepts connections while its process
// lives (exited, when known, closes when it ends).
func (o Options) waitReady(ctx context.Context, st State, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, o.ReadyTimeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		if Listening(st.Address()) {
			return nil
		}
		if exited == nil && !alive(st.Pid) {
			exited = closed
		}
		select {
		case <-exited:
			return fmt.Errorf("the local Spark Connect server exited while starting: %s (log: %s)", cause(tailFile(st.Log)), st.Log)
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("the local Spark Connect server (pid %d) did not answer on %s within %s (log: %s)", st.Pid, st.Address(), o.ReadyTimeout, st.Log)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// cause is the first line of a log's tail that names an exception or an
// error, else its last line.
func cause(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for _, l := range lines {
		if strings.Contains(l, "Exception") || strings.Contains(l, "ERROR") || strings.Contains(l, "Error:") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

func tailFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > 16<<10 {
		b = b[len(b)-16<<10:]
	}
	return string(b)
}

// Listening tells whether something accepts TCP connections at addr.
func Listening(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// Stop ends the recorded server (TERM, then KILL after 20 s) and returns
// its state before. Until the next explicit Start, an Auto start refuses:
// a language server would otherwise start it again at its next reconnect.
func Stop(ctx context.Context, o Options) (State, error) {
	if err := o.init(); err != nil {
		return State{}, err
	}
	st := o.state()
	if _, err := os.Stat(o.Dir); err == nil {
		if err := os.WriteFile(o.file("server.stopped"), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
			return st, err
		}
	}
	if !st.Running {
		os.Remove(o.file("server.pid"))
		return st, nil
	}
	o.Progress(fmt.Sprintf("stopping the local Spark Connect server (pid %d)", st.Pid))
	if err := terminate(st.Pid); err != nil {
		return st, err
	}
	ctx, cancel := context.WithTimeout(ctx, stopTimeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for alive(st.Pid) {
		select {
		case <-ctx.Done():
			o.Progress(fmt.Sprintf("pid %d still runs after %s; killing it", st.Pid, stopTimeout))
			if err := kill(st.Pid); err != nil {
				return st, err
			}
			os.Remove(o.file("server.pid"))
			return st, nil
		case <-tick.C:
		}
	}
	os.Remove(o.file("server.pid"))
	return st, nil
}

// ourServer reports whether pid lives and is still the server (or the
// spark-submit about to exec into it), not a recycled pid.
func ourServer(pid int) bool {
	if !alive(pid) {
		return false
	}
	cmdline, ok := commandLine(pid)
	return !ok || strings.Contains(cmdline, mainClass) || strings.Contains(cmdline, "spark-submit")
}
