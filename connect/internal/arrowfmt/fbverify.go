package arrowfmt

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// arrow-go trusts the element counts stored in IPC flatbuffer metadata and
// allocates slices of that size before reading anything (e.g. the schema's
// field list), so a corrupt count makes it request terabytes and the Go
// runtime aborts the whole process ("out of memory" is not a recoverable
// panic). verifyStream walks the framing and the flatbuffer parts arrow-go
// sizes allocations from, and rejects any vector that does not fit in its
// message before arrow-go sees the bytes.

var errCorrupt = errors.New("corrupt Arrow IPC metadata")

// verifyStream checks every message of the (possibly concatenated) IPC
// streams in data. Truncation is left to arrow-go, which reports it properly.
func verifyStream(data []byte) error {
	for pos := 0; pos+4 <= len(data); {
		n := int64(binary.LittleEndian.Uint32(data[pos:]))
		pos += 4
		if n == 0xFFFFFFFF {
			if pos+4 > len(data) {
				return nil
			}
			n = int64(binary.LittleEndian.Uint32(data[pos:]))
			pos += 4
		}
		if n == 0 {
			continue // end of stream; another stream may follow
		}
		if n > int64(len(data)-pos) {
			return nil // truncated: arrow-go reports it
		}
		meta := data[pos : pos+int(n)]
		pos += int(n)
		body, err := verifyMessage(meta)
		if err != nil {
			return err
		}
		if body < 0 || body > int64(len(data)-pos) {
			return nil // arrow-go reports the bad body length
		}
		pos += int(body)
	}
	return nil
}

type fbuf []byte

func (b fbuf) u32(p int) (int, bool) {
	if p < 0 || p+4 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(b[p:])), true
}

func (b fbuf) u16(p int) (int, bool) {
	if p < 0 || p+2 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(b[p:])), true
}

// field returns the absolute position of field k of the table at t, or -1
// when absent.
func (b fbuf) field(t, k int) (int, error) {
	so, ok := b.u32(t)
	if !ok {
		return 0, errCorrupt
	}
	vt := t - int(int32(uint32(so)))
	vsize, ok1 := b.u16(vt)
	tsize, ok2 := b.u16(vt + 2)
	if !ok1 || !ok2 || vsize < 4 || t+tsize > len(b) {
		return 0, errCorrupt
	}
	if 4+2*k+2 > vsize {
		return -1, nil
	}
	off, ok := b.u16(vt + 4 + 2*k)
	if !ok {
		return 0, errCorrupt
	}
	if off == 0 {
		return -1, nil
	}
	if off >= tsize {
		return 0, errCorrupt
	}
	return t + off, nil
}

// ref follows the offset stored in field k of table t (a table, vector or
// string), returning -1 when absent.
func (b fbuf) ref(t, k int) (int, error) {
	p, err := b.field(t, k)
	if err != nil || p < 0 {
		return p, err
	}
	u, ok := b.u32(p)
	if !ok || p+u >= len(b) {
		return 0, errCorrupt
	}
	return p + u, nil
}

// table verifies that field k of t, if present, points at a table.
func (b fbuf) table(t, k int) (int, error) {
	p, err := b.ref(t, k)
	if err != nil || p < 0 {
		return p, err
	}
	if _, err := b.field(p, 0); err != nil {
		return 0, err
	}
	return p, nil
}

// vector verifies that field k of t, if present, is a vector of n elements of
// elem bytes lying inside the buffer; it returns its element start and n.
func (b fbuf) vector(t, k, elem int) (start, n int, err error) {
	p, err := b.ref(t, k)
	if err != nil || p < 0 {
		return 0, 0, err
	}
	n, ok := b.u32(p)
	if !ok || n > (len(b)-p-4)/elem {
		return 0, 0, errCorrupt
	}
	return p + 4, n, nil
}

