package arrowfmt

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// validate checks that every value of rec can be read without going out of
// bounds: buffer sizes against each type's layout, monotonic in-range
// offsets for variable-length and list types, child lengths for nested
// types. It exists because IPC bytes come from the network and arrow-go does
// not bounds-check on access. (array.ValidateRecord is not used: in arrow-go
// v18.8 it rejects the buffer-less Null arrays its own IPC reader produces,
// and its full mode rejects non-UTF-8 strings, which Spark can legitimately
// send, e.g. CAST(X'FF' AS STRING).)
func validate(rec arrow.RecordBatch) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt batch: %v", p)
		}
	}()
	for i, col := range rec.Columns() {
		if int64(col.Len()) < rec.NumRows() {
			return fmt.Errorf("column %d has %d rows, batch has %d", i, col.Len(), rec.NumRows())
		}
		if err := validateData(col.Data(), 0); err != nil {
			return fmt.Errorf("column %d (%s): %w", i, rec.ColumnName(i), err)
		}
	}
	return nil
}

const maxDepth = 64

func validateData(d arrow.ArrayData, depth int) error {
	if depth > maxDepth {
		return errors.New("nesting too deep")
	}
	off, n := d.Offset(), d.Len()
	if off < 0 || n < 0 || off+n < off {
		return fmt.Errorf("bad offset %d / length %d", off, n)
	}
	end := off + n
	dt := d.DataType()
	bufs := d.Buffers()
	buf := func(k int) []byte {
		if k < len(bufs) && bufs[k] != nil {
			return bufs[k].Bytes()
		}
		return nil
	}
	switch dt.ID() {
	case arrow.NULL:
		return nil
	case arrow.SPARSE_UNION, arrow.DENSE_UNION, arrow.RUN_END_ENCODED,
		arrow.STRING_VIEW, arrow.BINARY_VIEW, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		// Never sent by Spark; rendered by the panic-guarded fallback.
		return nil
	}
	if n == 0 {
		return validateChildren(d, depth)
	}
	// Validity bitmap (buffer 0) is optional; when present it must cover end.
	if b := buf(0); b != nil && len(b) < int(bitutil.BytesForBits(int64(end))) {
		return errors.New("validity bitmap too small")
	}
	for k, spec := range dt.Layout().Buffers {
		if k == 0 {
			continue
		}
		switch spec.Kind {
		case arrow.KindFixedWidth:
			if len(buf(k))/max(spec.ByteWidth, 1) < end {
				return fmt.Errorf("buffer %d too small for %d values", k, end)
			}
		case arrow.KindBitmap:
			if len(buf(k)) < int(bitutil.BytesForBits(int64(end))) {
				return fmt.Errorf("bitmap buffer %d too small", k)
			}
		}
	}
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY:
		if err := checkOffsets32(buf(1), off, n, len(buf(2))); err != nil {
			return err
		}
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		if err := checkOffsets64(buf(1), off, n, len(buf(2))); err != nil {
			return err
		}
	case arrow.LIST, arrow.MAP:
		if err := checkOffsets32(buf(1), off, n, childLen(d, 0)); err != nil {
			return err
		}
	case arrow.LARGE_LIST:
		if err := checkOffsets64(buf(1), off, n, childLen(d, 0)); err != nil {
			return err
		}
	case arrow.FIXED_SIZE_LIST:
		size := dt.(*arrow.FixedSizeListType).Len()
		if size < 0 || childLen(d, 0) < end*int(size) {
			return errors.New("fixed-size list child too short")
		}
	case arrow.STRUCT:
		for k := range d.Children() {
			if childLen(d, k) < end {
				return fmt.Errorf("struct child %d too short", k)
			}
		}
	}
	return validateChildren(d, depth)
}

func validateChildren(d arrow.ArrayData, depth int) error {
	if nt, ok := d.DataType().(arrow.NestedType); ok && len(nt.Fields()) != len(d.Children()) {
		return errors.New("wrong number of child arrays")
	}
	for k, c := range d.Children() {
		if c == nil {
			return fmt.Errorf("child %d missing", k)
		}
		if err := validateData(c, depth+1); err != nil {
			return fmt.Errorf("child %d: %w", k, err)
		}
	}
	// Dictionary() returns an interface holding a nil *array.Data when absent.
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		return validateData(dict, depth+1)
	}
	return nil
}

func childLen(d arrow.ArrayData, k int) int {
	ch := d.Children()
	if k >= len(ch) || ch[k] == nil {
		return -1
	}
	return ch[k].Len()
}

func checkOffsets32(b []byte, off, n, limit int) error {
	offs := arrow.Int32Traits.CastFromBytes(b)
	if len(offs) < off+n+1 {
		return errors.New("offsets buffer too small")
	}
	prev := offs[off]
	if prev < 0 {
		return errors.New("negative offset")
	}
	for _, o := range offs[off+1 : off+n+1] {
		if o < prev {
			return errors.New("offsets not monotonic")
		}
		prev = o
	}
	if int(prev) > limit {
		return fmt.Errorf("offset %d beyond data length %d", prev, limit)
	}
	return nil
}

func checkOffsets64(b []byte, off, n, limit int) error {
	offs := arrow.Int64Traits.CastFromBytes(b)
	if len(offs) < off+n+1 {
		return errors.New("offsets buffer too small")
	}
	prev := offs[off]
	if prev < 0 {
		return errors.New("negative offset")
	}
	for _, o := range offs[off+1 : off+n+1] {
		if o < prev {
			return errors.New("offsets not monotonic")
		}
		prev = o
	}
	if prev > int64(limit) {
		return fmt.Errorf("offset %d beyond data length %d", prev, limit)
	}
	return nil
}
