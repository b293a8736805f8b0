package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.lsp.dev/jsonrpc2"
)

// The wire: LSP's base protocol (header, blank line, JSON body) and
// JSON-RPC 2.0 envelopes. We frame messages ourselves because jsonrpc2
// v0.10.0's Conn closes the connection on the first malformed frame or
// undecodable body, and its ID type cannot hold numbers past int32; it
// still gives us the error type and codes (jsonrpc2.Error, jsonrpc2.Code).

const (
	// maxBody bounds one message. A 10 MB document whose every character
	// is escaped as \uXXXX is 60 MB of JSON; this leaves room.
	maxBody = 256 << 20
	// readBuffer is also the longest header line we look at whole.
	readBuffer = 64 << 10
)

// frameError is a malformed frame the framer skipped: serving goes on.
type frameError struct{ msg string }

func (e *frameError) Error() string { return "malformed message frame: " + e.msg }

// framer reads LSP base-protocol frames. It resynchronises after garbage:
// header lines it cannot use are skipped, and a "Content-Length:" glued to
// the end of garbage (the tail of a body whose length was wrong) still
// starts the next frame.
type framer struct {
	r *bufio.Reader
}

func newFramer(r io.Reader) *framer { return &framer{r: bufio.NewReaderSize(r, readBuffer)} }

// read returns the next body. warn, if not empty, describes garbage skipped
// before a good frame. An error is either a *frameError (skip it and read
// on) or the end of the stream (io.EOF between frames, else fatal).
func (f *framer) read() (body []byte, warn string, err error) {
	length, badLength := -1, ""
	var skipped []string
	inHeader := false
	for {
		line, dropped, err := f.line()
		if dropped > 0 {
			skipped = append(skipped, fmt.Sprintf("a header line of %d bytes, too long to read", dropped+len(line)))
			inHeader = true
			if line == "" {
				continue
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) && !inHeader {
				return nil, "", io.EOF
			}
			if errors.Is(err, io.EOF) {
				return nil, "", fmt.Errorf("the stream ended inside a message header: %w", io.ErrUnexpectedEOF)
			}
			return nil, "", err
		}
		if line == "" {
			if !inHeader {
				continue // blank lines between frames are harmless
			}
			break
		}
		inHeader = true
		if i := indexFold(line, "content-length:"); i > 0 {
			skipped = append(skipped, fmt.Sprintf("%d bytes of garbage before a header", i))
			line = line[i:]
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			skipped = append(skipped, fmt.Sprintf("a header line without a colon (%d bytes)", len(line)))
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-length":
			n, err := strconv.Atoi(value)
			switch {
			case err != nil || n < 0:
				length, badLength = -1, fmt.Sprintf("Content-Length %q is not a byte count", clip(value, 40))
			case n > maxBody:
				length, badLength = -1, fmt.Sprintf("Content-Length %d exceeds the limit of %d bytes", n, maxBody)
			default:
				length, badLength = n, ""
			}
		case "content-type":
			if _, params, ok := strings.Cut(strings.ToLower(value), "charset="); ok && !strings.HasPrefix(params, "utf-8") && !strings.HasPrefix(params, "utf8") {
				skipped = append(skipped, fmt.Sprintf("unsupported %q (read as UTF-8)", clip(value, 60)))
			}
		}
	}
	warn = strings.Join(skipped, "; ")
	if length < 0 {
		msg := badLength
		if msg == "" {
			msg = "no Content-Length header"
		}
		if warn != "" {
			msg += "; " + warn
		}
		return nil, "", &frameError{msg}
	}
	body = make([]byte, length)
	if _, err := io.ReadFull(f.r, body); err != nil {
		return nil, "", fmt.Errorf("the stream ended inside a %d-byte message body: %w", length, io.ErrUnexpectedEOF)
	}
	return body, warn, nil
}

// line reads one header line without its line ending. Of a line longer than
// the buffer only the end is kept (that is where a glued header would be);
// dropped counts the bytes before it.
func (f *framer) line() (line string, dropped int, err error) {
	for {
		chunk, err := f.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			dropped += len(chunk)
			continue
		}
		if err != nil {
			if (len(chunk) > 0 || dropped > 0) && errors.Is(err, io.EOF) {
				return "", dropped, io.ErrUnexpectedEOF
			}
			return "", dropped, err
		}
		return strings.TrimRight(string(chunk), "\r\n"), dropped, nil
	}
}

