// Package arrowfmt decodes the Arrow IPC streams Spark Connect sends
// (ExecutePlanResponse.ArrowBatch.data, LocalRelation.data) and renders every
// value as text exactly as Spark 4.0's CAST(value AS STRING) does, so results
// shown by the language server match what users see from Spark itself.
package arrowfmt

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Cell is one rendered value. Null distinguishes SQL NULL from the string
// "null" (Text is "" for NULL); nested NULLs inside arrays, maps and structs
// are part of the parent's text, rendered "null" as Spark's CAST does.
// Display is the JSON display form of a struct, map or array value
// (display.go); "" for other columns, for NULL, and when it is longer than
// MaxCellBytes (a cut JSON would not read).
type Cell struct {
	Text    string
	Null    bool
	Display string
}

// Options tune rendering.
type Options struct {
	// MaxCellBytes caps the length of a rendered cell in bytes, including the
	// trailing "…" (3 bytes) that marks a cut. Cuts never split a UTF-8
	// sequence. Nested values stop rendering early once past the cap, so a
	// huge array does not cost more than its visible prefix. 0 = no limit.
	MaxCellBytes int

	// ShortestFloats prints float/double with the shortest round-trip
	// digits, as Spark does on Java 19+ (e.g. Java 21). By default digits
	// follow Java 17's Double.toString, which the verified Spark 4.0.1 server
	// runs on and which sometimes prints more digits (1e23 ->
	// "9.999999999999999E22").
	ShortestFloats bool
}

const ellipsis = "…"

// appender appends the text of the non-null value at index i.
type appender func(dst []byte, i int) []byte

// binder specialises a renderer to one concrete array (one column of one
// batch), so the per-cell path is a direct closure call without type switches
// or interface assertions.
type binder func(a arrow.Array) appender

// Formatter renders the rows of record batches that share one schema. Build
// it once per result (NewFormatter compiles one closure tree per column) and
// call Row for each row. It keeps per-batch state and reuses buffers, so it is
// not safe for concurrent use; use one Formatter per goroutine.
type Formatter struct {
	opt     Options
	schema  *arrow.Schema
	binders []binder
	jsons   []binder // display form of nested columns, nil for the others

	rec     arrow.RecordBatch // batch the appenders below are bound to
	cols    []arrow.Array
	render  []appender
	jrender []appender
	allNull []bool // Arrow Null columns (their IsNull reports false)

	buf     []byte
	bounds  []int // start,end pairs per column into buf; start -1 = NULL
	jbounds []int // the same for the display form; start -1 = none
	scratch []byte
	stop    int // nested renderers may stop once len(dst) exceeds this
}

// NewFormatter compiles renderers for every column of schema.
func NewFormatter(schema *arrow.Schema, opt Options) *Formatter {
	if opt.MaxCellBytes < 0 {
		opt.MaxCellBytes = 0
	}
	f := &Formatter{opt: opt}
	f.compileSchema(schema)
	return f
}

func (f *Formatter) compileSchema(schema *arrow.Schema) {
	f.schema = schema
	f.binders, f.jsons = f.binders[:0], f.jsons[:0]
	for _, fld := range schema.Fields() {
		f.binders = append(f.binders, f.compileTop(fld))
		var j binder
		if isNested(fld.Type) {
			j = f.compileJSON(fld.Type, 0)
		}
		f.jsons = append(f.jsons, j)
	}
	f.rec = nil
}

func (f *Formatter) bind(rec arrow.RecordBatch) {
	if s := rec.Schema(); s != f.schema && !s.Equal(f.schema) {
		// A batch with a different schema (should not happen within one
		// result) gets freshly compiled renderers rather than a panic.
		f.compileSchema(s)
	}
	n := int(rec.NumCols())
	f.cols = append(f.cols[:0], rec.Columns()...)
	f.render, f.jrender = f.render[:0], f.jrender[:0]
	f.allNull = f.allNull[:0]
	for c := 0; c < n; c++ {
		f.render = append(f.render, f.binders[c](f.cols[c]))
		var j appender
		if f.jsons[c] != nil {
			j = f.jsons[c](f.cols[c])
		}
		f.jrender = append(f.jrender, j)
		f.allNull = append(f.allNull, f.cols[c].DataType().ID() == arrow.NULL)
	}
	f.rec = rec
}

