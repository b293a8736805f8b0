// Package databricks is Databricks over Spark Connect: the remotes
// "databricks" and "databricks://<profile>", resolved the way the Databricks
// CLI and SDKs resolve them (a profile of ~/.databrickscfg overridden by
// DATABRICKS_* variables), their credentials (a personal access token, or
// OAuth machine-to-machine tokens from the workspace's OIDC endpoint), the
// workspace REST API, the check of the cluster's state before any Spark
// Connect call, and the Unity Catalog source that needs no compute.
//
// It builds on package connect (a *Workspace is a connect.Platform);
// connect knows nothing of it. It speaks gRPC only through the dial options
// and interceptors it gives connect.
package databricks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sparkls/sparkls/connect"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"gopkg.in/ini.v1"
)

// DatabricksRemote is the remote of the default Databricks profile;
// "databricks://<profile>" names another.
const DatabricksRemote = "databricks"

const databricksPrefix = DatabricksRemote + "://"

// Header names Databricks routes Spark Connect calls by.
const (
	ClusterIDHeader = "x-databricks-cluster-id"
	SessionIDHeader = "x-databricks-session-id" // serverless: the Spark Connect session id
)

// The profile keys sparkls reads, with the environment variables that
// override them (the names of Databricks' unified authentication).
var databricksKeys = map[string]string{
	"host":                  "DATABRICKS_HOST",
	"token":                 "DATABRICKS_TOKEN",
	"cluster_id":            "DATABRICKS_CLUSTER_ID",
	"serverless_compute_id": "DATABRICKS_SERVERLESS_COMPUTE_ID",
	"client_id":             "DATABRICKS_CLIENT_ID",
	"client_secret":         "DATABRICKS_CLIENT_SECRET",
	"auth_type":             "DATABRICKS_AUTH_TYPE",
}

const (
	envConfigFile    = "DATABRICKS_CONFIG_FILE"
	envConfigProfile = "DATABRICKS_CONFIG_PROFILE"
	defaultProfile   = "DEFAULT"
)

