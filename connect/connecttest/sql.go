package connecttest

import (
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/sparkls/sparkls/connect/internal/pb"
)

// Sessions and SQL.

type envelope interface {
	GetSessionId() string
}

type observer interface {
	GetClientObservedServerSideSessionId() string
}

// session validates a request's session and returns its server-side id.
func (s *Server) session(req envelope) (string, error) {
	id := req.GetSessionId()
	if !isUUID(id) {
		return "", sparkErr("INVALID_HANDLE.FORMAT", "HY000", "The handle %s is invalid. Handle must be an UUID string of the format '00112233-4455-6677-8899-aabbccddeeff'.", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed[id] {
		return "", sparkErr("INVALID_HANDLE.SESSION_CLOSED", "HY000", "The handle %s is invalid. Session was closed.", id)
	}
	ss, ok := s.sessions[id]
	if !ok {
		ss = uuid.NewString()
		s.sessions[id] = ss
	}
	if o, ok := req.(observer); ok && o.GetClientObservedServerSideSessionId() != "" && o.GetClientObservedServerSideSessionId() != ss {
		return "", sparkErr("INVALID_HANDLE.SESSION_CHANGED", "HY000", "The handle %s is invalid. The existing Spark server driver instance has restarted. Please reconnect.", id)
	}
	return ss, nil
}

// The query envelope sparkls sends for analysis (connect/envelope.go). The
// fake keeps its own copy on purpose, as it keeps its own isQuery: it plays
// Spark, which knows nothing of the client's code.
const envelopeHead, envelopeTail = "SELECT * FROM (\n", "\n\n)"

// sql answers one statement the way session.sql would: a command runs now
// (and is recorded), a query is only resolved. A statement inside the query
// envelope is answered as Spark's parser would: a query is resolved (errors
// located in the enveloped text), anything else is a syntax error and runs
// nothing.
func (s *Server) sql(stmt string) (Result, error) {
	if inner, ok := strings.CutPrefix(stmt, envelopeHead); ok && strings.HasSuffix(inner, envelopeTail) {
		inner = strings.TrimSuffix(inner, envelopeTail)
		if !isQuery(inner) || writes(inner) {
			pos := len(envelopeHead) + len(inner) - len(strings.TrimLeft(inner, " \t\r\n"))
			e := sparkErr("PARSE_SYNTAX_ERROR", "42601", "Syntax error at or near '%s'.", firstWord(inner))
			e.Start, e.Stop = pos, pos+max(len(firstWord(inner)), 1)-1
			return Result{}, e
		}
		r, err := s.sql(inner)
		var se *Error
		if errors.As(err, &se) && se.Start >= 0 {
			se.Start += len(envelopeHead)
			se.Stop += len(envelopeHead)
		}
		return r, err
	}
	query := isQuery(stmt)
	s.mu.Lock()
	h := s.handler
	if !query {
		s.executed = append(s.executed, stmt)
	}
	s.mu.Unlock()
	if h != nil {
		r, err := h(stmt)
		if !errors.Is(err, ErrNotHandled) {
			return r.normalized(), withStatement(err, stmt)
		}
	}
	var r Result
	var err error
	if query {
		r, err = s.query(stmt)
	} else {
		r, err = s.command(stmt)
	}
	return r.normalized(), withStatement(err, stmt)
}

// query answers SELECT * FROM t and TABLE t from the catalog and AddTable.
func (s *Server) query(stmt string) (Result, error) {
	w := words(stmt)
	var name word
	if rest, ok := matchWords(w, "select * from"); ok && len(rest) == 1 {
		name = rest[0]
	} else if rest, ok := matchWords(w, "table"); ok && len(rest) == 1 {
		name = rest[0]
	} else {
		return Result{}, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: no answer for %q: register a table or use HandleSQL", stmt)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db, t, err := s.Catalog.resolveTable("", name.text)
	if err != nil {
		err.Start, err.Stop = name.pos, name.pos+len(name.text)-1
		return Result{}, err
	}
	if r, ok := s.data[strings.ToLower(db.Name+"."+t.Name)]; ok {
		return r, nil
	}
	return Result{Schema: t.schema()}, nil
}

// command answers the SHOW, DESCRIBE and USE statements the client uses as
// catalog fallbacks; any other command succeeds with no rows.
func (s *Server) command(stmt string) (Result, error) {
	w := words(stmt)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.Catalog
	if rest, ok := matchWords(w, "use [namespace|database|schema]"); ok && len(rest) == 1 {
		db, err := c.resolveDB(rest[0].text)
		if err != nil {
			return Result{}, err
		}
		c.Current = db.Name
		return Result{}, nil
	}
	if _, ok := matchWords(w, "show catalogs"); ok {
		return Rows("catalog string", []any{c.name()}), nil
	}
	if _, ok := matchWords(w, "show current namespace"); ok {
		return Rows("catalog string, namespace string", []any{c.name(), c.current()}), nil
	}
	if _, ok := matchWords(w, "show namespaces|databases|schemas"); ok {
		r := Rows("namespace string")
		for _, db := range c.Databases {
			r.Rows = append(r.Rows, []any{db.Name})
		}
		return r, nil
	}
	if rest, ok := matchWords(w, "show tables"); ok {
		name := ""
		if in, ok := matchWords(rest, "in|from"); ok && len(in) > 0 {
			name = in[0].text
		}
		db, err := c.resolveDB(name)
		if err != nil {
			return Result{}, err
		}
		r := Rows("namespace string, tableName string, isTemporary boolean")
		for _, t := range db.Tables {
			ns := db.Name
			if t.Temporary {
				ns = ""
			}
			r.Rows = append(r.Rows, []any{ns, t.Name, t.Temporary})
		}
		return r, nil
	}
	if _, ok := matchWords(w, "show [user|system|all] functions"); ok {
		r := Rows("function string")
		for _, f := range c.Functions {
			r.Rows = append(r.Rows, []any{f.Name})
		}
		return r, nil
	}
	if rest, ok := matchWords(w, "describe|desc [table] [extended|formatted]"); ok && len(rest) == 1 {
		_, t, err := c.resolveTable("", rest[0].text)
		if err != nil {
			err.Start, err.Stop = rest[0].pos, rest[0].pos+len(rest[0].text)-1
			return Result{}, err
		}
		r := Rows("col_name string, data_type string, comment string")
		var parts []Column
		for _, col := range t.Columns {
			r.Rows = append(r.Rows, []any{col.Name, col.Type, nullIfEmpty(col.Comment)})
			if col.Partition {
				parts = append(parts, col)
			}
		}
		if len(parts) > 0 {
			r.Rows = append(r.Rows, []any{"# Partition Information", "", ""}, []any{"# col_name", "data_type", "comment"})
			for _, col := range parts {
				r.Rows = append(r.Rows, []any{col.Name, col.Type, nullIfEmpty(col.Comment)})
			}
		}
		return r, nil
	}
	return Result{}, nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// relation resolves a plan's relation to its rows and the most rows to
// send (-1: all).
func (s *Server) relation(rel *pb.Relation) (Result, int64, error) {
	switch {
	case rel.GetLimit() != nil:
		r, limit, err := s.relation(rel.GetLimit().GetInput())
		if n := int64(max(rel.GetLimit().GetLimit(), 0)); limit < 0 || n < limit {
			limit = n
		}
		return r, limit, err
	case rel.GetOffset() != nil:
		r, limit, err := s.relation(rel.GetOffset().GetInput())
		n := int64(max(rel.GetOffset().GetOffset(), 0))
		if limit >= 0 {
			limit = max(limit-n, 0)
		}
		return r.skip(n), limit, err
	case rel.GetSql() != nil:
		r, err := s.sql(rel.GetSql().GetQuery())
		return r, -1, err
	case rel.GetCatalog() != nil:
		r, err := s.catalog(rel.GetCatalog())
		return r.normalized(), -1, err
	}
	return Result{}, 0, sparkErr("INTERNAL_ERROR", "XX000", "connecttest: relation %T is not simulated", rel.GetRelType())
}

// sqlText is the SQL of the innermost SQL relation, for records and explain.
func sqlText(rel *pb.Relation) string {
	for rel.GetLimit() != nil || rel.GetOffset() != nil {
		if rel.GetLimit() != nil {
			rel = rel.GetLimit().GetInput()
		} else {
			rel = rel.GetOffset().GetInput()
		}
	}
	return rel.GetSql().GetQuery()
}

// catalog answers a Catalog relation with the columns of Spark's catalog
// classes, in their order.
func (s *Server) catalog(cat *pb.Catalog) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.Catalog
	if s.NoCatalogRelation {
		return Result{}, sparkErr("UNSUPPORTED_FEATURE.CATALOG_OPERATION", "0A000", "The feature is not supported: Catalog `%s` does not support catalog listings.", c.name())
	}
	switch {
	case cat.GetListCatalogs() != nil:
		return Rows("name string, description string", []any{c.name(), nil}), nil
	case cat.GetCurrentCatalog() != nil:
		return Rows("value string", []any{c.name()}), nil
	case cat.GetCurrentDatabase() != nil:
		return Rows("value string", []any{c.current()}), nil
	case cat.GetListDatabases() != nil:
		r := Rows("name string, catalog string, description string, locationUri string")
		for _, db := range c.Databases {
			r.Rows = append(r.Rows, []any{db.Name, c.name(), nullIfEmpty(db.Description), db.Location})
		}
		return r, nil
	case cat.GetListTables() != nil:
		db, err := c.resolveDB(cat.GetListTables().GetDbName())
		if err != nil {
			return Result{}, err
		}
		r := Rows("name string, catalog string, namespace array<string>, description string, tableType string, isTemporary boolean")
		for _, t := range db.Tables {
			typ := t.Type
			if typ == "" {
				typ = "MANAGED"
			}
			if t.Temporary {
				r.Rows = append(r.Rows, []any{t.Name, nil, []string{}, nullIfEmpty(t.Comment), "TEMPORARY", true})
				continue
			}
			r.Rows = append(r.Rows, []any{t.Name, c.name(), []string{db.Name}, nullIfEmpty(t.Comment), typ, false})
		}
		return r, nil
	case cat.GetListColumns() != nil:
		lc := cat.GetListColumns()
		_, t, err := c.resolveTable(lc.GetDbName(), lc.GetTableName())
		if err != nil {
			return Result{}, err
		}
		r := Rows("name string, description string, dataType string, nullable boolean, isPartition boolean, isBucket boolean, isCluster boolean")
		for _, col := range t.Columns {
			r.Rows = append(r.Rows, []any{col.Name, nullIfEmpty(col.Comment), col.Type, col.Nullable, col.Partition, false, false})
		}
		return r, nil
	case cat.GetListFunctions() != nil:
		if db := cat.GetListFunctions().GetDbName(); db != "" {
			if _, err := c.resolveDB(db); err != nil {
				return Result{}, err
			}
		}
		r := Rows("name string, catalog string, namespace array<string>, description string, className string, isTemporary boolean")
		for _, f := range c.Functions {
			r.Rows = append(r.Rows, []any{f.Name, nil, nil, nullIfEmpty(f.Description), f.ClassName, true})
		}
		return r, nil
	}
	return Result{}, sparkErr("UNSUPPORTED_FEATURE.CATALOG_OPERATION", "0A000", "The feature is not supported: catalog operation %T is not simulated.", cat.GetCatType())
}