// Row appends the rendered cells of row i of rec (one per column) to dst and
// returns the extended slice; pass dst[:0] to reuse a slice. All cell texts
// of a row share one string allocation. i must be in [0, rec.NumRows()).
func (f *Formatter) Row(rec arrow.RecordBatch, i int, dst []Cell) []Cell {
	if rec != f.rec {
		f.bind(rec)
	}
	limit := f.opt.MaxCellBytes
	buf := f.buf[:0]
	bounds, jbounds := f.bounds[:0], f.jbounds[:0]
	for c, col := range f.cols {
		if col.IsNull(i) || f.allNull[c] {
			bounds = append(bounds, -1, -1)
			jbounds = append(jbounds, -1, -1)
			continue
		}
		start := len(buf)
		f.stop = math.MaxInt
		if limit > 0 {
			f.stop = start + limit
		}
		buf = f.render[c](buf, i)
		if limit > 0 && len(buf)-start > limit {
			buf = cut(buf, start, limit)
		}
		bounds = append(bounds, start, len(buf))
		js := -1
		if f.jrender[c] != nil {
			js = len(buf)
			if limit > 0 {
				f.stop = js + limit
			}
			buf = f.jrender[c](buf, i)
			if limit > 0 && len(buf)-js > limit {
				buf, js = buf[:js], -1
			}
		}
		jbounds = append(jbounds, js, len(buf))
	}
	s := string(buf)
	for c := 0; c < len(bounds); c += 2 {
		switch {
		case bounds[c] < 0:
			dst = append(dst, Cell{Null: true})
		case jbounds[c] >= 0:
			dst = append(dst, Cell{Text: s[bounds[c]:bounds[c+1]], Display: s[jbounds[c]:jbounds[c+1]]})
		default:
			dst = append(dst, Cell{Text: s[bounds[c]:bounds[c+1]]})
		}
	}
	f.buf, f.bounds, f.jbounds = buf, bounds, jbounds
	return dst
}

// cut shortens buf[start:] to at most limit bytes including the ellipsis,
// backing up to a UTF-8 sequence boundary.
func cut(buf []byte, start, limit int) []byte {
	keep := limit - len(ellipsis)
	if keep < 0 {
		keep = 0
	}
	end := start + keep
	// buf[end] exists (the cell is longer than limit); stepping back until
	// it is not a continuation byte leaves buf[:end] on a rune boundary.
	for end > start && !utf8.RuneStart(buf[end]) {
		end--
	}
	return append(buf[:end], ellipsis...)
}

// compileTop compiles the renderer for a top-level column. Binary columns
// render as Spark's df.show() does ("[00 FF 10]"), because CAST(binary AS
// STRING) just reinterprets the bytes as UTF-8 which is unreadable for
// non-text data; nested binary follows CAST.
func (f *Formatter) compileTop(fld arrow.Field) binder {
	switch fld.Type.ID() {
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return bindBinaryHex
	}
	return f.compile(fld.Type, 0)
}

