package arrowfmt

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ---- helpers ----

// writeStream encodes batches (each a list of column-filling functions run
// against fresh builders) as one Arrow IPC stream, like Spark's ArrowBatch.
func writeStream(t testing.TB, schema *arrow.Schema, batches ...func(*array.RecordBuilder)) []byte {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	for _, fill := range batches {
		b := array.NewRecordBuilder(mem, schema)
		fill(b)
		rec := b.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		b.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// renderAll decodes data and renders every row.
func renderAll(t testing.TB, data []byte, opt Options) [][]Cell {
	t.Helper()
	var rows [][]Cell
	var f *Formatter
	_, err := ReadStream(data, func(rec arrow.RecordBatch) error {
		if f == nil {
			f = NewFormatter(rec.Schema(), opt)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, f.Row(rec, i, nil))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadStream: %v", err)
	}
	return rows
}

// N marks an expected SQL NULL in want lists.
const N = "\x00NULL"

func cellsOf(rows [][]Cell, col int) []string {
	var out []string
	for _, r := range rows {
		if r[col].Null {
			out = append(out, N)
		} else {
			out = append(out, r[col].Text)
		}
	}
	return out
}

// ---- rendering rules ----

type renderCase struct {
	name     string
	typ      arrow.DataType
	fill     func(b array.Builder)
	want     []string
	typeName string
}

func dec128(s string) decimal128.Num {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return decimal128.FromBigInt(n)
}

func TestRender(t *testing.T) {
	la := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/Los_Angeles"}
	utc := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	ntz := &arrow.TimestampType{Unit: arrow.Microsecond}
	// 2024-01-02 03:04:05.12 UTC in µs.
	const ts = int64(1704164645120000)

	cases := []renderCase{
		{"boolean", arrow.FixedWidthTypes.Boolean, func(b array.Builder) {
			b.(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
			b.AppendNull()
		}, []string{"true", "false", N}, "boolean"},
		{"tinyint", arrow.PrimitiveTypes.Int8, func(b array.Builder) {
			b.(*array.Int8Builder).AppendValues([]int8{1, -128, 127}, nil)
		}, []string{"1", "-128", "127"}, "tinyint"},
		{"smallint", arrow.PrimitiveTypes.Int16, func(b array.Builder) {
			b.(*array.Int16Builder).AppendValues([]int16{-32768}, nil)
		}, []string{"-32768"}, "smallint"},
		{"int", arrow.PrimitiveTypes.Int32, func(b array.Builder) {
			b.(*array.Int32Builder).AppendValues([]int32{0, math.MinInt32}, nil)
			b.AppendNull()
		}, []string{"0", "-2147483648", N}, "int"},
		{"bigint", arrow.PrimitiveTypes.Int64, func(b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{math.MaxInt64, math.MinInt64}, nil)
		}, []string{"9223372036854775807", "-9223372036854775808"}, "bigint"},
		{"double", arrow.PrimitiveTypes.Float64, func(b array.Builder) {
			pointOne, pointTwo := 0.1, 0.2 // runtime sum, not constant-folded
			b.(*array.Float64Builder).AppendValues([]float64{1, 0.1, 1e10, 1e-5, math.Copysign(0, -1), 0,
				math.NaN(), math.Inf(1), math.Inf(-1), 1e7, 9999999, 0.001, 0.000999, 123456.789, 100, -1.5,
				1.0 / 3, pointOne + pointTwo, 12345678.9, 4.9e-324, math.MaxFloat64,
				// Java 17's Double.toString is not always shortest (verified on the server):
				1e23, 2.82879384806159e17, 8.41e21, 5.6843418860808015e-14}, nil)
		}, []string{"1.0", "0.1", "1.0E10", "1.0E-5", "-0.0", "0.0", "NaN", "Infinity", "-Infinity", "1.0E7",
			"9999999.0", "0.001", "9.99E-4", "123456.789", "100.0", "-1.5", "0.3333333333333333",
			"0.30000000000000004", "1.23456789E7", "4.9E-324", "1.7976931348623157E308",
			"9.999999999999999E22", "2.82879384806159008E17", "8.409999999999999E21", "5.6843418860808015E-14"}, "double"},
		{"float", arrow.PrimitiveTypes.Float32, func(b array.Builder) {
			b.(*array.Float32Builder).AppendValues([]float32{1.1, 0.1, math.MaxFloat32, 1.4e-45, 16777216,
				1.0 / 3, 0.0009, 123456.7, 1e10, 2.5e-40, 1.5195824e12}, nil)
		}, []string{"1.1", "0.1", "3.4028235E38", "1.4E-45", "1.6777216E7", "0.33333334", "9.0E-4",
			"123456.7", "1.0E10", "2.5E-40", "1.51958245E12"}, "float"},
		{"decimal(12,2)", &arrow.Decimal128Type{Precision: 12, Scale: 2}, func(b array.Builder) {
			b.(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(1230),
				decimal128.FromI64(-1), decimal128.FromI64(0), decimal128.FromI64(-99)}, nil)
			b.AppendNull()
		}, []string{"12.30", "-0.01", "0.00", "-0.99", N}, "decimal(12,2)"},
		{"decimal(20,10)", &arrow.Decimal128Type{Precision: 20, Scale: 10}, func(b array.Builder) {
			b.(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(-100000000),
				decimal128.FromI64(0)}, nil)
		}, []string{"-0.0100000000", "0.0000000000"}, "decimal(20,10)"},
		{"decimal(38,12) wide", &arrow.Decimal128Type{Precision: 38, Scale: 12}, func(b array.Builder) {
			b.(*array.Decimal128Builder).AppendValues([]decimal128.Num{
				dec128("12345678901234567890123456123456789012"),
				dec128("-9223372036854775809"), dec128("-9223372036854775808")}, nil)
		}, []string{"12345678901234567890123456.123456789012", "-9223372.036854775809", "-9223372.036854775808"},
			"decimal(38,12)"},
		{"decimal(38,0)", &arrow.Decimal128Type{Precision: 38, Scale: 0}, func(b array.Builder) {
			b.(*array.Decimal128Builder).AppendValues([]decimal128.Num{
				dec128("-99999999999999999999999999999999999999")}, nil)
		}, []string{"-99999999999999999999999999999999999999"}, "decimal(38,0)"},
		{"decimal256", &arrow.Decimal256Type{Precision: 40, Scale: 5}, func(b array.Builder) {
			n, _ := new(big.Int).SetString("-1234567890123456789012345678901234567890", 10)
			b.(*array.Decimal256Builder).Append(decimal256.FromBigInt(n))
		}, []string{"-12345678901234567890123456789012345.67890"}, "decimal(40,5)"},
		{"string", arrow.BinaryTypes.String, func(b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"abc", "", "null", "NULL", "é日本🙂", "a\nb"}, nil)
			b.AppendNull()
		}, []string{"abc", "", "null", "NULL", "é日本🙂", "a\nb", N}, "string"},
		{"large_string", arrow.BinaryTypes.LargeString, func(b array.Builder) {
			b.(*array.LargeStringBuilder).AppendValues([]string{"big"}, nil)
		}, []string{"big"}, "string"},
		{"binary (df.show style)", arrow.BinaryTypes.Binary, func(b array.Builder) {
			b.(*array.BinaryBuilder).AppendValues([][]byte{{0x00, 0xff, 0x10}, {}, []byte("abc")}, nil)
			b.AppendNull()
		}, []string{"[00 FF 10]", "[]", "[61 62 63]", N}, "binary"},
		{"large_binary", arrow.BinaryTypes.LargeBinary, func(b array.Builder) {
			b.(*array.BinaryBuilder).Append([]byte{0xab})
		}, []string{"[AB]"}, "binary"},
		{"date", arrow.FixedWidthTypes.Date32, func(b array.Builder) {
			b.(*array.Date32Builder).AppendValues([]arrow.Date32{19724, -1, 0, -719162, -719163,
				2932897, -354525, -365242}, nil)
		}, []string{"2024-01-02", "1969-12-31", "1970-01-01", "0001-01-01", "0000-12-31",
			"+10000-01-01", "0999-05-06", "0970-01-01"}, "date"},
		{"timestamp UTC", utc, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts),
				arrow.Timestamp(ts + 3456), arrow.Timestamp(-1), arrow.Timestamp(-62135596800000000),
				arrow.Timestamp(253402300800000000), math.MinInt64 + 1}, nil)
		}, []string{"2024-01-02 03:04:05.12", "2024-01-02 03:04:05.123456", "1969-12-31 23:59:59.999999",
			"0001-01-01 00:00:00", "+10000-01-01 00:00:00", "-290308-12-21 19:59:05.224193"}, "timestamp"},
		{"timestamp America/Los_Angeles", la, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts),
				arrow.Timestamp(1710066600000000), arrow.Timestamp(1720000000000000), arrow.Timestamp(-5364662400000000)}, nil)
		}, []string{"2024-01-01 19:04:05.12", "2024-03-10 03:30:00", "2024-07-03 02:46:40",
			"1799-12-31 16:07:02"}, "timestamp"},
		{"timestamp fixed offset", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "+08:00"}, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(ts))
		}, []string{"2024-01-02 11:04:05.12"}, "timestamp"},
		{"timestamp unknown zone -> UTC", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Mars/Olympus"}, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(ts))
		}, []string{"2024-01-02 03:04:05.12"}, "timestamp"},
		{"timestamp_ntz", ntz, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts), 0}, nil)
		}, []string{"2024-01-02 03:04:05.12", "1970-01-01 00:00:00"}, "timestamp_ntz"},
		{"timestamp ns", &arrow.TimestampType{Unit: arrow.Nanosecond}, func(b array.Builder) {
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(ts*1000 + 7))
		}, []string{"2024-01-02 03:04:05.120000007"}, "timestamp_ntz"},
		{"day-time interval", arrow.FixedWidthTypes.Duration_us, func(b array.Builder) {
			b.(*array.DurationBuilder).AppendValues([]arrow.Duration{93784500000, -86400000001, 0,
				100 * 86400000000, math.MinInt64}, nil)
		}, []string{"INTERVAL '1 02:03:04.5' DAY TO SECOND", "INTERVAL '-1 00:00:00.000001' DAY TO SECOND",
			"INTERVAL '0 00:00:00' DAY TO SECOND", "INTERVAL '100 00:00:00' DAY TO SECOND",
			"INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND"}, "interval day to second"},
		{"year-month interval", arrow.FixedWidthTypes.MonthInterval, func(b array.Builder) {
			b.(*array.MonthIntervalBuilder).AppendValues([]arrow.MonthInterval{14, -3, 1200}, nil)
		}, []string{"INTERVAL '1-2' YEAR TO MONTH", "INTERVAL '-0-3' YEAR TO MONTH", "INTERVAL '100-0' YEAR TO MONTH"},
			"interval year to month"},
		{"calendar interval", arrow.FixedWidthTypes.MonthDayNanoInterval, func(b array.Builder) {
			b.(*array.MonthDayNanoIntervalBuilder).AppendValues([]arrow.MonthDayNanoInterval{
				{Months: 14, Days: 3, Nanoseconds: (4*3600+5*60+6)*1e9 + 5e8}, {}, {Nanoseconds: -1500000000}}, nil)
		}, []string{"1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds", "0 seconds", "-1.5 seconds"}, "interval"},
		{"void", arrow.Null, func(b array.Builder) { b.AppendNull(); b.AppendNull() }, []string{N, N}, "void"},
		{"array<int>", arrow.ListOf(arrow.PrimitiveTypes.Int32), func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			vb := lb.ValueBuilder().(*array.Int32Builder)
			lb.Append(true)
			vb.AppendValues([]int32{1, 2}, nil)
			vb.AppendNull()
			lb.Append(true)
			lb.AppendNull()
		}, []string{"[1, 2, null]", "[]", N}, "array<int>"},
		{"array<string> null vs 'null'", arrow.ListOf(arrow.BinaryTypes.String), func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			vb := lb.ValueBuilder().(*array.StringBuilder)
			lb.Append(true)
			vb.Append("a")
			vb.AppendNull()
			vb.Append("null")
			vb.Append("")
		}, []string{"[a, null, null, ]"}, "array<string>"},
		{"array<binary> is CAST-style", arrow.ListOf(arrow.BinaryTypes.Binary), func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.BinaryBuilder).Append([]byte("AB"))
		}, []string{"[AB]"}, "array<binary>"},
		{"map<string,int>", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32), func(b array.Builder) {
			mb := b.(*array.MapBuilder)
			kb := mb.KeyBuilder().(*array.StringBuilder)
			ib := mb.ItemBuilder().(*array.Int32Builder)
			mb.Append(true)
			kb.Append("a")
			ib.Append(1)
			kb.Append("b")
			ib.AppendNull()
			mb.Append(true)
			mb.AppendNull()
		}, []string{"{a -> 1, b -> null}", "{}", N}, "map<string,int>"},
		{"struct<sku:string,qty:int>", arrow.StructOf(
			arrow.Field{Name: "sku", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), func(b array.Builder) {
			sb := b.(*array.StructBuilder)
			sb.Append(true)
			sb.FieldBuilder(0).(*array.StringBuilder).Append("a")
			sb.FieldBuilder(1).(*array.Int32Builder).Append(1)
			sb.Append(true)
			sb.FieldBuilder(0).AppendNull()
			sb.FieldBuilder(1).AppendNull()
			sb.AppendNull()
		}, []string{"{a, 1}", "{null, null}", N}, "struct<sku:string,qty:int>"},
		{"map<string,array<struct<d:date,x:double>>>", arrow.MapOf(arrow.BinaryTypes.String,
			arrow.ListOf(arrow.StructOf(arrow.Field{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
				arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}))), func(b array.Builder) {
			mb := b.(*array.MapBuilder)
			mb.Append(true)
			mb.KeyBuilder().(*array.StringBuilder).Append("k")
			lb := mb.ItemBuilder().(*array.ListBuilder)
			lb.Append(true)
			sb := lb.ValueBuilder().(*array.StructBuilder)
			sb.Append(true)
			sb.FieldBuilder(0).(*array.Date32Builder).Append(19724)
			sb.FieldBuilder(1).(*array.Float64Builder).Append(1e10)
			sb.AppendNull()
		}, []string{"{k -> [{2024-01-02, 1.0E10}, null]}"}, "map<string,array<struct<d:date,x:double>>>"},
		{"variant", variantType(), func(b array.Builder) {
			sb := b.(*array.StructBuilder)
			add := func(value, meta []byte) {
				sb.Append(true)
				sb.FieldBuilder(0).(*array.BinaryBuilder).Append(value)
				sb.FieldBuilder(1).(*array.BinaryBuilder).Append(meta)
			}
			emptyMeta := []byte{0x01, 0x00, 0x00}
			add([]byte{0x09, 'h', 'i'}, emptyMeta)                                                     // short string
			add([]byte{0x02, 0x01, 0x00, 0x00, 0x02, 0x0c, 0x01}, []byte{0x01, 0x01, 0x00, 0x01, 'a'}) // {"a":1}
			add([]byte{0x03, 0x02, 0x00, 0x01, 0x02, 0x00, 0x04}, emptyMeta)                           // [null,true]
			add([]byte{0x7c}, emptyMeta)                                                               // unknown primitive
		}, []string{`"hi"`, `{"a":1}`, `[null,true]`, "<malformed variant>"}, "variant"},
		{"dictionary<int8,string>", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String},
			func(b array.Builder) {
				db := b.(*array.BinaryDictionaryBuilder)
				_ = db.AppendString("x")
				_ = db.AppendString("y")
				_ = db.AppendString("x")
				db.AppendNull()
			}, []string{"x", "y", "x", N}, "string"},
		{"uint32 (not from Spark)", arrow.PrimitiveTypes.Uint32, func(b array.Builder) {
			b.(*array.Uint32Builder).Append(math.MaxUint32)
		}, []string{"4294967295"}, "uint32"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: tc.typ, Nullable: true}}, nil)
			data := writeStream(t, schema, func(rb *array.RecordBuilder) { tc.fill(rb.Field(0)) })
			rows := renderAll(t, data, Options{})
			got := cellsOf(rows, 0)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d rows %q, want %d %q", len(got), got, len(tc.want), tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d: got %q, want %q", i, got[i], tc.want[i])
				}
			}
			if n := TypeName(tc.typ); n != tc.typeName {
				t.Errorf("TypeName = %q, want %q", n, tc.typeName)
			}
		})
	}
}

