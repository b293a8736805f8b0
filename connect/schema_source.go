package connect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// SchemaSource is the Client as a schema.Source: what package schema's
// Cache loads the catalog from. connect imports schema, never the reverse.
//
// Columns of a whole namespace come in one statement where the server has
// one: a join of the catalog's information_schema tables and columns views
// (Unity Catalog), else SHOW TABLE EXTENDED IN ns LIKE '*' (Spark 3.x/4.x,
// whose schema tree has types and nullability but no column comments). Only
// when neither works does the Cache fall back to ListColumns per table.
type SchemaSource struct {
	c *Client

	mu         sync.Mutex
	current    string          // the current catalog, once known
	infoSchema map[string]bool // catalog → its information_schema answers
	noExtended bool            // SHOW TABLE EXTENDED failed to parse: stop trying
}

// SchemaSource returns the client as a schema.Source.
func (c *Client) SchemaSource() *SchemaSource {
	return &SchemaSource{c: c, infoSchema: map[string]bool{}}
}

var _ schema.Source = (*SchemaSource)(nil)

// SchemaKey is the persistence key of the client's remote for schema.Options:
// host, port, user and headers (the cluster), never the token.
func (c *Client) SchemaKey() string {
	return SchemaKey(c.remote)
}

// bulkLimits hold a whole namespace's SHOW TABLE EXTENDED: one cell per
// table with its full schema tree.
var bulkLimits = Limits{Rows: 2_000_000, Bytes: 1 << 30, CellBytes: 16 << 20}

// Current implements schema.Source.
func (s *SchemaSource) Current(ctx context.Context) (string, string, error) {
	cat, db, err := s.c.CurrentDatabase(ctx)
	if err == nil {
		s.mu.Lock()
		s.current = cat
		s.mu.Unlock()
	}
	return cat, db, err
}

// Catalogs implements schema.Source.
func (s *SchemaSource) Catalogs(ctx context.Context) ([]schema.Catalog, error) {
	list, err := s.c.ListCatalogs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]schema.Catalog, len(list))
	for i, c := range list {
		out[i] = schema.Catalog{Name: c.Name, Comment: c.Description}
	}
	return out, nil
}

// isCurrent reports whether catalog is the session's current one (whose
// databases the Catalog relation lists with their comments).
func (s *SchemaSource) isCurrent(ctx context.Context, catalog string) bool {
	if catalog == "" {
		return true
	}
	s.mu.Lock()
	cur := s.current
	s.mu.Unlock()
	if cur == "" {
		if c, _, err := s.Current(ctx); err == nil {
			cur = c
		}
	}
	return strings.EqualFold(cur, catalog)
}

// Namespaces implements schema.Source.
func (s *SchemaSource) Namespaces(ctx context.Context, catalog string) ([]schema.Namespace, error) {
	arg := catalog
	if s.isCurrent(ctx, catalog) {
		arg = ""
	}
	list, err := s.c.ListDatabases(ctx, arg)
	if err != nil {
		return nil, err
	}
	out := make([]schema.Namespace, len(list))
	for i, d := range list {
		out[i] = schema.Namespace{Catalog: catalog, Name: d.Name, Comment: d.Description}
	}
	return out, nil
}

// qualified names a namespace for the catalog calls ("cat.ns", quoted).
func qualified(catalog, namespace string) string {
	if catalog == "" {
		return sqltext.Quote(namespace)
	}
	return sqltext.Quote(catalog) + "." + sqltext.Quote(namespace)
}

// Tables implements schema.Source: the namespace's tables and views, without
// the session's temporary views (which every listing repeats). It runs SHOW
// TABLES, which reads names only: the Catalog relation's listTables fetches
// every table's metadata (about 7 s for 1,000 tables on the local server,
// against 0.1 s). Kinds and comments come with TablesWithColumns.
func (s *SchemaSource) Tables(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	names, err := s.showTables(ctx, qualified(catalog, namespace), false)
	if err != nil {
		return nil, err
	}
	out := make([]schema.Table, len(names))
	for i, n := range names {
		out[i] = schema.Table{Catalog: catalog, Namespace: namespace, Name: n}
	}
	return out, nil
}