// compile returns the binder for values of type dt nested depth levels deep.
func (f *Formatter) compile(dt arrow.DataType, depth int) binder {
	if depth > maxDepth {
		return bindFallback
	}
	shortest := f.opt.ShortestFloats
	switch t := dt.(type) {
	case *arrow.NullType:
		return func(arrow.Array) appender {
			return func(dst []byte, _ int) []byte { return append(dst, "null"...) }
		}
	case *arrow.BooleanType:
		return func(a arrow.Array) appender {
			b, ok := a.(*array.Boolean)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte {
				if b.Value(i) {
					return append(dst, "true"...)
				}
				return append(dst, "false"...)
			}
		}
	case *arrow.Int8Type:
		return bindInts(func(a *array.Int8) []int8 { return a.Int8Values() })
	case *arrow.Int16Type:
		return bindInts(func(a *array.Int16) []int16 { return a.Int16Values() })
	case *arrow.Int32Type:
		return bindInts(func(a *array.Int32) []int32 { return a.Int32Values() })
	case *arrow.Int64Type:
		return bindInts(func(a *array.Int64) []int64 { return a.Int64Values() })
	case *arrow.Uint8Type:
		return bindUints(func(a *array.Uint8) []uint8 { return a.Uint8Values() })
	case *arrow.Uint16Type:
		return bindUints(func(a *array.Uint16) []uint16 { return a.Uint16Values() })
	case *arrow.Uint32Type:
		return bindUints(func(a *array.Uint32) []uint32 { return a.Uint32Values() })
	case *arrow.Uint64Type:
		return bindUints(func(a *array.Uint64) []uint64 { return a.Uint64Values() })
	case *arrow.Float16Type:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Float16)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte {
				return appendJavaFloat(dst, float64(v.Value(i).Float32()), 32, shortest)
			}
		}
	case *arrow.Float32Type:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Float32)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Float32Values()
			return func(dst []byte, i int) []byte { return appendJavaFloat(dst, float64(vals[i]), 32, shortest) }
		}
	case *arrow.Float64Type:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Float64)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Float64Values()
			return func(dst []byte, i int) []byte { return appendJavaFloat(dst, vals[i], 64, shortest) }
		}
	case *arrow.Decimal32Type:
		scale := t.Scale
		if !saneScale(scale) {
			return bindInvalid("decimal scale")
		}
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Decimal32)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte { return appendPlainDecimal(dst, int64(v.Value(i)), scale) }
		}
	case *arrow.Decimal64Type:
		scale := t.Scale
		if !saneScale(scale) {
			return bindInvalid("decimal scale")
		}
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Decimal64)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte { return appendPlainDecimal(dst, int64(v.Value(i)), scale) }
		}
	case *arrow.Decimal128Type:
		scale := t.Scale
		if !saneScale(scale) {
			return bindInvalid("decimal scale")
		}
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Decimal128)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Values()
			return func(dst []byte, i int) []byte {
				n := vals[i]
				lo, hi := n.LowBits(), n.HighBits()
				if (hi == 0 && lo <= math.MaxInt64) || (hi == -1 && lo > math.MaxInt64) {
					return appendPlainDecimal(dst, int64(lo), scale)
				}
				return appendBigDecimal(dst, n.BigInt(), scale)
			}
		}
	case *arrow.Decimal256Type:
		scale := t.Scale
		if !saneScale(scale) {
			return bindInvalid("decimal scale")
		}
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Decimal256)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte { return appendBigDecimal(dst, v.Value(i).BigInt(), scale) }
		}
	case *arrow.StringType:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.String)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte { return append(dst, v.Value(i)...) }
		}
	case *arrow.LargeStringType:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.LargeString)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte { return append(dst, v.Value(i)...) }
		}
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		// CAST(binary AS STRING) = the bytes as (possibly invalid) UTF-8.
		return func(a arrow.Array) appender {
			get, ok := binaryGetter(a)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte { return append(dst, get(i)...) }
		}
	case *arrow.Date32Type:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Date32)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Date32Values()
			return func(dst []byte, i int) []byte { return appendDate(dst, int64(vals[i])) }
		}
	case *arrow.Date64Type:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Date64)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Date64Values()
			return func(dst []byte, i int) []byte { return appendDate(dst, floorDiv(int64(vals[i]), 86_400_000)) }
		}
	case *arrow.TimestampType:
		return f.compileTimestamp(t)
	case *arrow.Time32Type:
		perSec := unitPerSec(t.Unit)
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Time32)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Time32Values()
			return func(dst []byte, i int) []byte { return appendTimeOfDay(dst, int64(vals[i]), perSec) }
		}
	case *arrow.Time64Type:
		perSec := unitPerSec(t.Unit)
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Time64)
			if !ok {
				return bindFallback(a)
			}
			vals := v.Time64Values()
			return func(dst []byte, i int) []byte { return appendTimeOfDay(dst, int64(vals[i]), perSec) }
		}
	case *arrow.DurationType:
		// Spark DayTimeIntervalType -> Duration(µs); the start/end fields
		// are lost, Spark itself reads it back as DAY TO SECOND.
		perSec := unitPerSec(t.Unit)
		return func(a arrow.Array) appender {
			v, ok := a.(*array.Duration)
			if !ok {
				return bindFallback(a)
			}
			vals := v.DurationValues()
			return func(dst []byte, i int) []byte {
				return appendDayTimeInterval(dst, toMicros(int64(vals[i]), perSec))
			}
		}
	case *arrow.MonthIntervalType:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.MonthInterval)
			if !ok {
				return bindFallback(a)
			}
			vals := v.MonthIntervalValues()
			return func(dst []byte, i int) []byte { return appendYearMonthInterval(dst, int32(vals[i])) }
		}
	case *arrow.MonthDayNanoIntervalType:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.MonthDayNanoInterval)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte {
				x := v.Value(i)
				return appendCalendarInterval(dst, x.Months, x.Days, x.Nanoseconds/1000)
			}
		}
	case *arrow.DayTimeIntervalType:
		return func(a arrow.Array) appender {
			v, ok := a.(*array.DayTimeInterval)
			if !ok {
				return bindFallback(a)
			}
			return func(dst []byte, i int) []byte {
				x := v.Value(i)
				return appendCalendarInterval(dst, 0, x.Days, int64(x.Milliseconds)*1000)
			}
		}
	case *arrow.ListType:
		return f.compileList(t.Elem(), depth)
	case *arrow.LargeListType:
		return f.compileList(t.Elem(), depth)
	case *arrow.FixedSizeListType:
		return f.compileList(t.Elem(), depth)
	case *arrow.MapType:
		return f.compileMap(t, depth)
	case *arrow.StructType:
		if isVariant(t) {
			return f.compileVariant()
		}
		return f.compileStruct(t, depth)
	case arrow.ExtensionType:
		storage := f.compile(t.StorageType(), depth+1)
		return func(a arrow.Array) appender {
			e, ok := a.(array.ExtensionArray)
			if !ok {
				return bindFallback(a)
			}
			return storage(e.Storage())
		}
	case *arrow.DictionaryType:
		values := f.compile(t.ValueType, depth+1)
		return func(a arrow.Array) appender {
			d, ok := a.(*array.Dictionary)
			if !ok || d.Dictionary() == nil {
				return bindFallback(a)
			}
			dict := d.Dictionary()
			app := values(dict)
			n := dict.Len()
			return func(dst []byte, i int) []byte {
				j := d.GetValueIndex(i)
				if j < 0 || j >= n {
					return append(dst, "<invalid dictionary index>"...)
				}
				if dict.IsNull(j) {
					return append(dst, "null"...)
				}
				return app(dst, j)
			}
		}
	}
	return bindFallback
}

