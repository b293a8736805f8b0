// Package schema is sparkls's picture of the Spark catalog: catalogs,
// namespaces, tables and views, columns and functions, held in immutable
// snapshots that a Cache swaps atomically, loads lazily from a Source, keeps
// on disk per remote, and searches by prefix and fuzzy name.
//
// Readers never block: completion and hover read Cache.Snapshot, and a miss
// waits at most a short budget for an on-demand load before answering with
// what it has. The package does not talk to Spark (package connect implements
// Source), does not parse SQL beyond guessing the object a DDL statement
// touches (DDLHint), and knows nothing of editors or LSP.
package schema

import (
	"sort"
	"strings"
	"time"
)

// Everything reachable from a Snapshot is shared between goroutines and
// snapshots: treat it as read-only. A change builds new values (copy on write).

// Kind says what a table is.
type Kind uint8

const (
	KindTable    Kind = iota // a table whose kind the server did not say
	KindManaged              // a managed table
	KindExternal             // an external table
	KindView                 // a persistent view
	KindTempView             // a session-scoped temporary view
)

var kindNames = [...]string{"TABLE", "MANAGED", "EXTERNAL", "VIEW", "TEMPORARY"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "TABLE"
}

// ParseKind reads a table type as Spark's catalog prints it (MANAGED,
// EXTERNAL, VIEW, TEMPORARY; anything else is KindTable).
func ParseKind(s string) Kind {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "MANAGED":
		return KindManaged
	case "EXTERNAL":
		return KindExternal
	case "VIEW", "MATERIALIZED_VIEW", "MATERIALIZED VIEW":
		return KindView
	case "TEMPORARY", "TEMP", "TEMPORARY VIEW":
		return KindTempView
	}
	return KindTable
}

// Column is one column of a table. Columns live in one flat slice per table,
// with their Type strings interned: 2M columns cost well under 150 bytes each.
type Column struct {
	Name      string
	Type      string // Spark SQL type as DESCRIBE prints it: int, decimal(12,2), array<string>
	Comment   string
	Nullable  bool
	Partition bool
}

// Table is a table or view.
type Table struct {
	Catalog   string // "" for a temporary view
	Namespace string // "" for a temporary view
	Name      string
	Kind      Kind
	Comment   string
	// Columns are nil until loaded; ColumnsAt is when they were (zero: never).
	Columns   []Column
	ColumnsAt time.Time
	// NoColumnComments is set when Columns came from a bulk listing that
	// does not carry column comments (Cache.Describe loads them).
	NoColumnComments bool
}

// ColumnsLoaded reports whether the table's columns are known.
func (t *Table) ColumnsLoaded() bool { return !t.ColumnsAt.IsZero() }

// Ref is the table's fully qualified reference.
func (t *Table) Ref() Ref { return Ref{Catalog: t.Catalog, Namespace: t.Namespace, Table: t.Name} }

// Column returns the column called name (case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// PartitionColumns returns the names of the partition columns in order.
func (t *Table) PartitionColumns() []string {
	var out []string
	for _, c := range t.Columns {
		if c.Partition {
			out = append(out, c.Name)
		}
	}
	return out
}

// Namespace is a namespace (database, schema) of a catalog.
type Namespace struct {
	Catalog string
	Name    string
	Comment string
	// Tables are sorted by name, ignoring case; nil with a zero TablesAt
	// means the namespace has not been listed yet.
	Tables   []*Table
	TablesAt time.Time

	idx *nameSet // names of Tables, for Search
	// failed is set when the last full refresh could not list the tables
	// (or its catalog's namespaces): Tables are what an earlier load had,
	// and a lookup (Cache.Namespace) relists them. A listing clears it.
	failed bool
}

// Failed reports whether the last full refresh could not list the
// namespace: its tables, if any, are from an earlier load.
func (n *Namespace) Failed() bool { return n.failed }

// TablesLoaded reports whether the namespace's tables have been listed.
func (n *Namespace) TablesLoaded() bool { return !n.TablesAt.IsZero() }

// Table returns the table called name (case-insensitive), or nil.
func (n *Namespace) Table(name string) *Table {
	i := sort.Search(len(n.Tables), func(i int) bool { return cmpFold(n.Tables[i].Name, name) >= 0 })
	if i < len(n.Tables) && cmpFold(n.Tables[i].Name, name) == 0 {
		return n.Tables[i]
	}
	return nil
}

// Catalog is a catalog (spark_catalog, a Unity Catalog catalog, ...).
type Catalog struct {
	Name    string
	Comment string
	// Namespaces are sorted by name, ignoring case.
	Namespaces   []*Namespace
	NamespacesAt time.Time

	idx *nameSet
}

// Namespace returns the namespace called name (case-insensitive), or nil.
func (c *Catalog) Namespace(name string) *Namespace {
	i := sort.Search(len(c.Namespaces), func(i int) bool { return cmpFold(c.Namespaces[i].Name, name) >= 0 })
	if i < len(c.Namespaces) && cmpFold(c.Namespaces[i].Name, name) == 0 {
		return c.Namespaces[i]
	}
	return nil
}

// Function is a built-in or user-defined function.
type Function struct {
	Name        string
	Class       string // implementing class, when the server says
	Usage       string // how to call it: "abs(expr)"
	Description string // what it does
	Builtin     bool   // false: user-defined (temporary or persistent)
}

// Ref names a table. An empty Catalog and Namespace with a Table is a
// temporary view of the session.
type Ref struct {
	Catalog, Namespace, Table string
}

// String renders the reference dotted, without quoting.
func (r Ref) String() string {
	switch {
	case r.Catalog == "" && r.Namespace == "":
		return r.Table
	case r.Catalog == "":
		return r.Namespace + "." + r.Table
	}
	return r.Catalog + "." + r.Namespace + "." + r.Table
}

