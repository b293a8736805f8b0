package connect

import (
	"context"
	"errors"
	"strings"

	"github.com/sparkls/sparkls/connect/internal/pb"
	"github.com/sparkls/sparkls/sqltext"
)

// Catalog listings use Spark Connect's Catalog relation (one round trip, the
// rows read by position as Spark's catalog classes order them) and fall back to
// SQL (SHOW ..., DESCRIBE ...) where a server lacks an operation.

// CatalogInfo is one catalog of the session (spark_catalog and any others).
type CatalogInfo struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Database is one namespace of a catalog.
type Database struct {
	Name        string `json:"name"`
	Catalog     string `json:"catalog,omitempty"`
	Description string `json:"description,omitempty"`
	Location    string `json:"location,omitempty"`
}

// Table is a table or view. Type is MANAGED, EXTERNAL, VIEW or TEMPORARY.
type Table struct {
	Name        string `json:"name"`
	Catalog     string `json:"catalog,omitempty"`
	Database    string `json:"database,omitempty"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Temporary   bool   `json:"temporary,omitempty"`
}

// TableColumn is a column of a table, with its Spark type as DESCRIBE prints it.
type TableColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Nullable    bool   `json:"nullable"`
	Partition   bool   `json:"partition,omitempty"`
	Bucket      bool   `json:"bucket,omitempty"`
}

// Function is a built-in or user-defined function.
type Function struct {
	Name        string `json:"name"`
	Catalog     string `json:"catalog,omitempty"`
	Description string `json:"description,omitempty"`
	ClassName   string `json:"className,omitempty"`
	Temporary   bool   `json:"temporary,omitempty"`
}

// catalogLimits are far above any real catalog yet keep a broken server from
// flooding memory.
var catalogLimits = Limits{Rows: 2_000_000, Bytes: 1 << 30, CellBytes: 64 << 10}

// ListCatalogs lists the catalogs the session can see.
func (c *Client) ListCatalogs(ctx context.Context) ([]CatalogInfo, error) {
	rows, err := c.catalogRows(ctx, &pb.Catalog{CatType: &pb.Catalog_ListCatalogs{ListCatalogs: &pb.ListCatalogs{}}}, "SHOW CATALOGS")
	if err != nil {
		return nil, err
	}
	out := make([]CatalogInfo, 0, len(rows))
	for _, r := range rows {
		out = append(out, CatalogInfo{Name: r.str(0), Description: r.str(1)})
	}
	return out, nil
}

// ListDatabases lists the namespaces of a catalog ("" for the current one).
func (c *Client) ListDatabases(ctx context.Context, catalog string) ([]Database, error) {
	if catalog != "" {
		// The Catalog relation lists only the current catalog's databases.
		res, err := c.sqlRows(ctx, "SHOW NAMESPACES IN "+sqltext.QuoteParts(sqltext.QuoteAlways, sqltext.SplitName(catalog)...))
		if err != nil {
			return nil, err
		}
		out := make([]Database, 0, len(res))
		for _, r := range res {
			out = append(out, Database{Name: r.str(0), Catalog: catalog})
		}
		return out, nil
	}
	rows, err := c.catalogRows(ctx, &pb.Catalog{CatType: &pb.Catalog_ListDatabases{ListDatabases: &pb.ListDatabases{}}}, "SHOW NAMESPACES")
	if err != nil {
		return nil, err
	}
	out := make([]Database, 0, len(rows))
	for _, r := range rows {
		out = append(out, Database{Name: r.str(0), Catalog: r.str(1), Description: r.str(2), Location: r.str(3)})
	}
	return out, nil
}

// ListTables lists the tables and views of a database, which may be
// catalog-qualified ("cat.db"); "" is the current database. Temporary views
// of the session are included.
func (c *Client) ListTables(ctx context.Context, database string) ([]Table, error) {
	lt := &pb.ListTables{}
	fallback := "SHOW TABLES"
	if database != "" {
		lt.DbName = &database
		fallback += " IN " + sqltext.QuoteParts(sqltext.QuoteAlways, sqltext.SplitName(database)...)
	}
	rows, err := c.catalogRows(ctx, &pb.Catalog{CatType: &pb.Catalog_ListTables{ListTables: lt}}, fallback)
	if err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(rows))
	for _, r := range rows {
		if r.fromSQL { // namespace, tableName, isTemporary
			t := Table{Name: r.str(1), Database: r.str(0), Type: "TABLE", Temporary: r.str(2) == "true"}
			if t.Temporary {
				t.Type = "TEMPORARY"
			}
			out = append(out, t)
			continue
		}
		out = append(out, Table{Name: r.str(0), Catalog: r.str(1), Database: database, Description: r.str(3), Type: r.str(4), Temporary: r.str(5) == "true"})
	}
	return out, nil
}

// ListColumns lists the columns of a table in database (which may be
// catalog-qualified, or "" for the current database).
func (c *Client) ListColumns(ctx context.Context, database, table string) ([]TableColumn, error) {
	// A qualified table name works for any depth (cat.db.table); db_name
	// would be taken as one identifier.
	full := sqltext.QuoteParts(sqltext.QuoteAlways, sqltext.SplitName(table)...)
	if database != "" {
		full = sqltext.QuoteParts(sqltext.QuoteAlways, sqltext.SplitName(database)...) + "." + full
	}
	lc := &pb.ListColumns{TableName: full}
	rows, err := c.catalogRows(ctx, &pb.Catalog{CatType: &pb.Catalog_ListColumns{ListColumns: lc}}, "DESCRIBE TABLE "+full)
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 && rows[0].fromSQL {
		return describeColumns(rows), nil
	}
	out := make([]TableColumn, 0, len(rows))
	for _, r := range rows {
		out = append(out, TableColumn{Name: r.str(0), Description: r.str(1), Type: r.str(2), Nullable: r.str(3) == "true", Partition: r.str(4) == "true", Bucket: r.str(5) == "true"})
	}
	return out, nil
}

// describeColumns reads DESCRIBE TABLE output: columns, then a
// "# Partition Information" section naming the partition columns again.
func describeColumns(rows []row) []TableColumn {
	var cols []TableColumn
	index := map[string]int{}
	inPartitions := false
	for _, r := range rows {
		name := r.str(0)
		switch {
		case strings.HasPrefix(name, "# Partition"):
			inPartitions = true
		case name == "" || strings.HasPrefix(name, "#"):
			// section headers and blank separators
		case inPartitions:
			if i, ok := index[name]; ok {
				cols[i].Partition = true
			}
		default:
			index[name] = len(cols)
			cols = append(cols, TableColumn{Name: name, Type: r.str(1), Description: r.str(2), Nullable: true})
		}
	}
	return cols
}

// ListFunctions lists the functions of a database ("" for the current one),
// built-ins included. The server describes every function: it can be slow.
func (c *Client) ListFunctions(ctx context.Context, database string) ([]Function, error) {
	lf := &pb.ListFunctions{}
	if database != "" {
		lf.DbName = &database
	}
	rows, err := c.catalogRows(ctx, &pb.Catalog{CatType: &pb.Catalog_ListFunctions{ListFunctions: lf}}, "SHOW FUNCTIONS")
	if err != nil {
		return nil, err
	}
	out := make([]Function, 0, len(rows))
	for _, r := range rows {
		if r.fromSQL {
			out = append(out, Function{Name: r.str(0)})
			continue
		}
		out = append(out, Function{Name: r.str(0), Catalog: r.str(1), Description: r.str(3), ClassName: r.str(4), Temporary: r.str(5) == "true"})
	}
	return out, nil
}

// CurrentDatabase returns the session's current catalog and database.
func (c *Client) CurrentDatabase(ctx context.Context) (catalog, database string, err error) {
	rows, err := c.sqlRows(ctx, "SHOW CURRENT NAMESPACE")
	if err != nil {
		return "", "", err
	}
	if len(rows) == 0 {
		return "", "", errors.New("SHOW CURRENT NAMESPACE returned no row")
	}
	return rows[0].str(0), rows[0].str(1), nil
}

// row is one listing row; fromSQL marks rows of the SQL fallback, whose
// columns differ from the Catalog relation's.
type row struct {
	cells   []Cell
	fromSQL bool
}

func (r row) str(i int) string {
	if i >= len(r.cells) || r.cells[i].Null {
		return ""
	}
	return r.cells[i].Text
}

// catalogRows runs a Catalog relation, or the SQL fallback when the server
// cannot (an unsupported operation, not a missing object).
func (c *Client) catalogRows(ctx context.Context, cat *pb.Catalog, fallback string) ([]row, error) {
	res, err := c.collect(ctx, &pb.Relation{RelType: &pb.Relation_Catalog{Catalog: cat}})
	if err == nil {
		return rowsOf(res, false), nil
	}
	var se *SparkError
	if !errors.As(err, &se) || strings.Contains(se.ErrorClass, "NOT_FOUND") || fallback == "" {
		return nil, err
	}
	c.opts.Logger.Debug("catalog relation failed, using SQL", "sql", fallback, "err", err)
	rows, ferr := c.sqlRows(ctx, fallback)
	if ferr != nil {
		return nil, err
	}
	return rows, nil
}

func (c *Client) sqlRows(ctx context.Context, stmt string) ([]row, error) {
	res, err := c.runStatement(ctx, stmt, RunOptions{Limits: catalogLimits, Detach: true}, stmtArgs{})
	if err != nil {
		return nil, err
	}
	return rowsOf(res, true), nil
}

// collect reads every row of a relation (within catalogLimits).
func (c *Client) collect(ctx context.Context, rel *pb.Relation) (*Result, error) {
	p := &previewReader{lim: catalogLimits, res: &Result{}}
	var err error
	p.res.OperationID, err = c.execute(ctx, &pb.Plan{OpType: &pb.Plan_Root{Root: rel}}, execOptions{detach: true}, p.handle)
	if err != nil {
		return nil, err
	}
	return p.res, nil
}

func rowsOf(res *Result, fromSQL bool) []row {
	out := make([]row, len(res.Rows))
	for i, cells := range res.Rows {
		out[i] = row{cells: cells, fromSQL: fromSQL}
	}
	return out
}