// saneScale bounds decimal scales: Spark uses 0..38, and a corrupt schema
// with scale 2^31 would otherwise print two billion zeros.
func saneScale(s int32) bool { return s >= -100 && s <= 100 }

func bindInvalid(what string) binder {
	text := "<invalid " + what + ">"
	return func(arrow.Array) appender {
		return func(dst []byte, _ int) []byte { return append(dst, text...) }
	}
}

// bindFallback renders types Spark never sends (unions, views, ...) with
// arrow-go's ValueStr, guarding against any panic from it.
func bindFallback(a arrow.Array) appender {
	return func(dst []byte, i int) (out []byte) {
		defer func() {
			if p := recover(); p != nil {
				out = append(dst, "<unrenderable>"...)
			}
		}()
		return append(dst, a.ValueStr(i)...)
	}
}

func bindInts[A arrow.Array, T int8 | int16 | int32 | int64](values func(A) []T) binder {
	return func(a arrow.Array) appender {
		v, ok := a.(A)
		if !ok {
			return bindFallback(a)
		}
		vals := values(v)
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(vals[i]), 10) }
	}
}

func bindUints[A arrow.Array, T uint8 | uint16 | uint32 | uint64](values func(A) []T) binder {
	return func(a arrow.Array) appender {
		v, ok := a.(A)
		if !ok {
			return bindFallback(a)
		}
		vals := values(v)
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(vals[i]), 10) }
	}
}