func variantType() *arrow.StructType {
	return arrow.StructOf(
		arrow.Field{Name: "value", Type: arrow.BinaryTypes.Binary},
		arrow.Field{Name: "metadata", Type: arrow.BinaryTypes.Binary,
			Metadata: arrow.NewMetadata([]string{"variant"}, []string{"true"})})
}

func TestShortestFloats(t *testing.T) {
	for _, c := range []struct {
		v    float64
		bits int
		want string
	}{
		{1e23, 64, "1.0E23"}, {2.82879384806159e17, 64, "2.82879384806159E17"}, {4.9e-324, 64, "4.9E-324"},
		{float64(float32(1.5195824e12)), 32, "1.5195824E12"}, {0x1p-12, 32, "2.4414062E-4"}, {0.1, 64, "0.1"},
	} {
		if got := string(appendJavaFloat(nil, c.v, c.bits, true)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.v, got, c.want)
		}
	}
}

func TestUnsupportedTypeNoPanic(t *testing.T) {
	mem := memory.NewGoAllocator()
	ut := arrow.DenseUnionOf([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32}}, []arrow.UnionTypeCode{0})
	b := array.NewDenseUnionBuilder(mem, ut)
	defer b.Release()
	b.Append(0)
	b.Child(0).(*array.Int32Builder).Append(7)
	arr := b.NewArray()
	defer arr.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "u", Type: ut}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{arr}, 1)
	defer rec.Release()
	cells := NewFormatter(schema, Options{}).Row(rec, 0, nil)
	if cells[0].Null || cells[0].Text == "" {
		t.Fatalf("fallback rendering = %+v", cells[0])
	}
	if TypeName(ut) == "" {
		t.Fatal("empty type name")
	}
}

