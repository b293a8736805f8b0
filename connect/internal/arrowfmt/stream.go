package arrowfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ReadStream decodes one Arrow IPC stream (the bytes of a Spark Connect
// ArrowBatch.data or LocalRelation.data) and calls fn for every record batch
// in it, in order. It returns the stream's schema even when the stream holds
// no batches, so callers can still show the columns of an empty result.
//
// The batch passed to fn is only valid during the call; fn must Retain it to
// keep it. Several IPC streams concatenated back to back (schema, batches,
// end-of-stream marker, schema, ...) are read one after the other; the
// returned schema is the first one and each batch carries its own Schema().
//
// The bytes come from the network, so ReadStream treats them as untrusted:
// metadata is checked before arrow-go allocates from it (verifyStream),
// message and decompressed buffer sizes are bounded, every batch is
// validated (buffer sizes, offsets) before fn sees it, and decoder panics are
// turned into errors. A batch that reaches fn can be rendered by a Formatter
// without panicking.
func ReadStream(data []byte, fn func(rec arrow.RecordBatch) error) (*arrow.Schema, error) {
	if err := verifyStream(data); err != nil {
		return nil, fmt.Errorf("arrowfmt: %w", err)
	}
	var first *arrow.Schema
	rd := bytes.NewReader(data)
	alloc := &boundedAllocator{limit: allocLimit(len(data)), mem: baseAllocator()}
	for n := 0; ; n++ {
		schema, err := readOne(rd, alloc, len(data), fn)
		if first == nil {
			first = schema
		}
		if err != nil {
			if n > 0 {
				return first, fmt.Errorf("arrowfmt: stream %d: %w", n+1, err)
			}
			return first, err
		}
		if rd.Len() == 0 || onlyEOS(data[len(data)-rd.Len():]) {
			return first, nil
		}
	}
}

// onlyEOS reports whether rest consists solely of end-of-stream markers
// (0xFFFFFFFF 0x00000000, or the pre-0.15 bare 0x00000000).
func onlyEOS(rest []byte) bool {
	for len(rest) > 0 {
		switch {
		case len(rest) >= 8 && bytes.Equal(rest[:8], []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}):
			rest = rest[8:]
		case len(rest) >= 4 && bytes.Equal(rest[:4], []byte{0, 0, 0, 0}):
			rest = rest[4:]
		default:
			return false
		}
	}
	return true
}

func readOne(rd *bytes.Reader, alloc memory.Allocator, total int, fn func(arrow.RecordBatch) error) (schema *arrow.Schema, err error) {
	opts := []ipc.Option{
		ipc.WithAllocator(alloc),
		// The whole stream is in memory: no message can be larger than it.
		ipc.WithMetadataSizeLimit(int64(total)),
		ipc.WithBodySizeLimit(int64(total)),
	}
	// ipc.NewReader ignores the size limits (arrow-go v18.8); only a
	// MessageReader built with them enforces them.
	r, err := ipc.NewReaderFromMessageReader(ipc.NewMessageReader(rd, opts...), opts...)
	if err != nil {
		return nil, fmt.Errorf("arrowfmt: reading Arrow IPC schema: %w", err)
	}
	defer r.Release()
	schema = r.Schema()
	for batch := 0; ; batch++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return schema, nil
		}
		if err != nil {
			return schema, fmt.Errorf("arrowfmt: reading Arrow IPC batch %d: %w", batch, err)
		}
		if err := validate(rec); err != nil {
			return schema, fmt.Errorf("arrowfmt: invalid Arrow IPC batch %d: %w", batch, err)
		}
		// rec is owned by the reader and released by its next Read or by
		// r.Release; fn borrows it.
		if err := fn(rec); err != nil {
			return schema, err
		}
	}
}

// allocLimit bounds any single allocation made while decoding a stream of n
// bytes. Uncompressed bodies are at most n bytes; compressed (zstd/lz4)
// buffers declare their decompressed size, which a corrupt stream could set
// to terabytes. Real Spark batches are a few MB (maxBatchSize, default 4m),
// so 128 MiB plus 1024x the input is far above anything legitimate.
func allocLimit(n int) int {
	return 128<<20 + 1024*n
}

// boundedAllocator is a Go allocator that panics (recoverably; arrow-go's
// reader turns the panic into an error) instead of attempting absurd sizes.
type boundedAllocator struct {
	limit int
	mem   memory.Allocator
}

// baseAllocator is replaced by tests with a checked allocator to prove that
// ReadStream releases everything it allocates.
var baseAllocator = func() memory.Allocator { return memory.NewGoAllocator() }

func (a *boundedAllocator) Allocate(size int) []byte {
	if size < 0 || size > a.limit {
		panic(fmt.Sprintf("arrowfmt: refusing to allocate %d bytes (limit %d)", size, a.limit))
	}
	return a.mem.Allocate(size)
}

func (a *boundedAllocator) Reallocate(size int, b []byte) []byte {
	if size < 0 || size > a.limit {
		panic(fmt.Sprintf("arrowfmt: refusing to allocate %d bytes (limit %d)", size, a.limit))
	}
	return a.mem.Reallocate(size, b)
}

func (a *boundedAllocator) Free(b []byte) { a.mem.Free(b) }
