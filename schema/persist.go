package schema

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The cache file: a compact binary format, chosen by measurement over gob
// and JSON+gzip (BenchmarkColdLoad): a 2M-column catalog reads in a fraction
// of the time, because a namespace's columns arrive as one slice and its
// column names and comments as one string (sliced, not allocated per
// column), and types as indexes into an interned table.
//
//	magic "SPKLSCH" + version byte
//	flags byte (bit 0: payload is DEFLATE-compressed)
//	payload length (uint32, uncompressed) and CRC-32 (IEEE, of the uncompressed payload)
//	payload:
//	  key, saved at, refreshed at, load time, current catalog and namespace,
//	  Spark version
//	  types: n, then n strings
//	  functions: n, then name, class, usage, description, builtin
//	  catalogs: n, then name, comment, listed at, namespaces:
//	    n, then name, comment, listed at, its column count, its text (every
//	    column name and comment of its tables back to back), tables:
//	      n, then name, kind, comment, flags, columns at, columns:
//	        n, then per column: name length, type index,
//	        flags (nullable, partition, has comment), [comment length]
//
// Strings are a uvarint length and the bytes; times are varint Unix
// nanoseconds (0: zero time). Temporary views are session state: not saved.

const (
	fileMagic   = "SPKLSCH"
	fileVersion = 2 // 2: the Spark version
	headerSize  = len(fileMagic) + 1 + 1 + 4 + 4

	flagDeflate = 1 << 0

	tableNoComments = 1 << 0

	colNullable   = 1 << 0
	colPartition  = 1 << 1
	colHasComment = 1 << 2
)

// compress decides whether WriteFile deflates the payload. Measured on the
// 2M-column benchmark catalog (BenchmarkColdLoad, reading into a searchable
// snapshot): raw 142 ms / 37 MB, deflated 346 ms / 13 MB, gob 404 ms / 70 MB,
// JSON+gzip 3.3 s / 22 MB. Raw wins the cold-start budget (300 ms).
var compress = false

func cacheFileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "schema-" + hex.EncodeToString(sum[:12]) + ".bin"
}

// CacheFile is the path of the cache file of key under dir ("" dir:
// os.UserCacheDir()/sparkls).
func CacheFile(dir, key string) (string, error) {
	if dir == "" {
		ucd, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(ucd, "sparkls")
	}
	return filepath.Join(dir, cacheFileName(key)), nil
}