// ParseRemoteEnv parses any remote string: a databricks one here (its
// profile resolved with getenv, os.Getenv when nil), every other with
// connect.ParseRemoteEnv. The language server and the CLI parse with it.
func ParseRemoteEnv(s string, getenv func(string) string) (connect.Remote, error) {
	if !IsDatabricksRemote(s) {
		return connect.ParseRemoteEnv(s, getenv)
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	return resolveDatabricks(s, getenv)
}

// IsDatabricksRemote reports whether s names a Databricks profile
// ("databricks" or "databricks://<profile>").
func IsDatabricksRemote(s string) bool {
	s = strings.TrimSpace(s)
	return s == DatabricksRemote || strings.HasPrefix(s, databricksPrefix)
}

// Workspace is the Databricks workspace behind a databricks remote: where it
// is, how sparkls authenticates and which compute runs the SQL. Its String
// never shows a secret, and neither do the errors of anything built on it.
// It is safe for concurrent use; a Remote's copies share it, so gRPC calls
// and REST calls share one OAuth token.
type Workspace struct {
	Profile    string // the profile read ("" when the environment gave everything)
	ConfigFile string // the configuration file looked at
	Host       string // the workspace host name
	Port       int    // 443 unless the host names another (tests)
	ClusterID  string // classic compute, sent as x-databricks-cluster-id
	Serverless bool   // serverless_compute_id = auto: no cluster, x-databricks-session-id
	ClientID   string // OAuth machine-to-machine (a service principal); "" with a token

	token        string // personal access token
	clientSecret string
	expiryDelta  time.Duration    // an OAuth token is renewed this long before it expires
	now          func() time.Time // the cluster checks' clock (nil: time.Now; tests move it)

	mu    sync.Mutex
	conns map[*x509.CertPool]*workspaceConn
}

// workspaceConn is the HTTP client and token source for one set of TLS roots.
type workspaceConn struct {
	hc *http.Client
	ts oauth2.TokenSource
}

// AuthType names the authentication in use, as the Databricks SDKs do:
// "pat" or "oauth-m2m".
func (w *Workspace) AuthType() string {
	if w.ClientID != "" {
		return "oauth-m2m"
	}
	return "pat"
}

// URL is the workspace's base URL (https://host, with the port unless 443).
func (w *Workspace) URL() string {
	if w.Port == 0 || w.Port == 443 {
		return "https://" + w.Host
	}
	return "https://" + w.Host + ":" + strconv.Itoa(w.Port)
}

// String names the profile, the workspace and the compute, never a secret.
func (w *Workspace) String() string {
	name := DatabricksRemote
	if w.Profile != "" {
		name = databricksPrefix + w.Profile
	}
	compute := "cluster " + w.ClusterID
	if w.Serverless {
		compute = "serverless"
	}
	return fmt.Sprintf("%s (%s, %s, %s)", name, w.URL(), compute, w.AuthType())
}

// Scrub removes the workspace's secrets from a message, in case a lower
// layer or a server echoed one.
func (w *Workspace) Scrub(msg string) string {
	for _, s := range []string{w.token, w.clientSecret} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return msg
}

// setting is one resolved configuration value and where it came from
// ("token in [dev] of /home/me/.databrickscfg" or "DATABRICKS_TOKEN"), so
// errors can say where to look without showing the value.
type setting struct {
	value, from string
	env         bool
}

// resolveDatabricks resolves a databricks remote: the named profile (else
// $DATABRICKS_CONFIG_PROFILE, else DEFAULT) of $DATABRICKS_CONFIG_FILE
// (else ~/.databrickscfg), each key overridden by its DATABRICKS_*
// variable. Errors name the missing key and the file, never a value.
func resolveDatabricks(s string, getenv func(string) string) (connect.Remote, error) {
	s = strings.TrimSpace(s)
	profile := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, DatabricksRemote), "://"), "/")
	if strings.ContainsAny(profile, "/;?#[]") {
		return connect.Remote{}, fmt.Errorf("invalid remote %q: expected %s or %s<profile>", connect.Redact(s), DatabricksRemote, databricksPrefix)
	}
	explicit := profile != ""
	if !explicit {
		profile = strings.TrimSpace(getenv(envConfigProfile))
		explicit = profile != ""
	}
	if profile == "" {
		profile = defaultProfile
	}
	file, err := configFile(getenv)
	if err != nil {
		return connect.Remote{}, err
	}
	name := databricksPrefix + profile
	w := &Workspace{Profile: profile, ConfigFile: file, expiryDelta: time.Minute}
	vals := map[string]setting{}

	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true}, data)
		if err != nil {
			// ini's errors quote the offending line, which may hold a token.
			return connect.Remote{}, fmt.Errorf("%s: cannot parse %s as an INI file (a line is not [section] or key = value)", name, file)
		}
		sec, err := f.GetSection(profile)
		if err != nil {
			if explicit {
				return connect.Remote{}, fmt.Errorf("%s: no profile [%s] in %s (it has %s)", name, profile, file, strings.Join(f.SectionStrings(), ", "))
			}
			w.Profile = ""
			break
		}
		for k, v := range sec.KeysHash() {
			if _, ok := databricksKeys[k]; ok && strings.TrimSpace(v) != "" {
				vals[k] = setting{value: strings.TrimSpace(v), from: fmt.Sprintf("%s in [%s] of %s", k, profile, file)}
			}
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return connect.Remote{}, fmt.Errorf("%s: cannot read the Databricks configuration file %s: %v (create it with `databricks configure`, or set %s)", name, file, pathError(err), envConfigFile)
	default:
		w.Profile = ""
	}
	for k, env := range databricksKeys {
		if v := strings.TrimSpace(getenv(env)); v != "" {
			vals[k] = setting{value: v, from: env, env: true}
		}
	}
	if w.Profile == "" {
		name = DatabricksRemote
	}
	// where says how to set key: in the profile, or with its variable.
	where := func(key string) string {
		return fmt.Sprintf("set %s in [%s] of %s, or %s", key, profile, file, databricksKeys[key])
	}

	host := vals["host"]
	if host.value == "" {
		return connect.Remote{}, fmt.Errorf("%s: no workspace host: %s", name, where("host"))
	}
	if w.Host, w.Port, err = parseWorkspaceHost(host.value); err != nil {
		return connect.Remote{}, fmt.Errorf("%s: %s: %v", name, host.from, err)
	}

	// Compute: a cluster, or serverless. The environment beats the file when
	// they disagree, as for every key; within one source, both is an error.
	cluster, serverless := vals["cluster_id"], vals["serverless_compute_id"]
	if cluster.value != "" && serverless.value != "" {
		switch {
		case cluster.env && !serverless.env:
			serverless = setting{}
		case serverless.env && !cluster.env:
			cluster = setting{}
		default:
			return connect.Remote{}, fmt.Errorf("%s: both %s and %s are set: keep one", name, cluster.from, serverless.from)
		}
	}
	switch {
	case cluster.value != "":
		w.ClusterID = cluster.value
	case serverless.value != "":
		if !strings.EqualFold(serverless.value, "auto") {
			return connect.Remote{}, fmt.Errorf("%s: %s must be auto (the only value Databricks Connect accepts)", name, serverless.from)
		}
		w.Serverless = true
	default:
		return connect.Remote{}, fmt.Errorf("%s: no compute: %s (or serverless_compute_id = auto)", name, where("cluster_id"))
	}

	// Credentials: a token, or a service principal's client id and secret.
	tok, id, secret := vals["token"], vals["client_id"], vals["client_secret"]
	useToken, useM2M := tok.value != "", id.value != "" || secret.value != ""
	switch at := strings.ToLower(vals["auth_type"].value); at {
	case "":
		if useToken && useM2M {
			tokEnv, m2mEnv := tok.env, id.env || secret.env
			if tokEnv == m2mEnv {
				return connect.Remote{}, fmt.Errorf("%s: both a token (%s) and OAuth client credentials (%s) are set: keep one, or choose with auth_type = pat or oauth-m2m", name, tok.from, orFrom(id, secret))
			}
			useToken, useM2M = tokEnv, m2mEnv
		}
	case "pat":
		useM2M = false
		if !useToken {
			return connect.Remote{}, fmt.Errorf("%s: auth_type is pat but there is no token: %s", name, where("token"))
		}
	case "oauth-m2m":
		useToken, useM2M = false, true
	default:
		return connect.Remote{}, fmt.Errorf("%s: auth_type %q (%s) is not supported by sparkls; use a personal access token (token) or a service principal (client_id and client_secret)", name, at, vals["auth_type"].from)
	}
	switch {
	case useM2M:
		if id.value == "" {
			return connect.Remote{}, fmt.Errorf("%s: OAuth machine-to-machine needs a client id: %s", name, where("client_id"))
		}
		if secret.value == "" {
			return connect.Remote{}, fmt.Errorf("%s: OAuth machine-to-machine needs a client secret: %s", name, where("client_secret"))
		}
		w.ClientID, w.clientSecret = id.value, secret.value
	case useToken:
		w.token = tok.value
	default:
		return connect.Remote{}, fmt.Errorf("%s: no credentials: %s (a personal access token), or client_id and client_secret (a service principal)", name, where("token"))
	}

	r := connect.Remote{Host: w.Host, Port: w.Port, Token: w.token, TLS: true, MaxMessageSize: connect.DefaultMaxMessageSize, Workspace: w}
	if w.ClusterID != "" {
		r.Headers = map[string]string{ClusterIDHeader: w.ClusterID}
	}
	return r, nil
}