// TempViews implements schema.Source.
func (s *SchemaSource) TempViews(ctx context.Context) ([]schema.Table, error) {
	names, err := s.showTables(ctx, "", true)
	if err != nil {
		return nil, err
	}
	out := make([]schema.Table, len(names))
	for i, n := range names {
		out[i] = schema.Table{Name: n, Kind: schema.KindTempView}
	}
	return out, nil
}

// showTables runs SHOW TABLES [IN db] and returns the names of the
// persistent tables, or of the temporary views.
func (s *SchemaSource) showTables(ctx context.Context, db string, temporary bool) ([]string, error) {
	stmt := "SHOW TABLES"
	if db != "" {
		stmt += " IN " + db
	}
	res, err := s.c.Run(ctx, stmt, RunOptions{Limits: catalogLimits, Detach: true})
	if err != nil {
		return nil, err
	}
	if res.Truncated {
		return nil, fmt.Errorf("%s: more tables than the listing limit", stmt)
	}
	iName, iTemp := 1, 2 // namespace, tableName, isTemporary
	for i, c := range res.Columns {
		switch c.Name {
		case "tableName":
			iName = i
		case "isTemporary":
			iTemp = i
		}
	}
	var out []string
	for _, r := range res.Rows {
		if iName >= len(r) {
			continue
		}
		if temp := iTemp < len(r) && r[iTemp].Text == "true"; temp == temporary {
			out = append(out, r[iName].Text)
		}
	}
	return out, nil
}

// Columns implements schema.Source ("" catalog and namespace: a temporary view).
func (s *SchemaSource) Columns(ctx context.Context, catalog, namespace, table string) ([]schema.Column, error) {
	db := ""
	if namespace != "" {
		db = qualified(catalog, namespace)
	}
	list, err := s.c.ListColumns(ctx, db, table)
	if err != nil {
		return nil, err
	}
	out := make([]schema.Column, len(list))
	for i, c := range list {
		out[i] = schema.Column{Name: c.Name, Type: c.Type, Comment: c.Description, Nullable: c.Nullable, Partition: c.Partition}
	}
	return out, nil
}

// Functions implements schema.Source.
func (s *SchemaSource) Functions(ctx context.Context) ([]schema.Function, error) {
	list, err := s.c.ListFunctions(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]schema.Function, len(list))
	for i, f := range list {
		usage, desc, ok := strings.Cut(f.Description, " - ")
		if !ok {
			usage, desc = "", f.Description
		}
		out[i] = schema.Function{
			Name: f.Name, Class: f.ClassName, Usage: strings.TrimSpace(usage), Description: strings.TrimSpace(desc),
			// Built-ins have no catalog and a class in Spark's expressions
			// (or none, for operators); UDFs have a catalog or their own class.
			Builtin: f.Catalog == "" && (f.ClassName == "" || strings.HasPrefix(f.ClassName, "org.apache.spark.sql.catalyst.")),
		}
	}
	return out, nil
}

// TablesWithColumns implements schema.Source: one statement for the whole
// namespace (see SchemaSource).
func (s *SchemaSource) TablesWithColumns(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	if catalog == "" {
		cat, _, err := s.Current(ctx)
		if err != nil {
			return nil, err
		}
		catalog = cat
	}
	s.mu.Lock()
	info, probed := s.infoSchema[strings.ToLower(catalog)]
	noExtended := s.noExtended
	s.mu.Unlock()
	if info || !probed {
		tables, err := s.fromInformationSchema(ctx, catalog, namespace)
		if err == nil {
			s.setInfoSchema(catalog, true)
			return tables, nil
		}
		if !isMissing(err) {
			return nil, err
		}
		s.setInfoSchema(catalog, false)
	}
	if noExtended {
		return nil, fmt.Errorf("no bulk column listing on this server: %w", schema.ErrUnsupported)
	}
	tables, err := s.fromShowTableExtended(ctx, catalog, namespace)
	if errors.Is(err, errUnparsable) {
		s.mu.Lock()
		s.noExtended = true
		s.mu.Unlock()
		return nil, fmt.Errorf("%v: %w", err, schema.ErrUnsupported)
	}
	return tables, err
}

