package databricks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/sparkls/sparkls/connect"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sparkls/sparkls/schema"
)

// UCSource is a Databricks workspace's Unity Catalog read over its REST API
// (/api/2.1/unity-catalog): a schema.Source that needs no compute, so
// completion and hover work while the cluster is off or starting. A
// namespace's tables come with their columns and comments in one listing.
//
// It has no Spark session: no temporary views, the current catalog is the
// workspace's default one and the current namespace "default", and its
// functions are the user-defined functions of that namespace (the built-in
// ones come from Spark, or from the editor's own list).
type UCSource struct {
	w     *Workspace
	c     *workspaceConn
	key   string
	opt   UCOptions
	sem   chan struct{}                              // one token per request in flight
	sleep func(context.Context, time.Duration) error // waits between retries

	mu      sync.Mutex
	current string // the default catalog, once known
}

// UCOptions tune a UCSource. The zero value is usable.
type UCOptions struct {
	// RootCAs replaces the system roots for TLS (tests use a self-signed CA);
	// give the same pool as connect.Options so both share one OAuth token.
	RootCAs *x509.CertPool
	// PageSize is max_results per page; 0 lets the server choose (its
	// recommended setting).
	PageSize int
	// Concurrency bounds the requests in flight. Default 4.
	Concurrency int
	// Logger receives debug lines; never a secret.
	Logger *slog.Logger
}

var _ schema.Source = (*UCSource)(nil)

// NewUCSource returns the Unity Catalog of r's workspace; r must be a
// databricks remote. It does not contact the workspace.
func NewUCSource(r connect.Remote, opt UCOptions) (*UCSource, error) {
	w, ok := r.Workspace.(*Workspace)
	if !ok {
		return nil, fmt.Errorf("Unity Catalog needs a %s remote, not %s", DatabricksRemote, r)
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &UCSource{
		w:     w,
		c:     w.conn(opt.RootCAs),
		key:   connect.SchemaKey(r),
		opt:   opt,
		sem:   make(chan struct{}, opt.Concurrency),
		sleep: connect.Wait,
	}, nil
}

// SchemaKey is the persistence key for schema.Options: the same as the
// Spark Connect client's of the same remote (Client.SchemaKey), so both
// fill one cache file. It holds no secret.
func (s *UCSource) SchemaKey() string { return s.key }

const ucAPI = "/api/2.1/unity-catalog"

// get sends one request, within the concurrency bound.
func (s *UCSource) get(ctx context.Context, path string, q url.Values, out any) error {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.sem }()
	return s.w.get(ctx, s.c, path, q, out, s.sleep)
}

// ucPage is one page of any Unity Catalog listing.
type ucPage struct {
	Catalogs      []ucCatalog  `json:"catalogs"`
	Schemas       []ucSchema   `json:"schemas"`
	Tables        []ucTable    `json:"tables"`
	Functions     []ucFunction `json:"functions"`
	NextPageToken string       `json:"next_page_token"`
}

type ucCatalog struct {
	Name    string `json:"name"`
	Comment string `json:"comment"`
}

type ucSchema struct {
	Name    string `json:"name"`
	Comment string `json:"comment"`
}

type ucTable struct {
	Name      string     `json:"name"`
	TableType string     `json:"table_type"`
	Comment   string     `json:"comment"`
	Columns   []ucColumn `json:"columns"`
}

type ucColumn struct {
	Name           string `json:"name"`
	TypeText       string `json:"type_text"`
	TypeName       string `json:"type_name"`
	Position       int    `json:"position"`
	Nullable       *bool  `json:"nullable"`
	Comment        string `json:"comment"`
	PartitionIndex *int   `json:"partition_index"`
}

type ucFunction struct {
	Name        string `json:"name"`
	Comment     string `json:"comment"`
	InputParams struct {
		Parameters []struct {
			Name     string `json:"name"`
			TypeText string `json:"type_text"`
		} `json:"parameters"`
	} `json:"input_params"`
	FullDataType string `json:"full_data_type"`
}

// maxPages stops a listing whose server keeps handing out pages.
const maxPages = 100_000

// pages walks a paginated listing: max_results, then page_token from each
// answer's next_page_token until there is none.
func (s *UCSource) pages(ctx context.Context, path string, q url.Values, each func(*ucPage)) error {
	if q == nil {
		q = url.Values{}
	}
	q.Set("max_results", strconv.Itoa(s.opt.PageSize))
	seen := map[string]bool{}
	for n := 0; n < maxPages; n++ {
		var p ucPage
		if err := s.get(ctx, path, q, &p); err != nil {
			return err
		}
		each(&p)
		if p.NextPageToken == "" {
			return nil
		}
		if seen[p.NextPageToken] {
			return fmt.Errorf("%s: GET %s: the server repeated a page token", s.w, path)
		}
		seen[p.NextPageToken] = true
		q.Set("page_token", p.NextPageToken)
	}
	return fmt.Errorf("%s: GET %s: more than %d pages", s.w, path, maxPages)
}

