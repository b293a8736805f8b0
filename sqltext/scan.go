package sqltext

import (
	"sort"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// This file finds the statement around an offset without lexing the whole
// text: completion runs on every keystroke, and lexing a 1 MB file costs
// milliseconds. The scan below only looks at the bytes that can open a
// string, comment, quoted identifier or variable, or end a statement, and
// jumps over everything else eight bytes at a time (about 1.5 GB/s).
//
// It agrees with [SplitCells] on where statements end (a ';' outside
// strings and comments, or a cell marker line) with one deliberate
// difference: it does not count BEGIN … END script blocks, so inside a
// block the "statement" is the part between semicolons, which is what the
// cursor context wants.
//
// Where a statement ends depends only on the text before it, so the
// boundaries found in one version of a large text hold for the next up to
// the first byte that changed. A few recent indexes are kept to reuse them:
// typing at the end of a 1 MB file then costs a comparison of the two
// texts (memequal speed) and a scan of the last statement, not a full scan.

// scanSpecial marks the bytes the scan must stop at.
var scanSpecial = func() (t [256]uint8) {
	for _, c := range "'\"`-/;$" {
		t[c] = 1
	}
	return t
}()

// region is a statement's raw extent: from just after the previous boundary
// (';' or marker line) to just before the next, whitespace and comments
// included. Start == End for the empty region after a trailing ';'.
type region struct{ Start, End int }

// stmtIndex holds the statement boundaries of src found so far. It is
// immutable once published in indexCache: extending one makes a copy.
type stmtIndex struct {
	src    string
	bounds []region // the ';' and marker lines found, in order
	// session lists the regions (by the index of the bound that ends
	// them) whose first word is USE or SET.
	session []int
	pos     int  // where scanning resumes: the start of the region after the last bound
	done    bool // the scan reached the end of src
}

// cacheMin is the text size from which indexes are cached: below it a
// scan costs microseconds and keeping the text alive buys nothing.
const cacheMin = 16 << 10

// indexCache holds recent indexes of large texts, one per slot, replaced
// round robin. Slots are swapped atomically and never mutated, so readers
// take no lock. Holding the text itself makes reuse exact: a text equal to
// (or sharing a prefix with) a cached one is compared byte for byte.
var (
	indexCache [4]atomic.Pointer[stmtIndex]
	indexNext  atomic.Uint32
)

// indexTo returns an index of src scanned at least up to the end of the
// region holding offset.
func indexTo(src string, offset int) *stmtIndex {
	if len(src) < cacheMin {
		ix := &stmtIndex{src: src}
		ix.scan(offset)
		return ix
	}
	var best *stmtIndex
	slot, common := -1, 0
	for i := range indexCache {
		ix := indexCache[i].Load()
		if ix == nil {
			continue
		}
		if len(ix.src) == len(src) && ix.src == src { // O(1) for the same string
			if ix.covers(offset) {
				return ix
			}
			best, slot, common = ix, i, len(src)
			break
		}
		if n := commonPrefix(ix.src, src); n > common {
			best, slot, common = ix, i, n
		}
	}
	ix := best.reuse(src, common)
	ix.scan(offset)
	if slot < 0 {
		slot = int(indexNext.Add(1) % uint32(len(indexCache)))
	}
	indexCache[slot].Store(ix)
	return ix
}

// commonPrefix returns the length of the longest common prefix of a and b,
// comparing large blocks first.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for step := 1 << 16; step >= 64; step >>= 4 {
		for i+step <= n && a[i:i+step] == b[i:i+step] {
			i += step
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// reuse returns a new index of src that keeps ix's boundaries lying wholly
// within the first common bytes (a marker line also needs its line end).
func (ix *stmtIndex) reuse(src string, common int) *stmtIndex {
	nix := &stmtIndex{src: src}
	if ix == nil {
		return nix
	}
	k := len(ix.bounds)
	if !(common == len(src) && common == len(ix.src)) {
		k = sort.Search(len(ix.bounds), func(k int) bool { return ix.bounds[k].End >= common })
	}
	nix.bounds = ix.bounds[:k:k] // appending copies: ix stays untouched
	for _, s := range ix.session {
		if s < k {
			nix.session = append(nix.session, s)
		}
	}
	if k > 0 {
		nix.pos = ix.bounds[k-1].End
	}
	if k == len(ix.bounds) && common == len(src) && common == len(ix.src) {
		nix.pos, nix.done = ix.pos, ix.done
	}
	return nix
}

// covers reports whether the index already knows the region holding offset.
func (ix *stmtIndex) covers(offset int) bool {
	return ix.done || len(ix.bounds) > 0 && ix.bounds[len(ix.bounds)-1].Start >= offset
}

// regionAt returns the region holding offset (a cursor at a ';' belongs to
// the statement before it; a cursor inside a marker line, to the marker).
func (ix *stmtIndex) regionAt(offset int) region {
	k := sort.Search(len(ix.bounds), func(k int) bool { return ix.bounds[k].Start >= offset })
	start := 0
	if k > 0 {
		start = ix.bounds[k-1].End
		if offset < start {
			return ix.bounds[k-1]
		}
	}
	if k < len(ix.bounds) {
		return region{start, ix.bounds[k].Start}
	}
	return region{start, len(ix.src)}
}

// scan continues the scan until it has found the boundary that ends the
// region holding offset, or the end of the text.
func (ix *stmtIndex) scan(offset int) {
	src := ix.src
	n := len(src)
	i := ix.pos
	safe := i     // a known token boundary, for the rare raw-string check
	fresh := true // no significant byte seen yet in the current region
	pending := false
	// boundary records a boundary at [bStart, bEnd) and reports whether
	// the region holding offset is complete.
	boundary := func(bStart, bEnd int) bool {
		if pending {
			ix.session = append(ix.session, len(ix.bounds))
		}
		ix.bounds = append(ix.bounds, region{bStart, bEnd})
		ix.pos, safe, fresh, pending = bEnd, bEnd, true, false
		return bStart >= offset
	}
	for i < n {
		if fresh {
			for i < n && spaceLen(src, i) > 0 {
				i += spaceLen(src, i)
			}
			if i >= n {
				break
			}
			if !startsComment(src, i) {
				fresh = false
				pending = isWordAt(src, i, "use") || isWordAt(src, i, "set")
			}
		}
		// Skip ordinary bytes, eight at a time while none is special.
		for i+8 <= n {
			s := src[i : i+8]
			if scanSpecial[s[0]]|scanSpecial[s[1]]|scanSpecial[s[2]]|scanSpecial[s[3]]|
				scanSpecial[s[4]]|scanSpecial[s[5]]|scanSpecial[s[6]]|scanSpecial[s[7]] != 0 {
				break
			}
			i += 8
		}
		for i < n && scanSpecial[src[i]] == 0 {
			i++
		}
		if i >= n {
			break
		}
		next := byte(0)
		if i+1 < n {
			next = src[i+1]
		}
		switch c := src[i]; c {
		case ';':
			if boundary(i, i+1) {
				return
			}
			i++
		case '-':
			if next != '-' {
				i++
				continue
			}
			end := fastLineEnd(src, i)
			if isMarker(src, Token{Kind: Comment, Start: i, End: end, Text: src[i:end]}) {
				if boundary(i, end) {
					return
				}
			}
			i, safe = end, end
		case '/':
			if next != '*' {
				i++
				continue
			}
			if i+2 < n && src[i+2] == '+' {
				i, _ = hintEnd(src, i+3)
			} else {
				i = fastBlockEnd(src, i+2)
			}
			safe = i
		case '\'', '"':
			if i > 0 && (src[i-1] == 'r' || src[i-1] == 'R') && rawStart(src, safe, i-1) {
				j := strings.IndexByte(src[i+1:], c)
				if j < 0 {
					i = n
				} else {
					i += 1 + j + 1
				}
			} else {
				i = fastQuotedEnd(src, i, c, true)
			}
			safe = i
		case '`':
			i = fastQuotedEnd(src, i, '`', false)
			safe = i
		case '$':
			if next != '{' {
				i++
				continue
			}
			_, i, _ = lexVariable(src, i)
			safe = i
		}
	}
	ix.done = true
}

// fastLineEnd is [lineEnd] with a vectorized search.
func fastLineEnd(src string, i int) int {
	j := strings.IndexByte(src[i:], '\n')
	if j < 0 {
		j = len(src) - i
	}
	if k := strings.IndexByte(src[i:i+j], '\r'); k >= 0 {
		j = k
	}
	return i + j
}

// fastBlockEnd is [blockEnd] (the end of a comment whose body starts at
// i) that jumps to the next "*/" when no "/*" opens a nested comment
// before it.
func fastBlockEnd(src string, i int) int {
	j := strings.Index(src[i:], "*/")
	if j < 0 {
		return len(src)
	}
	// A nested "/*" may also end with the '*' of this "*/", as in "/*/".
	if body := src[i : i+j+1]; !strings.Contains(body, "/*") {
		return i + j + 2
	}
	end, _ := blockEnd(src, i)
	return end
}

// fastQuotedEnd is [quotedEnd] (the end of the literal opened at i) that
// jumps to the next quote when no backslash comes before it.
func fastQuotedEnd(src string, i int, q byte, escapes bool) int {
	j := strings.IndexByte(src[i+1:], q)
	if j < 0 {
		end, _ := quotedEnd(src, i, q, escapes)
		return end
	}
	close := i + 1 + j
	if (!escapes || strings.IndexByte(src[i+1:close], '\\') < 0) && (close+1 >= len(src) || src[close+1] != q) {
		return close + 1
	}
	end, _ := quotedEnd(src, i, q, escapes)
	return end
}

// startsComment reports whether a comment or hint starts at src[i].
func startsComment(src string, i int) bool {
	return i+1 < len(src) && (src[i] == '-' && src[i+1] == '-' || src[i] == '/' && src[i+1] == '*')
}

// isWordAt reports whether the word at src[i] is kw (lower case), ignoring
// case, and not the start of a longer identifier.
func isWordAt(src string, i int, kw string) bool {
	if len(src)-i < len(kw) || !strings.EqualFold(src[i:i+len(kw)], kw) {
		return false
	}
	return identEnd(src, i) == i+len(kw)
}

// rawStart reports whether the r or R at src[r] starts a token, making the
// quote after it a raw string. Usually the byte before decides; when that
// byte is a digit or ':' (1.5r'…' is a number then a raw string, :r'…' a
// parameter then a plain string) it re-lexes from safe, a known token
// boundary with no string or comment after it.
func rawStart(src string, safe, r int) bool {
	if r == 0 || r == safe {
		return true
	}
	c := src[r-1]
	switch {
	case isSpace(c):
		return true
	case c >= utf8.RuneSelf:
		p, _ := utf8.DecodeLastRuneInString(src[:r])
		if unicode.IsLetter(p) || unicode.IsDigit(p) {
			return false
		}
		return true
	case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		return false
	case !isDigit(c) && c != ':' && c != '.':
		return true
	}
	for j := safe; j < r; {
		if isSpace(src[j]) {
			j++
			continue
		}
		_, end, _ := lexOne(src, j)
		if end > r {
			return false
		}
		j = end
	}
	return true
}

// statementAt returns the region containing offset (clamped to src) and
// its tokens, with offsets into src.
func statementAt(src string, offset int) (region, []Token) {
	offset = min(max(offset, 0), len(src))
	reg := indexTo(src, offset).regionAt(offset)
	return reg, lexRegion(src, reg)
}

// lexRegion lexes src[reg.Start:reg.End] with offsets into src. Lexing the
// slice equals lexing the whole text there, because a region starts and
// ends at token boundaries.
func lexRegion(src string, reg region) []Token {
	toks := Lex(src[reg.Start:reg.End])
	for i := range toks {
		toks[i].Start += reg.Start
		toks[i].End += reg.Start
	}
	return toks
}

// CurrentNamespace reports the catalog and namespace that USE and SET
// statements before offset leave in effect, replaying USE db, USE cat.db,
// USE CATALOG c, USE SCHEMA|DATABASE|NAMESPACE db and SET CATALOG|SCHEMA|
// NAMESPACE … in order, across cells. The statement containing offset does
// not count: it is not finished. An empty catalog means "unchanged from the
// session's"; an empty namespace after USE CATALOG means "that catalog's
// default". ok is false when no such statement precedes offset.
//
// USE a.b is read as catalog a, namespace b: Spark decides by whether a is a
// registered catalog, which only the server knows, and two-part namespaces
// are rare. A multi-level namespace is returned joined with '.'.
func CurrentNamespace(src string, offset int) (catalog, namespace string, ok bool) {
	offset = min(max(offset, 0), len(src))
	ix := indexTo(src, offset)
	cur := ix.regionAt(offset)
	for _, k := range ix.session {
		reg := region{0, ix.bounds[k].Start}
		if k > 0 {
			reg.Start = ix.bounds[k-1].End
		}
		if reg.End > cur.Start {
			break
		}
		c, ns, set, found := sessionTarget(significantOf(lexRegion(src, reg)))
		if !found {
			continue
		}
		ok = true
		if set&setCatalog != 0 {
			catalog = c
		}
		if set&setNamespace != 0 {
			namespace = ns
		}
	}
	return catalog, namespace, ok
}

const (
	setCatalog = 1 << iota
	setNamespace
)

// sessionTarget interprets one USE or SET statement.
func sessionTarget(toks []Token) (catalog, namespace string, set int, ok bool) {
	if len(toks) < 2 {
		return "", "", 0, false
	}
	first, rest := toks[0], toks[1:]
	kind := ""
	switch t := rest[0]; {
	case t.IsKeyword("CATALOG"):
		kind = "catalog"
	case t.IsKeyword("SCHEMA"), t.IsKeyword("DATABASE"), t.IsKeyword("NAMESPACE"):
		kind = "namespace"
	}
	if kind != "" {
		rest = rest[1:]
	} else if !first.IsKeyword("USE") {
		return "", "", 0, false // SET key = value, SET VAR …
	}
	var parts []string
	for i, t := range rest {
		switch {
		case i%2 == 1 && t.Is("."):
			continue
		case i%2 == 0 && (t.Kind == Ident || t.Kind == QuotedIdent):
			parts = append(parts, Unquote(t))
			continue
		case i == 0 && t.Kind == String && !t.Unterminated:
			parts = append(parts, stringValue(t))
			continue
		}
		break
	}
	if len(parts) == 0 {
		return "", "", 0, false
	}
	if kind == "catalog" {
		return parts[0], "", setCatalog | setNamespace, true
	}
	if len(parts) == 1 {
		return "", parts[0], setNamespace, true
	}
	return parts[0], strings.Join(parts[1:], "."), setCatalog | setNamespace, true
}

// stringValue returns the text of a terminated string literal without its
// quotes. Escapes are left as written: catalog names do not contain them.
func stringValue(t Token) string {
	s := t.Text
	if s[0] == 'r' || s[0] == 'R' {
		s = s[1:]
	}
	return s[1 : len(s)-1]
}