func binaryGetter(a arrow.Array) (func(int) []byte, bool) {
	switch v := a.(type) {
	case *array.Binary:
		return v.Value, true
	case *array.LargeBinary:
		return v.Value, true
	case *array.BinaryView:
		return v.Value, true
	case *array.FixedSizeBinary:
		return v.Value, true
	}
	return nil, false
}

const hexDigits = "0123456789ABCDEF"

// bindBinaryHex renders binary as Spark 4.0's df.show() does by default
// (spark.sql.binaryOutputStyle unset): "[00 FF 10]", uppercase hex.
func bindBinaryHex(a arrow.Array) appender {
	get, ok := binaryGetter(a)
	if !ok {
		return bindFallback(a)
	}
	return func(dst []byte, i int) []byte {
		dst = append(dst, '[')
		for k, b := range get(i) {
			if k > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, hexDigits[b>>4], hexDigits[b&15])
		}
		return append(dst, ']')
	}
}

func unitPerSec(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1
	case arrow.Millisecond:
		return 1_000
	case arrow.Microsecond:
		return 1_000_000
	default:
		return 1_000_000_000
	}
}

func toMicros(v, perSec int64) int64 {
	switch perSec {
	case 1:
		return v * 1_000_000
	case 1_000:
		return v * 1_000
	case 1_000_000:
		return v
	default:
		return floorDiv(v, 1_000)
	}
}

// appendTimeOfDay renders Spark 4.1's TIME (Arrow Time64) as HH:mm:ss with
// trailing-zero-trimmed fraction.
func appendTimeOfDay(dst []byte, v, perSec int64) []byte {
	sec := floorDiv(v, perSec)
	nanos := (v - sec*perSec) * (1_000_000_000 / perSec)
	sec %= 86400
	if sec < 0 {
		sec += 86400
	}
	dst = appendClock(dst, int(sec))
	return appendFraction(dst, nanos)
}

// zoneCache remembers the UTC offset of the zone period last looked up, so
// consecutive timestamps (usually close together) skip the tz lookup.
type zoneCache struct {
	loc        *time.Location
	start, end int64 // [start, end) in Unix seconds where off applies
	off        int64
}

func (z *zoneCache) offset(sec int64) int64 {
	if sec >= z.start && sec < z.end {
		return z.off
	}
	t := time.Unix(sec, 0).In(z.loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	z.start, z.end = math.MinInt64, math.MaxInt64
	if !s.IsZero() {
		z.start = s.Unix()
	}
	if !e.IsZero() {
		z.end = e.Unix()
	}
	z.off = int64(off)
	return z.off
}

// compileTimestamp: Arrow timestamps with a time zone are Spark TIMESTAMP
// (instants, shown in the session time zone, which Spark writes into the
// Arrow type); without one they are TIMESTAMP_NTZ (wall clock, no shift).
func (f *Formatter) compileTimestamp(t *arrow.TimestampType) binder {
	perSec := unitPerSec(t.Unit)
	nanosPer := 1_000_000_000 / perSec
	var loc *time.Location
	if t.TimeZone != "" {
		loc = loadZone(t.TimeZone)
	}
	return func(a arrow.Array) appender {
		v, ok := a.(*array.Timestamp)
		if !ok {
			return bindFallback(a)
		}
		vals := v.TimestampValues()
		if loc == nil || loc == time.UTC {
			return func(dst []byte, i int) []byte {
				x := int64(vals[i])
				sec := floorDiv(x, perSec)
				return appendLocalDateTime(dst, sec, (x-sec*perSec)*nanosPer)
			}
		}
		z := &zoneCache{loc: loc, start: 1, end: 0}
		return func(dst []byte, i int) []byte {
			x := int64(vals[i])
			sec := floorDiv(x, perSec)
			return appendLocalDateTime(dst, sec+z.offset(sec), (x-sec*perSec)*nanosPer)
		}
	}
}

// loadZone resolves an Arrow/Spark time zone string: an IANA name
// ("America/Los_Angeles"), "UTC"/"Z", or a fixed offset such as "+08:00",
// "-0530", "GMT+8", "UTC-03:30". Unknown zones fall back to UTC.
func loadZone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	s := name
	for _, p := range []string{"UTC", "GMT", "UT"} {
		if len(s) > len(p) && s[:len(p)] == p && (s[len(p)] == '+' || s[len(p)] == '-') {
			s = s[len(p):]
			break
		}
	}
	if s == "Z" {
		return time.UTC
	}
	if len(s) >= 2 && (s[0] == '+' || s[0] == '-') {
		var h, m, sec, k int
		digits := func(n int) (int, bool) {
			if k+n > len(s) {
				return 0, false
			}
			v := 0
			for j := 0; j < n; j++ {
				c := s[k+j]
				if c < '0' || c > '9' {
					return 0, false
				}
				v = v*10 + int(c-'0')
			}
			k += n
			return v, true
		}
		k = 1
		ok := true
		if len(s) == 2 || (len(s) > 2 && (s[2] < '0' || s[2] > '9')) {
			h, ok = digits(1)
		} else {
			h, ok = digits(2)
		}
		if ok && k < len(s) {
			if s[k] == ':' {
				k++
			}
			m, ok = digits(2)
			if ok && k < len(s) {
				if s[k] == ':' {
					k++
				}
				sec, ok = digits(2)
			}
		}
		if ok && k == len(s) && h <= 18 && m < 60 && sec < 60 {
			off := h*3600 + m*60 + sec
			if s[0] == '-' {
				off = -off
			}
			return time.FixedZone(name, off)
		}
	}
	return time.UTC
}