// indexFold is strings.Index ignoring ASCII case (pat must be lower case).
func indexFold(s, pat string) int {
	for i := 0; i+len(pat) <= len(s); i++ {
		if s[i]|0x20 == pat[0] && strings.EqualFold(s[i:i+len(pat)], pat) {
			return i
		}
	}
	return -1
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// message is any incoming JSON-RPC message. ID stays raw so that it is
// echoed exactly, whatever number or string the client chose.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *jsonrpc2.Error `json:"error"`
}

// isCall: a request that wants an answer; else a notification or a response.
func (m *message) isCall() bool { return m.Method != "" && len(m.ID) > 0 }

type outCall struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  any             `json:"params,omitempty"`
}

type outResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *jsonrpc2.Error `json:"error,omitempty"`
}

var nullID = json.RawMessage("null")

// idKey canonicalises a request id (number or string) for the table of
// requests in flight; ok is false for anything else.
func idKey(id json.RawMessage) (key string, ok bool) {
	id = bytes.TrimSpace(id)
	if len(id) == 0 || !json.Valid(id) {
		return "", false
	}
	switch c := id[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(id, &s) != nil {
			return "", false
		}
		return "s:" + s, true
	case c == '-' || (c >= '0' && c <= '9'):
		return "n:" + string(id), true
	}
	return "", false
}

// recoverID finds the id of a message that does not decode (bad JSON) by
// reading its top-level members up to the error. nil if it has none there.
func recoverID(body []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		key, ok := t.(string)
		if !ok {
			return nil
		}
		if key != "id" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		v, err := dec.Token()
		if err != nil {
			return nil
		}
		switch v := v.(type) {
		case json.Number:
			return json.RawMessage(v.String())
		case string:
			raw, _ := json.Marshal(v)
			return raw
		}
		return nil
	}
}

// conn writes messages (from any goroutine, one frame at a time) and
// matches the client's responses to the calls the server made.
type conn struct {
	w   io.Writer
	log *slog.Logger

	mu     sync.Mutex // one frame at a time
	buf    []byte
	werr   error // the first write error; later writes fail with it
	closed bool

	seq     atomic.Int64
	pmu     sync.Mutex
	pending map[string]chan *message
}

func newConn(w io.Writer, log *slog.Logger) *conn {
	return &conn{w: w, log: log, pending: map[string]chan *message{}}
}

var errClosed = errors.New("the connection to the client is closed")

// send writes one message. It takes no context on purpose: a reply must be
// written even when the request's context was cancelled.
func (c *conn) send(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	return c.write(body)
}

// write writes one frame whose body is parts, one after the other. A small
// frame goes out in one write; a large one is written part by part rather
// than copied into one buffer first: the outline of a 20 MB document is
// about 35 MB of JSON.
func (c *conn) write(parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errClosed
	}
	if c.werr != nil {
		return c.werr
	}
	c.buf = append(c.buf[:0], "Content-Length: "...)
	c.buf = strconv.AppendInt(c.buf, int64(n), 10)
	c.buf = append(c.buf, "\r\n\r\n"...)
	small := len(c.buf)+n <= readBuffer
	if small {
		for _, p := range parts {
			c.buf = append(c.buf, p...)
		}
		parts = nil
	}
	for _, p := range append([][]byte{c.buf}, parts...) {
		if _, err := c.w.Write(p); err != nil {
			c.werr = fmt.Errorf("write to the client: %w", err)
			c.log.Error("cannot write to the client; replies are lost", "err", err)
			return c.werr
		}
	}
	return nil
}

// close makes later sends fail at once (the session is over).
func (c *conn) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}