// Current implements schema.Source: the workspace's default catalog (from
// its metastore assignment; hive_metastore when it names none or the call
// is refused) and "default".
func (s *UCSource) Current(ctx context.Context) (string, string, error) {
	s.mu.Lock()
	cur := s.current
	s.mu.Unlock()
	if cur != "" {
		return cur, "default", nil
	}
	var a struct {
		DefaultCatalogName string `json:"default_catalog_name"`
	}
	err := s.get(ctx, ucAPI+"/current-metastore-assignment", nil, &a)
	var ae *APIError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.StatusCode != 401:
		s.opt.Logger.Debug("Unity Catalog: no default catalog", "err", err)
	default:
		return "", "", err
	}
	cur = a.DefaultCatalogName
	if cur == "" {
		cur = "hive_metastore"
	}
	s.mu.Lock()
	s.current = cur
	s.mu.Unlock()
	return cur, "default", nil
}

func (s *UCSource) catalogOf(ctx context.Context, catalog string) (string, error) {
	if catalog != "" {
		return catalog, nil
	}
	cat, _, err := s.Current(ctx)
	return cat, err
}

// Catalogs implements schema.Source.
func (s *UCSource) Catalogs(ctx context.Context) ([]schema.Catalog, error) {
	var out []schema.Catalog
	err := s.pages(ctx, ucAPI+"/catalogs", nil, func(p *ucPage) {
		for _, c := range p.Catalogs {
			out = append(out, schema.Catalog{Name: c.Name, Comment: c.Comment})
		}
	})
	return out, err
}

// Namespaces implements schema.Source.
func (s *UCSource) Namespaces(ctx context.Context, catalog string) ([]schema.Namespace, error) {
	cat, err := s.catalogOf(ctx, catalog)
	if err != nil {
		return nil, err
	}
	var out []schema.Namespace
	err = s.pages(ctx, ucAPI+"/schemas", url.Values{"catalog_name": {cat}}, func(p *ucPage) {
		for _, n := range p.Schemas {
			out = append(out, schema.Namespace{Catalog: catalog, Name: n.Name, Comment: n.Comment})
		}
	})
	return out, err
}

// Tables implements schema.Source (names, kinds and comments; the columns
// and properties are left out of the answer).
func (s *UCSource) Tables(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	return s.tables(ctx, catalog, namespace, false)
}

// TablesWithColumns implements schema.Source: the tables listing carries
// every table's columns.
func (s *UCSource) TablesWithColumns(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	return s.tables(ctx, catalog, namespace, true)
}

func (s *UCSource) tables(ctx context.Context, catalog, namespace string, columns bool) ([]schema.Table, error) {
	cat, err := s.catalogOf(ctx, catalog)
	if err != nil {
		return nil, err
	}
	q := url.Values{"catalog_name": {cat}, "schema_name": {namespace}, "omit_properties": {"true"}}
	if !columns {
		q.Set("omit_columns", "true")
	}
	var out []schema.Table
	err = s.pages(ctx, ucAPI+"/tables", q, func(p *ucPage) {
		for _, t := range p.Tables {
			st := schema.Table{Catalog: catalog, Namespace: namespace, Name: t.Name, Kind: schema.ParseKind(t.TableType), Comment: t.Comment}
			if columns {
				st.Columns = ucColumns(t.Columns)
			}
			out = append(out, st)
		}
	})
	return out, err
}

// Columns implements schema.Source. Unity Catalog has no temporary views.
func (s *UCSource) Columns(ctx context.Context, catalog, namespace, table string) ([]schema.Column, error) {
	if namespace == "" {
		return nil, fmt.Errorf("temporary view %s: Unity Catalog has no Spark session: %w", table, schema.ErrUnsupported)
	}
	cat, err := s.catalogOf(ctx, catalog)
	if err != nil {
		return nil, err
	}
	var t ucTable
	if err := s.get(ctx, ucAPI+"/tables/"+url.PathEscape(cat+"."+namespace+"."+table), nil, &t); err != nil {
		return nil, err
	}
	return ucColumns(t.Columns), nil
}