// orFrom names the origin of the first of a and b that is set.
func orFrom(a, b setting) string {
	if a.from != "" {
		return a.from
	}
	return b.from
}

// pathError is err without the path, which the message already names.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// configFile is $DATABRICKS_CONFIG_FILE (a leading ~ is the home directory)
// or ~/.databrickscfg.
func configFile(getenv func(string) string) (string, error) {
	home := func() (string, error) {
		if h := getenv("HOME"); h != "" {
			return h, nil
		}
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("databricks: no home directory to find .databrickscfg in; set %s", envConfigFile)
		}
		return h, nil
	}
	if f := strings.TrimSpace(getenv(envConfigFile)); f != "" {
		if rest, ok := strings.CutPrefix(f, "~"); ok && (rest == "" || rest[0] == '/' || rest[0] == filepath.Separator) {
			h, err := home()
			if err != nil {
				return "", err
			}
			return filepath.Join(h, rest), nil
		}
		return f, nil
	}
	h, err := home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".databrickscfg"), nil
}

// parseWorkspaceHost reads a host setting: "adb-1.2.azuredatabricks.net",
// "https://host/" or "https://host:8443" (a path or query, as in copied
// workspace URLs, is ignored). Only https: the token goes with every call.
func parseWorkspaceHost(s string) (string, int, error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", 0, errors.New("not a workspace URL (expected https://<workspace host>)")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", 0, fmt.Errorf("the workspace must be reached over https, not %s", u.Scheme)
	}
	if u.User != nil {
		return "", 0, errors.New("the host must not hold user information")
	}
	port := 443
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return "", 0, fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
	}
	return u.Hostname(), port, nil
}