// reply answers the call with id: result, or err when not nil.
func (c *conn) reply(id json.RawMessage, result any, err *jsonrpc2.Error) error {
	resp := outResponse{JSONRPC: jsonrpc2.Version, ID: id, Error: err}
	if err == nil {
		raw, merr := encodeResult(result)
		if merr != nil {
			resp.Error = jsonrpc2.NewError(jsonrpc2.InternalError, "cannot encode the result: "+merr.Error())
			return c.send(resp)
		}
		// The envelope, then the result ("null" for a nil result: a
		// success always has a result) spliced in before its closing
		// brace. Encoding the result inside the envelope would copy a
		// large one twice more.
		env, eerr := json.Marshal(resp)
		if eerr != nil {
			return fmt.Errorf("encode message: %w", eerr)
		}
		parts := append([][]byte{env[:len(env)-1], []byte(`,"result":`)}, raw...)
		return c.write(append(parts, []byte("}"))...)
	}
	return c.send(resp)
}

// encodeResult returns the JSON of a result as pieces to write one after
// the other. A slice is encoded an element at a time into blocks of
// blockSize: encoding it whole holds its JSON two or three times over (the
// encoder's buffer as it doubles, kept in a pool, then the copy), and the
// outline of a 20 MB document is about 35 MB of JSON.
func encodeResult(result any) ([][]byte, error) {
	v := reflect.ValueOf(result)
	if v.Kind() != reflect.Slice || v.IsNil() || v.Len() < 2 || v.Type().Elem().Kind() == reflect.Uint8 || // base64
		v.Type().Implements(reflect.TypeFor[json.Marshaler]()) || v.Type().Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
		raw, err := json.Marshal(result)
		return [][]byte{raw}, err
	}
	var out blocks
	enc := json.NewEncoder(&out)
	out.Write([]byte("["))
	for i := range v.Len() {
		if i > 0 {
			out.Write([]byte(","))
		}
		// By address, as json.Marshal sees a slice's elements: a
		// MarshalJSON with a pointer receiver applies.
		if err := enc.Encode(v.Index(i).Addr().Interface()); err != nil {
			return nil, err
		}
		out.unwriteNewline()
	}
	out.Write([]byte("]"))
	return out.bufs, nil
}

// blockSize is the size of the blocks a large result is encoded into.
const blockSize = 64 << 10

// blocks is an io.Writer that keeps what it is given in blocks of
// blockSize: unlike a bytes.Buffer, it never copies what it holds to grow.
type blocks struct{ bufs [][]byte }

func (b *blocks) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(b.bufs) == 0 || len(b.bufs[len(b.bufs)-1]) == blockSize {
			b.bufs = append(b.bufs, make([]byte, 0, blockSize))
		}
		last := &b.bufs[len(b.bufs)-1]
		k := min(len(p), blockSize-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// unwriteNewline drops the newline a json.Encoder ends each value with,
// which is the last byte written.
func (b *blocks) unwriteNewline() {
	last := &b.bufs[len(b.bufs)-1]
	*last = (*last)[:len(*last)-1]
}

// notify sends a notification.
func (c *conn) notify(method string, params any) error {
	return c.send(outCall{JSONRPC: jsonrpc2.Version, Method: method, Params: params})
}

// call sends a request to the client and decodes its result into result.
// It must not be called from the goroutine that reads messages.
func (c *conn) call(ctx context.Context, method string, params, result any) error {
	n := c.seq.Add(1)
	id := json.RawMessage(strconv.FormatInt(n, 10))
	key, _ := idKey(id)
	ch := make(chan *message, 1)
	c.pmu.Lock()
	c.pending[key] = ch
	c.pmu.Unlock()
	defer func() {
		c.pmu.Lock()
		delete(c.pending, key)
		c.pmu.Unlock()
	}()
	if err := c.send(outCall{JSONRPC: jsonrpc2.Version, ID: id, Method: method, Params: params}); err != nil {
		return err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %w", method, m.Error)
		}
		if result == nil || len(m.Result) == 0 {
			return nil
		}
		if err := json.Unmarshal(m.Result, result); err != nil {
			return fmt.Errorf("%s: cannot decode the result: %w", method, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// deliver hands a response from the client to the call waiting for it.
func (c *conn) deliver(m *message) bool {
	key, ok := idKey(m.ID)
	if !ok {
		return false
	}
	c.pmu.Lock()
	ch, ok := c.pending[key]
	c.pmu.Unlock()
	if ok {
		select {
		case ch <- m:
		default: // a second answer to the same call
		}
	}
	return ok
}