func TestTypeName(t *testing.T) {
	for _, c := range []struct {
		t    arrow.DataType
		want string
	}{
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.ListOf(arrow.PrimitiveTypes.Float64)), "map<string,array<double>>"},
		{arrow.ListOf(arrow.Null), "array<void>"},
		{arrow.StructOf(arrow.Field{Name: "a b", Type: arrow.PrimitiveTypes.Int32}), "struct<a b:int>"},
		{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, "timestamp"},
		{&arrow.TimestampType{Unit: arrow.Microsecond}, "timestamp_ntz"},
		{arrow.FixedWidthTypes.Time64us, "time(6)"},
		{arrow.ListOf(variantType()), "array<variant>"},
	} {
		if got := TypeName(c.t); got != c.want {
			t.Errorf("TypeName(%s) = %q, want %q", c.t, got, c.want)
		}
	}
}

// ---- streams ----

func intStringSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

func fillRows(from, n int) func(*array.RecordBuilder) {
	return func(b *array.RecordBuilder) {
		for i := from; i < from+n; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			if i%3 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(strings.Repeat("x", i%5))
			}
		}
	}
}

func TestMultipleBatches(t *testing.T) {
	schema := intStringSchema()
	data := writeStream(t, schema, fillRows(0, 5), fillRows(5, 0), fillRows(5, 7), fillRows(12, 1))
	// A second stream appended to the first (two ArrowBatch payloads
	// concatenated) is read too.
	data = append(data, writeStream(t, schema, fillRows(13, 2))...)
	var batches int
	rows := [][]Cell{}
	f := NewFormatter(schema, Options{})
	got, err := ReadStream(data, func(rec arrow.RecordBatch) error {
		batches++
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, f.Row(rec, i, nil))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(schema) {
		t.Fatalf("schema %s", got)
	}
	if batches != 5 || len(rows) != 15 {
		t.Fatalf("batches=%d rows=%d, want 5 and 15", batches, len(rows))
	}
	for i, r := range rows {
		if r[0].Text != itoa(i) {
			t.Fatalf("row %d: id %q", i, r[0].Text)
		}
		if (i%3 == 0) != r[1].Null {
			t.Fatalf("row %d: null=%v", i, r[1].Null)
		}
	}
}

func itoa(i int) string { return string(appendPlainDecimal(nil, int64(i), 0)) }

func TestZeroRowStream(t *testing.T) {
	schema := intStringSchema()
	for name, data := range map[string][]byte{
		"schema only":   writeStream(t, schema),
		"empty batch":   writeStream(t, schema, fillRows(0, 0)),
		"no EOS marker": bytes.TrimSuffix(writeStream(t, schema), []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}),
	} {
		t.Run(name, func(t *testing.T) {
			rows := 0
			got, err := ReadStream(data, func(rec arrow.RecordBatch) error {
				rows += int(rec.NumRows())
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !got.Equal(schema) || rows != 0 {
				t.Fatalf("schema=%v rows=%d", got, rows)
			}
		})
	}
}

// Spark 4.1+ can compress IPC bodies (spark.sql.execution.arrow.compression.codec).
func TestCompressedStream(t *testing.T) {
	schema := mixedSchema()
	for name, opt := range map[string]ipc.Option{"zstd": ipc.WithZstd(), "lz4": ipc.WithLZ4()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			w := ipc.NewWriter(&buf, ipc.WithSchema(schema), opt)
			b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
			defer b.Release()
			fillMixed(0, 500)(b)
			rec := b.NewRecordBatch()
			defer rec.Release()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			plain := renderAll(t, writeStream(t, schema, fillMixed(0, 500)), Options{})
			got := renderAll(t, buf.Bytes(), Options{})
			if len(got) != 500 || got[499][4] != plain[499][4] || got[123][7] != plain[123][7] {
				t.Fatalf("compressed stream rendered differently: %v vs %v", got[499], plain[499])
			}
		})
	}
}

