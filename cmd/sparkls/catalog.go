package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/sparkls/sparkls/connect"
	"github.com/sparkls/sparkls/connect/databricks"
	"github.com/sparkls/sparkls/schema"
	"github.com/sparkls/sparkls/sqltext"
)

// cmdCatalog prints the catalog as a tree: catalogs, databases, tables and
// (with --columns) their columns, with types and comments. PATTERN filters
// databases and tables with * wildcards ("sales_*", "sales.ord*").
//
// --refresh and --stats are about the language server's schema cache of
// the remote (the file sparkls serve reads at start): --refresh replaces it
// with every name loaded afresh from the server (and with --columns every
// table's columns), --stats prints what it holds, how old it is and how
// long loading it took.
func cmdCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	remote := remoteFlag(fs)
	columns := fs.Bool("columns", false, "also list the columns of each table")
	refresh := fs.Bool("refresh", false, "reload every name of the catalog into the schema cache of the remote, discarding the old one")
	stats := fs.Bool("stats", false, "print what the schema cache of the remote holds: counts, age, load time")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errUsage{"catalog: at most one PATTERN"}
	}
	if *refresh || *stats {
		if len(pos) > 0 || *columns && !*refresh {
			return errUsage{"catalog: --refresh and --stats take no PATTERN, --stats alone no --columns"}
		}
		return catalogCache(ctx, *remote, *refresh, *columns, stdout, stderr)
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
			qualified := sqltext.QuoteParts(sqltext.Quote, sqltext.SplitName(name)...) + "." + sqltext.Quote(db.Name)
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
				fmt.Fprintf(&b, "    %s %s%s\n", sqltext.Quote(t.Name), strings.ToLower(t.Type), comment(t.Description))
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
					fmt.Fprintf(&b, "      %s %s%s%s\n", sqltext.Quote(col.Name), col.Type, flags, comment(col.Description))
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

// catalogCache refreshes (with refresh; columns too with columns) and
// describes the schema cache of a remote. Without refresh it reads the file
// only: no server needed.
func catalogCache(ctx context.Context, remote string, refresh, columns bool, stdout, stderr io.Writer) error {
	var key string
	var src schema.Source
	if refresh {
		c, err := dial(ctx, remote, stderr)
		if err != nil {
			return err
		}
		defer c.Close()
		key, src = c.SchemaKey(), c.SchemaSource()
	} else {
		r, err := databricks.ParseRemoteEnv(connect.ResolveRemote(remote, nil), nil)
		if err != nil {
			return err
		}
		// The key is the client's (host, port, user, headers); making a
		// client does not contact the server.
		c, err := connect.NewClient(r, connect.Options{Version: sparklsVersion()})
		if err != nil {
			return err
		}
		key = c.SchemaKey()
		c.Close()
	}
	path, err := schema.CacheFile("", key)
	if err != nil {
		return err
	}
	if refresh {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	cache := schema.New(src, schema.Options{Key: key})
	if refresh {
		began := time.Now()
		var partial *schema.PartialError
		if err := cache.Refresh(ctx); errors.As(err, &partial) {
			// What could be listed is saved; say what could not.
			fmt.Fprintf(stderr, "sparkls: warning: %s\n", oneLine(partial.Error()))
		} else if err != nil {
			cache.Close()
			return err
		}
		if columns {
			if err := loadColumns(ctx, cache, stderr); err != nil {
				cache.Close()
				return err
			}
		}
		fmt.Fprintf(stdout, "refreshed in %s\n", time.Since(began).Round(time.Millisecond))
	}
	st := cache.Stats()
	if err := cache.Close(); err != nil {
		return fmt.Errorf("saving the schema cache: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "schema cache %s\n", path)
	if _, err := os.Stat(path); err != nil {
		b.WriteString("  (none yet: sparkls serve or catalog --refresh writes it)\n")
	}
	fmt.Fprintf(&b, "  catalogs %d, namespaces %d, tables %d, columns %d, functions %d\n",
		st.Catalogs, st.Namespaces, st.Tables, st.Columns, st.Functions)
	switch {
	case st.Age == 0 && st.Stale:
		b.WriteString("  never fully loaded from the server\n")
	default:
		fmt.Fprintf(&b, "  refreshed %s ago, loading took %s", st.Age.Round(time.Second), st.LoadTime.Round(time.Millisecond))
		if st.Stale {
			b.WriteString(" (stale: reloaded in the background when used)")
		}
		b.WriteString("\n")
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// columnsStall is how long loadColumns waits without progress before it
// gives up on the tables left (a table the server cannot describe).
const columnsStall = 30 * time.Second

// loadColumns loads the columns of every table of the cache, a namespace
// at a time in the background (Cache.Touch: one bulk statement per
// namespace where the server has one), and waits until all are in.
func loadColumns(ctx context.Context, cache *schema.Cache, stderr io.Writer) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	best, since := -1, time.Now()
	for {
		missing := 0
		for _, cat := range cache.Snapshot().Catalogs {
			for _, ns := range cat.Namespaces {
				n := 0
				for _, t := range ns.Tables {
					if !t.ColumnsLoaded() {
						n++
					}
				}
				if n > 0 {
					cache.Touch(cat.Name, ns.Name)
				}
				missing += n
			}
		}
		switch {
		case missing == 0:
			return nil
		case best < 0 || missing < best:
			best, since = missing, time.Now()
		case time.Since(since) > columnsStall:
			fmt.Fprintf(stderr, "sparkls: the columns of %d tables did not load; the cache has the others\n", missing)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
