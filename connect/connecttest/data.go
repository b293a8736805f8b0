package connecttest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// Result is what a statement answers: rows of Go values under an Arrow schema.
type Result struct {
	Schema *arrow.Schema
	// Rows hold one Go value per column: nil for NULL; any integer or float;
	// bool; string; []byte; time.Time for dates and timestamps; a string or
	// float64 for a decimal; a slice for an array; a map (or [][2]any, to keep
	// the order) for a map; a []any (by position) or map[string]any (by name)
	// for a struct.
	Rows [][]any
	// Infinite makes the result endless and lazy: row i is Gen(i), generated
	// only when its batch is sent, so a Limit is answered quickly and a plan
	// without one streams until the client cancels or interrupts it. With Gen
	// and Schema nil the result is one bigint column "id" counting from 0, like
	// spark.range.
	Infinite bool
	Gen      func(i int64) []any
}

// Rows builds a finite Result from a column list in Spark DDL form
// ("id bigint, name string, tags array<string>") and its rows. It panics on a
// malformed column list: it is meant for test fixtures.
func Rows(columns string, rows ...[]any) Result {
	schema, err := parseSchema(columns)
	if err != nil {
		panic("connecttest.Rows: " + err.Error())
	}
	return Result{Schema: schema, Rows: rows}
}

// Range is an endless result of one bigint column "id" = 0, 1, 2, ...
func Range() Result { return Result{Infinite: true} }

func (r Result) normalized() Result {
	if r.Infinite && r.Gen == nil {
		if r.Schema == nil {
			r.Schema = arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
		}
		r.Gen = func(i int64) []any { return []any{i} }
	}
	if r.Schema == nil {
		r.Schema = arrow.NewSchema(nil, nil)
	}
	return r
}

// count is the number of rows, or -1 for an endless result.
func (r Result) count() int64 {
	if r.Infinite {
		return -1
	}
	return int64(len(r.Rows))
}

// skip drops the first n rows (Spark's Offset).
func (r Result) skip(n int64) Result {
	switch {
	case n <= 0:
		return r
	case r.Infinite:
		r = r.normalized()
		gen := r.Gen
		r.Gen = func(i int64) []any { return gen(i + n) }
	default:
		r.Rows = r.Rows[min(n, int64(len(r.Rows))):]
	}
	return r
}

func (r Result) row(i int64) []any {
	if r.Infinite {
		return r.Gen(i)
	}
	return r.Rows[i]
}