// Snapshot is one immutable picture of the catalog. Get the current one from
// Cache.Snapshot; never modify it.
type Snapshot struct {
	// Catalogs are sorted by name, ignoring case.
	Catalogs []*Catalog
	// TempViews are the session's temporary views (not persisted).
	TempViews []*Table
	// Functions are sorted by name, ignoring case.
	Functions []Function

	// CurrentCatalog and CurrentNamespace are the session's USE state.
	CurrentCatalog   string
	CurrentNamespace string

	// SparkVersion is the version of the server the names come from (the
	// last one seen, for a snapshot from disk; "": unknown).
	SparkVersion string

	// RefreshedAt is when the last full load from the server finished (zero:
	// never; the snapshot holds only what lazy loads and the disk brought).
	RefreshedAt time.Time
	// LoadTime is how long that load took (or reading the disk cache, for a
	// snapshot that came from disk and has not been refreshed since).
	LoadTime time.Duration
	// FromDisk is set while the snapshot's names still come from the disk cache.
	FromDisk bool

	catIdx *nameSet
	fnIdx  *nameSet
	tmpIdx *nameSet
	// failedCats holds the catalogs (lowercased) whose namespaces the last
	// full refresh could not list; read-only, shared by clones.
	failedCats map[string]bool
}

// CatalogFailed reports whether the last full refresh could not list the
// catalog's namespaces: those it has, if any, are from an earlier load.
func (s *Snapshot) CatalogFailed(name string) bool { return s.failedCats[lowerASCII(name)] }

// Catalog returns the catalog called name (case-insensitive), or nil.
func (s *Snapshot) Catalog(name string) *Catalog {
	i := sort.Search(len(s.Catalogs), func(i int) bool { return cmpFold(s.Catalogs[i].Name, name) >= 0 })
	if i < len(s.Catalogs) && cmpFold(s.Catalogs[i].Name, name) == 0 {
		return s.Catalogs[i]
	}
	return nil
}

// Namespace returns a namespace ("" catalog: the current one), or nil.
func (s *Snapshot) Namespace(catalog, name string) *Namespace {
	if catalog == "" {
		catalog = s.CurrentCatalog
	}
	if c := s.Catalog(catalog); c != nil {
		return c.Namespace(name)
	}
	return nil
}

// Table returns the table r names, or nil. r must be qualified (see Qualify).
func (s *Snapshot) Table(r Ref) *Table {
	if r.Catalog == "" && r.Namespace == "" {
		return s.tempView(r.Table)
	}
	if n := s.Namespace(r.Catalog, r.Namespace); n != nil {
		return n.Table(r.Table)
	}
	return nil
}

func (s *Snapshot) tempView(name string) *Table {
	for _, t := range s.TempViews {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

// Function returns the function called name (case-insensitive), or nil.
func (s *Snapshot) Function(name string) *Function {
	i := sort.Search(len(s.Functions), func(i int) bool { return cmpFold(s.Functions[i].Name, name) >= 0 })
	if i < len(s.Functions) && cmpFold(s.Functions[i].Name, name) == 0 {
		return &s.Functions[i]
	}
	return nil
}

// Qualify resolves the parts of a table name as written in SQL the way Spark
// does: one part is a temporary view if the session has one of that name,
// else a table of the current namespace; two parts are namespace.table in
// the current catalog; three are catalog.namespace.table. Backticks must
// already be removed (sqltext.SplitName does).
func (s *Snapshot) Qualify(parts ...string) Ref {
	switch len(parts) {
	case 0:
		return Ref{}
	case 1:
		if s.tempView(parts[0]) != nil {
			return Ref{Table: parts[0]}
		}
		return Ref{Catalog: s.CurrentCatalog, Namespace: s.CurrentNamespace, Table: parts[0]}
	case 2:
		return Ref{Catalog: s.CurrentCatalog, Namespace: parts[0], Table: parts[1]}
	}
	n := len(parts)
	return Ref{Catalog: parts[0], Namespace: strings.Join(parts[1:n-1], "."), Table: parts[n-1]}
}

// Stats summarise a snapshot for `sparkls catalog --stats`.
type Stats struct {
	Catalogs, Namespaces, Tables, Columns, Functions int
	Age                                              time.Duration // since the last full load (0: never loaded)
	LoadTime                                         time.Duration
	Stale                                            bool // older than the TTL, or never fully loaded
	// Failed counts the catalogs and namespaces the last full refresh could
	// not list (kept from before, retried on lookup); the namespaces of a
	// failed catalog are not counted again.
	Failed int
}

// Stats counts the snapshot's contents; now and ttl decide Age and Stale.
func (s *Snapshot) Stats(now time.Time, ttl time.Duration) Stats {
	st := Stats{Catalogs: len(s.Catalogs), Functions: len(s.Functions), LoadTime: s.LoadTime}
	for _, c := range s.Catalogs {
		st.Namespaces += len(c.Namespaces)
		cf := s.CatalogFailed(c.Name)
		if cf {
			st.Failed++
		}
		for _, n := range c.Namespaces {
			if n.failed && !cf {
				st.Failed++
			}
			st.Tables += len(n.Tables)
			for _, t := range n.Tables {
				st.Columns += len(t.Columns)
			}
		}
	}
	if s.RefreshedAt.IsZero() {
		st.Stale = true
	} else {
		st.Age = now.Sub(s.RefreshedAt)
		st.Stale = ttl > 0 && st.Age > ttl
	}
	return st
}

// cmpFold compares two names ignoring ASCII case, the order of every sorted
// slice in a snapshot.
func cmpFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := lowerByte(a[i]), lowerByte(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
