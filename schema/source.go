package schema

import (
	"context"
	"errors"
)

// Source is where a Cache loads the catalog from: package connect implements
// it over Spark Connect, tests with an in-memory fake. Every method may be
// called concurrently. Catalog "" means the session's current catalog.
//
// Returned values belong to the Cache afterwards: a Source must not keep
// and modify them.
type Source interface {
	// Current returns the session's current catalog and namespace.
	Current(ctx context.Context) (catalog, namespace string, err error)
	// Catalogs lists the catalogs (Namespaces left nil).
	Catalogs(ctx context.Context) ([]Catalog, error)
	// Namespaces lists the namespaces of a catalog (Tables left nil).
	Namespaces(ctx context.Context, catalog string) ([]Namespace, error)
	// Tables lists the tables and views of a namespace, without columns and
	// without the session's temporary views.
	Tables(ctx context.Context, catalog, namespace string) ([]Table, error)
	// TablesWithColumns lists the tables of a namespace with their columns
	// in as few round trips as the server allows (one bulk statement), or
	// returns an error wrapping ErrUnsupported when the server has no bulk
	// path; the Cache then calls Columns per table.
	TablesWithColumns(ctx context.Context, catalog, namespace string) ([]Table, error)
	// Columns lists the columns of one table ("", "" and a name: a
	// temporary view).
	Columns(ctx context.Context, catalog, namespace, table string) ([]Column, error)
	// TempViews lists the session's temporary views, without columns.
	TempViews(ctx context.Context) ([]Table, error)
	// Functions lists the built-in functions and the user-defined functions
	// of the current namespace.
	Functions(ctx context.Context) ([]Function, error)
}

// ErrUnsupported is wrapped by a Source's error for an operation the server
// cannot do (TablesWithColumns without a bulk path).
var ErrUnsupported = errors.ErrUnsupported
