package ide

import (
	"strings"
	"unicode/utf16"

	"github.com/sparkls/sparkls/sqltext"
)

// SignatureStyle is how to write the answer for a client.
type SignatureStyle struct {
	LabelOffsets bool // parameter labels as [start, end) offsets into the signature label
	Markdown     bool // documentation as Markdown rather than plain text
}

// Markup is LSP's MarkupContent: kind "markdown" or "plaintext".
type Markup struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// LSP 3.16's SignatureHelp, spelled out because protocol v0.12.0's
// ParameterInformation cannot hold a label as offsets, which is the only
// way to highlight the second of two parameters with the same name
// (count(expr[, expr...])).
type SignatureHelp struct {
	Signatures      []signatureInformation `json:"signatures"`
	ActiveSignature uint32                 `json:"activeSignature"`
	ActiveParameter uint32                 `json:"activeParameter"`
}

type signatureInformation struct {
	Label         string                 `json:"label"`
	Documentation *Markup                `json:"documentation,omitempty"`
	Parameters    []parameterInformation `json:"parameters"`
}

type parameterInformation struct {
	// Label is a string (a substring of the signature's label) or a
	// [2]uint32 of UTF-16 offsets into it.
	Label         any     `json:"label"`
	Documentation *Markup `json:"documentation,omitempty"`
}

// SignatureHelpAt is signature help at byte offset off of text, for the
// built-ins of Spark version v ("": the newest). prefer is the index of the
// signature to keep when it still fits, or -1.
func SignatureHelpAt(text string, off int, style SignatureStyle, prefer int, v string) *SignatureHelp {
	call := callAt(text, off)
	if call == nil {
		return nil
	}
	f, ok := builtinOfCall(call.Name, v)
	if !ok {
		return nil
	}
	sigs := parseSignatures(f)
	if len(sigs) == 0 {
		return nil
	}
	active, param := chooseSignature(sigs, call.Arg, prefer)
	argDocs := parseArguments(f.Arguments)
	markup := func(s string) *Markup {
		if s == "" {
			return nil
		}
		if style.Markdown {
			return &Markup{Kind: "markdown", Value: s}
		}
		return &Markup{Kind: "plaintext", Value: s}
	}
	res := &SignatureHelp{ActiveSignature: uint32(active), ActiveParameter: uint32(param)}
	for _, sg := range sigs {
		info := signatureInformation{Label: sg.label, Documentation: markup(sg.doc), Parameters: []parameterInformation{}}
		for _, pr := range sg.params {
			pi := parameterInformation{Label: sg.label[pr.start:pr.end], Documentation: markup(argDocs[strings.ToLower(pr.name)])}
			if style.LabelOffsets {
				pi.Label = [2]uint32{utf16Count(sg.label[:pr.start]), utf16Count(sg.label[:pr.end])}
			}
			info.Parameters = append(info.Parameters, pi)
		}
		res.Signatures = append(res.Signatures, info)
	}
	return res
}

// callAt is the function call whose argument list holds off. Inside a
// string argument (f('a, b|')) sqltext offers no call, since nothing can be
// completed in a literal, but the call is still being typed: it is asked
// again at the literal's start.
func callAt(text string, off int) *sqltext.Call {
	ctx := sqltext.At(text, off)
	if ctx.Call != nil {
		return ctx.Call
	}
	st := ctx.Statement
	if st.Start > off || off > len(text) {
		return nil
	}
	end := max(st.End, off)
	for _, t := range sqltext.Lex(text[st.Start:end]) {
		start := st.Start + t.Start
		if start < off && (off < st.Start+t.End || t.Unterminated) {
			if t.Kind == sqltext.String {
				return sqltext.At(text, start).Call
			}
			return nil
		}
	}
	return nil
}

// builtinOfCall finds the built-in function a call names: name, or
// builtin.name and system.builtin.name, which Spark 4 accepts for them.
func builtinOfCall(name []string, v string) (builtinFunction, bool) {
	switch {
	case len(name) == 1:
	case len(name) == 2 && strings.EqualFold(name[0], "builtin"):
	case len(name) == 3 && strings.EqualFold(name[0], "system") && strings.EqualFold(name[1], "builtin"):
	default:
		return builtinFunction{}, false
	}
	return lookupBuiltin(name[len(name)-1], v)
}

// signature is one way to call a function, as its Usage writes it.
type signature struct {
	label    string // "substring(str, pos[, len])"
	doc      string // what Usage says of it after " - "
	params   []param
	variadic bool // "..." repeats the last parameter for further arguments
}

// param is a parameter: its name and where it is in the label.
type param struct {
	name       string
	start, end int
}

// parseSignatures reads the signatures of f from its Usage, whose
// paragraphs each start with one: "name(a, b[, c]) - What it does.".
// Paragraphs that do not call the function by name (operators: "expr1 +
// expr2 - ...") give none.
func parseSignatures(f builtinFunction) []signature {
	var out []signature
	for _, para := range strings.Split(f.Usage, "\n\n") {
		if sg, ok := parseSignature(f.Name, para); ok {
			out = append(out, sg)
		}
	}
	return out
}