// ---- credentials and HTTP ----

// restTimeout bounds one REST request (including an OAuth token fetch)
// beyond the caller's context.
const restTimeout = 60 * time.Second

// conn returns the HTTP client and token source for the TLS roots (nil:
// the system's), made once per roots so every client of the workspace shares
// one OAuth token.
func (w *Workspace) conn(roots *x509.CertPool) *workspaceConn {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.conns[roots]; c != nil {
		return c
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	c := &workspaceConn{hc: &http.Client{Transport: tr, Timeout: restTimeout}}
	if w.ClientID != "" {
		cc := &clientcredentials.Config{
			ClientID:     w.ClientID,
			ClientSecret: w.clientSecret,
			TokenURL:     w.URL() + "/oidc/v1/token",
			Scopes:       []string{"all-apis"},
			AuthStyle:    oauth2.AuthStyleInHeader,
		}
		// The context only carries the HTTP client: x/oauth2 keeps it for
		// every refresh. Callers' contexts are honoured in token.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, c.hc)
		c.ts = oauth2.ReuseTokenSourceWithExpiry(nil, cc.TokenSource(ctx), w.expiryDelta)
	} else {
		c.ts = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: w.token, TokenType: "Bearer"})
	}
	if w.conns == nil {
		w.conns = map[*x509.CertPool]*workspaceConn{}
	}
	w.conns[roots] = c
	return c
}

// accessToken returns a valid token, fetching or refreshing an OAuth token when
// needed. x/oauth2's sources take no context, so the wait for a fetch ends
// with ctx (the fetch itself is bounded by restTimeout).
func (w *Workspace) accessToken(ctx context.Context, c *workspaceConn) (*oauth2.Token, error) {
	if w.ClientID == "" {
		return c.ts.Token()
	}
	type result struct {
		t   *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		t, err := c.ts.Token()
		ch <- result{t, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, w.tokenError(r.err)
		}
		return r.t, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// AuthError is a failure to get an OAuth token: the workspace refused the
// client credentials or could not be reached. It never holds the secret.
type AuthError struct {
	Workspace string // the workspace, as Workspace.String
	Msg       string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("%s: cannot get an OAuth token: %s (check client_id and client_secret)", e.Workspace, e.Msg)
}

// tokenError describes a failed token fetch without the secret, even if the
// token endpoint echoed it.
func (w *Workspace) tokenError(err error) error {
	msg := err.Error()
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg = "the token endpoint answered"
		if re.Response != nil {
			msg += " HTTP " + strconv.Itoa(re.Response.StatusCode)
		}
		if re.ErrorCode != "" {
			msg += " " + re.ErrorCode
		}
		if re.ErrorDescription != "" {
			msg += ": " + re.ErrorDescription
		}
	}
	return &AuthError{Workspace: w.String(), Msg: w.Scrub(truncate(msg, 500))}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// APIError is an error answer of the Databricks REST API.
type APIError struct {
	Workspace  string // the workspace, as Workspace.String
	Op         string // "GET /api/2.1/clusters/get"
	StatusCode int
	ErrorCode  string // Databricks' error_code, e.g. RESOURCE_DOES_NOT_EXIST
	Message    string
	Hint       string // what to check
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: %s: HTTP %d", e.Workspace, e.Op, e.StatusCode)
	if e.ErrorCode != "" {
		s += " " + e.ErrorCode
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Retries of REST calls the server asked to repeat (429, 503).
const (
	restAttempts   = 6
	restBackoff    = 500 * time.Millisecond
	restMaxBackoff = 10 * time.Second
	restMaxWait    = 60 * time.Second // the longest Retry-After honoured
	restMaxBody    = 256 << 20        // one page of tables with their columns
)

// get sends GET path?q and decodes the JSON answer into out. 429 and 503
// are retried after Retry-After (or a growing, jittered backoff); sleep
// waits, returning early with ctx's error.
func (w *Workspace) get(ctx context.Context, c *workspaceConn, path string, q url.Values, out any, sleep func(context.Context, time.Duration) error) error {
	u := w.URL() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	op := "GET " + path
	for attempt := 0; ; attempt++ {
		tok, err := w.accessToken(ctx, c)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", w, op, err)
		}
		tok.SetAuthHeader(req)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "sparkls")
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s: %s: %s (is the workspace reachable?)", w, op, w.Scrub(err.Error()))
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, restMaxBody+1))
		resp.Body.Close()
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && attempt+1 < restAttempts {
			if err := sleep(ctx, retryDelay(resp.Header.Get("Retry-After"), attempt, time.Now())); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s: %s: reading the answer: %v", w, op, err)
		}
		if resp.StatusCode != http.StatusOK {
			return w.apiError(op, resp.StatusCode, body)
		}
		if len(body) > restMaxBody {
			return fmt.Errorf("%s: %s: answer larger than %d bytes", w, op, restMaxBody)
		}
		if err := json.Unmarshal(body, out); err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // the answer was cut by the deadline, not malformed
			}
			return fmt.Errorf("%s: %s: unreadable answer: %v", w, op, err)
		}
		return nil
	}
}