// tables verifies a vector of tables and calls fn on each.
func (b fbuf) tables(t, k int, fn func(int) error) error {
	start, n, err := b.vector(t, k, 4)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		e := start + 4*i
		u, _ := b.u32(e)
		if e+u >= len(b) {
			return errCorrupt
		}
		if _, err := b.field(e+u, 0); err != nil {
			return err
		}
		if err := fn(e + u); err != nil {
			return err
		}
	}
	return nil
}

func (b fbuf) keyValues(t, k int) error {
	return b.tables(t, k, func(kv int) error {
		if _, _, err := b.vector(kv, 0, 1); err != nil {
			return err
		}
		_, _, err := b.vector(kv, 1, 1)
		return err
	})
}

// verifyMessage checks one Message flatbuffer and returns its body length.
func verifyMessage(meta []byte) (int64, error) {
	b := fbuf(meta)
	root, ok := b.u32(0)
	if !ok || root >= len(b) {
		return 0, errCorrupt
	}
	if err := b.keyValues(root, 4); err != nil {
		return 0, err
	}
	var body int64
	if p, err := b.field(root, 3); err != nil {
		return 0, err
	} else if p >= 0 {
		if p+8 > len(b) {
			return 0, errCorrupt
		}
		body = int64(binary.LittleEndian.Uint64(b[p:]))
	}
	htype := 0
	if p, err := b.field(root, 1); err != nil {
		return 0, err
	} else if p >= 0 {
		htype = int(b[p])
	}
	h, err := b.table(root, 2)
	if err != nil {
		return 0, err
	}
	if h < 0 {
		return body, nil // arrow-go rejects a missing header itself
	}
	switch htype {
	case 1: // Schema
		if err := b.tables(h, 1, func(f int) error { return b.verifyField(f, 0) }); err != nil {
			return 0, err
		}
		if err := b.keyValues(h, 2); err != nil {
			return 0, err
		}
		if _, _, err := b.vector(h, 3, 8); err != nil {
			return 0, err
		}
	case 2: // DictionaryBatch
		rb, err := b.table(h, 1)
		if err != nil {
			return 0, err
		}
		if rb >= 0 {
			if err := b.verifyRecordBatch(rb); err != nil {
				return 0, err
			}
		}
	case 3: // RecordBatch
		if err := b.verifyRecordBatch(h); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("unsupported Arrow IPC message type %d", htype)
	}
	return body, nil
}

func (b fbuf) verifyField(f, depth int) error {
	if depth > maxDepth {
		return errors.New("Arrow schema nested too deep")
	}
	if _, _, err := b.vector(f, 0, 1); err != nil { // name
		return err
	}
	typ, err := b.table(f, 3)
	if err != nil {
		return err
	}
	if p, err := b.field(f, 2); err != nil {
		return err
	} else if p >= 0 && b[p] == 14 && typ >= 0 { // Union: typeIds
		if _, _, err := b.vector(typ, 1, 4); err != nil {
			return err
		}
	}
	if d, err := b.table(f, 4); err != nil { // dictionary encoding
		return err
	} else if d >= 0 {
		if _, err := b.table(d, 1); err != nil {
			return err
		}
	}
	if err := b.tables(f, 5, func(c int) error { return b.verifyField(c, depth+1) }); err != nil {
		return err
	}
	return b.keyValues(f, 6)
}

func (b fbuf) verifyRecordBatch(rb int) error {
	if _, _, err := b.vector(rb, 1, 16); err != nil { // nodes
		return err
	}
	_, nbuf, err := b.vector(rb, 2, 16) // buffers
	if err != nil {
		return err
	}
	if _, err := b.table(rb, 3); err != nil { // compression
		return err
	}
	start, n, err := b.vector(rb, 4, 8) // variadic buffer counts
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		// arrow-go allocates a slice of this many buffers up front.
		if c := int64(binary.LittleEndian.Uint64(b[start+8*i:])); c < 0 || c > int64(nbuf) {
			return errCorrupt
		}
	}
	return nil
}
