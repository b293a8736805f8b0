package lsp

import (
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

func rng(l1, c1, l2, c2 uint32) *protocol.Range {
	return &protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
}

func TestApplyChanges(t *testing.T) {
	for _, tc := range []struct {
		name    string
		text    string
		changes []textChange
		want    string
		lines   int
	}{
		{"insert after an emoji", "a😀b", []textChange{{Range: rng(0, 3, 0, 3), Text: "🎉"}}, "a😀🎉b", 1},
		{"replace an emoji", "a😀b", []textChange{{Range: rng(0, 1, 0, 3), Text: "x"}}, "axb", 1},
		{"delete a CRLF", "ab\r\ncd", []textChange{{Range: rng(0, 2, 1, 0), Text: ""}}, "abcd", 1},
		{"insert a line break in CRLF text", "ab\r\ncd", []textChange{{Range: rng(1, 1, 1, 1), Text: "\r\n"}}, "ab\r\nc\r\nd", 3},
		{"LF after a lone CR makes one CRLF", "ab\r", []textChange{{Range: rng(1, 0, 1, 0), Text: "\nc"}}, "ab\r\nc", 2},
		{"CR before an LF makes one CRLF", "ab\ncd", []textChange{{Range: rng(0, 2, 0, 2), Text: "\r"}}, "ab\r\ncd", 2},
		{"past the end of the line appends to it", "ab\ncd", []textChange{{Range: rng(0, 50, 0, 60), Text: "!"}}, "ab!\ncd", 2},
		{"past the end of the text appends", "ab", []textChange{{Range: rng(7, 0, 9, 0), Text: "\nX"}}, "ab\nX", 2},
		{"later ranges see earlier changes", "one two", []textChange{
			{Range: rng(0, 0, 0, 3), Text: "1\n"},
			{Range: rng(1, 1, 1, 4), Text: "2"},
			{Range: rng(1, 0, 1, 0), Text: "😀"},
			{Range: rng(1, 2, 1, 3), Text: "🎉"}, // replaces the space after the emoji
		}, "1\n😀🎉2", 2},
		{"a full change then a ranged one", "old", []textChange{{Text: "new\ntext"}, {Range: rng(1, 0, 1, 4), Text: "TEXT"}}, "new\nTEXT", 2},
		{"delete everything", "a\r\nb\rc", []textChange{{Range: rng(0, 0, 9, 9), Text: ""}}, "", 1},
		{"no changes", "same", nil, "same", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDocument(docURI, "sql", 1, tc.text).apply(2, tc.changes)
			if d.Text != tc.want || d.Version != 2 {
				t.Errorf("text = %q (v%d), want %q (v2)", d.Text, d.Version, tc.want)
			}
			if d.LineCount() != tc.lines {
				t.Errorf("lines = %d (%v), want %d", d.LineCount(), d.lines, tc.lines)
			}
			if want := newLineIndex(d.Text); !equalInts(d.lines, want) {
				t.Errorf("stale line index %v, want %v", d.lines, want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// editLoad opens a document of size bytes and applies edits typing
// changes across it; it returns the time taken and the final document.
func editLoad(size, edits int) (time.Duration, *Document) {
	line := "SELECT id, name, '😀' AS e FROM db.some_table WHERE x = 1\r\n"
	text := strings.Repeat(line, size/len(line)+1)[:size]
	begin := time.Now()
	d := newDocument(docURI, "sql", 1, text)
	lines := uint32(d.LineCount())
	for i := range edits {
		l := uint32(i*7919) % lines
		d = d.apply(int32(i+2), []textChange{{Range: rng(l, 10, l, 12), Text: "xy"}})
	}
	// A position near the end still maps (the last line is the longest walk).
	_ = d.Position(len(d.Text) - 1)
	return time.Since(begin), d
}

// A 10 MB document works, and an edit costs time linear in its size: ten
// times the text takes about ten times as long, not a hundred.
func TestLargeDocumentIsLinear(t *testing.T) {
	const edits = 40
	best := func(size int) time.Duration {
		var min time.Duration
		for range 2 {
			d, doc := editLoad(size, edits)
			if len(doc.Text) != size {
				t.Fatalf("size %d became %d", size, len(doc.Text))
			}
			if min == 0 || d < min {
				min = d
			}
		}
		return min
	}
	small, large := best(1<<20), best(10<<20)
	t.Logf("%d edits: 1 MB %v, 10 MB %v (ratio %.1f)", edits, small, large, float64(large)/float64(small))
	if large > 40*small {
		t.Errorf("10 MB took %v, 1 MB %v: more than linear", large, small)
	}
}

// A 10 MB document on one line: positions far into it still map.
func TestLongLine(t *testing.T) {
	text := strings.Repeat("a😀", 10<<20/5)
	d := newDocument(docURI, "sql", 1, text)
	end := d.Position(len(text))
	if want := uint32(len(text) / 5 * 3); end.Line != 0 || end.Character != want {
		t.Fatalf("end = %v, want 0:%d", end, want)
	}
	if got := d.Offset(end); got != len(text) {
		t.Errorf("offset of the end = %d, want %d", got, len(text))
	}
	d = d.apply(2, []textChange{{Range: &protocol.Range{Start: end, End: end}, Text: ";"}})
	if !strings.HasSuffix(d.Text, "😀;") {
		t.Errorf("append at the end of a long line failed")
	}
}

// Readers take the map while a writer swaps it: no locks, no races.
func TestDocumentsConcurrentReaders(t *testing.T) {
	var ds documents
	ds.open(newDocument(docURI, "sql", 1, "SELECT"))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if d, ok := ds.load()[docURI]; !ok || !strings.HasPrefix(d.Text, "SELECT") {
					t.Errorf("reader saw %v %v", d, ok)
					return
				}
			}
		}()
	}
	for i := range 500 {
		if _, err := ds.change(docURI, int32(i+2), []textChange{{Range: rng(0, 99, 0, 99), Text: "x"}}); err != nil {
			t.Fatal(err)
		}
		ds.open(newDocument("file:///other.sql", "sql", 1, "x"))
		ds.close("file:///other.sql")
	}
	close(stop)
	wg.Wait()
	if d := ds.load()[docURI]; len(d.Text) != len("SELECT")+500 || d.Version != 501 {
		t.Errorf("final document: %d bytes, version %d", len(d.Text), d.Version)
	}
	if _, err := ds.change("file:///closed.sql", 1, nil); err == nil {
		t.Errorf("a change to a closed document did not fail")
	}
}