// encode writes rows [from, to) of r as one Arrow IPC stream: the schema and
// one record batch, which is what Spark puts in every ArrowBatch.data and in
// a command's LocalRelation.data.
func (r Result) encode(from, to int64) ([]byte, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, r.Schema)
	defer b.Release()
	for i := from; i < to; i++ {
		row := r.row(i)
		if len(row) != len(r.Schema.Fields()) {
			return nil, fmt.Errorf("connecttest: row %d has %d values for %d columns", i, len(row), len(r.Schema.Fields()))
		}
		for c, v := range row {
			if err := appendValue(b.Field(c), v); err != nil {
				return nil, fmt.Errorf("connecttest: row %d column %s: %w", i, r.Schema.Field(c).Name, err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(r.Schema))
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendValue appends one Go value to an Arrow builder, converting between
// the kinds a test naturally writes and the column's type.
func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	bad := fmt.Errorf("cannot store %T (%v) in %s", v, v, b.Type())
	switch b := b.(type) {
	case *array.Int8Builder:
		n, ok := asInt(v)
		if !ok {
			return bad
		}
		b.Append(int8(n))
	case *array.Int16Builder:
		n, ok := asInt(v)
		if !ok {
			return bad
		}
		b.Append(int16(n))
	case *array.Int32Builder:
		n, ok := asInt(v)
		if !ok {
			return bad
		}
		b.Append(int32(n))
	case *array.Int64Builder:
		n, ok := asInt(v)
		if !ok {
			return bad
		}
		b.Append(n)
	case *array.Float32Builder:
		f, ok := asFloat(v)
		if !ok {
			return bad
		}
		b.Append(float32(f))
	case *array.Float64Builder:
		f, ok := asFloat(v)
		if !ok {
			return bad
		}
		b.Append(f)
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return bad
		}
		b.Append(x)
	case *array.StringBuilder:
		b.Append(fmt.Sprint(v))
	case *array.LargeStringBuilder:
		b.Append(fmt.Sprint(v))
	case *array.BinaryBuilder:
		switch x := v.(type) {
		case []byte:
			b.Append(x)
		case string:
			b.AppendString(x)
		default:
			return bad
		}
	case *array.Date32Builder:
		x, ok := v.(time.Time)
		if !ok {
			return bad
		}
		b.Append(arrow.Date32FromTime(x))
	case *array.TimestampBuilder:
		x, ok := v.(time.Time)
		if !ok {
			return bad
		}
		ts, err := arrow.TimestampFromTime(x, b.Type().(*arrow.TimestampType).Unit)
		if err != nil {
			return err
		}
		b.Append(ts)
	case *array.Decimal128Builder:
		t := b.Type().(*arrow.Decimal128Type)
		var n decimal128.Num
		var err error
		if f, ok := v.(float64); ok {
			n, err = decimal128.FromFloat64(f, t.Precision, t.Scale)
		} else {
			n, err = decimal128.FromString(fmt.Sprint(v), t.Precision, t.Scale)
		}
		if err != nil {
			return err
		}
		b.Append(n)
	case *array.MapBuilder: // before ListBuilder: a map is a list of entries
		pairs, ok := mapPairs(v)
		if !ok {
			return bad
		}
		b.Append(true)
		for _, kv := range pairs {
			if err := appendValue(b.KeyBuilder(), kv[0]); err != nil {
				return err
			}
			if err := appendValue(b.ItemBuilder(), kv[1]); err != nil {
				return err
			}
		}
	case *array.ListBuilder:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return bad
		}
		b.Append(true)
		for i := 0; i < rv.Len(); i++ {
			if err := appendValue(b.ValueBuilder(), rv.Index(i).Interface()); err != nil {
				return err
			}
		}
	case *array.StructBuilder:
		t := b.Type().(*arrow.StructType)
		var vals []any
		switch x := v.(type) {
		case []any:
			vals = x
		case map[string]any:
			for _, f := range t.Fields() {
				vals = append(vals, x[f.Name])
			}
		default:
			return bad
		}
		if len(vals) != t.NumFields() {
			return bad
		}
		b.Append(true)
		for i, fv := range vals {
			if err := appendValue(b.FieldBuilder(i), fv); err != nil {
				return err
			}
		}
	case *array.NullBuilder:
		return bad
	default:
		return fmt.Errorf("type %s is not supported by connecttest", b.Type())
	}
	return nil
}

func asInt(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint()), true
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	if n, ok := asInt(v); ok {
		return float64(n), true
	}
	return 0, false
}

