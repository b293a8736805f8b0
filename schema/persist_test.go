package schema

import (
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"testing"
	"time"
)

// frame wraps payload in a cache file header with a valid checksum, as a
// foreign or hand-made file would have.
func frame(payload []byte, flags byte, size uint32) []byte {
	out := make([]byte, headerSize, headerSize+len(payload))
	copy(out, fileMagic)
	out[len(fileMagic)] = fileVersion
	out[len(fileMagic)+1] = flags
	binary.LittleEndian.PutUint32(out[headerSize-8:], size)
	binary.LittleEndian.PutUint32(out[headerSize-4:], crc32.ChecksumIEEE(payload))
	return append(out, payload...)
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeAllocationBounded: a file's lengths may claim only what its
// bytes could hold. Each namespace used to reserve columns for the rest of
// the file without using them, so N namespaces cost O(N²).
func TestDecodeAllocationBounded(t *testing.T) {
	const key = "k"
	e := &encoder{}
	e.str(key)
	e.time(time.Time{})
	e.time(time.Time{})
	e.varint(0)
	e.str("")
	e.str("")
	e.uvarint(0) // types
	e.uvarint(0) // functions
	e.uvarint(1) // catalogs
	e.str("c")
	e.str("")
	e.time(time.Time{})
	const n = 1000
	e.uvarint(n) // namespaces
	for i := 0; i < n; i++ {
		e.str("n")
		e.str("")
		e.time(time.Time{})
		e.uvarint(uint64(2 * (n - i))) // columns claimed, never used
		e.str("")
		e.uvarint(0) // tables
	}
	data := frame(e.b, 0, uint32(len(e.b)))
	got := allocated(func() { Decode(data, key) })
	if limit := uint64(1000 * len(data)); got > limit {
		t.Errorf("decoding %d bytes allocated %d bytes, want at most %d", len(data), got, limit)
	}
}

// TestDecodeDeflateSizeBounded: the header's uncompressed size is checked
// against what DEFLATE can expand the payload to before allocating.
func TestDecodeDeflateSizeBounded(t *testing.T) {
	data := frame([]byte{0, 0, 0, 0}, flagDeflate, 1<<31)
	got := allocated(func() {
		if _, err := Decode(data, "k"); err == nil {
			t.Error("Decode accepted a bogus compressed file")
		}
	})
	if got > 1<<20 {
		t.Errorf("decoding a %d-byte file allocated %d bytes", len(data), got)
	}
}

func FuzzDecode(f *testing.F) {
	const key = "k"
	c := NewCatalog("c", "cat", []*Namespace{
		NewNamespace("c", "n", "", []*Table{
			{Catalog: "c", Namespace: "n", Name: "t", ColumnsAt: time.Unix(1, 0), Columns: []Column{
				{Name: "a", Type: "int", Nullable: true},
				{Name: "b", Type: "string", Comment: "why", Partition: true},
			}},
		}, time.Unix(1, 0)),
	}, time.Unix(1, 0))
	s := NewSnapshot([]*Catalog{c}, nil, []Function{{Name: "f", Builtin: true}})
	f.Add(Encode(s, key, time.Unix(2, 0)))
	f.Add(Encode(NewSnapshot(nil, nil, nil), key, time.Unix(2, 0)))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Checksums stop random bytes at the door; re-frame so the fuzzer
		// reaches the decoder as a hand-made file would.
		if len(data) >= headerSize {
			data = frame(data[headerSize:], data[len(fileMagic)+1]&flagDeflate, uint32(len(data)-headerSize))
		}
		s, err := Decode(data, key)
		if err == nil && s == nil {
			t.Fatal("nil snapshot without error")
		}
	})
}
