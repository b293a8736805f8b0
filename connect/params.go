package connect

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sparkls/sparkls/connect/internal/pb"
	"github.com/sparkls/sparkls/sqltext"
)

// Params are values for a run's parameter markers: Named for :name,
// Positional for ? in order across the run's statements. They are bound
// through the SQL relation's (and SqlCommand's) args and pos_args, never
// written into the text.
//
// A value is typed by its form: an integer is INT (BIGINT when it does not
// fit), a number with a point a DECIMAL of its digits, true/false a
// BOOLEAN, anything else a STRING; a value in single quotes ('42') is the
// STRING between them.
type Params struct {
	Named      map[string]string
	Positional []string
}

// Empty reports whether p binds nothing.
func (p Params) Empty() bool { return len(p.Named) == 0 && len(p.Positional) == 0 }

// ParseParam reads one name=value (or a bare value, which is positional).
func (p *Params) ParseParam(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		p.Positional = append(p.Positional, s)
		return nil
	}
	name = strings.TrimPrefix(strings.TrimSpace(name), ":")
	if name == "" {
		return fmt.Errorf("parameter %q: no name before '='", s)
	}
	if p.Named == nil {
		p.Named = map[string]string{}
	}
	p.Named[name] = value
	return nil
}

var decimalForm = regexp.MustCompile(`^[+-]?(\d+)\.(\d*)$`)

// literal is the typed literal a parameter value stands for.
func literal(v string) *pb.Expression_Literal {
	switch {
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_String_{String_: v[1 : len(v)-1]}}
	case strings.EqualFold(v, "true") || strings.EqualFold(v, "false"):
		return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_Boolean{Boolean: strings.EqualFold(v, "true")}}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if int64(int32(n)) == n {
			return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_Integer{Integer: int32(n)}}
		}
		return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_Long{Long: n}}
	}
	if m := decimalForm.FindStringSubmatch(v); m != nil && len(m[1])+len(m[2]) <= 38 {
		prec, scale := int32(max(len(m[1])+len(m[2]), 1)), int32(len(m[2]))
		return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_Decimal_{Decimal: &pb.Expression_Literal_Decimal{
			Value: v, Precision: &prec, Scale: &scale}}}
	}
	return &pb.Expression_Literal{LiteralType: &pb.Expression_Literal_String_{String_: v}}
}

// stmtArgs are the arguments of one statement of a run. Spark reads either
// named or positional arguments, not both: a statement with ? markers gets
// the positional values from index first on, as many as it has markers;
// any other gets every named value (Spark ignores those it does not use).
type stmtArgs struct {
	named map[string]*pb.Expression_Literal
	pos   []*pb.Expression_Literal
}

// forStatement returns stmt's arguments and the index after its
// positional values.
func (p Params) forStatement(stmt string, first int) (stmtArgs, int) {
	var a stmtArgs
	n := 0
	for _, t := range sqltext.Lex(stmt) {
		if t.Kind == sqltext.Param && t.Text == "?" {
			n++
		}
	}
	if n > 0 {
		for i := first; i < first+n && i < len(p.Positional); i++ {
			a.pos = append(a.pos, literal(p.Positional[i]))
		}
		return a, first + n
	}
	if len(p.Named) > 0 {
		a.named = make(map[string]*pb.Expression_Literal, len(p.Named))
		for k, v := range p.Named {
			a.named[k] = literal(v)
		}
	}
	return a, first
}

// sql is the SQL relation of text with the arguments.
func (a stmtArgs) sql(text string) *pb.Relation {
	return &pb.Relation{RelType: &pb.Relation_Sql{Sql: &pb.SQL{Query: text, Args: a.named, PosArgs: a.pos}}}
}

// Rest returns p without the positional values that the ? markers of text
// take, for the text that runs after it (the next cell of a file).
func (p Params) Rest(text string) Params {
	n := 0
	for _, s := range sqltext.SplitStatements(text) {
		_, n = p.forStatement(s.Text, n)
	}
	p.Positional = p.Positional[min(n, len(p.Positional)):]
	return p
}

// String is the flag form of p (name=value, then positional values), for
// flag.Value.
func (p *Params) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for k, v := range p.Named {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(append(parts, p.Positional...), " ")
}

// Set adds one --param value, for flag.Value.
func (p *Params) Set(s string) error { return p.ParseParam(s) }
