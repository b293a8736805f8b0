package connect

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestParseRemote(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Remote
	}{
		{"local", Remote{Host: "127.0.0.1", Port: 15002, MaxMessageSize: DefaultMaxMessageSize, Local: true}},
		{"local[*]", Remote{Host: "127.0.0.1", Port: 15002, MaxMessageSize: DefaultMaxMessageSize, Local: true}},
		{"sc://spark.example.com", Remote{Host: "spark.example.com", Port: 15002, MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://h:443/", Remote{Host: "h", Port: 443, MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://[::1]:7000", Remote{Host: "::1", Port: 7000, MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://h/;use_ssl=true", Remote{Host: "h", Port: 15002, TLS: true, MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://h:443/;token=abc%3D", Remote{Host: "h", Port: 443, Token: "abc=", TLS: true, MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://127.0.0.1:15003/;token=s3cret;use_ssl=false", Remote{Host: "127.0.0.1", Port: 15003, Token: "s3cret", MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://localhost/;token=t;use_ssl=false", Remote{Host: "localhost", Port: 15002, Token: "t", MaxMessageSize: DefaultMaxMessageSize}},
		{"sc://h/;user_id=ana;user_agent=vim;grpc_max_message_size=1048576;session_id=8c9e4f3a-7b1d-4c2e-9f00-1a2b3c4d5e6f",
			Remote{Host: "h", Port: 15002, UserID: "ana", UserAgent: "vim", MaxMessageSize: 1 << 20, SessionID: "8c9e4f3a-7b1d-4c2e-9f00-1a2b3c4d5e6f"}},
		{"sc://dbc.cloud.databricks.com:443/;token=dapi1;x-databricks-cluster-id=0123-abc",
			Remote{Host: "dbc.cloud.databricks.com", Port: 443, Token: "dapi1", TLS: true, MaxMessageSize: DefaultMaxMessageSize,
				Headers: map[string]string{"x-databricks-cluster-id": "0123-abc"}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRemote(tc.in)
			if err != nil {
				t.Fatalf("ParseRemote: %v", err)
			}
			if got.String() != tc.want.String() || got.Token != tc.want.Token || got.UserAgent != tc.want.UserAgent ||
				got.SessionID != tc.want.SessionID || got.MaxMessageSize != tc.want.MaxMessageSize || got.TLS != tc.want.TLS || got.Local != tc.want.Local {
				t.Errorf("ParseRemote(%q) = %+v, want %+v", Redact(tc.in), got.String(), tc.want.String())
			}
		})
	}
}

func TestParseRemoteErrors(t *testing.T) {
	for _, tc := range []struct{ in, wantErr string }{
		{"", "missing sc://"},
		{"http://h:15002", "scheme must be sc"},
		{"sc://", "missing host"},
		{"sc://:15002", "missing host"},
		{"sc://h:port", `port "port"`},
		{"sc://h:70000", `port "70000"`},
		{"sc://h/prefix/;token=zzsecret", "path must be empty"},
		{"sc://h/;token", "is not key=value"},
		{"sc://h/;use_ssl=maybe;token=zzsecret", "use_ssl must be true or false"},
		{"sc://h/;grpc_max_message_size=-1", "grpc_max_message_size"},
		{"sc://h/;session_id=nope", "session_id must be a UUID"},
		{"sc://remote.host/;token=zzsecret;use_ssl=false", "never sent without TLS"},
		{"sc://[::1/;x=1", "unclosed"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseRemote(tc.in)
			if err == nil {
				t.Fatalf("ParseRemote(%q) succeeded, want error containing %q", Redact(tc.in), tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "zzsecret") {
				t.Errorf("error leaks the token: %q", err)
			}
		})
	}
}

func TestRemoteStringHidesToken(t *testing.T) {
	r, err := ParseRemote("sc://h:443/;token=zzsecret;x-databricks-cluster-id=c1")
	if err != nil {
		t.Fatal(err)
	}
	if s := r.String(); strings.Contains(s, "zzsecret") || !strings.Contains(s, "token=***") || !strings.Contains(s, "x-databricks-cluster-id=c1") {
		t.Errorf("String() = %q", s)
	}
	if s := Redact("sc://h/;user_id=a;token=zzsecret"); strings.Contains(s, "zzsecret") {
		t.Errorf("Redact leaks: %q", s)
	}
}

func TestResolveRemote(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "SPARK_REMOTE" {
				return v
			}
			return ""
		}
	}
	if got := ResolveRemote("sc://a", env("sc://b")); got != "sc://a" {
		t.Errorf("explicit remote: got %q", got)
	}
	if got := ResolveRemote("", env("sc://b")); got != "sc://b" {
		t.Errorf("SPARK_REMOTE: got %q", got)
	}
	if got := ResolveRemote(" ", env("")); got != LocalRemote {
		t.Errorf("default: got %q", got)
	}
}

