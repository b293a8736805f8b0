package arrowfmt

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Spark 4.0 sends VARIANT as an Arrow struct<value: binary, metadata: binary>
// whose "metadata" child field carries the field metadata variant=true.
// Variants render as compact JSON, the way df.show() and to_json() print
// them and the way CAST(... AS STRING) prints variants nested in arrays,
// maps and structs (verified on Spark 4.0.1: strings quoted, dates and
// timestamps as quoted strings, binary as base64, decimals with trailing
// zeros stripped). A top-level CAST(v AS STRING) differs only for scalars:
// it unquotes strings, turns a JSON null into SQL NULL and prints binary
// as raw bytes; the JSON form is kept because it shows the variant's type.
// This file decodes the Variant binary encoding (value + metadata dictionary).

func isVariant(t *arrow.StructType) bool {
	if t.NumFields() != 2 {
		return false
	}
	v, m := t.Field(0), t.Field(1)
	if v.Name != "value" || m.Name != "metadata" {
		return false
	}
	if !isBinaryType(v.Type) || !isBinaryType(m.Type) {
		return false
	}
	flag, ok := m.Metadata.GetValue("variant")
	return ok && flag == "true"
}

func isBinaryType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return true
	}
	return false
}

func (f *Formatter) compileVariant() binder {
	return func(a arrow.Array) appender {
		s, ok := a.(*array.Struct)
		if !ok || s.NumField() != 2 {
			return bindFallback(a)
		}
		val, ok1 := binaryGetter(s.Field(0))
		meta, ok2 := binaryGetter(s.Field(1))
		if !ok1 || !ok2 {
			return bindFallback(a)
		}
		return func(dst []byte, i int) []byte {
			start := len(dst)
			v := variant{value: val(i), meta: meta(i), stop: f.stop, shortest: f.opt.ShortestFloats}
			out, ok := v.appendJSON(dst, 0, 0)
			if !ok {
				return append(dst[:start], "<malformed variant>"...)
			}
			return out
		}
	}
}

type variant struct {
	value, meta []byte
	stop        int
	shortest    bool
}

const (
	vPrimitive = 0
	vShortStr  = 1
	vObject    = 2
	vArray     = 3
)

func readLE(b []byte, pos, size int) (int, bool) {
	if pos < 0 || size < 1 || size > 4 || pos+size > len(b) {
		return 0, false
	}
	n := 0
	for k := size - 1; k >= 0; k-- {
		n = n<<8 | int(b[pos+k])
	}
	return n, true
}

// metaKey returns dictionary string id of the metadata.
func (v *variant) metaKey(id int) ([]byte, bool) {
	if len(v.meta) < 1 || v.meta[0]&0x0f != 1 {
		return nil, false
	}
	osz := int(v.meta[0]>>6) + 1
	n, ok := readLE(v.meta, 1, osz)
	if !ok || id < 0 || id >= n {
		return nil, false
	}
	base := 1 + osz
	lo, ok1 := readLE(v.meta, base+id*osz, osz)
	hi, ok2 := readLE(v.meta, base+(id+1)*osz, osz)
	data := base + (n+1)*osz
	if !ok1 || !ok2 || lo > hi || data+hi > len(v.meta) {
		return nil, false
	}
	return v.meta[data+lo : data+hi], true
}

