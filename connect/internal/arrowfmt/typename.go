package arrowfmt

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// TypeName returns the Spark SQL name of the type Spark maps to t, spelled as
// typeof() prints it (DataType.catalogString): bigint, decimal(12,2),
// timestamp (Arrow timestamp with a time zone), timestamp_ntz (without),
// array<int>, map<string,int>, struct<sku:string,qty:int>, void, ...
//
// Arrow loses some Spark detail, so a few names are the canonical choice:
// every Duration is "interval day to second" and every YEAR_MONTH interval
// "interval year to month" (the original start/end fields such as
// INTERVAL HOUR are not in the Arrow type), char/varchar and collated strings
// are "string", Time64 is Spark 4.1's "time(6)". Arrow types Spark never
// produces get their Arrow name (e.g. "uint32").
func TypeName(t arrow.DataType) string {
	var b strings.Builder
	writeTypeName(&b, t, 0)
	return b.String()
}

func writeTypeName(b *strings.Builder, t arrow.DataType, depth int) {
	if depth > maxDepth {
		b.WriteString("...")
		return
	}
	switch t := t.(type) {
	case *arrow.NullType:
		b.WriteString("void")
	case *arrow.BooleanType:
		b.WriteString("boolean")
	case *arrow.Int8Type:
		b.WriteString("tinyint")
	case *arrow.Int16Type:
		b.WriteString("smallint")
	case *arrow.Int32Type:
		b.WriteString("int")
	case *arrow.Int64Type:
		b.WriteString("bigint")
	case *arrow.Float16Type, *arrow.Float32Type:
		b.WriteString("float")
	case *arrow.Float64Type:
		b.WriteString("double")
	case arrow.DecimalType:
		b.WriteString("decimal(")
		b.WriteString(strconv.Itoa(int(t.GetPrecision())))
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(int(t.GetScale())))
		b.WriteByte(')')
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		b.WriteString("string")
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType:
		b.WriteString("binary")
	case *arrow.Date32Type, *arrow.Date64Type:
		b.WriteString("date")
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			b.WriteString("timestamp")
		} else {
			b.WriteString("timestamp_ntz")
		}
	case *arrow.Time32Type, *arrow.Time64Type:
		b.WriteString("time(6)")
	case *arrow.DurationType:
		b.WriteString("interval day to second")
	case *arrow.MonthIntervalType:
		b.WriteString("interval year to month")
	case *arrow.MonthDayNanoIntervalType, *arrow.DayTimeIntervalType:
		b.WriteString("interval")
	case *arrow.ListType:
		writeArrayName(b, t.Elem(), depth)
	case *arrow.LargeListType:
		writeArrayName(b, t.Elem(), depth)
	case *arrow.FixedSizeListType:
		writeArrayName(b, t.Elem(), depth)
	case *arrow.MapType:
		b.WriteString("map<")
		writeTypeName(b, t.KeyType(), depth+1)
		b.WriteByte(',')
		writeTypeName(b, t.ItemType(), depth+1)
		b.WriteByte('>')
	case *arrow.StructType:
		if isVariant(t) {
			b.WriteString("variant")
			return
		}
		b.WriteString("struct<")
		for k, f := range t.Fields() {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.Name)
			b.WriteByte(':')
			writeTypeName(b, f.Type, depth+1)
		}
		b.WriteByte('>')
	case arrow.ExtensionType:
		writeTypeName(b, t.StorageType(), depth+1)
	case *arrow.DictionaryType:
		writeTypeName(b, t.ValueType, depth+1)
	default:
		b.WriteString(t.String())
	}
}

func writeArrayName(b *strings.Builder, elem arrow.DataType, depth int) {
	b.WriteString("array<")
	writeTypeName(b, elem, depth+1)
	b.WriteByte('>')
}