func TestParseRemoteEnvToken(t *testing.T) {
	env := func(k string) string {
		if k == TokenEnv {
			return "zzenv"
		}
		return ""
	}
	r, err := ParseRemoteEnv("sc://127.0.0.1:15003/;use_ssl=false", env)
	if err != nil || r.Token != "zzenv" || r.TLS {
		t.Errorf("loopback plain text: %+v %v", r.String(), err)
	}
	r, err = ParseRemoteEnv("sc://h:443", env)
	if err != nil || r.Token != "zzenv" || !r.TLS {
		t.Errorf("token implies TLS: %+v %v", r.String(), err)
	}
	r, err = ParseRemoteEnv("sc://h/;token=url", env)
	if err != nil || r.Token != "url" {
		t.Errorf("the remote's own token wins: %v", err)
	}
	if _, err := ParseRemoteEnv("sc://remote.host/;use_ssl=false", env); err == nil || strings.Contains(err.Error(), "zzenv") {
		t.Errorf("plain text to a remote host: %v", err)
	}
	if r, _ := ParseRemoteEnv("local", env); r.Token != "" {
		t.Error("local takes no token")
	}
}

// A workspace's secrets (a Databricks token or client secret) echoed by a
// lower layer never reach a TransportError: the client scrubs with the
// workspace's Scrub (package databricks tests its own).
func TestScrubWorkspaceSecrets(t *testing.T) {
	c := &Client{remote: Remote{Workspace: secretsPlatform{"dapiSECRET", "CLIENTSECRET"}}}
	for _, secret := range []string{"dapiSECRET", "CLIENTSECRET"} {
		err := c.classify(context.Background(), "ExecutePlan", status.Error(codes.Unauthenticated, "bad credentials "+secret))
		if strings.Contains(err.Error(), secret) {
			t.Errorf("secret in error: %v", err)
		}
	}
}

// secretsPlatform is a Platform that knows its secrets and nothing else.
type secretsPlatform []string

func (p secretsPlatform) String() string { return "workspace" }
func (p secretsPlatform) Scrub(msg string) string {
	for _, s := range p {
		msg = strings.ReplaceAll(msg, s, "***")
	}
	return msg
}
func (secretsPlatform) DialOptions(*x509.CertPool, func() string) ([]grpc.DialOption, func(context.Context) error) {
	return nil, nil
}

// Credentials in custom headers are hidden too, whatever their case.
func TestRemoteStringHidesSecretHeaders(t *testing.T) {
	in := "sc://h:443/;Token=zz1;authorization=Bearer%20zz2;x-api-key=zz3;x-client-secret=zz4;x-databricks-cluster-id=c1"
	r, err := ParseRemote(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{r.String(), Redact(in)} {
		if strings.Contains(s, "zz") || !strings.Contains(s, "c1") {
			t.Errorf("shows a secret or hides the cluster: %q", s)
		}
	}
}