func parseSignature(name, para string) (signature, bool) {
	i := indexCall(para, name)
	if i < 0 {
		return signature{}, false
	}
	open := i + len(name)
	closing, depth := -1, 0
	for j := open; j < len(para) && closing < 0; j++ {
		switch para[j] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				closing = j
			}
		}
	}
	if closing < 0 {
		return signature{}, false
	}
	sg := signature{label: para[i : closing+1]}
	// The rest of the line up to " - " still belongs to the signature:
	// percentile_cont(percentage) WITHIN GROUP (ORDER BY col) - ...
	rest := para[closing+1:]
	line, _, _ := strings.Cut(rest, "\n")
	if k := strings.Index(line, " - "); k >= 0 {
		sg.label = para[i : closing+1+k]
		sg.doc = strings.TrimSpace(dedentContinuation(rest[k+3:]))
	}
	// Parameters: the pieces between top-level commas, without the
	// brackets of optional parts: "str, pos[, len]" gives str, pos, len.
	base := open - i + 1
	inner := sg.label[base : closing-i]
	depth, from := 0, 0
	for j := 0; j <= len(inner); j++ {
		if j < len(inner) {
			switch inner[j] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		sg.addParam(base+from, base+j)
		from = j + 1
	}
	return sg, true
}

// addParam adds the parameter at label[s:e], trimmed of blanks and of the
// brackets and "+" of optional and repeated parts. A lone "..." makes the
// signature variadic, as do a name ending in ".." and a repeated "[...]+".
func (sg *signature) addParam(s, e int) {
	const trim = " []+"
	if strings.HasSuffix(strings.TrimRight(sg.label[s:e], " "), "]+") {
		sg.variadic = true // concat_ws(sep[, str | array(str)]+)
	}
	for s < e && strings.IndexByte(trim, sg.label[s]) >= 0 {
		s++
	}
	for e > s && strings.IndexByte(trim, sg.label[e-1]) >= 0 {
		e--
	}
	piece := sg.label[s:e]
	switch {
	case piece == "":
	case strings.Trim(piece, ".") == "":
		sg.variadic = true
	default:
		if strings.HasSuffix(piece, "..") {
			sg.variadic = true
		}
		sg.params = append(sg.params, param{name: strings.TrimRight(piece, ". "), start: s, end: e})
	}
}

// indexCall finds "name(" in s where name is a whole word, ignoring case.
func indexCall(s, name string) int {
	low, want := strings.ToLower(s), strings.ToLower(name)+"("
	for from := 0; ; {
		k := strings.Index(low[from:], want)
		if k < 0 {
			return -1
		}
		k += from
		if k == 0 || !isWordByte(s[k-1]) {
			return k
		}
		from = k + 1
	}
}

// chooseSignature picks the signature and parameter for argument arg:
// prefer if it fits, else the first with enough parameters, else the one
// with the most. Arguments past a variadic signature's end belong to its
// last parameter; past a fixed one's, to none (an index out of range).
func chooseSignature(sigs []signature, arg, prefer int) (sig, par int) {
	fits := func(s signature) bool { return arg < len(s.params) || s.variadic && len(s.params) > 0 }
	sig = -1
	if prefer >= 0 && prefer < len(sigs) && fits(sigs[prefer]) {
		sig = prefer
	}
	for i := 0; sig < 0 && i < len(sigs); i++ {
		if fits(sigs[i]) {
			sig = i
		}
	}
	if sig < 0 {
		sig = 0
		for i, s := range sigs {
			if len(s.params) > len(sigs[sig].params) {
				sig = i
			}
		}
	}
	s := sigs[sig]
	switch {
	case arg < len(s.params):
		return sig, arg
	case s.variadic && len(s.params) > 0:
		return sig, len(s.params) - 1
	}
	return sig, len(s.params)
}

// parseArguments reads an Arguments section ("* name - text", continued on
// indented lines) into text by lower-case parameter name. An entry for
// "expr1, expr2" documents both.
func parseArguments(args string) map[string]string {
	out := map[string]string{}
	var names []string
	var b strings.Builder
	flush := func() {
		for _, n := range names {
			out[strings.ToLower(strings.TrimSpace(n))] = strings.TrimSpace(dedentContinuation(b.String()))
		}
		names = nil
		b.Reset()
	}
	for _, line := range strings.Split(args, "\n") {
		if head, ok := strings.CutPrefix(line, "* "); ok {
			if n, text, ok := strings.Cut(head, " - "); ok {
				flush()
				names = strings.Split(n, ",")
				b.WriteString(text + "\n")
				continue
			}
		}
		if names != nil {
			b.WriteString(line + "\n")
		}
	}
	flush()
	return out
}

// dedentContinuation removes the indentation that the lines after the first share.
func dedentContinuation(s string) string {
	lines := strings.Split(s, "\n")
	indent := -1
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, " ")); indent < 0 || n < indent {
			indent = n
		}
	}
	for i := 1; i < len(lines) && indent > 0; i++ {
		if len(lines[i]) >= indent {
			lines[i] = lines[i][indent:]
		}
	}
	return strings.Join(lines, "\n")
}

// utf16Count is the length of s in UTF-16 code units.
func utf16Count(s string) uint32 {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return uint32(n)
}