// WriteFile saves s for key atomically (a temporary file renamed over path).
func WriteFile(path, key string, s *Snapshot, now time.Time) error {
	data := Encode(s, key, now)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".schema-*.tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// ReadFile loads the snapshot saved for key at path. The error wraps
// os.ErrNotExist when there is no file; any other error means the file is
// corrupt, of another version, or of another remote.
func ReadFile(path, key string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(data, key)
}

// Encode serialises s (without temporary views) for key.
func Encode(s *Snapshot, key string, now time.Time) []byte {
	e := &encoder{types: map[string]uint64{}}
	// Types first: collect them so the table can precede their uses.
	var typeList []string
	for _, c := range s.Catalogs {
		for _, n := range c.Namespaces {
			for _, t := range n.Tables {
				for i := range t.Columns {
					if _, ok := e.types[t.Columns[i].Type]; !ok {
						e.types[t.Columns[i].Type] = uint64(len(typeList))
						typeList = append(typeList, t.Columns[i].Type)
					}
				}
			}
		}
	}
	e.str(key)
	e.time(now)
	e.time(s.RefreshedAt)
	e.varint(int64(s.LoadTime))
	e.str(s.CurrentCatalog)
	e.str(s.CurrentNamespace)
	e.str(s.SparkVersion)
	e.uvarint(uint64(len(typeList)))
	for _, t := range typeList {
		e.str(t)
	}
	e.uvarint(uint64(len(s.Functions)))
	for _, f := range s.Functions {
		e.str(f.Name)
		e.str(f.Class)
		e.str(f.Usage)
		e.str(f.Description)
		e.bool(f.Builtin)
	}
	e.uvarint(uint64(len(s.Catalogs)))
	for _, c := range s.Catalogs {
		e.str(c.Name)
		e.str(c.Comment)
		e.time(c.NamespacesAt)
		e.uvarint(uint64(len(c.Namespaces)))
		for _, n := range c.Namespaces {
			e.str(n.Name)
			e.str(n.Comment)
			e.time(n.TablesAt)
			cols, text := 0, 0
			for _, t := range n.Tables {
				cols += len(t.Columns)
				for i := range t.Columns {
					text += len(t.Columns[i].Name) + len(t.Columns[i].Comment)
				}
			}
			e.uvarint(uint64(cols))
			e.uvarint(uint64(text))
			for _, t := range n.Tables {
				for i := range t.Columns {
					e.b = append(e.b, t.Columns[i].Name...)
					e.b = append(e.b, t.Columns[i].Comment...)
				}
			}
			e.uvarint(uint64(len(n.Tables)))
			for _, t := range n.Tables {
				e.table(t)
			}
		}
	}
	payload := e.b
	out := make([]byte, headerSize, headerSize+len(payload))
	copy(out, fileMagic)
	out[len(fileMagic)] = fileVersion
	binary.LittleEndian.PutUint32(out[headerSize-8:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(out[headerSize-4:], crc32.ChecksumIEEE(payload))
	if compress {
		out[len(fileMagic)+1] = flagDeflate
		var buf bytes.Buffer
		buf.Write(out)
		w, _ := flate.NewWriter(&buf, flate.BestSpeed)
		w.Write(payload)
		w.Close()
		return buf.Bytes()
	}
	return append(out, payload...)
}

type encoder struct {
	b     []byte
	types map[string]uint64
}

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bool(v bool)      { e.b = append(e.b, byte(b2i(v))) }

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.varint(0)
		return
	}
	e.varint(t.UnixNano())
}

func (e *encoder) table(t *Table) {
	e.str(t.Name)
	e.b = append(e.b, byte(t.Kind))
	e.str(t.Comment)
	var flags byte
	if t.NoColumnComments {
		flags |= tableNoComments
	}
	e.b = append(e.b, flags)
	e.time(t.ColumnsAt)
	e.uvarint(uint64(len(t.Columns)))
	for i := range t.Columns {
		col := &t.Columns[i]
		e.uvarint(uint64(len(col.Name)))
		e.uvarint(e.types[col.Type])
		var f byte
		if col.Nullable {
			f |= colNullable
		}
		if col.Partition {
			f |= colPartition
		}
		if col.Comment != "" {
			f |= colHasComment
		}
		e.b = append(e.b, f)
		if col.Comment != "" {
			e.uvarint(uint64(len(col.Comment)))
		}
	}
}

// errCorrupt is wrapped by every decoding error but a foreign key.
var errCorrupt = errors.New("corrupt schema cache")

// Decode reads a snapshot that Encode wrote for key.
func Decode(data []byte, key string) (s *Snapshot, err error) {
	if len(data) < headerSize || string(data[:len(fileMagic)]) != fileMagic {
		return nil, fmt.Errorf("%w: not a sparkls schema cache", errCorrupt)
	}
	if v := data[len(fileMagic)]; v != fileVersion {
		return nil, fmt.Errorf("%w: format version %d, want %d", errCorrupt, v, fileVersion)
	}
	flags := data[len(fileMagic)+1]
	size := binary.LittleEndian.Uint32(data[headerSize-8:])
	sum := binary.LittleEndian.Uint32(data[headerSize-4:])
	payload := data[headerSize:]
	if flags&flagDeflate != 0 {
		// DEFLATE expands at most about 1032:1; a larger claim is a lie that
		// would otherwise allocate up to 2 GB for a file of a few bytes.
		if size > 1<<31 || uint64(size) > 1032*uint64(len(payload))+64 {
			return nil, fmt.Errorf("%w: payload of %d bytes", errCorrupt, size)
		}
		buf := make([]byte, size)
		r := flate.NewReader(bytes.NewReader(payload))
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("%w: %v", errCorrupt, err)
		}
		payload = buf
	}
	if uint32(len(payload)) != size || crc32.ChecksumIEEE(payload) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	defer func() {
		// The checksum makes this unreachable short of a bug in Encode;
		// a cache file must never crash the server.
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%w: %v", errCorrupt, r)
		}
	}()
	d := &decoder{b: payload}
	if k := d.str(); k != key {
		return nil, fmt.Errorf("schema cache of another remote (key %.8s…, want %.8s…)", k, key)
	}
	d.time() // saved at
	s = &Snapshot{}
	s.RefreshedAt = d.time()
	s.LoadTime = time.Duration(d.varint())
	s.CurrentCatalog = d.str()
	s.CurrentNamespace = d.str()
	s.SparkVersion = d.str()
	types := make([]string, d.count(1))
	for i := range types {
		types[i] = d.str()
	}
	s.Functions = make([]Function, d.count(5))
	for i := range s.Functions {
		s.Functions[i] = Function{Name: d.str(), Class: d.str(), Usage: d.str(), Description: d.str(), Builtin: d.byte() != 0}
	}
	s.Catalogs = make([]*Catalog, d.count(3))
	for i := range s.Catalogs {
		c := &Catalog{Name: d.str(), Comment: d.str(), NamespacesAt: d.time()}
		c.Namespaces = make([]*Namespace, d.count(4))
		for j := range c.Namespaces {
			n := &Namespace{Catalog: c.Name, Name: d.str(), Comment: d.str(), TablesAt: d.time()}
			// One allocation each for the namespace's tables, columns and text.
			ns := &nsDecoder{cols: make([]Column, d.count(3))}
			ns.text = d.str()
			nt := d.count(5)
			n.Tables = make([]*Table, nt)
			store := make([]Table, nt)
			for k := range store {
				d.table(&store[k], n, types, ns)
				n.Tables[k] = &store[k]
			}
			// Every claimed column must be used, or each namespace could
			// reserve columns for the rest of the file: O(n²) memory.
			if len(ns.cols) != 0 {
				d.fail("column count")
			}
			c.Namespaces[j] = n
		}
		s.Catalogs[i] = c
	}
	if d.err != nil {
		return nil, d.err
	}
	// Files are written sorted; re-sorting is cheap and keeps a snapshot
	// valid even if the ordering rules change.
	for _, c := range s.Catalogs {
		for _, n := range c.Namespaces {
			if !slices.IsSortedFunc(n.Tables, func(a, b *Table) int { return cmpFold(a.Name, b.Name) }) {
				slices.SortFunc(n.Tables, func(a, b *Table) int { return cmpFold(a.Name, b.Name) })
			}
			n.idx = newNameSet(len(n.Tables), func(i int) string { return n.Tables[i].Name })
		}
		slices.SortFunc(c.Namespaces, func(a, b *Namespace) int { return cmpFold(a.Name, b.Name) })
		c.idx = newNameSet(len(c.Namespaces), func(i int) string { return c.Namespaces[i].Name })
	}
	slices.SortFunc(s.Catalogs, func(a, b *Catalog) int { return cmpFold(a.Name, b.Name) })
	slices.SortFunc(s.Functions, func(a, b Function) int { return cmpFold(a.Name, b.Name) })
	s.reindex()
	return s, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errCorrupt, what)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length whose elements take at least min bytes each, so a