// retryDelay is how long to wait before attempt+1: Retry-After (seconds or
// an HTTP date) when the server gave it, else an exponential backoff with
// jitter.
func retryDelay(retryAfter string, attempt int, now time.Time) time.Duration {
	if retryAfter = strings.TrimSpace(retryAfter); retryAfter != "" {
		if secs, err := strconv.Atoi(retryAfter); err == nil && secs >= 0 {
			return min(time.Duration(secs)*time.Second, restMaxWait)
		}
		if t, err := http.ParseTime(retryAfter); err == nil {
			return min(max(t.Sub(now), 0), restMaxWait)
		}
	}
	d := min(restBackoff<<attempt, restMaxBackoff)
	return d/2 + rand.N(d/2+1)
}

func (w *Workspace) apiError(op string, code int, body []byte) *APIError {
	var answer struct {
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
	}
	_ = json.Unmarshal(body, &answer) // best effort: the status says enough
	e := &APIError{Workspace: w.String(), Op: op, StatusCode: code, ErrorCode: answer.ErrorCode, Message: w.Scrub(truncate(answer.Message, 500))}
	switch code {
	case http.StatusUnauthorized:
		e.Hint = "the workspace refused the credentials: check " + w.credentialKeys()
	case http.StatusForbidden:
		e.Hint = "permission denied, or invalid credentials: check " + w.credentialKeys()
	}
	return e
}

func (w *Workspace) credentialKeys() string {
	if w.ClientID != "" {
		return "client_id and client_secret"
	}
	return "the token"
}

// ---- Spark Connect over a workspace ----

// rpcCredentials sends the workspace's token (static or OAuth, fetched and
// refreshed by x/oauth2) as "authorization: Bearer", only over TLS.
type rpcCredentials struct {
	w *Workspace
	c *workspaceConn
}

