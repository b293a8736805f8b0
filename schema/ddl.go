package schema

import (
	"strings"

	"github.com/sparkls/sparkls/sqltext"
)

// DDLHint guesses what a statement changes in the catalog, for Invalidate:
// CREATE, REPLACE, DROP and ALTER of tables, views (temporary ones too),
// databases, schemas, namespaces and functions, COMMENT ON, USE and SET
// CATALOG. ok is false for anything else (queries, DML). It scans tokens
// only: a best guess, never an error.
func DDLHint(stmt string) (h Hint, ok bool) {
	toks := ddlTokens(stmt, 24)
	p := &tokens{t: toks}
	switch p.word() {
	case "USE":
		return Hint{Current: true}, true
	case "SET":
		if p.word() == "CATALOG" {
			return Hint{Current: true}, true
		}
		return Hint{}, false
	case "COMMENT":
		if p.word() != "ON" {
			return Hint{}, false
		}
		return objectHint(p, p.word(), false, false)
	case "CREATE", "REPLACE", "DROP", "ALTER":
	default:
		return Hint{}, false
	}
	temp, global := false, false
	for {
		switch w := p.word(); w {
		case "OR", "REPLACE", "EXTERNAL", "MATERIALIZED", "STREAMING", "UNIQUE":
		case "GLOBAL":
			global = true
		case "TEMP", "TEMPORARY":
			temp = true
		case "":
			return Hint{}, false
		default:
			return objectHint(p, w, temp, global)
		}
	}
}

func objectHint(p *tokens, object string, temp, global bool) (Hint, bool) {
	switch object {
	case "TABLE", "VIEW":
	case "DATABASE", "SCHEMA", "NAMESPACE":
		parts := p.name()
		switch len(parts) {
		case 0:
			return Hint{}, false
		case 1:
			return Hint{Namespace: parts[0]}, true
		}
		return Hint{Catalog: parts[0], Namespace: strings.Join(parts[1:], ".")}, true
	case "FUNCTION":
		return Hint{Functions: true}, true
	default:
		return Hint{}, false
	}
	parts := p.name()
	n := len(parts)
	switch {
	case n == 0:
		return Hint{}, false
	case global:
		return Hint{Namespace: "global_temp", Table: parts[n-1]}, true
	case temp:
		return Hint{Temp: true, Table: parts[n-1]}, true
	case n == 1 && object == "VIEW":
		// A one-part view name may be a temporary view: check both.
		return Hint{Temp: true, Table: parts[0]}, true
	case n == 1:
		return Hint{Table: parts[0]}, true
	case n == 2:
		return Hint{Namespace: parts[0], Table: parts[1]}, true
	}
	return Hint{Catalog: parts[0], Namespace: strings.Join(parts[1:n-1], "."), Table: parts[n-1]}, true
}

type token struct {
	text   string // the word uppercased, or the identifier unquoted
	quoted bool   // a backtick-quoted identifier
	punct  byte   // a punctuation character (text "")
}

type tokens struct {
	t []token
	i int
}

// word returns the next token as an uppercased keyword ("" for anything else).
func (p *tokens) word() string {
	if p.i >= len(p.t) {
		return ""
	}
	t := p.t[p.i]
	p.i++
	if t.quoted || t.punct != 0 {
		return ""
	}
	return strings.ToUpper(t.text)
}

// name reads [IF [NOT] EXISTS] a.b.c and returns its parts.
func (p *tokens) name() []string {
	if p.i < len(p.t) && strings.EqualFold(p.t[p.i].text, "IF") && !p.t[p.i].quoted {
		p.i++
		for p.i < len(p.t) && !p.t[p.i].quoted && (strings.EqualFold(p.t[p.i].text, "NOT") || strings.EqualFold(p.t[p.i].text, "EXISTS")) {
			p.i++
		}
	}
	var parts []string
	for p.i < len(p.t) {
		t := p.t[p.i]
		if t.punct != 0 {
			return nil
		}
		parts = append(parts, t.text)
		p.i++
		if p.i < len(p.t) && p.t[p.i].punct == '.' {
			p.i++
			continue
		}
		break
	}
	return parts
}

// ddlTokens returns the first max significant tokens of a statement, from
// sqltext's lexer (the project's one lexer): comments and hints are
// skipped, a string literal is punctuation, a backquoted name is unquoted.
func ddlTokens(s string, max int) []token {
	var out []token
	for _, t := range sqltext.Lex(s) {
		if len(out) == max {
			break
		}
		switch t.Kind {
		case sqltext.Comment, sqltext.Hint:
		case sqltext.Ident, sqltext.Number:
			out = append(out, token{text: t.Text})
		case sqltext.QuotedIdent:
			out = append(out, token{text: sqltext.Unquote(t), quoted: true})
		default:
			out = append(out, token{punct: t.Text[0]})
		}
	}
	return out
}