func TestCallbackErrorStops(t *testing.T) {
	data := writeStream(t, intStringSchema(), fillRows(0, 1), fillRows(1, 1))
	stop := errors.New("stop")
	calls := 0
	_, err := ReadStream(data, func(arrow.RecordBatch) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("err=%v calls=%d", err, calls)
	}
}

func TestReleasesMemory(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	old := baseAllocator
	baseAllocator = func() memory.Allocator { return checked }
	defer func() { baseAllocator = old }()
	data := writeStream(t, mixedSchema(), fillMixed(0, 100), fillMixed(100, 50))
	n := 0
	if _, err := ReadStream(data, func(rec arrow.RecordBatch) error { n += int(rec.NumRows()); return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 150 {
		t.Fatalf("rows %d", n)
	}
	checked.AssertSize(t, 0)
	// Errors must release too.
	_, _ = ReadStream(data[:len(data)-20], func(arrow.RecordBatch) error { return nil })
	_, _ = ReadStream(data, func(arrow.RecordBatch) error { return errors.New("x") })
	checked.AssertSize(t, 0)
}

func TestMalformed(t *testing.T) {
	valid := writeStream(t, mixedSchema(), fillMixed(0, 20))
	for name, data := range map[string][]byte{
		"nil":       nil,
		"garbage":   []byte("definitely not arrow"),
		"huge meta": {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3},
		"truncated": valid[:len(valid)/2],
		"trailing":  append(append([]byte{}, valid...), "junk"...),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadStream(data, func(arrow.RecordBatch) error { return nil })
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "arrowfmt") {
				t.Errorf("error lacks context: %v", err)
			}
		})
	}
	// Every prefix and every single-byte corruption: errors are fine,
	// panics are not, and whatever decodes must render.
	check := func(d []byte) {
		f := (*Formatter)(nil)
		_, _ = ReadStream(d, func(rec arrow.RecordBatch) error {
			if f == nil {
				f = NewFormatter(rec.Schema(), Options{MaxCellBytes: 64})
			}
			var cells []Cell
			for i := 0; i < int(rec.NumRows()); i++ {
				cells = f.Row(rec, i, cells[:0])
			}
			return nil
		})
	}
	for n := range valid {
		check(valid[:n])
	}
	for i := range valid {
		for _, x := range []byte{0xff, 0x80, 0x01} {
			d := append([]byte{}, valid...)
			d[i] ^= x
			check(d)
		}
	}
}