func (r rpcCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	tok, err := r.w.accessToken(ctx, r.c)
	if err != nil {
		if ctx.Err() != nil {
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		return nil, status.Error(codes.Unauthenticated, err.Error())
	}
	return map[string]string{"authorization": tok.Type() + " " + tok.AccessToken}, nil
}

func (rpcCredentials) RequireTransportSecurity() bool { return true }

// DialOptions are the gRPC options of a client of the workspace: its
// credentials, the serverless session header, and the check of the
// cluster's state before calls (nil for serverless).
func (w *Workspace) DialOptions(roots *x509.CertPool, sessionID func() string) ([]grpc.DialOption, func(context.Context) error) {
	c := w.conn(roots)
	calls := &workspaceCalls{sessionID: sessionID}
	if w.Serverless {
		calls.serverless = true
	} else {
		calls.gate = newComputeGate(w, c)
	}
	return []grpc.DialOption{
		grpc.WithPerRPCCredentials(rpcCredentials{w: w, c: c}),
		grpc.WithChainUnaryInterceptor(calls.unary),
		grpc.WithChainStreamInterceptor(calls.stream),
	}, calls.gate.readyFunc()
}

// workspaceCalls intercepts a workspace client's calls.
type workspaceCalls struct {
	sessionID  func() string // the client's current session id
	serverless bool
	gate       *computeGate
}

// cleanup methods free what a running cluster holds; they wait for no
// cluster and never start one.
func cleanup(method string) bool {
	return strings.HasSuffix(method, "/Interrupt") || strings.HasSuffix(method, "/ReleaseExecute") || strings.HasSuffix(method, "/ReleaseSession")
}

func (wc *workspaceCalls) before(ctx context.Context, method string) (context.Context, error) {
	if wc.serverless {
		// Databricks Connect's serverless routing: the session id, as a
		// header too, picks (or creates) the serverless session.
		ctx = metadata.AppendToOutgoingContext(ctx, SessionIDHeader, wc.sessionID())
	}
	if wc.gate == nil {
		return ctx, nil
	}
	if cleanup(method) {
		// Interrupt and release follow recent calls; they never wait for a
		// check, and are not sent to a cluster not seen running lately.
		if !wc.gate.seenWithin(cleanupWindow) {
			return ctx, status.Error(codes.FailedPrecondition, "the cluster was not seen running lately: not sending "+method[strings.LastIndex(method, "/")+1:])
		}
		return ctx, nil
	}
	if err := wc.gate.ready(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx, status.FromContextError(ctx.Err()).Err()
		}
		return ctx, err
	}
	return ctx, nil
}

func (wc *workspaceCalls) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	ctx, err := wc.before(ctx, method)
	if err != nil {
		return err
	}
	err = invoker(ctx, method, req, reply, cc, opts...)
	if err == nil {
		wc.gate.touch()
	}
	return err
}

func (wc *workspaceCalls) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	ctx, err := wc.before(ctx, method)
	if err != nil {
		return nil, err
	}
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil || wc.gate == nil {
		return s, err
	}
	return touchStream{s, wc.gate}, nil
}

// touchStream tells the gate of every answer: the cluster is running.
type touchStream struct {
	grpc.ClientStream
	g *computeGate
}

func (s touchStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == nil {
		s.g.touch()
	}
	return err
}

// ClusterNotRunningError says the cluster is not RUNNING, so no Spark
// Connect call was sent: Databricks would start a terminated cluster and
// hold the call for minutes. sparkls never starts clusters.
type ClusterNotRunningError struct {
	ClusterID string
	Name      string // the cluster's name, when the API gave it
	State     string // PENDING, RESTARTING, TERMINATING, TERMINATED, ERROR, UNKNOWN
	Message   string // Databricks' state_message, e.g. why it terminated
}

func (e *ClusterNotRunningError) Error() string {
	who := "cluster " + e.ClusterID
	if e.Name != "" {
		who = fmt.Sprintf("cluster %q (%s)", e.Name, e.ClusterID)
	}
	var s string
	switch {
	case e.Starting():
		s = fmt.Sprintf("%s is %s: it is starting; connect again when it is RUNNING (usually a few minutes)", who, e.State)
	case e.State == "TERMINATED" || e.State == "TERMINATING":
		s = fmt.Sprintf("%s is %s: start it (the workspace's Compute page, or `databricks clusters start %s`) and connect again; sparkls does not start clusters", who, e.State, e.ClusterID)
	default:
		s = fmt.Sprintf("%s is %s, not RUNNING", who, e.State)
	}
	if e.Message != "" {
		s += ". Databricks says: " + e.Message
	}
	return s
}

// Starting reports whether the cluster is on its way to RUNNING.
func (e *ClusterNotRunningError) Starting() bool {
	return e.State == "PENDING" || e.State == "RESTARTING"
}

