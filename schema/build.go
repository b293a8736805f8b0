package schema

import (
	"slices"
	"sync"
	"time"
)

// Building snapshots. A change copies only the path from the snapshot to
// what changed (the catalog's namespace slice, the namespace's table slice)
// and shares everything else, including the name indexes of untouched lists:
// loading one table's columns costs one copy of its namespace's table slice.

// interner shares equal strings (column types) between tables.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

func (in *interner) intern(s string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if in.m == nil {
		in.m = map[string]string{}
	}
	if len(in.m) > 1<<16 { // a server with unbounded distinct types: stop sharing
		return s
	}
	in.m[s] = s
	return s
}

// NewNamespace returns a namespace holding tables (sorted and indexed here;
// the slice is taken over). It is how a Source-free caller (tests, the CLI)
// builds a snapshot by hand.
func NewNamespace(catalog, name, comment string, tables []*Table, listedAt time.Time) *Namespace {
	slices.SortFunc(tables, func(a, b *Table) int { return cmpFold(a.Name, b.Name) })
	tables = slices.CompactFunc(tables, func(a, b *Table) bool { return cmpFold(a.Name, b.Name) == 0 })
	n := &Namespace{Catalog: catalog, Name: name, Comment: comment, Tables: tables, TablesAt: listedAt}
	n.idx = newNameSet(len(tables), func(i int) string { return tables[i].Name })
	return n
}

// NewCatalog returns a catalog holding namespaces (sorted and indexed here).
func NewCatalog(name, comment string, namespaces []*Namespace, listedAt time.Time) *Catalog {
	slices.SortFunc(namespaces, func(a, b *Namespace) int { return cmpFold(a.Name, b.Name) })
	namespaces = slices.CompactFunc(namespaces, func(a, b *Namespace) bool { return cmpFold(a.Name, b.Name) == 0 })
	c := &Catalog{Name: name, Comment: comment, Namespaces: namespaces, NamespacesAt: listedAt}
	c.idx = newNameSet(len(namespaces), func(i int) string { return namespaces[i].Name })
	return c
}

// NewSnapshot returns a snapshot of catalogs, temporary views and functions
// (sorted and indexed here).
func NewSnapshot(catalogs []*Catalog, tempViews []*Table, functions []Function) *Snapshot {
	s := &Snapshot{Catalogs: catalogs, TempViews: tempViews, Functions: functions}
	slices.SortFunc(s.Catalogs, func(a, b *Catalog) int { return cmpFold(a.Name, b.Name) })
	slices.SortFunc(s.Functions, func(a, b Function) int { return cmpFold(a.Name, b.Name) })
	s.Functions = slices.CompactFunc(s.Functions, func(a, b Function) bool { return cmpFold(a.Name, b.Name) == 0 })
	s.reindex()
	return s
}

func (s *Snapshot) reindex() {
	s.catIdx = newNameSet(len(s.Catalogs), func(i int) string { return s.Catalogs[i].Name })
	s.fnIdx = newNameSet(len(s.Functions), func(i int) string { return s.Functions[i].Name })
	s.tmpIdx = newNameSet(len(s.TempViews), func(i int) string { return s.TempViews[i].Name })
}

// clone is a shallow copy sharing every list.
func (s *Snapshot) clone() *Snapshot {
	c := *s
	return &c
}

// withCatalog replaces (or adds) the catalog of the same name.
func (s *Snapshot) withCatalog(c *Catalog) *Snapshot {
	out := s.clone()
	out.Catalogs = slices.Clone(s.Catalogs)
	i, found := slices.BinarySearchFunc(out.Catalogs, c.Name, func(x *Catalog, name string) int { return cmpFold(x.Name, name) })
	if found {
		out.Catalogs[i] = c
		return out
	}
	out.Catalogs = slices.Insert(out.Catalogs, i, c)
	out.catIdx = newNameSet(len(out.Catalogs), func(i int) string { return out.Catalogs[i].Name })
	return out
}

// withNamespace replaces (or adds) namespace n in its catalog, creating the
// catalog when the snapshot does not know it yet.
func (s *Snapshot) withNamespace(n *Namespace) *Snapshot {
	c := s.Catalog(n.Catalog)
	if c == nil {
		return s.withCatalog(NewCatalog(n.Catalog, "", []*Namespace{n}, time.Time{}))
	}
	nc := *c
	nc.Namespaces = slices.Clone(c.Namespaces)
	i, found := slices.BinarySearchFunc(nc.Namespaces, n.Name, func(x *Namespace, name string) int { return cmpFold(x.Name, name) })
	if found {
		nc.Namespaces[i] = n
	} else {
		nc.Namespaces = slices.Insert(nc.Namespaces, i, n)
		nc.idx = newNameSet(len(nc.Namespaces), func(i int) string { return nc.Namespaces[i].Name })
	}
	return s.withCatalog(&nc)
}

// withoutNamespace drops a namespace (after DROP DATABASE).
func (s *Snapshot) withoutNamespace(catalog, name string) *Snapshot {
	c := s.Catalog(catalog)
	if c == nil || c.Namespace(name) == nil {
		return s
	}
	var keep []*Namespace
	for _, n := range c.Namespaces {
		if cmpFold(n.Name, name) != 0 {
			keep = append(keep, n)
		}
	}
	return s.withCatalog(NewCatalog(c.Name, c.Comment, keep, c.NamespacesAt))
}

// withColumns sets the columns of tables of one namespace (or of temporary
// views when the namespace is nil); tables it does not know are ignored.
func (s *Snapshot) withColumns(catalog, namespace string, cols map[string]*Table) *Snapshot {
	if catalog == "" && namespace == "" {
		out := s.clone()
		out.TempViews = replaceTables(s.TempViews, cols)
		return out
	}
	n := s.Namespace(catalog, namespace)
	if n == nil {
		return s
	}
	nn := *n
	nn.Tables = replaceTables(n.Tables, cols)
	return s.withNamespace(&nn)
}

// replaceTables copies tables, swapping in the loaded version of each table
// named in loaded (lowercased keys). Order is kept, so indexes stay valid.
func replaceTables(tables []*Table, loaded map[string]*Table) []*Table {
	out := slices.Clone(tables)
	for i, t := range out {
		if l, ok := loaded[lowerASCII(t.Name)]; ok {
			nt := *t
			nt.Columns, nt.ColumnsAt, nt.NoColumnComments = l.Columns, l.ColumnsAt, l.NoColumnComments
			if l.Comment != "" {
				nt.Comment = l.Comment
			}
			out[i] = &nt
		}
	}
	return out
}

// carryColumns gives newly listed tables what their namesakes knew: the
// kind and comment when the listing does not say (names-only listings), and
// the columns when the kind is the same, so a relisting forgets nothing.
// skip names a table (lowercased) whose columns must be reloaded instead.
func carryColumns(fresh []*Table, old *Namespace, skip string) {
	if old == nil {
		return
	}
	for _, t := range fresh {
		o := old.Table(t.Name)
		if o == nil {
			continue
		}
		if lowerASCII(t.Name) == skip {
			continue
		}
		if t.Kind == KindTable {
			t.Kind = o.Kind
		}
		if t.Comment == "" {
			t.Comment = o.Comment
		}
		if !t.ColumnsLoaded() && o.Kind == t.Kind && o.ColumnsLoaded() {
			t.Columns, t.ColumnsAt, t.NoColumnComments = o.Columns, o.ColumnsAt, o.NoColumnComments
		}
	}
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return string(appendLower(make([]byte, 0, len(s)), s))
		}
	}
	return s
}