// corrupt length cannot allocate more than the file could hold.
func (d *decoder) count(min int) int {
	v := d.uvarint()
	if v > uint64(len(d.b)/min) {
		d.fail("length")
		return 0
	}
	return int(v)
}

func (d *decoder) bytes(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail("string")
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) str() string { return string(d.bytes(d.uvarint())) }

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("byte")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) time() time.Time {
	v := d.varint()
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, v)
}

// nsDecoder hands out a namespace's columns and text in order.
type nsDecoder struct {
	cols []Column
	text string
}

func (ns *nsDecoder) take(d *decoder, n int) string {
	if n > len(ns.text) {
		d.fail("column text")
		return ""
	}
	s := ns.text[:n]
	ns.text = ns.text[n:]
	return s
}

func (d *decoder) table(t *Table, n *Namespace, types []string, ns *nsDecoder) {
	t.Catalog, t.Namespace = n.Catalog, n.Name
	t.Name = d.str()
	t.Kind = Kind(d.byte())
	t.Comment = d.str()
	t.NoColumnComments = d.byte()&tableNoComments != 0
	t.ColumnsAt = d.time()
	nc := d.count(3)
	if nc > len(ns.cols) {
		d.fail("column count")
		return
	}
	t.Columns = ns.cols[:nc:nc]
	ns.cols = ns.cols[nc:]
	if nc == 0 && t.ColumnsAt.IsZero() {
		t.Columns = nil
	}
	for i := range t.Columns {
		col := &t.Columns[i]
		col.Name = ns.take(d, int(d.uvarint()))
		ti := d.uvarint()
		if ti >= uint64(len(types)) {
			d.fail("column type")
			return
		}
		col.Type = types[ti]
		f := d.byte()
		col.Nullable = f&colNullable != 0
		col.Partition = f&colPartition != 0
		if f&colHasComment != 0 {
			col.Comment = ns.take(d, int(d.uvarint()))
		}
	}
}