// ---- cell cutting ----

func TestMaxCellBytes(t *testing.T) {
	long := strings.Repeat("aé日🙂", 50) // 1+2+3+4 bytes per group
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "a", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
		{Name: "short", Type: arrow.BinaryTypes.String},
	}, nil)
	data := writeStream(t, schema, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).Append(long)
		lb := b.Field(1).(*array.ListBuilder)
		lb.Append(true)
		for i := 0; i < 100000; i++ {
			lb.ValueBuilder().(*array.Int32Builder).Append(int32(i))
		}
		b.Field(2).(*array.StringBuilder).Append("ok")
	})
	for limit := 1; limit <= 40; limit++ {
		row := renderAll(t, data, Options{MaxCellBytes: limit})[0]
		for c, cell := range row[:2] {
			if len(cell.Text) > max(limit, len(ellipsis)) || !utf8.ValidString(cell.Text) || !strings.HasSuffix(cell.Text, ellipsis) {
				t.Fatalf("limit %d col %d: %q (%d bytes)", limit, c, cell.Text, len(cell.Text))
			}
			full := []string{long, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13"}[c]
			if prefix := strings.TrimSuffix(cell.Text, ellipsis); !strings.HasPrefix(full, prefix) {
				t.Fatalf("limit %d col %d: %q is not a prefix", limit, c, prefix)
			}
		}
		if row[2].Text != "ok" && limit >= 2 {
			t.Fatalf("limit %d: short cell %q", limit, row[2].Text)
		}
	}
	row := renderAll(t, data, Options{})[0]
	if row[0].Text != long || !strings.HasSuffix(row[1].Text, "99998, 99999]") {
		t.Fatal("unlimited rendering cut")
	}
}

