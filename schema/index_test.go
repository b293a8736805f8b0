package schema

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sparkls/sparkls/sqltext"
)

func TestMatchName(t *testing.T) {
	tests := []struct {
		typed, name string
		class       MatchClass
	}{
		{"orders", "orders", MatchExact},
		{"ORDERS", "Orders", MatchExact},
		{"ord", "orders", MatchPrefix},
		{"", "orders", MatchPrefix},
		{"ordrs", "orders", MatchFuzzy},
		{"oid", "order_id", MatchFuzzy},
		{"cid", "CustomerId", MatchFuzzy},
		{"xyz", "orders", MatchNone},
		{"ordersx", "orders", MatchNone},
		{"sro", "orders", MatchNone},   // characters present, order wrong
		{"rders", "orders", MatchNone}, // the first must begin a word
		{"cust", "dim_customer", MatchFuzzy},
		{"id", "CustomerId", MatchFuzzy},
		{"2024", "sales_2024", MatchFuzzy},
	}
	for _, tt := range tests {
		t.Run(tt.typed+"/"+tt.name, func(t *testing.T) {
			if got, _ := MatchName(tt.typed, tt.name); got != tt.class {
				t.Errorf("MatchName(%q, %q) = %v, want %v", tt.typed, tt.name, got, tt.class)
			}
		})
	}
}

// Fuzzy scores reward word starts (after _, at case changes) and runs.
func TestFuzzyScoreOrder(t *testing.T) {
	tests := []struct {
		typed, better, worse string
	}{
		{"oid", "order_id", "overdue_paid"},
		{"oid", "OrderId", "owner_bid"},
		{"cust", "dim_customer", "cxuxsxt"},
		{"cust", "c_u_s_t", "cxuxsxt"}, // acronyms: every character a word start
		{"tsd", "ts_date", "toasted"},
		{"ab", "a_b", "axxxxb"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			cb, sb := MatchName(tt.typed, tt.better)
			cw, sw := MatchName(tt.typed, tt.worse)
			if cb != MatchFuzzy || cw != MatchFuzzy || sb <= sw {
				t.Errorf("%q: %s scores %v/%d, %s scores %v/%d; want the first higher", tt.typed, tt.better, cb, sb, tt.worse, cw, sw)
			}
		})
	}
}

// searchSnapshot: spark_catalog (current, namespace sales current) and a
// second catalog, with names chosen to exercise each ranking rule.
func searchSnapshot() *Snapshot {
	now := time.Now()
	tbl := func(cat, ns, name string, cols ...string) *Table {
		t := &Table{Catalog: cat, Namespace: ns, Name: name, ColumnsAt: now}
		for _, c := range cols {
			t.Columns = append(t.Columns, Column{Name: c, Type: "int"})
		}
		return t
	}
	sales := NewNamespace("spark_catalog", "sales", "", []*Table{
		tbl("spark_catalog", "sales", "orders", "order_id", "amount", "order_date"),
		tbl("spark_catalog", "sales", "order_lines", "line_id", "order_id", "qty"),
		tbl("spark_catalog", "sales", "customers", "customer_id", "name"),
		tbl("spark_catalog", "sales", "old_records"),
	}, now)
	hr := NewNamespace("spark_catalog", "hr", "", []*Table{
		tbl("spark_catalog", "hr", "orders"),
		tbl("spark_catalog", "hr", "org_units"),
	}, now)
	lake := NewNamespace("lake", "raw", "", []*Table{
		tbl("lake", "raw", "ord"),
		tbl("lake", "raw", "orders_raw"),
	}, now)
	s := NewSnapshot([]*Catalog{
		NewCatalog("spark_catalog", "", []*Namespace{sales, hr}, now),
		NewCatalog("lake", "", []*Namespace{lake}, now),
	}, []*Table{{Name: "order_tmp", Kind: KindTempView}}, []Function{
		{Name: "ord", Builtin: true}, {Name: "concat", Builtin: true}, {Name: "count", Builtin: true},
	})
	s.CurrentCatalog, s.CurrentNamespace = "spark_catalog", "sales"
	return s
}