func (f *Formatter) compileList(elem arrow.DataType, depth int) binder {
	child := f.compile(elem, depth+1)
	return func(a arrow.Array) appender {
		l, ok := a.(array.ListLike)
		if !ok {
			return bindFallback(a)
		}
		values := l.ListValues()
		app := child(values)
		return func(dst []byte, i int) []byte {
			start, end := l.ValueOffsets(i)
			dst = append(dst, '[')
			for j := start; j < end; j++ {
				if j > start {
					dst = append(dst, ',', ' ')
				}
				if len(dst) > f.stop {
					break
				}
				if values.IsNull(int(j)) {
					dst = append(dst, "null"...)
				} else {
					dst = app(dst, int(j))
				}
			}
			return append(dst, ']')
		}
	}
}

func (f *Formatter) compileMap(t *arrow.MapType, depth int) binder {
	key := f.compile(t.KeyType(), depth+1)
	item := f.compile(t.ItemType(), depth+1)
	return func(a arrow.Array) appender {
		m, ok := a.(*array.Map)
		if !ok {
			return bindFallback(a)
		}
		keys, items := m.Keys(), m.Items()
		kapp, iapp := key(keys), item(items)
		return func(dst []byte, i int) []byte {
			start, end := m.ValueOffsets(i)
			dst = append(dst, '{')
			for j := start; j < end; j++ {
				if j > start {
					dst = append(dst, ',', ' ')
				}
				if len(dst) > f.stop {
					break
				}
				if keys.IsNull(int(j)) {
					dst = append(dst, "null"...)
				} else {
					dst = kapp(dst, int(j))
				}
				dst = append(dst, " -> "...)
				if items.IsNull(int(j)) {
					dst = append(dst, "null"...)
				} else {
					dst = iapp(dst, int(j))
				}
			}
			return append(dst, '}')
		}
	}
}

func (f *Formatter) compileStruct(t *arrow.StructType, depth int) binder {
	fields := make([]binder, t.NumFields())
	for k, fld := range t.Fields() {
		fields[k] = f.compile(fld.Type, depth+1)
	}
	return func(a arrow.Array) appender {
		s, ok := a.(*array.Struct)
		if !ok || s.NumField() != len(fields) {
			return bindFallback(a)
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
				if k > 0 {
					dst = append(dst, ',', ' ')
				}
				if len(dst) > f.stop {
					break
				}
				if c.IsNull(i) {
					dst = append(dst, "null"...)
				} else {
					dst = apps[k](dst, i)
				}
			}
			return append(dst, '}')
		}
	}
}

// String implements fmt.Stringer for debugging.
func (c Cell) String() string {
	if c.Null {
		return "NULL"
	}
	return fmt.Sprintf("%q", c.Text)
}
