package sqltext

import "strings"

// Quote spells one identifier for SQL: as it is when it is a plain name
// (letters, digits and underscores, not starting with a digit), else in
// backquotes with inner backquotes doubled. Reserved words are the caller's
// business: which ones are reserved depends on the server's settings.
func Quote(id string) string {
	plain := id != ""
	for i, r := range id {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return id
	}
	return QuoteAlways(id)
}

// QuoteAlways backquotes id whatever it is: for names that may be keywords
// or operators (a function named case, +, ||).
func QuoteAlways(id string) string {
	return "`" + strings.ReplaceAll(id, "`", "``") + "`"
}

// QuoteParts spells a dotted name from its parts with quote (Quote or
// QuoteAlways), skipping empty parts: QuoteParts(Quote, "sales", "page
// views") is sales.`page views`.
func QuoteParts(quote func(string) string, parts ...string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			out = append(out, quote(p))
		}
	}
	return strings.Join(out, ".")
}

// SplitName splits a dotted SQL name into its parts, honouring backquotes
// (“a.`b.c`” is a and b.c; a doubled backquote inside quotes is one).
// Whitespace outside quotes is dropped.
func SplitName(name string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch {
		case ch == '`' && quoted && i+1 < len(name) && name[i+1] == '`':
			cur.WriteByte('`')
			i++
		case ch == '`':
			quoted = !quoted
		case ch == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		case !quoted && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'):
		default:
			cur.WriteByte(ch)
		}
	}
	return append(parts, cur.String())
}
