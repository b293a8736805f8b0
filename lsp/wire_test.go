package lsp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// appendFrame appends body, framed with its header, to dst.
func appendFrame(dst, body []byte) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	dst = append(dst, "\r\n\r\n"...)
	return append(dst, body...)
}

// readAll reads frames until the end, recording bodies, skipped frames and
// warnings.
func readAll(t *testing.T, stream string) (bodies, skipped, warns []string, end error) {
	t.Helper()
	fr := newFramer(strings.NewReader(stream))
	for range 100 {
		body, warn, err := fr.read()
		var fe *frameError
		switch {
		case errors.As(err, &fe):
			skipped = append(skipped, fe.msg)
			continue
		case err != nil:
			return bodies, skipped, warns, err
		}
		bodies = append(bodies, string(body))
		if warn != "" {
			warns = append(warns, warn)
		}
	}
	t.Fatal("the framer does not end")
	return
}

func TestFramer(t *testing.T) {
	frame := func(body string) string { return string(appendFrame(nil, []byte(body))) }
	for _, tc := range []struct {
		name    string
		stream  string
		bodies  []string
		skipped []string // substrings
		warns   int
		end     error
	}{
		{"two frames", frame(`{"a":1}`) + frame(`{"b":2}`), []string{`{"a":1}`, `{"b":2}`}, nil, 0, io.EOF},
		{"content type and LF-only lines", "Content-Type: application/vscode-jsonrpc; charset=utf-8\nContent-Length: 2\n\n{}", []string{"{}"}, nil, 0, io.EOF},
		{"header names ignore case", "content-length: 2\r\n\r\n{}", []string{"{}"}, nil, 0, io.EOF},
		{"blank lines between frames", "\r\n\r\n" + frame("{}") + "\r\n" + frame("[]"), []string{"{}", "[]"}, nil, 0, io.EOF},
		{"garbage header block", "hello there\r\n\r\n" + frame("{}"), []string{"{}"}, []string{"no Content-Length|without a colon"}, 0, io.EOF},
		{"bad length", "Content-Length: 12x\r\n\r\n" + frame("{}"), []string{"{}"}, []string{`Content-Length "12x" is not a byte count`}, 0, io.EOF},
		{"negative length", "Content-Length: -4\r\n\r\n" + frame("{}"), []string{"{}"}, []string{"not a byte count"}, 0, io.EOF},
		{"huge length", "Content-Length: 999999999999\r\n\r\n" + frame("{}"), []string{"{}"}, []string{"exceeds the limit"}, 0, io.EOF},
		{"garbage line before a good header", "junk\r\n" + frame("{}"), []string{"{}"}, nil, 1, io.EOF},
		{"a header glued to garbage", `{"tail":1}` + frame("{}"), []string{"{}"}, nil, 1, io.EOF},
		{"a bad length's body is skipped, the next frame found", "Content-Length: x\r\n\r\n" + `{"lost":1}` + frame("{}"), []string{"{}"}, []string{"not a byte count"}, 1, io.EOF},
		{"odd charset is read as UTF-8", "Content-Type: text/plain; charset=latin1\r\nContent-Length: 2\r\n\r\n{}", []string{"{}"}, nil, 1, io.EOF},
		{"empty stream", "", nil, nil, 0, io.EOF},
		{"ends inside a header", "Content-Length: 5\r\n", nil, nil, 0, io.ErrUnexpectedEOF},
		{"ends inside a body", "Content-Length: 50\r\n\r\n{}", nil, nil, 0, io.ErrUnexpectedEOF},
		{"ends inside a header line", "Content-Len", nil, nil, 0, io.ErrUnexpectedEOF},
		{"a line longer than the buffer", strings.Repeat("x", 3*readBuffer) + "\r\n\r\n" + frame("{}"), []string{"{}"}, []string{"no Content-Length|too long"}, 0, io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bodies, skipped, warns, end := readAll(t, tc.stream)
			if strings.Join(bodies, "|") != strings.Join(tc.bodies, "|") {
				t.Errorf("bodies = %q, want %q", bodies, tc.bodies)
			}
			if len(skipped) != len(tc.skipped) {
				t.Errorf("skipped = %q, want %d like %q", skipped, len(tc.skipped), tc.skipped)
			} else {
				for i, s := range skipped {
					for _, want := range strings.Split(tc.skipped[i], "|") {
						if !strings.Contains(s, want) {
							t.Errorf("skipped[%d] = %q, want %q in it", i, s, want)
						}
					}
				}
			}
			if len(warns) != tc.warns {
				t.Errorf("warnings = %q, want %d", warns, tc.warns)
			}
			if !errors.Is(end, tc.end) {
				t.Errorf("end = %v, want %v", end, tc.end)
			}
		})
	}
}

