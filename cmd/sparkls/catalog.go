package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/sparkls/sparkls/connect"
)

// cmdCatalog prints the catalog as a tree: catalogs, databases, tables and
// (with --columns) their columns, with types and comments. PATTERN filters
// databases and tables with * wildcards ("sales_*", "sales.ord*").
func cmdCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	remote := remoteFlag(fs)
	columns := fs.Bool("columns", false, "also list the columns of each table")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errUsage{"catalog: at most one PATTERN"}
	}
	var m matcher
	if len(pos) == 1 {
		if m, err = newMatcher(pos[0]); err != nil {
			return errUsage{"catalog: " + err.Error()}
		}
	}
	c, err := dial(ctx, *remote, stderr)
	if err != nil {
		return err
	}
	defer c.Close()

	catalogs, err := c.ListCatalogs(ctx)
	if err != nil {
		return err
	}
	current, _, err := c.CurrentDatabase(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, cat := range catalogs {
		name := cat.Name
		list := ""
		if name != current {
			list = name
		}
		dbs, err := c.ListDatabases(ctx, list)
		if err != nil {
			fmt.Fprintf(&b, "%s  (cannot list: %s)\n", name, oneLine(err.Error()))
			continue
		}
		fmt.Fprintf(&b, "%s%s\n", name, comment(cat.Description))
		for _, db := range dbs {
			qualified := connect.QuoteName(name) + "." + connect.QuoteIdent(db.Name)
			tables, err := c.ListTables(ctx, qualified)
			if err != nil {
				fmt.Fprintf(&b, "  %s  (cannot list: %s)\n", db.Name, oneLine(err.Error()))
				continue
			}
			var shown []connect.Table
			for _, t := range tables {
				if !t.Temporary && m.match(db.Name, t.Name) {
					shown = append(shown, t)
				}
			}
			if len(shown) == 0 && !m.matchDB(db.Name) {
				continue
			}
			fmt.Fprintf(&b, "  %s%s\n", db.Name, comment(db.Description))
			for _, t := range shown {
				fmt.Fprintf(&b, "    %s %s%s\n", connect.QuoteIdent(t.Name), strings.ToLower(t.Type), comment(t.Description))
				if !*columns {
					continue
				}
				cols, err := c.ListColumns(ctx, qualified, t.Name)
				if err != nil {
					fmt.Fprintf(&b, "      (cannot list columns: %s)\n", oneLine(err.Error()))
					continue
				}
				for _, col := range cols {
					flags := ""
					if col.Partition {
						flags += " partition"
					}
					if !col.Nullable {
						flags += " not null"
					}
					fmt.Fprintf(&b, "      %s %s%s%s\n", connect.QuoteIdent(col.Name), col.Type, flags, comment(col.Description))
				}
			}
		}
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

func comment(s string) string {
	if s == "" {
		return ""
	}
	return "  -- " + oneLine(s)
}

// matcher filters databases and tables with shell-style * wildcards. With a
// dot, the parts apply to the database and the table; without, a database
// matching shows all its tables and a table matching shows in any database.
type matcher struct {
	db, table string
	dotted    bool
}

func newMatcher(p string) (matcher, error) {
	m := matcher{db: strings.ToLower(p)}
	if db, table, ok := strings.Cut(m.db, "."); ok {
		m = matcher{db: db, table: table, dotted: true}
	}
	for _, part := range []string{m.db, m.table} {
		if _, err := path.Match(part, ""); err != nil {
			return m, fmt.Errorf("bad pattern %q", p)
		}
	}
	return m, nil
}

func glob(pattern, name string) bool {
	ok, _ := path.Match(pattern, strings.ToLower(name))
	return ok
}

func (m matcher) matchDB(db string) bool {
	return m.db == "" || (!m.dotted && glob(m.db, db))
}

func (m matcher) match(db, table string) bool {
	switch {
	case m.db == "":
		return true
	case m.dotted:
		return glob(m.db, db) && glob(m.table, table)
	default:
		return glob(m.db, db) || glob(m.db, table)
	}
}
