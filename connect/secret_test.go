package connect

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// malformedRemotes are remotes that do not parse (or are refused), each
// with the secret "zzsecret" somewhere a user might have typed it.
var malformedRemotes = []string{
	"sc://host:15002;token=zzsecret",  // missing /
	"sc://host:15002/token=zzsecret",  // missing ;
	"sc://h:1/?token=zzsecret",        // a URL query
	"sc://h:1;x-api-key=zzsecret",     // a header, missing /
	"sc://h:1/Cookie=zzsecret",        // any case
	"sc://me:zzsecret@h:1",            // user:password@
	"sc://h:port/;token=zzsecret",     // bad port
	"sc://h/;password=zzsecret;bad",   // a parameter without =
	"sc://h/;auth=zzsecret;use_ssl=x", // bad use_ssl
	"http://h/;token=zzsecret",        // wrong scheme
	"sc://[::1/;token=zzsecret",       // unclosed IPv6
	"sc://remote.host/;token=zzsecret;use_ssl=false",
	"sc://h:1/;token=zz%2Fsecret/zzsecret;x", // / inside a value
}

func TestMalformedRemoteHidesSecrets(t *testing.T) {
	for _, in := range malformedRemotes {
		t.Run(Redact(in), func(t *testing.T) {
			out := []string{Redact(in)}
			_, err := ParseRemote(in)
			if err == nil {
				t.Fatalf("ParseRemote(%q) succeeded", Redact(in))
			}
			out = append(out, err.Error())
			if _, err := ParseRemoteEnv(in, func(string) string { return "" }); err != nil {
				out = append(out, err.Error())
			}
			for _, s := range out {
				if strings.Contains(s, "zzsecret") || strings.Contains(s, "zz%2F") {
					t.Errorf("shows the secret: %q", s)
				}
			}
		})
	}
}

// "&" instead of ";" parses, as a header x whose value holds the token.
func TestRemoteStringHidesMistypedSeparator(t *testing.T) {
	r, err := ParseRemote("sc://h:1/;x=1&token=zzsecret")
	if err != nil {
		t.Fatal(err)
	}
	if s := r.String(); strings.Contains(s, "zzsecret") {
		t.Errorf("String() = %q", s)
	}
}

func TestRedactKeepsWhatIsNotSecret(t *testing.T) {
	for in, want := range map[string]string{
		"sc://h:1/;user_id=ann;token=abc;x-databricks-cluster-id=c1": "sc://h:1/;user_id=ann;token=***;x-databricks-cluster-id=c1",
		"sc://h:1;Authorization=Bearer abc":                          "sc://h:1;Authorization=***",
		"sc://h:1/?cookie=a&session_id=b":                            "sc://h:1/?cookie=***&session_id=b",
		"sc://ann:pw@h:1":                                            "sc://***@h:1",
		"local":                                                      "local",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsSecretName(t *testing.T) {
	for _, name := range []string{"token", "Authorization", "cookie", "x-api-key", "apikey", "api_key", "password", "x-client-secret", "x-auth", "credentials"} {
		if !IsSecretName(name) {
			t.Errorf("%s is not secret", name)
		}
	}
	for _, name := range []string{"user_id", "user_agent", "session_id", "use_ssl", "x-databricks-cluster-id", "grpc_max_message_size"} {
		if IsSecretName(name) {
			t.Errorf("%s is secret", name)
		}
	}
}

// The schema cache key leaves out every secret header, so a new credential
// keeps the cache and none is written to disk, but keeps the others.
func TestSchemaKeyLeavesOutSecrets(t *testing.T) {
	key := func(s string) string {
		r, err := ParseRemote(s)
		if err != nil {
			t.Fatal(err)
		}
		return SchemaKey(r)
	}
	base := key("sc://h:443/;user_id=u;x-cluster=c1;token=one;cookie=a;x-api-key=k1")
	if other := key("sc://h:443/;user_id=u;x-cluster=c1;token=two;cookie=b;X-Api-Key=k2"); other != base {
		t.Errorf("secrets change the key: %s, %s", base, other)
	}
	if other := key("sc://h:443/;user_id=u;x-cluster=c2;token=one"); other == base {
		t.Errorf("the cluster does not change the key")
	}
}

// The Neovim plugin redacts the remote before the server runs, with a copy
// of SecretWords.
func TestNvimSecretWordsMirrorGo(t *testing.T) {
	src, err := os.ReadFile("../editors/nvim/lua/sparkls/config.lua")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`M\.secret_words = \{([^}]*)\}`).FindSubmatch(src)
	if m == nil {
		t.Fatal("config.lua has no M.secret_words = { ... }")
	}
	var lua []string
	for _, q := range regexp.MustCompile(`'([^']*)'`).FindAllSubmatch(m[1], -1) {
		lua = append(lua, string(q[1]))
	}
	if !slices.Equal(lua, SecretWords) {
		t.Errorf("editors/nvim secret_words = %q, connect.SecretWords = %q: copy the Go list", lua, SecretWords)
	}
}

func TestRemoteScrub(t *testing.T) {
	r, err := ParseRemote("sc://h:443/;token=zz1;cookie=zz2;x-api-key=zz3;x-cluster=c1")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Scrub("echo zz1 zz2 zz3 c1"); got != "echo *** *** *** c1" {
		t.Errorf("Scrub = %q", got)
	}
}
