package lsptest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// echo is a toy server: it answers each request with its params, asks the
// editor one question first, and says "hello" once.
func echo(_ context.Context, r io.Reader, w io.Writer) error {
	br := bufio.NewReader(r)
	write := func(v any) {
		body, _ := json.Marshal(v)
		io.WriteString(w, "Content-Length: "+itoa(len(body))+"\r\n\r\n"+string(body))
	}
	write(map[string]any{"jsonrpc": "2.0", "method": "hello", "params": map[string]any{"n": 1}})
	write(map[string]any{"jsonrpc": "2.0", "id": "q1", "method": "question"})
	for {
		body, err := readFrame(br)
		if err != nil {
			return nil
		}
		var m Message
		_ = json.Unmarshal(body, &m)
		if m.Method != "" && len(m.ID) > 0 {
			write(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": m.Params})
		}
		if m.Method == "" && string(m.Result) != `"answer"` {
			write(map[string]any{"jsonrpc": "2.0", "method": "wrongAnswer"})
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestEditorOverPipe(t *testing.T) {
	ed, served := Pipe(context.Background(), echo, Options{
		Answer: func(string, json.RawMessage) any { return "answer" },
		Report: func(err error) { t.Error(err) },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got map[string]int
	if err := ed.CallResult(ctx, "ping", map[string]int{"x": 2}, &got); err != nil || got["x"] != 2 {
		t.Fatalf("CallResult = %v, %v", got, err)
	}
	ch, err := ed.Start(json.RawMessage(`"s-1"`), "ping", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := <-ch; string(m.ID) != `"s-1"` {
		t.Errorf("response %+v", m)
	}
	if p, err := ed.WaitNote(ctx, "hello", nil); err != nil || string(p) != `{"n":1}` {
		t.Errorf("WaitNote = %s, %v", p, err)
	}
	if strings.Contains(ed.NoteSummary(), "wrongAnswer") {
		t.Error("the server's question was not answered with Options.Answer")
	}
	ed.Close()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if err := ed.Await(ctx, func([]*Message) bool { return false }); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Errorf("Await after the end = %v", err)
	}
}