func (v *variant) appendJSON(dst []byte, pos, depth int) ([]byte, bool) {
	if pos < 0 || pos >= len(v.value) || depth > maxDepth {
		return dst, false
	}
	h := v.value[pos]
	basic, info := int(h&3), int(h>>2)
	switch basic {
	case vShortStr:
		end := pos + 1 + info
		if end > len(v.value) {
			return dst, false
		}
		return appendJSONString(dst, v.value[pos+1:end]), true
	case vObject:
		large := info&0x10 != 0
		idSize := (info>>2)&3 + 1
		offSize := info&3 + 1
		nsz := 1
		if large {
			nsz = 4
		}
		n, ok := readLE(v.value, pos+1, nsz)
		if !ok {
			return dst, false
		}
		idStart := pos + 1 + nsz
		offStart := idStart + n*idSize
		dataStart := offStart + (n+1)*offSize
		if dataStart > len(v.value) || n < 0 {
			return dst, false
		}
		dst = append(dst, '{')
		for k := 0; k < n; k++ {
			if k > 0 {
				dst = append(dst, ',')
			}
			if len(dst) > v.stop {
				break
			}
			id, ok1 := readLE(v.value, idStart+k*idSize, idSize)
			off, ok2 := readLE(v.value, offStart+k*offSize, offSize)
			key, ok3 := v.metaKey(id)
			if !ok1 || !ok2 || !ok3 {
				return dst, false
			}
			dst = appendJSONString(dst, key)
			dst = append(dst, ':')
			if dst, ok = v.appendJSON(dst, dataStart+off, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	case vArray:
		large := info&0x4 != 0
		offSize := info&3 + 1
		nsz := 1
		if large {
			nsz = 4
		}
		n, ok := readLE(v.value, pos+1, nsz)
		if !ok {
			return dst, false
		}
		offStart := pos + 1 + nsz
		dataStart := offStart + (n+1)*offSize
		if dataStart > len(v.value) || n < 0 {
			return dst, false
		}
		dst = append(dst, '[')
		for k := 0; k < n; k++ {
			if k > 0 {
				dst = append(dst, ',')
			}
			if len(dst) > v.stop {
				break
			}
			off, ok1 := readLE(v.value, offStart+k*offSize, offSize)
			if !ok1 {
				return dst, false
			}
			if dst, ok = v.appendJSON(dst, dataStart+off, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	}
	// Primitive.
	body := v.value[pos+1:]
	need := func(n int) bool { return len(body) >= n }
	switch info {
	case 0:
		return append(dst, "null"...), true
	case 1:
		return append(dst, "true"...), true
	case 2:
		return append(dst, "false"...), true
	case 3:
		if !need(1) {
			return dst, false
		}
		return strconv.AppendInt(dst, int64(int8(body[0])), 10), true
	case 4:
		if !need(2) {
			return dst, false
		}
		return strconv.AppendInt(dst, int64(int16(binary.LittleEndian.Uint16(body))), 10), true
	case 5:
		if !need(4) {
			return dst, false
		}
		return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(body))), 10), true
	case 6:
		if !need(8) {
			return dst, false
		}
		return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(body)), 10), true
	case 7: // double
		if !need(8) {
			return dst, false
		}
		return appendJSONFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(body)), 64, v.shortest), true
	case 14: // float
		if !need(4) {
			return dst, false
		}
		return appendJSONFloat(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(body))), 32, v.shortest), true
	case 8, 9, 10: // decimal4/8/16: scale byte, then the unscaled value (little-endian)
		size := 4 << (info - 8)
		if !need(1 + size) {
			return dst, false
		}
		// Spark prints variant decimals with stripTrailingZeros().toPlainString().
		scale := int32(body[0])
		if scale > 38 {
			return dst, false
		}
		u := body[1 : 1+size]
		var n *big.Int
		switch size {
		case 4:
			n = big.NewInt(int64(int32(binary.LittleEndian.Uint32(u))))
		case 8:
			n = big.NewInt(int64(binary.LittleEndian.Uint64(u)))
		default:
			var be [16]byte
			for k := range be {
				be[k] = u[15-k]
			}
			n = new(big.Int).SetBytes(be[:])
			if be[0]&0x80 != 0 {
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 128))
			}
		}
		var q, r big.Int
		ten := big.NewInt(10)
		for scale > 0 && n.Sign() != 0 {
			q.QuoRem(n, ten, &r)
			if r.Sign() != 0 {
				break
			}
			n.Set(&q)
			scale--
		}
		if n.Sign() == 0 {
			scale = 0
		}
		return appendBigDecimal(dst, n, scale), true
	case 11: // date: days since epoch
		if !need(4) {
			return dst, false
		}
		dst = append(dst, '"')
		dst = appendDate(dst, int64(int32(binary.LittleEndian.Uint32(body))))
		return append(dst, '"'), true
	case 12, 13: // timestamp (UTC instant, printed with +00:00) / timestamp_ntz, µs
		if !need(8) {
			return dst, false
		}
		x := int64(binary.LittleEndian.Uint64(body))
		sec := floorDiv(x, 1_000_000)
		dst = append(dst, '"')
		dst = appendLocalDateTime(dst, sec, (x-sec*1_000_000)*1000)
		if info == 12 {
			dst = append(dst, "+00:00"...)
		}
		return append(dst, '"'), true
	case 15: // binary: base64 string
		if !need(4) {
			return dst, false
		}
		n := int(binary.LittleEndian.Uint32(body))
		if n < 0 || !need(4+n) {
			return dst, false
		}
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, body[4:4+n])
		return append(dst, '"'), true
	case 16: // long string
		if !need(4) {
			return dst, false
		}
		n := int(binary.LittleEndian.Uint32(body))
		if n < 0 || !need(4+n) {
			return dst, false
		}
		return appendJSONString(dst, body[4:4+n]), true
	case 20: // uuid, big-endian 16 bytes
		if !need(16) {
			return dst, false
		}
		const hx = "0123456789abcdef"
		dst = append(dst, '"')
		for k, b := range body[:16] {
			if k == 4 || k == 6 || k == 8 || k == 10 {
				dst = append(dst, '-')
			}
			dst = append(dst, hx[b>>4], hx[b&15])
		}
		return append(dst, '"'), true
	}
	return dst, false
}

// appendJSONString quotes s as Jackson's JsonGenerator.writeString does:
// escapes '"', '\\' and control characters (\b \t \n \f \r short forms,
// others \u00XX); everything else, including non-ASCII, is copied.
func appendJSONString(dst, s []byte) []byte {
	const hx = "0123456789ABCDEF"
	dst = append(dst, '"')
	for k := 0; k < len(s); {
		c := s[k]
		if c >= 0x80 {
			r, size := utf8.DecodeRune(s[k:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, s[k:k+size]...)
			}
			k += size
			continue
		}
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hx[c>>4], hx[c&15])
			} else {
				dst = append(dst, c)
			}
		}
		k++
	}
	return append(dst, '"')
}

// appendJSONFloat prints a variant float/double: Java's toString digits, with
// NaN and the infinities quoted as Spark's JSON writer does.
func appendJSONFloat(dst []byte, x float64, bits int, shortest bool) []byte {
	if x != x || math.IsInf(x, 0) {
		dst = append(dst, '"')
		dst = appendJavaFloat(dst, x, bits, shortest)
		return append(dst, '"')
	}
	return appendJavaFloat(dst, x, bits, shortest)
}