// ---- fuzz ----

func FuzzReadStream(f *testing.F) {
	f.Add(writeStream(f, mixedSchema(), fillMixed(0, 3), fillMixed(3, 2)))
	f.Add(writeStream(f, intStringSchema(), fillRows(0, 4)))
	f.Add(writeStream(f, intStringSchema()))
	f.Add([]byte{})
	{ // a zstd-compressed stream exercises the decompression path
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(intStringSchema()), ipc.WithZstd())
		b := array.NewRecordBuilder(memory.NewGoAllocator(), intStringSchema())
		fillRows(0, 6)(b)
		rec := b.NewRecordBatch()
		_ = w.Write(rec)
		_ = w.Close()
		rec.Release()
		b.Release()
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fm *Formatter
		var cells []Cell
		_, _ = ReadStream(data, func(rec arrow.RecordBatch) error {
			if fm == nil {
				fm = NewFormatter(rec.Schema(), Options{MaxCellBytes: 200})
			}
			for i := 0; i < int(rec.NumRows()); i++ {
				cells = fm.Row(rec, i, cells[:0])
			}
			for _, fl := range rec.Schema().Fields() {
				_ = TypeName(fl.Type)
			}
			return nil
		})
	})
}

// ---- benchmark ----

func mixedSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/Los_Angeles"}, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "st", Type: arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
	}, nil)
}

