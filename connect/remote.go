package connect

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/grpc"
)

// DefaultPort is the Spark Connect gRPC port when a remote string names none.
const DefaultPort = 15002

// DefaultMaxMessageSize is the receive limit for one gRPC message. grpc-go's
// own default (4 MiB) is too small for real Arrow batches; Spark's clients use 128 MiB.
const DefaultMaxMessageSize = 128 << 20

// LocalRemote is the remote string that means "the local server sparkls starts itself".
const LocalRemote = "local"

// Platform is the hosted workspace behind a remote, implemented by package
// connect/databricks (which imports connect; connect knows nothing of it):
// its credentials replace the plain bearer token, and it may check the
// compute before the first call.
type Platform interface {
	// String names the workspace and its compute, never a secret; it is the
	// remote's String.
	String() string
	// Scrub removes the workspace's secrets from a message, in case a lower
	// layer or a server echoed one.
	Scrub(msg string) string
	// DialOptions are the gRPC options of a client of the workspace
	// (credentials, interceptors); sessionID gives the client's current
	// session id. Dial calls ready (when not nil) before any Spark Connect
	// call, so a compute that is not running fails there, typed.
	DialOptions(roots *x509.CertPool, sessionID func() string) (opts []grpc.DialOption, ready func(context.Context) error)
}

// Remote is a parsed Spark Connect connection string
// (sc://host[:port][/;param=value;...]). Its String method never shows the token.
type Remote struct {
	Host           string
	Port           int
	Token          string // bearer token; never logged, never in errors
	TLS            bool   // use TLS with the system roots
	UserID         string
	UserAgent      string
	SessionID      string // empty: a fresh UUID per client
	MaxMessageSize int
	// Headers are the other parameters, sent as gRPC metadata on every call
	// (for example x-databricks-cluster-id).
	Headers map[string]string
	// Local is set for "local": the server that scripts/spark-server starts on loopback.
	Local bool
	// Workspace is the hosted workspace behind the remote (nil for a plain
	// sc:// remote): package connect/databricks sets it for
	// "databricks[://profile]".
	Workspace Platform

	useSSL string // the use_ssl parameter as given: "", "true" or "false"
}

// TokenEnv names the environment variable that supplies a token when the
// remote string has none (Spark's own name for it). Editors pass the token
// this way, so it never travels in settings or LSP messages.
const TokenEnv = "SPARK_CONNECT_AUTHENTICATE_TOKEN"