// mapPairs returns a map value's entries: [][2]any as given, a Go map sorted
// by key so batches are deterministic.
func mapPairs(v any) ([][2]any, bool) {
	if p, ok := v.([][2]any); ok {
		return p, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map {
		return nil, false
	}
	pairs := make([][2]any, 0, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		pairs = append(pairs, [2]any{it.Key().Interface(), it.Value().Interface()})
	}
	sort.Slice(pairs, func(i, j int) bool { return fmt.Sprint(pairs[i][0]) < fmt.Sprint(pairs[j][0]) })
	return pairs, true
}

// ---------------------------------------------------------------------------
// Types: Spark DDL strings, Arrow types and Spark Connect DataTypes.

// parseSchema parses a column list in Spark DDL form ("id bigint, name
// string") into an Arrow schema with nullable columns, mapping types the way
// Spark's Arrow conversion does (timestamp has a time zone, timestamp_ntz none).
func parseSchema(columns string) (*arrow.Schema, error) {
	p := &typeParser{s: columns}
	var fields []arrow.Field
	for p.skipSpace(); p.pos < len(p.s); p.skipSpace() {
		f, err := p.field(' ')
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
		if !p.eat(',') && p.pos < len(p.s) {
			return nil, fmt.Errorf("expected ',' at offset %d of %q", p.pos, p.s)
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

// parseType parses one Spark type name ("decimal(10,2)", "map<string,int>").
func parseType(s string) (arrow.DataType, error) {
	p := &typeParser{s: s}
	t, err := p.typ()
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.pos < len(p.s) {
		return nil, fmt.Errorf("unexpected %q after type", p.s[p.pos:])
	}
	return t, nil
}

type typeParser struct {
	s   string
	pos int
}

func (p *typeParser) skipSpace() {
	for p.pos < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *typeParser) eat(c byte) bool {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *typeParser) ident() string {
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '`' {
		end := strings.IndexByte(p.s[p.pos+1:], '`')
		if end < 0 {
			return ""
		}
		id := p.s[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return id
	}
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

// field parses "name type" (sep ' ') or "name: type" (sep ':', in struct<>).
func (p *typeParser) field(sep byte) (arrow.Field, error) {
	name := p.ident()
	if name == "" {
		return arrow.Field{}, fmt.Errorf("expected a column name at offset %d of %q", p.pos, p.s)
	}
	if sep == ':' {
		p.eat(':')
	}
	t, err := p.typ()
	return arrow.Field{Name: name, Type: t, Nullable: true}, err
}

func (p *typeParser) typ() (arrow.DataType, error) {
	at := p.pos
	name := strings.ToLower(p.ident())
	var args []int
	if p.eat('(') {
		for {
			p.skipSpace()
			start := p.pos
			for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
				p.pos++
			}
			n, err := strconv.Atoi(p.s[start:p.pos])
			if err != nil {
				return nil, fmt.Errorf("bad type parameter at offset %d of %q", start, p.s)
			}
			args = append(args, n)
			if !p.eat(',') {
				break
			}
		}
		if !p.eat(')') {
			return nil, fmt.Errorf("expected ')' at offset %d of %q", p.pos, p.s)
		}
	}
	switch name {
	case "boolean":
		return arrow.FixedWidthTypes.Boolean, nil
	case "tinyint", "byte":
		return arrow.PrimitiveTypes.Int8, nil
	case "smallint", "short":
		return arrow.PrimitiveTypes.Int16, nil
	case "int", "integer":
		return arrow.PrimitiveTypes.Int32, nil
	case "bigint", "long":
		return arrow.PrimitiveTypes.Int64, nil
	case "float", "real":
		return arrow.PrimitiveTypes.Float32, nil
	case "double":
		return arrow.PrimitiveTypes.Float64, nil
	case "decimal", "dec", "numeric":
		prec, scale := 10, 0
		if len(args) > 0 {
			prec = args[0]
		}
		if len(args) > 1 {
			scale = args[1]
		}
		return &arrow.Decimal128Type{Precision: int32(prec), Scale: int32(scale)}, nil
	case "string", "varchar", "char":
		return arrow.BinaryTypes.String, nil
	case "binary":
		return arrow.BinaryTypes.Binary, nil
	case "date":
		return arrow.FixedWidthTypes.Date32, nil
	case "timestamp", "timestamp_ltz":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case "timestamp_ntz":
		return &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case "void":
		return arrow.Null, nil
	case "array":
		if !p.eat('<') {
			return nil, errors.New("expected array<...>")
		}
		elem, err := p.typ()
		if err != nil {
			return nil, err
		}
		if !p.eat('>') {
			return nil, fmt.Errorf("expected '>' at offset %d of %q", p.pos, p.s)
		}
		return arrow.ListOf(elem), nil
	case "map":
		if !p.eat('<') {
			return nil, errors.New("expected map<...>")
		}
		k, err := p.typ()
		if err != nil {
			return nil, err
		}
		if !p.eat(',') {
			return nil, fmt.Errorf("expected ',' at offset %d of %q", p.pos, p.s)
		}
		v, err := p.typ()
		if err != nil {
			return nil, err
		}
		if !p.eat('>') {
			return nil, fmt.Errorf("expected '>' at offset %d of %q", p.pos, p.s)
		}
		return arrow.MapOf(k, v), nil
	case "struct":
		if !p.eat('<') {
			return nil, errors.New("expected struct<...>")
		}
		var fields []arrow.Field
		for closed := p.eat('>'); !closed; closed = p.eat('>') {
			f, err := p.field(':')
			if err != nil {
				return nil, err
			}
			fields = append(fields, f)
			if p.skipSpace(); p.pos < len(p.s) && p.s[p.pos] == '>' {
				continue
			}
			if !p.eat(',') {
				return nil, fmt.Errorf("expected ',' or '>' at offset %d of %q", p.pos, p.s)
			}
		}
		return arrow.StructOf(fields...), nil
	}
	return nil, fmt.Errorf("unknown type %q at offset %d of %q", name, at, p.s)
}

// typeName is the Spark type string of an Arrow type, as the catalog's
// ListColumns dataType column and DESCRIBE print it.
func typeName(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.BooleanType:
		return "boolean"
	case *arrow.Int8Type:
		return "tinyint"
	case *arrow.Int16Type:
		return "smallint"
	case *arrow.Int32Type:
		return "int"
	case *arrow.Int64Type:
		return "bigint"
	case *arrow.Float32Type:
		return "float"
	case *arrow.Float64Type:
		return "double"
	case *arrow.Decimal128Type:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case *arrow.StringType, *arrow.LargeStringType:
		return "string"
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return "binary"
	case *arrow.Date32Type:
		return "date"
	case *arrow.TimestampType:
		if t.TimeZone == "" {
			return "timestamp_ntz"
		}
		return "timestamp"
	case *arrow.NullType:
		return "void"
	case *arrow.MapType: // before ListType: MapType embeds it
		return "map<" + typeName(t.KeyType()) + "," + typeName(t.ItemType()) + ">"
	case *arrow.ListType:
		return "array<" + typeName(t.Elem()) + ">"
	case *arrow.StructType:
		parts := make([]string, t.NumFields())
		for i, f := range t.Fields() {
			parts[i] = f.Name + ":" + typeName(f.Type)
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return t.String()
}

// dataType maps an Arrow type back to the Spark Connect DataType the server
// reports in AnalyzePlan and in an ExecutePlan schema response.
func dataType(t arrow.DataType) *pb.DataType {
	switch t := t.(type) {
	case *arrow.BooleanType:
		return &pb.DataType{Kind: &pb.DataType_Boolean_{Boolean: &pb.DataType_Boolean{}}}
	case *arrow.Int8Type:
		return &pb.DataType{Kind: &pb.DataType_Byte_{Byte: &pb.DataType_Byte{}}}
	case *arrow.Int16Type:
		return &pb.DataType{Kind: &pb.DataType_Short_{Short: &pb.DataType_Short{}}}
	case *arrow.Int32Type:
		return &pb.DataType{Kind: &pb.DataType_Integer_{Integer: &pb.DataType_Integer{}}}
	case *arrow.Int64Type:
		return &pb.DataType{Kind: &pb.DataType_Long_{Long: &pb.DataType_Long{}}}
	case *arrow.Float32Type:
		return &pb.DataType{Kind: &pb.DataType_Float_{Float: &pb.DataType_Float{}}}
	case *arrow.Float64Type:
		return &pb.DataType{Kind: &pb.DataType_Double_{Double: &pb.DataType_Double{}}}
	case *arrow.Decimal128Type:
		return &pb.DataType{Kind: &pb.DataType_Decimal_{Decimal: &pb.DataType_Decimal{Precision: &t.Precision, Scale: &t.Scale}}}
	case *arrow.StringType, *arrow.LargeStringType:
		return &pb.DataType{Kind: &pb.DataType_String_{String_: &pb.DataType_String{}}}
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return &pb.DataType{Kind: &pb.DataType_Binary_{Binary: &pb.DataType_Binary{}}}
	case *arrow.Date32Type:
		return &pb.DataType{Kind: &pb.DataType_Date_{Date: &pb.DataType_Date{}}}
	case *arrow.TimestampType:
		if t.TimeZone == "" {
			return &pb.DataType{Kind: &pb.DataType_TimestampNtz{TimestampNtz: &pb.DataType_TimestampNTZ{}}}
		}
		return &pb.DataType{Kind: &pb.DataType_Timestamp_{Timestamp: &pb.DataType_Timestamp{}}}
	case *arrow.MapType:
		return &pb.DataType{Kind: &pb.DataType_Map_{Map: &pb.DataType_Map{
			KeyType: dataType(t.KeyType()), ValueType: dataType(t.ItemType()), ValueContainsNull: t.ItemField().Nullable,
		}}}
	case *arrow.ListType:
		return &pb.DataType{Kind: &pb.DataType_Array_{Array: &pb.DataType_Array{ElementType: dataType(t.Elem()), ContainsNull: t.ElemField().Nullable}}}
	case *arrow.StructType:
		return structType(t.Fields())
	}
	return &pb.DataType{Kind: &pb.DataType_Null{Null: &pb.DataType_NULL{}}}
}

func structType(fields []arrow.Field) *pb.DataType {
	st := &pb.DataType_Struct{}
	for _, f := range fields {
		st.Fields = append(st.Fields, &pb.DataType_StructField{Name: f.Name, DataType: dataType(f.Type), Nullable: f.Nullable})
	}
	return &pb.DataType{Kind: &pb.DataType_Struct_{Struct: st}}
}

// ---------------------------------------------------------------------------
// Catalog model.

// Catalog is the fake's metastore: what Catalog relations, SHOW and
// DESCRIBE answer, and which names a query may read.
type Catalog struct {
	Name      string // "spark_catalog" when empty
	Current   string // the current database; "default" when empty
	Databases []Database
	// Functions are listed as built-ins (temporary, no catalog or namespace).
	Functions []Function
}

// Database is one namespace of the catalog.
type Database struct {
	Name, Description, Location string
	Tables                      []Table
}

// Table is a table or view. Type is MANAGED (the default), EXTERNAL or VIEW;
// a Temporary table is listed as a TEMPORARY view of no catalog.
type Table struct {
	Name, Comment, Type string
	Temporary           bool
	Columns             []Column
}

// Column is a table column; Type is a Spark type string ("decimal(10,2)").
type Column struct {
	Name, Type, Comment string
	Nullable, Partition bool
}

// Function is a function ListFunctions and SHOW FUNCTIONS answer.
type Function struct {
	Name, Description, ClassName string
}

func (c *Catalog) name() string {
	if c.Name == "" {
		return "spark_catalog"
	}
	return c.Name
}

func (c *Catalog) current() string {
	if c.Current == "" {
		return "default"
	}
	return c.Current
}

func (c *Catalog) database(name string) *Database {
	for i := range c.Databases {
		if strings.EqualFold(c.Databases[i].Name, name) {
			return &c.Databases[i]
		}
	}
	return nil
}

// resolveDB resolves a possibly catalog-qualified database name; "" is the
// current database.
func (c *Catalog) resolveDB(name string) (*Database, *Error) {
	parts := splitName(name)
	if name == "" {
		parts = []string{c.current()}
	}
	if len(parts) == 2 && strings.EqualFold(parts[0], c.name()) {
		parts = parts[1:]
	}
	if len(parts) == 1 {
		if db := c.database(parts[0]); db != nil {
			return db, nil
		}
	}
	return nil, &Error{
		Class: "SCHEMA_NOT_FOUND", SQLState: "42704", Start: -1,
		Message: fmt.Sprintf("The schema %s cannot be found. Verify the spelling and correctness of the schema and catalog.", quoteParts(parts)),
		Params:  map[string]string{"schemaName": quoteParts(parts)},
	}
}

// resolveTable resolves a table name of one to three parts against the
// catalog, Spark style: case-insensitive, unqualified names in the current
// database.
func (c *Catalog) resolveTable(db, name string) (*Database, *Table, *Error) {
	parts := splitName(name)
	if db != "" {
		parts = append(splitName(db), parts...)
	}
	if len(parts) == 3 && strings.EqualFold(parts[0], c.name()) {
		parts = parts[1:]
	}
	if len(parts) == 1 {
		parts = []string{c.current(), parts[0]}
	}
	if len(parts) == 2 {
		if d := c.database(parts[0]); d != nil {
			for i := range d.Tables {
				if strings.EqualFold(d.Tables[i].Name, parts[1]) {
					return d, &d.Tables[i], nil
				}
			}
		}
	}
	return nil, nil, notFound(name)
}

func notFound(name string) *Error {
	q := quoteParts(splitName(name))
	return &Error{
		Class: "TABLE_OR_VIEW_NOT_FOUND", SQLState: "42P01", Start: -1,
		Message: fmt.Sprintf("The table or view %s cannot be found. Verify the spelling and correctness of the schema and catalog.", q),
		Params:  map[string]string{"relationName": q},
	}
}

// schema is the Arrow schema of a catalog table's columns; types the fake
// cannot parse read as strings.
func (t *Table) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		typ, err := parseType(c.Type)
		if err != nil {
			typ = arrow.BinaryTypes.String
		}
		fields[i] = arrow.Field{Name: c.Name, Type: typ, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// splitName splits a dotted name, honouring backticks. The fake keeps its
// own small copies of Spark's name rules (this, quoteParts, isQuery) on
// purpose: it plays the server, so it must not share the client's code and
// its mistakes.
func splitName(name string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '`' && quoted && i+1 < len(name) && name[i+1] == '`':
			cur.WriteByte('`')
			i++
		case c == '`':
			quoted = !quoted
		case c == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

func quoteParts(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
	}
	return strings.Join(q, ".")
}

// ---------------------------------------------------------------------------
// SQL text: just enough lexing to classify a statement and answer the few
// statements the fake knows by itself.

// word is a whitespace-separated token of a statement and its byte offset.
type word struct {
	text string
	pos  int
}

// words splits stmt into tokens, skipping comments and a trailing ';'.
// Backtick-quoted names stay one token.
func words(stmt string) []word {
	var out []word
	for i := 0; i < len(stmt); {
		switch {
		case strings.HasPrefix(stmt[i:], "--"):
			for i < len(stmt) && stmt[i] != '\n' {
				i++
			}
		case strings.HasPrefix(stmt[i:], "/*"):
			end := strings.Index(stmt[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
		case strings.ContainsRune(" \t\r\n;", rune(stmt[i])):
			i++
		default:
			start := i
			quoted := false
			for i < len(stmt) && (quoted || !strings.ContainsRune(" \t\r\n;", rune(stmt[i]))) {
				if stmt[i] == '`' {
					quoted = !quoted
				}
				i++
			}
			out = append(out, word{stmt[start:i], start})
		}
	}
	return out
}

// isQuery tells a query (nothing runs until rows are read) from a command
// (Spark runs it as soon as it is planned) by the first keyword.
func isQuery(stmt string) bool {
	w := words(stmt)
	if len(w) == 0 {
		return false
	}
	if strings.HasPrefix(w[0].text, "(") {
		return true
	}
	kw := strings.ToLower(w[0].text)
	if i := strings.IndexByte(kw, '('); i > 0 {
		kw = kw[:i]
	}
	switch kw {
	case "select", "with", "values", "from", "table":
		return true
	}
	return false
}

// matchWords reports whether w starts with the keywords of pattern, where
// "[x|y]" is an optional alternative, and returns the rest.
func matchWords(w []word, pattern string) ([]word, bool) {
	for _, p := range strings.Fields(pattern) {
		optional := strings.HasPrefix(p, "[")
		alts := strings.Split(strings.Trim(p, "[]"), "|")
		matched := false
		if len(w) > 0 {
			for _, a := range alts {
				if strings.EqualFold(w[0].text, a) {
					matched = true
					break
				}
			}
		}
		switch {
		case matched:
			w = w[1:]
		case !optional:
			return nil, false
		}
	}
	return w, true
}