func render(ms []Match) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteString(" ")
		}
		where := ""
		switch {
		case m.Entry == EntryColumn:
			where = m.Table.Name + "."
		case m.Entry == EntryTable && m.Namespace != nil:
			where = m.Namespace.Name + "."
		case m.Entry == EntryNamespace:
			where = m.Catalog.Name + "."
		}
		fmt.Fprintf(&b, "%s%s(%s)", where, m.Name, m.Class.String()[:1])
	}
	return b.String()
}

func TestSearchRanking(t *testing.T) {
	s := searchSnapshot()
	orders := s.Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "orders"})
	lines := s.Table(Ref{Catalog: "spark_catalog", Namespace: "sales", Table: "order_lines"})
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"exact then prefix, each by proximity", Query{Text: "ord", Want: WantTables},
			"raw.ord(e) sales.orders(p) order_tmp(p) sales.order_lines(p) hr.orders(p) raw.orders_raw(p) sales.old_records(f)"},
		{"case-insensitive", Query{Text: "ORDERS", Want: WantTables},
			"sales.orders(e) hr.orders(e) raw.orders_raw(p) sales.order_lines(f)"},
		{"fuzzy", Query{Text: "ordln", Want: WantTables}, "sales.order_lines(f)"},
		{"in statement first", Query{Text: "ord", Want: WantTables, InStatement: []*Table{lines}},
			"raw.ord(e) sales.order_lines(p) sales.orders(p) order_tmp(p) hr.orders(p) raw.orders_raw(p) sales.old_records(f)"},
		{"scoped to a namespace", Query{Text: "or", Want: WantTables, Namespace: "hr"}, "hr.orders(p) hr.org_units(p)"},
		{"scoped to another catalog", Query{Text: "or", Want: WantTables, Catalog: "lake", Namespace: "raw"}, "raw.ord(p) raw.orders_raw(p)"},
		{"namespaces, current first", Query{Text: "", Want: WantNamespaces}, "spark_catalog.sales(p) spark_catalog.hr(p) lake.raw(p)"},
		{"catalogs", Query{Text: "l", Want: WantCatalogs}, "lake(p)"},
		{"catalogs, fuzzy at a word start", Query{Text: "c", Want: WantCatalogs}, "spark_catalog(f)"},
		{"columns of the statement's tables", Query{Text: "oid", Want: WantColumns, InStatement: []*Table{orders, lines}},
			"orders.order_id(f) order_lines.order_id(f)"},
		{"columns by prefix", Query{Text: "order", Want: WantColumns, InStatement: []*Table{orders}},
			"orders.order_id(p) orders.order_date(p)"},
		{"functions", Query{Text: "co", Want: WantFunctions}, "count(p) concat(p)"},
		{"mixed kinds", Query{Text: "ord", Want: WantTables | WantFunctions, Limit: 3}, "raw.ord(e) ord(e) sales.orders(p)"},
		{"limit", Query{Text: "o", Want: WantTables, Limit: 2}, "sales.orders(p) order_tmp(p)"},
		{"nothing", Query{Text: "zzz", Want: WantTables | WantColumns | WantFunctions | WantNamespaces | WantCatalogs}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := s.Search(tt.q)
			if r := render(got); r != tt.want {
				t.Errorf("Search(%+v)\n got: %s\nwant: %s", tt.q.Text, r, tt.want)
			}
		})
	}
}

func TestSearchMore(t *testing.T) {
	s := searchSnapshot()
	if _, more := s.Search(Query{Text: "o", Want: WantTables, Limit: 2}); !more {
		t.Error("a truncated search does not say so")
	}
	if _, more := s.Search(Query{Text: "customers", Want: WantTables, Limit: 2}); more {
		t.Error("a complete search says it is truncated")
	}
}

func TestQualify(t *testing.T) {
	s := searchSnapshot()
	tests := []struct {
		name string
		want Ref
	}{
		{"orders", Ref{"spark_catalog", "sales", "orders"}},
		{"order_tmp", Ref{"", "", "order_tmp"}},
		{"hr.orders", Ref{"spark_catalog", "hr", "orders"}},
		{"lake.raw.ord", Ref{"lake", "raw", "ord"}},
		{"`lake`.`raw`.`ord`", Ref{"lake", "raw", "ord"}},
		{"lake.`a.b`.t", Ref{"lake", "a.b", "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Qualify(sqltext.SplitName(tt.name)...); got != tt.want {
				t.Errorf("Qualify(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
