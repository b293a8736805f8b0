package schema

import "strings"

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

// ddlTokens splits the start of a statement into at most max tokens,
// skipping comments and string literals.
func ddlTokens(s string, max int) []token {
	var out []token
	for i := 0; i < len(s) && len(out) < max; {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
		case c == '`':
			var b strings.Builder
			i++
			for i < len(s) {
				if s[i] == '`' {
					if i+1 < len(s) && s[i+1] == '`' {
						b.WriteByte('`')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			out = append(out, token{text: b.String(), quoted: true})
		case c == '\'' || c == '"':
			i++
			for i < len(s) && s[i] != c {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			i++
			out = append(out, token{punct: c})
		case c == '_' || c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 0x80 || 'a' <= s[j] && s[j] <= 'z' || 'A' <= s[j] && s[j] <= 'Z' || '0' <= s[j] && s[j] <= '9') {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		default:
			out = append(out, token{punct: c})
			i++
		}
	}
	return out
}