func (s *SchemaSource) setInfoSchema(catalog string, ok bool) {
	s.mu.Lock()
	s.infoSchema[strings.ToLower(catalog)] = ok
	s.mu.Unlock()
}

// isMissing reports an error that says the object or syntax does not exist
// on this server (as opposed to a transport failure).
func isMissing(err error) bool {
	var se *SparkError
	if !errors.As(err, &se) {
		return false
	}
	return strings.Contains(se.ErrorClass, "NOT_FOUND") || strings.Contains(se.ErrorClass, "NAMESPACE") ||
		strings.Contains(se.ErrorClass, "UNRESOLVED") || strings.Contains(se.ErrorClass, "PARSE") ||
		strings.Contains(se.ErrorClass, "UNSUPPORTED")
}

func sqlString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

// fromInformationSchema lists a namespace's tables and columns from the
// catalog's information_schema (Unity Catalog): one query.
func (s *SchemaSource) fromInformationSchema(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	is := sqltext.Quote(catalog) + ".information_schema"
	q := `SELECT t.table_name, t.table_type, t.comment, c.column_name, c.full_data_type, c.is_nullable, c.comment, c.partition_index
FROM ` + is + `.tables t LEFT JOIN ` + is + `.columns c
  ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema AND c.table_name = t.table_name
WHERE t.table_schema = ` + sqlString(namespace) + `
ORDER BY t.table_name, c.ordinal_position`
	res, err := s.c.Run(ctx, q, RunOptions{Limits: bulkLimits, Detach: true})
	if err != nil {
		return nil, err
	}
	if res.Truncated {
		return nil, fmt.Errorf("information_schema listing of %s.%s truncated", catalog, namespace)
	}
	var out []schema.Table
	for _, r := range res.Rows {
		cell := func(i int) string {
			if i >= len(r) || r[i].Null {
				return ""
			}
			return r[i].Text
		}
		name := cell(0)
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, schema.Table{Catalog: catalog, Namespace: namespace, Name: name, Kind: schema.ParseKind(cell(1)), Comment: cell(2), Columns: []schema.Column{}})
		}
		if cell(3) == "" {
			continue
		}
		t := &out[len(out)-1]
		t.Columns = append(t.Columns, schema.Column{
			Name: cell(3), Type: strings.ToLower(cell(4)), Nullable: !strings.EqualFold(cell(5), "NO"), Comment: cell(6), Partition: cell(7) != "",
		})
	}
	return out, nil
}

// errUnparsable marks SHOW TABLE EXTENDED output this code cannot read.
var errUnparsable = errors.New("unparsable SHOW TABLE EXTENDED output")

// fromShowTableExtended lists a namespace's tables with their schema trees
// in one command. The tree has types and nullability but no comments.
func (s *SchemaSource) fromShowTableExtended(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	res, err := s.c.Run(ctx, "SHOW TABLE EXTENDED IN "+qualified(catalog, namespace)+" LIKE '*'", RunOptions{Limits: bulkLimits, Detach: true})
	if err != nil {
		return nil, err
	}
	if res.Truncated {
		return nil, fmt.Errorf("SHOW TABLE EXTENDED of %s.%s truncated", catalog, namespace)
	}
	col := map[string]int{}
	for i, c := range res.Columns {
		col[c.Name] = i
	}
	iName, ok1 := col["tableName"]
	iTemp, ok2 := col["isTemporary"]
	iInfo, ok3 := col["information"]
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("%w: columns %v", errUnparsable, res.Columns)
	}
	out := make([]schema.Table, 0, len(res.Rows))
	for _, r := range res.Rows {
		if r[iTemp].Text == "true" {
			continue
		}
		t, err := parseTableInformation(r[iInfo].Text)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", namespace, r[iName].Text, err)
		}
		t.Catalog, t.Namespace, t.Name = catalog, namespace, r[iName].Text
		out = append(out, t)
	}
	return out, nil
}

