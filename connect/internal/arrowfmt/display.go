package arrowfmt

import (
	"encoding/base64"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The display form of a nested value (struct, map, array): JSON with field
// names, built from the Arrow data, for the results grid and value viewer.
// CAST's text ({1, a}) drops field names and cannot be read back when a
// string holds ", " or braces; the Arrow data carries both. Copy keeps the
// CAST text (Cell.Text), the oracle.
//
// Leaves keep CAST's text: integers, decimals and finite floats as JSON
// numbers in that text (42.50 stays 42.50, 1.0E10 stays 1.0E10), booleans
// and null as JSON's, NaN and the infinities, strings, dates, timestamps
// and intervals as JSON strings of CAST's text. Binary, whose CAST text is
// raw bytes, is base64 as Spark's to_json and variant JSON write it. A
// variant is its JSON. A map with string keys is a JSON object; any other
// map is an array of {"key":k,"value":v}, so that no key is turned into
// text that could collide with another.

// isNested tells which top-level columns get a display form.
func isNested(dt arrow.DataType) bool {
	switch t := dt.(type) {
	case *arrow.ListType, *arrow.LargeListType, *arrow.FixedSizeListType, *arrow.MapType:
		return true
	case *arrow.StructType:
		return !isVariant(t)
	}
	return false
}

// compileJSON returns the binder of the display form of values of type dt.
func (f *Formatter) compileJSON(dt arrow.DataType, depth int) binder {
	if depth > maxDepth {
		return f.quoted(bindFallback)
	}
	switch t := dt.(type) {
	case *arrow.NullType, *arrow.BooleanType,
		*arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Decimal32Type, *arrow.Decimal64Type, *arrow.Decimal128Type, *arrow.Decimal256Type:
		return f.compile(dt, depth)
	case *arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type:
		return f.number(f.compile(dt, depth))
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		return func(a arrow.Array) appender {
			get, ok := binaryGetter(a)
			if !ok {
				return f.quoted(bindFallback)(a)
			}
			return func(dst []byte, i int) []byte {
				dst = append(dst, '"')
				dst = base64.StdEncoding.AppendEncode(dst, get(i))
				return append(dst, '"')
			}
		}
	case *arrow.ListType:
		return f.jsonList(t.Elem(), depth)
	case *arrow.LargeListType:
		return f.jsonList(t.Elem(), depth)
	case *arrow.FixedSizeListType:
		return f.jsonList(t.Elem(), depth)
	case *arrow.MapType:
		return f.jsonMap(t, depth)
	case *arrow.StructType:
		if isVariant(t) {
			return f.compileVariant()
		}
		return f.jsonStruct(t, depth)
	}
	return f.quoted(f.compile(dt, depth))
}

// quoted turns a leaf's CAST text into a JSON string.
func (f *Formatter) quoted(b binder) binder {
	return func(a arrow.Array) appender {
		app := b(a)
		return func(dst []byte, i int) []byte {
			start := len(dst)
			dst = app(dst, i)
			f.scratch = append(f.scratch[:0], dst[start:]...)
			return appendJSONString(dst[:start], f.scratch)
		}
	}
}

// number keeps a float's text as a JSON number, quoting NaN and Infinity.
func (f *Formatter) number(b binder) binder {
	return func(a arrow.Array) appender {
		app := b(a)
		return func(dst []byte, i int) []byte {
			start := len(dst)
			dst = app(dst, i)
			if c := dst[start]; c == 'N' || c == 'I' || (c == '-' && len(dst) > start+1 && dst[start+1] == 'I') {
				f.scratch = append(f.scratch[:0], dst[start:]...)
				return appendJSONString(dst[:start], f.scratch)
			}
			return dst
		}
	}
}

func (f *Formatter) jsonList(elem arrow.DataType, depth int) binder {
	child := f.compileJSON(elem, depth+1)
	return func(a arrow.Array) appender {
		l, ok := a.(array.ListLike)
		if !ok {
			return f.quoted(bindFallback)(a)
		}
		values := l.ListValues()
		app := child(values)
		return func(dst []byte, i int) []byte {
			start, end := l.ValueOffsets(i)
			dst = append(dst, '[')
			for j := start; j < end && len(dst) <= f.stop; j++ {
				if j > start {
					dst = append(dst, ',')
				}
				dst = f.jsonValue(dst, values, app, int(j))
			}
			return append(dst, ']')
		}
	}
}

func (f *Formatter) jsonMap(t *arrow.MapType, depth int) binder {
	key := f.compileJSON(t.KeyType(), depth+1)
	item := f.compileJSON(t.ItemType(), depth+1)
	var object bool
	switch t.KeyType().(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		object = true
	}
	return func(a arrow.Array) appender {
		m, ok := a.(*array.Map)
		if !ok {
			return f.quoted(bindFallback)(a)
		}
		keys, items := m.Keys(), m.Items()
		kapp, iapp := key(keys), item(items)
		return func(dst []byte, i int) []byte {
			start, end := m.ValueOffsets(i)
			if object {
				dst = append(dst, '{')
			} else {
				dst = append(dst, '[')
			}
			for j := start; j < end && len(dst) <= f.stop; j++ {
				if j > start {
					dst = append(dst, ',')
				}
				if !object {
					dst = append(dst, `{"key":`...)
				}
				dst = f.jsonValue(dst, keys, kapp, int(j))
				if object {
					dst = append(dst, ':')
				} else {
					dst = append(dst, `,"value":`...)
				}
				dst = f.jsonValue(dst, items, iapp, int(j))
				if !object {
					dst = append(dst, '}')
				}
			}
			if object {
				return append(dst, '}')
			}
			return append(dst, ']')
		}
	}
}

func (f *Formatter) jsonStruct(t *arrow.StructType, depth int) binder {
	fields := make([]binder, t.NumFields())
	names := make([][]byte, t.NumFields())
	for k, fld := range t.Fields() {
		fields[k] = f.compileJSON(fld.Type, depth+1)
		names[k] = append(appendJSONString(nil, []byte(fld.Name)), ':')
	}
	return func(a arrow.Array) appender {
		s, ok := a.(*array.Struct)
		if !ok || s.NumField() != len(fields) {
			return f.quoted(bindFallback)(a)
		}
		cols := make([]arrow.Array, len(fields))
		apps := make([]appender, len(fields))
		for k := range fields {
			cols[k] = s.Field(k)
			apps[k] = fields[k](cols[k])
		}
		return func(dst []byte, i int) []byte {
			dst = append(dst, '{')
			for k, c := range cols {
				if len(dst) > f.stop {
					break
				}
				if k > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, names[k]...)
				dst = f.jsonValue(dst, c, apps[k], i)
			}
			return append(dst, '}')
		}
	}
}

// jsonValue appends value i of a (null when it is null).
func (f *Formatter) jsonValue(dst []byte, a arrow.Array, app appender, i int) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	return app(dst, i)
}