func ucColumns(list []ucColumn) []schema.Column {
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b ucColumn) int { return a.Position - b.Position })
	out := make([]schema.Column, len(list))
	for i, c := range list {
		typ := c.TypeText
		if typ == "" {
			typ = strings.ToLower(c.TypeName)
		}
		out[i] = schema.Column{Name: c.Name, Type: typ, Comment: c.Comment, Nullable: c.Nullable == nil || *c.Nullable, Partition: c.PartitionIndex != nil}
	}
	return out
}

// TempViews implements schema.Source: there are none without a session.
func (s *UCSource) TempViews(context.Context) ([]schema.Table, error) { return nil, nil }

// Functions implements schema.Source: the user-defined functions of the
// default namespace. A refused listing is no functions, not a failure.
func (s *UCSource) Functions(ctx context.Context) ([]schema.Function, error) {
	cat, ns, err := s.Current(ctx)
	if err != nil {
		return nil, err
	}
	var out []schema.Function
	err = s.pages(ctx, ucAPI+"/functions", url.Values{"catalog_name": {cat}, "schema_name": {ns}}, func(p *ucPage) {
		for _, f := range p.Functions {
			params := make([]string, len(f.InputParams.Parameters))
			for i, p := range f.InputParams.Parameters {
				params[i] = p.Name + " " + p.TypeText
			}
			out = append(out, schema.Function{Name: f.Name, Usage: f.Name + "(" + strings.Join(params, ", ") + ")", Description: f.Comment})
		}
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode != 401 {
		s.opt.Logger.Debug("Unity Catalog: no functions", "err", err)
		return nil, nil
	}
	return out, err
}

// FallbackSource is a schema.Source that asks Primary and, when there is
// none or it fails, Fallback. For Databricks: Primary is the Spark Connect
// client's SchemaSource while connected, Fallback the UCSource, so the
// catalog loads while the cluster is off or starting, and temporary views
// and USE come from the session once it runs. A cancelled call is not
// retried on Fallback; when both fail, the error wraps both.
type FallbackSource struct {
	// Primary returns the source to try first, or nil (not connected).
	Primary  func() schema.Source
	Fallback schema.Source
}

var _ schema.Source = (*FallbackSource)(nil)

func fallback[T any](ctx context.Context, f *FallbackSource, call func(schema.Source) (T, error)) (T, error) {
	var first error
	if f.Primary != nil {
		if p := f.Primary(); p != nil {
			v, err := call(p)
			if err == nil || ctx.Err() != nil || f.Fallback == nil {
				return v, err
			}
			first = err
		}
	}
	if f.Fallback == nil {
		var zero T
		return zero, errors.New("no schema source: not connected")
	}
	v, err := call(f.Fallback)
	if err != nil && first != nil {
		return v, fmt.Errorf("%w; fallback: %w", first, err)
	}
	return v, err
}

// Current implements schema.Source.
func (f *FallbackSource) Current(ctx context.Context) (string, string, error) {
	type cur struct{ cat, ns string }
	c, err := fallback(ctx, f, func(s schema.Source) (cur, error) {
		cat, ns, err := s.Current(ctx)
		return cur{cat, ns}, err
	})
	return c.cat, c.ns, err
}

// Catalogs implements schema.Source.
func (f *FallbackSource) Catalogs(ctx context.Context) ([]schema.Catalog, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Catalog, error) { return s.Catalogs(ctx) })
}

// Namespaces implements schema.Source.
func (f *FallbackSource) Namespaces(ctx context.Context, catalog string) ([]schema.Namespace, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Namespace, error) { return s.Namespaces(ctx, catalog) })
}

// Tables implements schema.Source.
func (f *FallbackSource) Tables(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Table, error) { return s.Tables(ctx, catalog, namespace) })
}

// TablesWithColumns implements schema.Source: a primary without a bulk
// path (ErrUnsupported) falls back like any failure.
func (f *FallbackSource) TablesWithColumns(ctx context.Context, catalog, namespace string) ([]schema.Table, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Table, error) { return s.TablesWithColumns(ctx, catalog, namespace) })
}

// Columns implements schema.Source.
func (f *FallbackSource) Columns(ctx context.Context, catalog, namespace, table string) ([]schema.Column, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Column, error) { return s.Columns(ctx, catalog, namespace, table) })
}

// TempViews implements schema.Source.
func (f *FallbackSource) TempViews(ctx context.Context) ([]schema.Table, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Table, error) { return s.TempViews(ctx) })
}

// Functions implements schema.Source.
func (f *FallbackSource) Functions(ctx context.Context) ([]schema.Function, error) {
	return fallback(ctx, f, func(s schema.Source) ([]schema.Function, error) { return s.Functions(ctx) })
}