// parseTableInformation reads the information cell of SHOW TABLE EXTENDED:
// "Key: value" lines, then "Schema: root" and the schema tree.
func parseTableInformation(info string) (schema.Table, error) {
	t := schema.Table{NoColumnComments: true}
	if strings.HasSuffix(info, "…") {
		return t, fmt.Errorf("%w: cut", errUnparsable)
	}
	lines := strings.Split(info, "\n")
	var partitions []string
	for i, line := range lines {
		key, value, _ := strings.Cut(line, ": ")
		switch key {
		case "Type":
			t.Kind = schema.ParseKind(value)
		case "Comment":
			t.Comment = value
		case "Partition Columns":
			partitions = sqltext.SplitName(strings.ReplaceAll(strings.Trim(value, "[]"), "`, `", "`.`"))
		case "Schema":
			cols, err := parseSchemaTree(lines[i+1:])
			if err != nil {
				return t, err
			}
			for j := range cols {
				for _, p := range partitions {
					if strings.EqualFold(p, cols[j].Name) {
						cols[j].Partition = true
					}
				}
			}
			t.Columns = cols
			return t, nil
		}
	}
	return t, fmt.Errorf("%w: no Schema", errUnparsable)
}

// treeNode is one field of a schema tree.
type treeNode struct {
	name, typ string
	nullable  bool
	children  []*treeNode
}

// parseSchemaTree reads StructType.treeString lines (" |-- name: type
// (nullable = true)", nested fields indented by " |   ") into columns whose
// types are rendered as Spark's catalogString (int, array<string>,
// struct<a:int,b:string>), the form ListColumns and DESCRIBE use.
func parseSchemaTree(lines []string) ([]schema.Column, error) {
	root := &treeNode{}
	stack := []*treeNode{root}
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		at := strings.Index(line, "|-- ")
		if at < 0 || (at-1)%5 != 0 {
			return nil, fmt.Errorf("%w: schema line %q", errUnparsable, line)
		}
		depth := (at - 1) / 5
		if depth+1 > len(stack) {
			return nil, fmt.Errorf("%w: schema line %q skips a level", errUnparsable, line)
		}
		rest := line[at+4:]
		n := &treeNode{nullable: true}
		if open := strings.LastIndex(rest, " ("); open >= 0 && strings.HasSuffix(rest, ")") {
			key, v, ok := strings.Cut(rest[open+2:len(rest)-1], " = ")
			if ok && (key == "nullable" || key == "containsNull" || key == "valueContainsNull") {
				n.nullable = v != "false"
				rest = rest[:open]
			}
		}
		sep := strings.LastIndex(rest, ": ")
		if sep < 0 {
			return nil, fmt.Errorf("%w: schema line %q", errUnparsable, line)
		}
		n.name, n.typ = rest[:sep], rest[sep+2:]
		stack = stack[:depth+1]
		parent := stack[depth]
		parent.children = append(parent.children, n)
		stack = append(stack, n)
	}
	cols := make([]schema.Column, len(root.children))
	for i, n := range root.children {
		cols[i] = schema.Column{Name: n.name, Type: n.catalogString(), Nullable: n.nullable}
	}
	return cols, nil
}

// typeNames maps treeString's typeName to the SQL name catalogString uses.
var typeNames = map[string]string{
	"integer": "int", "long": "bigint", "short": "smallint", "byte": "tinyint",
	"calendarinterval": "interval",
}

func (n *treeNode) catalogString() string {
	child := func(name string) string {
		for _, c := range n.children {
			if c.name == name {
				return c.catalogString()
			}
		}
		return "?"
	}
	switch n.typ {
	case "array":
		return "array<" + child("element") + ">"
	case "map":
		return "map<" + child("key") + "," + child("value") + ">"
	case "struct":
		parts := make([]string, len(n.children))
		for i, c := range n.children {
			parts[i] = c.name + ":" + c.catalogString()
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	if t, ok := typeNames[n.typ]; ok {
		return t
	}
	return n.typ
}