func fillMixed(from, n int) func(*array.RecordBuilder) {
	names := []string{"alpha", "beta", "gamma", "delta épsilon", "日本"}
	return func(b *array.RecordBuilder) {
		for i := from; i < from+n; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i) * 7919)
			b.Field(1).(*array.Int32Builder).Append(int32(i % 1000))
			b.Field(2).(*array.Float64Builder).Append(float64(i%100000) / 100)
			b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i%10000000) - 5000000))
			if i%17 == 0 {
				b.Field(4).AppendNull()
			} else {
				b.Field(4).(*array.StringBuilder).Append(names[i%len(names)])
			}
			b.Field(5).(*array.BooleanBuilder).Append(i%2 == 0)
			b.Field(6).(*array.Date32Builder).Append(arrow.Date32(18000 + i%3000))
			b.Field(7).(*array.TimestampBuilder).Append(arrow.Timestamp(1700000000000000 + int64(i)*1234567))
			lb := b.Field(8).(*array.ListBuilder)
			lb.Append(true)
			for k := 0; k < i%4; k++ {
				lb.ValueBuilder().(*array.Int32Builder).Append(int32(i + k))
			}
			sb := b.Field(9).(*array.StructBuilder)
			sb.Append(true)
			sb.FieldBuilder(0).(*array.Int32Builder).Append(int32(i))
			sb.FieldBuilder(1).(*array.StringBuilder).Append(names[i%len(names)])
		}
	}
}

// BenchmarkFormat1M decodes and renders 1,000,000 rows x 10 mixed columns
// (bigint, int, double, decimal(12,2), string, boolean, date, timestamp,
// array<int>, struct<a:int,b:string>) sent as 100 IPC batches of 10,000 rows.
func BenchmarkFormat1M(b *testing.B) {
	const rows, per = 1_000_000, 10_000
	schema := mixedSchema()
	var payloads [][]byte // one IPC stream per batch, as Spark sends them
	for from := 0; from < rows; from += per {
		payloads = append(payloads, writeStream(b, schema, fillMixed(from, per)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f := NewFormatter(schema, Options{MaxCellBytes: 1024})
		cells := make([]Cell, 0, 10)
		n := 0
		for _, p := range payloads {
			_, err := ReadStream(p, func(rec arrow.RecordBatch) error {
				for i := 0; i < int(rec.NumRows()); i++ {
					cells = f.Row(rec, i, cells[:0])
					n++
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		if n != rows {
			b.Fatalf("rendered %d rows", n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows)/float64(b.N), "ns/row")
}