func TestIDKey(t *testing.T) {
	for _, tc := range []struct {
		id, key string
		ok      bool
	}{
		{`1`, "n:1", true},
		{`9007199254740993`, "n:9007199254740993", true}, // past int32 and float64
		{`-3`, "n:-3", true},
		{`"1"`, "s:1", true}, // a string "1" is not the number 1
		{`"a\u00e9"`, "s:aé", true},
		{`null`, "", false},
		{`{}`, "", false},
		{`true`, "", false},
		{``, "", false},
		{`1x`, "", false},
	} {
		key, ok := idKey(json.RawMessage(tc.id))
		if key != tc.key || ok != tc.ok {
			t.Errorf("idKey(%s) = %q, %v; want %q, %v", tc.id, key, ok, tc.key, tc.ok)
		}
	}
}

func TestRecoverID(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"jsonrpc":"2.0","id":7,"method":"x","params":{`, `7`},
		{`{"method":"x","params":{"a":[1,2]},"id":"abc",,,`, `"abc"`},
		{`{"jsonrpc":"2.0",,"id":7}`, ``}, // the error comes before the id
		{`{"params":{"id":5},"id":`, ``},  // a nested id is not the id
		{`[1,2]`, ``},
		{`garbage`, ``},
		{"{\"id\":12,\"x\":\"\xff\"}", `12`},
	} {
		if got := string(recoverID([]byte(tc.body))); got != tc.want {
			t.Errorf("recoverID(%q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestReplyFrames reads back what conn writes: replies small and larger
// than the write buffer (written in parts), null results, errors and
// notifications, each one well-formed frame with the exact body.
func TestReplyFrames(t *testing.T) {
	var out bytes.Buffer
	c := newConn(&out, slog.New(slog.DiscardHandler))
	big := strings.Repeat("é\"x", readBuffer)
	sends := []struct {
		send func() error
		want string
	}{
		{func() error { return c.reply(json.RawMessage(`1`), map[string]int{"a": 1}, nil) }, `{"jsonrpc":"2.0","id":1,"result":{"a":1}}`},
		{func() error { return c.reply(json.RawMessage(`"s"`), []string{big, "<"}, nil) }, `{"jsonrpc":"2.0","id":"s","result":["` + strings.ReplaceAll(big, `"`, `\"`) + `","\u003c"]}`},
		{func() error { return c.reply(json.RawMessage(`2`), nil, nil) }, `{"jsonrpc":"2.0","id":2,"result":null}`},
		{func() error { return c.reply(json.RawMessage(`3`), nil, &jsonrpc2.Error{Code: 1, Message: "m"}) }, `{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"m"}}`},
		{func() error { return c.reply(json.RawMessage(`4`), func() {}, nil) }, `{"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"cannot encode the result: json: unsupported type: func()"}}`},
		{func() error { return c.notify("n/x", []int{1}) }, `{"jsonrpc":"2.0","method":"n/x","params":[1]}`},
	}
	var want []string
	for _, s := range sends {
		if err := s.send(); err != nil {
			t.Fatal(err)
		}
		want = append(want, s.want)
	}
	bodies, skipped, warns, end := readAll(t, out.String())
	if len(skipped)+len(warns) > 0 || !errors.Is(end, io.EOF) {
		t.Fatalf("skipped %q, warnings %q, end %v", skipped, warns, end)
	}
	if len(bodies) != len(want) {
		t.Fatalf("%d frames, want %d", len(bodies), len(want))
	}
	for i := range want {
		if bodies[i] != want[i] {
			t.Errorf("frame %d = %.200q…, want %.200q…", i, bodies[i], want[i])
		}
		if !json.Valid([]byte(bodies[i])) {
			t.Errorf("frame %d is not JSON", i)
		}
	}
}

// ptrMarshaler has MarshalJSON on its pointer, which json.Marshal uses for
// the elements of a slice.
type ptrMarshaler struct{ n int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(strconv.Itoa(p.n * 10)), nil }

type textSlice []int

func (textSlice) MarshalText() ([]byte, error) { return []byte("text"), nil }

// TestEncodeResult: a result encoded in blocks is byte for byte what
// json.Marshal gives, whatever the slice holds.
func TestEncodeResult(t *testing.T) {
	many := make([]protocol.FoldingRange, 20000) // several blocks
	for i := range many {
		many[i] = protocol.FoldingRange{StartLine: uint32(i), EndLine: uint32(i + 1), Kind: "<region>"}
	}
	for name, v := range map[string]any{
		"nil":              nil,
		"nil slice":        []int(nil),
		"empty":            []string{},
		"one":              []int{1},
		"many":             many,
		"bytes":            []byte("abc"),
		"raw":              json.RawMessage(`[1, 2]`),
		"pointer receiver": []ptrMarshaler{{1}, {2}},
		"text marshaler":   textSlice{1, 2},
		"any":              []any{1, "<b>", nil, map[string]int{"b": 2, "a": 1}},
		"struct":           struct{ A []int }{[]int{1, 2}},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		parts, err := encodeResult(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := bytes.Join(parts, nil); !bytes.Equal(got, want) {
			t.Errorf("%s: %.200s…, want %.200s…", name, got, want)
		}
	}
	if _, err := encodeResult([]any{1, func() {}}); err == nil {
		t.Error("a function in a slice: no error")
	}
}
