package connect

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SecretWords is the one list that decides which remote parameters and
// gRPC headers carry credentials: a name containing one of these words,
// case-insensitively, is secret, and its value is never shown (String,
// errors, logs, sparkls/status) nor made part of the schema cache key.
// "key" covers x-api-key, apikey and the like; "auth" covers authorization.
// editors/nvim/lua/sparkls/config.lua mirrors this list (a test fails on
// drift), because the plugin shows the remote before the server runs.
var SecretWords = []string{"token", "auth", "cookie", "password", "passwd", "secret", "key", "credential"}

// IsSecretName tells whether a parameter or header name carries a credential.
func IsSecretName(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, w := range SecretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// userinfo is "user:password@" after the scheme: Spark's remote has none,
// but a mistyped one must not show a password.
var userinfo = regexp.MustCompile(`://[^/;?&@]*@`)

// param is a name=value pair anywhere in a remote string, valid or not:
// after /, ;, ? or & (so "sc://h:1;token=x", "sc://h:1/token=x" and
// "/?token=x" are found as well as "/;token=x"). A value runs to the next
// ; or &, since tokens may hold / and +.
var param = regexp.MustCompile(`(^|[/;?&])([^/;?&=]+)=([^;&]*)`)

// Redact hides, by pattern, every secret value in a remote string, whether
// or not it parses: what a user typed is shown only through it.
func Redact(s string) string {
	s = userinfo.ReplaceAllString(s, "://***@")
	return param.ReplaceAllStringFunc(s, func(m string) string {
		sub := param.FindStringSubmatch(m)
		if !IsSecretName(sub[2]) {
			return m
		}
		return sub[1] + sub[2] + "=***"
	})
}

// secretValues are the raw secret values of a remote string, found by the
// same patterns as Redact.
func secretValues(s string) []string {
	var out []string
	if m := userinfo.FindString(s); m != "" {
		u := strings.TrimSuffix(strings.TrimPrefix(m, "://"), "@")
		out = append(out, u)
		if _, pw, ok := strings.Cut(u, ":"); ok {
			out = append(out, pw) // a parse error may quote it after the host
		}
	}
	for _, sub := range param.FindAllStringSubmatch(s, -1) {
		if IsSecretName(sub[2]) {
			out = append(out, sub[3])
		}
	}
	return out
}

// scrub removes from msg every secret value of the remote string s: an
// error about a remote that failed to parse may quote any part of it.
func scrub(msg, s string) string {
	for _, v := range secretValues(s) {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, "***")
		}
	}
	return msg
}

// Scrub removes the remote's secrets (its token and the value of every
// secret header) from a message, in case a lower layer echoed them.
func (r Remote) Scrub(msg string) string {
	if r.Token != "" {
		msg = strings.ReplaceAll(msg, r.Token, "***")
	}
	for k, v := range r.Headers {
		if v != "" && IsSecretName(k) {
			msg = strings.ReplaceAll(msg, v, "***")
		}
	}
	return msg
}

// SchemaKey is the persistence key of a remote's catalog (schema.Options.Key):
// a digest of host, port, user and the headers that are not secret (the
// cluster id...). Secrets stay out, so a new token keeps the cache and no
// credential is written to disk. The user is the remote's user_id, else the
// operating system user, as the Client sends it.
func SchemaKey(r Remote) string {
	user := r.UserID
	if user == "" {
		user = currentUser()
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Host))
	b.WriteString("\x00")
	b.WriteString(strconv.Itoa(r.Port))
	b.WriteString("\x00")
	b.WriteString(user)
	headers := make(map[string]string, len(r.Headers))
	for k, v := range r.Headers {
		if !IsSecretName(k) {
			headers[strings.ToLower(k)] = v
		}
	}
	keys := make([]string, 0, len(headers))
	for k := range headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + headers[k])
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:16])
}