// GRPCStatus makes the error a FAILED_PRECONDITION where it travels as a
// gRPC error (a call refused by the interceptor), so it is never retried.
func (e *ClusterNotRunningError) GRPCStatus() *status.Status {
	return status.New(codes.FailedPrecondition, e.Error())
}

// computeGate asks the Clusters API for the cluster's state before Spark
// Connect calls: a RUNNING answer (or any answer from Spark Connect) holds
// for recheck, a failure for negative; one check runs at a time and waiting
// for it ends with the caller's context.
type computeGate struct {
	w        *Workspace
	c        *workspaceConn
	recheck  time.Duration
	negative time.Duration
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	sem      chan struct{}

	mu        sync.Mutex
	runningAt time.Time // the last RUNNING answer (zero: never)
	failedAt  time.Time
	failed    error
}

func newComputeGate(w *Workspace, c *workspaceConn) *computeGate {
	now := w.now
	if now == nil {
		now = time.Now
	}
	return &computeGate{w: w, c: c, recheck: 2 * time.Minute, negative: 3 * time.Second, now: now, sleep: connect.Wait, sem: make(chan struct{}, 1)}
}

// ready returns nil when the cluster is RUNNING (or RESIZING), else why not.
// A nil gate (no cluster to check) is always ready.
func (g *computeGate) ready(ctx context.Context) error {
	if g == nil {
		return nil
	}
	if err, ok := g.cached(); ok {
		return err
	}
	stopped := func() error {
		return fmt.Errorf("%s: asking the state of cluster %s: %w", g.w, g.w.ClusterID, ctx.Err())
	}
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return stopped()
	}
	defer func() { <-g.sem }()
	if err, ok := g.cached(); ok { // another caller checked meanwhile
		return err
	}
	err := g.check(ctx)
	if ctx.Err() != nil && err != nil {
		return stopped()
	}
	g.mu.Lock()
	if err == nil {
		g.runningAt, g.failed = g.now(), nil
	} else {
		g.failedAt, g.failed = g.now(), err
	}
	g.mu.Unlock()
	return err
}

// readyFunc is g.ready, or nil for a nil gate (nothing to check).
func (g *computeGate) readyFunc() func(context.Context) error {
	if g == nil {
		return nil
	}
	return g.ready
}

func (g *computeGate) cached() (error, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if !g.runningAt.IsZero() && now.Sub(g.runningAt) < g.recheck && g.failed == nil {
		return nil, true
	}
	if g.failed != nil && now.Sub(g.failedAt) < g.negative {
		return g.failed, true
	}
	return nil, false
}

// cleanupWindow is how recently the cluster must have been seen running for
// an interrupt or release to be sent: shorter than the shortest automatic
// termination (10 minutes), longer than a reattachable stream's life.
const cleanupWindow = 9 * time.Minute

// seenWithin reports whether the cluster was seen running within d.
func (g *computeGate) seenWithin(d time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.runningAt.IsZero() && g.failed == nil && g.now().Sub(g.runningAt) < d
}

// touch records an answer from Spark Connect: the cluster runs.
func (g *computeGate) touch() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.runningAt, g.failed = g.now(), nil
	g.mu.Unlock()
}

func (g *computeGate) check(ctx context.Context) error {
	var info struct {
		ClusterName  string `json:"cluster_name"`
		State        string `json:"state"`
		StateMessage string `json:"state_message"`
	}
	err := g.w.get(ctx, g.c, "/api/2.1/clusters/get", url.Values{"cluster_id": {g.w.ClusterID}}, &info, g.sleep)
	var ae *APIError
	if errors.As(err, &ae) && (ae.StatusCode == http.StatusNotFound || ae.ErrorCode == "RESOURCE_DOES_NOT_EXIST" || ae.ErrorCode == "INVALID_PARAMETER_VALUE") {
		ae.Hint = "no such cluster in this workspace: check cluster_id"
	}
	if err != nil {
		return err
	}
	switch info.State {
	case "RUNNING", "RESIZING":
		return nil
	}
	state := info.State
	if state == "" {
		state = "UNKNOWN"
	}
	return &ClusterNotRunningError{ClusterID: g.w.ClusterID, Name: info.ClusterName, State: state, Message: g.w.Scrub(truncate(info.StateMessage, 500))}
}