// ParseRemoteEnv parses s like ParseRemote, then takes the token from
// $SPARK_CONNECT_AUTHENTICATE_TOKEN when s names none. getenv is os.Getenv
// outside tests.
func ParseRemoteEnv(s string, getenv func(string) string) (Remote, error) {
	r, err := ParseRemote(s)
	if err != nil || r.Token != "" || r.Local {
		return r, err
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if tok := getenv(TokenEnv); tok != "" {
		return r.WithToken(tok)
	}
	return r, nil
}

// WithToken returns the remote with a bearer token, under the rule of the
// token parameter: TLS unless use_ssl=false was given for a loopback host.
func (r Remote) WithToken(token string) (Remote, error) {
	r.Token = token
	r.TLS = r.useSSL != "false"
	if !r.TLS && !isLoopback(r.Host) {
		return Remote{}, fmt.Errorf("invalid remote %s: a token is never sent without TLS to a non-loopback host; remove use_ssl=false", r)
	}
	return r, nil
}

// ResolveRemote returns the remote to use: s when given, else $SPARK_REMOTE,
// else "local". getenv is os.Getenv outside tests.
func ResolveRemote(s string, getenv func(string) string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if env := strings.TrimSpace(getenv("SPARK_REMOTE")); env != "" {
		return env
	}
	return LocalRemote
}

// ParseRemote parses a remote string. "local" (also "local[*]", "local[2]")
// means the loopback server on the default port ("databricks[://profile]"
// is package connect/databricks's, whose ParseRemoteEnv parses every
// remote). Errors say what is wrong and never contain the token.
func ParseRemote(s string) (Remote, error) {
	s = strings.TrimSpace(s)
	if s == LocalRemote || (strings.HasPrefix(s, "local[") && strings.HasSuffix(s, "]")) {
		return Remote{Host: "127.0.0.1", Port: DefaultPort, MaxMessageSize: DefaultMaxMessageSize, Local: true}, nil
	}
	// A remote that fails to parse may quote any part of itself: the
	// message is scrubbed of every secret value found by pattern.
	fail := func(format string, args ...any) (Remote, error) {
		return Remote{}, fmt.Errorf("invalid remote %q: %s (expected sc://host[:port][/;param=value;...] or %q)",
			Redact(s), scrub(fmt.Sprintf(format, args...), s), LocalRemote)
	}
	rest, ok := strings.CutPrefix(s, "sc://")
	if !ok {
		if i := strings.Index(s, "://"); i > 0 {
			return fail("scheme must be sc, not %s", s[:i])
		}
		return fail("missing sc:// prefix")
	}
	authority, path, _ := strings.Cut(rest, "/")
	params := ""
	if path != "" {
		if !strings.HasPrefix(path, ";") {
			return fail("path must be empty; parameters start with /;")
		}
		params = path[1:]
	}
	host, port, err := splitHostPort(authority)
	if err != nil {
		return fail("%v", err)
	}
	r := Remote{Host: host, Port: port, MaxMessageSize: DefaultMaxMessageSize}
	useSSL := ""
	for i, kv := range strings.Split(params, ";") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			// Not quoted: a token pasted without its name would show.
			return fail("parameter %d is not key=value", i+1)
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return fail("parameter %s has a badly escaped value", k)
		}
		switch k {
		case "token":
			r.Token = dv
		case "use_ssl":
			useSSL = strings.ToLower(dv)
			if useSSL != "true" && useSSL != "false" {
				return fail("use_ssl must be true or false")
			}
		case "user_id":
			r.UserID = dv
		case "user_agent":
			r.UserAgent = dv
		case "session_id":
			if _, err := uuid.Parse(dv); err != nil {
				return fail("session_id must be a UUID")
			}
			r.SessionID = dv
		case "grpc_max_message_size":
			n, err := strconv.Atoi(dv)
			if err != nil || n <= 0 {
				return fail("grpc_max_message_size must be a positive number of bytes")
			}
			r.MaxMessageSize = n
		default:
			if r.Headers == nil {
				r.Headers = map[string]string{}
			}
			r.Headers[strings.ToLower(k)] = dv
		}
	}
	// A token turns TLS on. Only an explicit use_ssl=false to a loopback host
	// sends it in plain text: the open-source server has token auth but no TLS.
	r.useSSL = useSSL
	r.TLS = useSSL == "true" || (r.Token != "" && useSSL != "false")
	if r.Token != "" && !r.TLS && !isLoopback(r.Host) {
		return fail("a token is never sent without TLS to a non-loopback host; remove use_ssl=false")
	}
	return r, nil
}

func splitHostPort(authority string) (string, int, error) {
	if authority == "" {
		return "", 0, errors.New("missing host")
	}
	host, portText := authority, ""
	if strings.HasPrefix(authority, "[") { // IPv6 literal
		end := strings.Index(authority, "]")
		if end < 0 {
			return "", 0, errors.New("unclosed [ in IPv6 host")
		}
		host = authority[1:end]
		if after := authority[end+1:]; after != "" {
			p, ok := strings.CutPrefix(after, ":")
			if !ok {
				return "", 0, fmt.Errorf("unexpected %q after host", after)
			}
			portText = p
		}
	} else if h, p, ok := strings.Cut(authority, ":"); ok {
		host, portText = h, p
	}
	if host == "" {
		return "", 0, errors.New("missing host")
	}
	if strings.ContainsAny(host, "@?#") {
		return "", 0, fmt.Errorf("host %q has characters a host name cannot have", host)
	}
	if portText == "" {
		return host, DefaultPort, nil
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 1 to 65535", portText)
	}
	return host, port, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Address is host:port for dialing.
func (r Remote) Address() string { return net.JoinHostPort(r.Host, strconv.Itoa(r.Port)) }

// String renders the remote without its token, fit for logs and errors.
func (r Remote) String() string {
	if r.Local {
		return LocalRemote
	}
	if r.Workspace != nil {
		return r.Workspace.String()
	}
	var b strings.Builder
	b.WriteString("sc://")
	b.WriteString(r.Address())
	var params []string
	if r.Token != "" {
		params = append(params, "token=***")
	}
	if r.TLS && r.Token == "" {
		params = append(params, "use_ssl=true")
	}
	if !r.TLS && r.Token != "" {
		params = append(params, "use_ssl=false")
	}
	if r.UserID != "" {
		params = append(params, "user_id="+r.UserID)
	}
	for _, k := range r.headerKeys() {
		v := r.Headers[k]
		if IsSecretName(k) {
			v = "***"
		}
		params = append(params, k+"="+v)
	}
	if len(params) > 0 {
		b.WriteString("/;")
		b.WriteString(strings.Join(params, ";"))
	}
	// A header value may itself hold "&token=..." (a mistyped separator).
	return Redact(b.String())
}

func (r Remote) headerKeys() []string {
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
