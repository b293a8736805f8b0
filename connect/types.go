package connect

import (
	"fmt"
	"strings"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// typeName renders a Spark Connect DataType the way Spark SQL's typeof()
// and DESCRIBE print it (bigint, decimal(12,2), array<struct<a:int>>).
func typeName(t *pb.DataType) string {
	switch k := t.GetKind().(type) {
	case nil:
		return "unknown"
	case *pb.DataType_Null:
		return "void"
	case *pb.DataType_Binary_:
		return "binary"
	case *pb.DataType_Boolean_:
		return "boolean"
	case *pb.DataType_Byte_:
		return "tinyint"
	case *pb.DataType_Short_:
		return "smallint"
	case *pb.DataType_Integer_:
		return "int"
	case *pb.DataType_Long_:
		return "bigint"
	case *pb.DataType_Float_:
		return "float"
	case *pb.DataType_Double_:
		return "double"
	case *pb.DataType_Decimal_:
		p, s := int32(10), int32(0) // Spark's defaults for a bare DECIMAL
		if k.Decimal.Precision != nil {
			p = k.Decimal.GetPrecision()
		}
		if k.Decimal.Scale != nil {
			s = k.Decimal.GetScale()
		}
		return fmt.Sprintf("decimal(%d,%d)", p, s)
	case *pb.DataType_String_:
		if c := k.String_.GetCollation(); c != "" && !strings.EqualFold(c, "UTF8_BINARY") {
			return "string collate " + c
		}
		return "string"
	case *pb.DataType_Char_:
		return fmt.Sprintf("char(%d)", k.Char.GetLength())
	case *pb.DataType_VarChar_:
		return fmt.Sprintf("varchar(%d)", k.VarChar.GetLength())
	case *pb.DataType_Date_:
		return "date"
	case *pb.DataType_Timestamp_:
		return "timestamp"
	case *pb.DataType_TimestampNtz:
		return "timestamp_ntz"
	case *pb.DataType_CalendarInterval_:
		return "interval"
	case *pb.DataType_YearMonthInterval_:
		return intervalName([]string{"year", "month"}, k.YearMonthInterval.StartField, k.YearMonthInterval.EndField)
	case *pb.DataType_DayTimeInterval_:
		return intervalName([]string{"day", "hour", "minute", "second"}, k.DayTimeInterval.StartField, k.DayTimeInterval.EndField)
	case *pb.DataType_Array_:
		return "array<" + typeName(k.Array.GetElementType()) + ">"
	case *pb.DataType_Map_:
		return "map<" + typeName(k.Map.GetKeyType()) + "," + typeName(k.Map.GetValueType()) + ">"
	case *pb.DataType_Struct_:
		parts := make([]string, len(k.Struct.GetFields()))
		for i, f := range k.Struct.GetFields() {
			parts[i] = f.GetName() + ":" + typeName(f.GetDataType())
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	case *pb.DataType_Variant_:
		return "variant"
	case *pb.DataType_Udt:
		if k.Udt.GetSqlType() != nil {
			return typeName(k.Udt.GetSqlType())
		}
		return k.Udt.GetType()
	case *pb.DataType_Unparsed_:
		return k.Unparsed.GetDataTypeString()
	}
	return "unknown"
}

// intervalName prints an ANSI interval type: "interval day to second", "interval year".
func intervalName(fields []string, start, end *int32) string {
	s, e := 0, len(fields)-1
	if start != nil && int(*start) < len(fields) {
		s = int(*start)
	}
	if end != nil && int(*end) < len(fields) {
		e = int(*end)
	}
	if s == e {
		return "interval " + fields[s]
	}
	return "interval " + fields[s] + " to " + fields[e]
}
