package schema

import (
	"math/bits"
	"slices"
	"strings"
)

// The name index: every name list of a snapshot (catalogs, the namespaces of
// a catalog, the tables of a namespace, functions, temporary views) carries a
// nameSet built once with the list: the names lowercased back to back, in
// the list's (sorted) order, with two 64-bit character masks per name.
//
// Search runs two passes over the lists, nearest first. The prefix pass
// binary-searches each sorted list for the names starting with what was
// typed. Only when that leaves room in the results does the fuzzy pass run:
// the first typed character must begin a word of the name (as in VS Code),
// so a mask of word-initial characters and a mask of all characters reject
// most names with two ANDs before any character is compared. A bounded
// heap keeps the best Limit results; a list whose best possible result
// cannot enter it is skipped.

// nameSet is the index of one list of names.
type nameSet struct {
	lower  string
	ends   []uint32
	masks  []uint64 // the characters of each name
	starts []uint64 // the characters that begin a word of each name
	words  []uint64 // bit i: character i begins a word (the first 64)
	keys   []uint64 // the first 8 lowercased bytes, big-endian: a compact binary search
	sorted bool     // lower names ascend (binary search works)
	// post lists, per character class c, the names with a word starting
	// with c: post[postAt[c]:postAt[c+1]]. The fuzzy pass reads only those.
	post   []uint32
	postAt [65]uint32
}

func newNameSet(n int, name func(i int) string) *nameSet {
	size := 0
	for i := 0; i < n; i++ {
		size += len(name(i))
	}
	buf := make([]byte, 0, size)
	s := &nameSet{ends: make([]uint32, n), masks: make([]uint64, n), starts: make([]uint64, n), words: make([]uint64, n), keys: make([]uint64, n), sorted: true}
	prev := ""
	for i := 0; i < n; i++ {
		nm := name(i)
		start := len(buf)
		var st uint64
		for j := 0; j < len(nm); j++ {
			c := lowerByte(nm[j])
			buf = append(buf, c)
			if wordStart(nm, j) {
				st |= 1 << charBit(c)
			}
		}
		s.ends[i] = uint32(len(buf))
		s.masks[i] = maskOf(buf[start:])
		s.starts[i] = st
		s.words[i] = wordBits(nm)
		s.keys[i] = key8(buf[start:])
		if cur := string(buf[start:]); i > 0 && cur < prev {
			s.sorted = false
		} else {
			prev = cur
		}
	}
	s.lower = string(buf)
	s.postings()
	return s
}

// postings builds post by counting sort over the word-start masks.
func (s *nameSet) postings() {
	var counts [64]uint32
	for _, st := range s.starts {
		for m := st; m != 0; m &= m - 1 {
			counts[bits.TrailingZeros64(m)]++
		}
	}
	for c := 0; c < 64; c++ {
		s.postAt[c+1] = s.postAt[c] + counts[c]
	}
	s.post = make([]uint32, s.postAt[64])
	fill := s.postAt
	for i, st := range s.starts {
		for m := st; m != 0; m &= m - 1 {
			c := bits.TrailingZeros64(m)
			s.post[fill[c]] = uint32(i)
			fill[c]++
		}
	}
}

func (s *nameSet) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.lower[start:s.ends[i]]
}

// key8 packs the first 8 bytes of a lowercased name big-endian, zero padded:
// keys order as the names do.
func key8[S string | []byte](lower S) uint64 {
	var k uint64
	for i := 0; i < 8; i++ {
		k <<= 8
		if i < len(lower) {
			k |= uint64(lower[i])
		}
	}
	return k
}

// maskOf sets one bit per character class of a lowercased name.
func maskOf[S string | []byte](lower S) uint64 {
	var m uint64
	for i := 0; i < len(lower); i++ {
		m |= 1 << charBit(lower[i])
	}
	return m
}

func charBit(c byte) uint {
	switch {
	case 'a' <= c && c <= 'z':
		return uint(c - 'a')
	case '0' <= c && c <= '9':
		return 26 + uint(c-'0')
	case c == '_':
		return 36
	}
	return 37 + uint(c)%27
}

// MatchClass ranks how a name matches what was typed.
type MatchClass int8

const (
	MatchNone   MatchClass = iota
	MatchFuzzy             // the typed characters appear in order, the first at a word start
	MatchPrefix            // the name starts with what was typed (ignoring case)
	MatchExact             // the name is what was typed (ignoring case)
)

func (c MatchClass) String() string {
	return [...]string{"none", "fuzzy", "prefix", "exact"}[c]
}

// pattern is what the user typed, prepared for matching.
type pattern struct {
	lower string
	mask  uint64
	first uint64 // the bit of the first character (0 for empty text)
}

func newPattern(text string) pattern {
	b := []byte(text)
	for i := range b {
		b[i] = lowerByte(b[i])
	}
	p := pattern{lower: string(b), mask: maskOf(b)}
	if len(b) > 0 {
		p.first = 1 << charBit(b[0])
	}
	return p
}

// MatchName scores name against typed text the way Search does: exact,
// prefix, or fuzzy — the typed characters in order, the first one beginning
// a word (after _ . - $ or a space, at a lower-to-upper case change or a
// letter-digit change), with bonuses for characters at word starts and for
// runs. A higher score is a better fuzzy match; MatchNone means no match.
func MatchName(typed, name string) (class MatchClass, score int) {
	return NewMatcher(typed).Match(name)
}

// Matcher is MatchName for one typed text and many names: the pattern is
// prepared once (completion matches hundreds of names per keystroke). It is
// not safe for concurrent use.
type Matcher struct {
	p       pattern
	scratch []byte
}

// NewMatcher prepares typed for matching.
func NewMatcher(typed string) *Matcher { return &Matcher{p: newPattern(typed)} }

// Match scores name as MatchName does.
func (m *Matcher) Match(name string) (class MatchClass, score int) {
	m.scratch = appendLower(m.scratch[:0], name)
	if cl := matchPrefix(&m.p, m.scratch); cl != MatchNone {
		return cl, 0
	}
	if sc, ok := matchFuzzy(&m.p, m.scratch, wordBits(name)); ok {
		return MatchFuzzy, sc
	}
	return MatchNone, 0
}

func matchPrefix[S string | []byte](p *pattern, lower S) MatchClass {
	pl := p.lower
	if len(pl) > len(lower) {
		return MatchNone
	}
	for i := 0; i < len(pl); i++ {
		if lower[i] != pl[i] {
			return MatchNone
		}
	}
	if len(pl) == len(lower) {
		return MatchExact
	}
	return MatchPrefix
}

// matchFuzzy matches from the first word start holding the first typed
// character: if the rest is not a subsequence after it, it is not after any
// later one either, so one attempt decides. Greedy leftmost matching scores
// the compact matches people mean ("oid" → Order_ID) at a fixed cost.
func matchFuzzy[S string | []byte](p *pattern, lower S, words uint64) (int, bool) {
	pl := p.lower
	if len(pl) == 0 || len(pl) > len(lower) {
		return 0, false
	}
	s := -1
	for m := words; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		if i > len(lower)-len(pl) {
			break
		}
		if lower[i] == pl[0] {
			s = i
			break
		}
	}
	if s < 0 {
		return 0, false
	}
	score := 40
	if s == 0 {
		score += 8
	}
	run, j := true, 1
	for i := s + 1; i < len(lower) && j < len(pl); i++ {
		if lower[i] != pl[j] {
			score--
			run = false
			continue
		}
		sc := 16
		if words>>i&1 != 0 {
			sc += 24
		}
		if run {
			sc += 12
		}
		score += sc
		run = true
		j++
	}
	return score, j == len(pl)
}

// wordStart reports whether orig[i] begins a word: the first character, one
// after _ . - $ or a space, a lower-to-upper case change, or a change between
// digits and letters.
func wordStart(orig string, i int) bool {
	if i == 0 {
		return true
	}
	if i >= len(orig) {
		return false
	}
	prev, c := orig[i-1], orig[i]
	switch prev {
	case '_', '.', '-', '$', ' ':
		return true
	}
	if 'a' <= prev && prev <= 'z' && 'A' <= c && c <= 'Z' {
		return true
	}
	return isDigit(prev) != isDigit(c)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// wordBits marks the word starts among the first 64 characters of a name
// (later ones never count as word starts: a fuzzy match still works).
func wordBits(name string) uint64 {
	var w uint64
	for i := 0; i < len(name) && i < 64; i++ {
		if wordStart(name, i) {
			w |= 1 << i
		}
	}
	return w
}

// Want selects what a Search returns.
type Want uint8

const (
	WantCatalogs Want = 1 << iota
	WantNamespaces
	WantTables
	WantColumns
	WantFunctions
)

// Entry says what a Match is.
type Entry uint8

const (
	EntryCatalog Entry = iota
	EntryNamespace
	EntryTable
	EntryColumn
	EntryFunction
)

func (e Entry) String() string {
	return [...]string{"catalog", "namespace", "table", "column", "function"}[e]
}

// Query is a completion search.
type Query struct {
	// Text is what the user typed of the name (no qualifier, no backticks).
	Text string
	Want Want
	// Catalog and Namespace scope a qualified name being typed: "sales.or"
	// searches the tables of namespace sales (Catalog "": the current one).
	// With both empty, tables of every loaded namespace are searched and
	// namespaces of every catalog. Catalog alone scopes namespaces.
	Catalog, Namespace string
	// InStatement are the tables the statement already references: their
	// columns are what WantColumns searches, and they rank first.
	InStatement []*Table
	// Limit caps the results (0: 100).
	Limit int
}

// Match is one search result.
type Match struct {
	Entry Entry
	Name  string
	Class MatchClass
	Score int // fuzzy score (higher is better)
	// Proximity ranks results of the same class: 3 a table in the statement
	// (or its column), 2 the current namespace or a temporary view, 1 the
	// current catalog, 0 elsewhere.
	Proximity int

	Catalog   *Catalog   // the catalog, or the one holding the namespace
	Namespace *Namespace // the namespace, or the one holding the table
	Table     *Table     // the table, or the one holding the column
	Column    *Column
	Function  *Function
}

// cand is a match in the making: matches are built only for the results
// kept, so a search that considers thousands of names touches none of their
// tables.
type cand struct {
	lower string // the name lowercased: the last tie-break
	list  int32
	i     int32
	score int32
	class MatchClass
	prox  int8
}

// better orders results: class, then proximity, then fuzzy score, then the
// shorter name, then by name.
func better(a, b *cand) bool {
	if a.class != b.class {
		return a.class > b.class
	}
	if a.prox != b.prox {
		return a.prox > b.prox
	}
	if a.score != b.score {
		return a.score > b.score
	}
	if len(a.lower) != len(b.lower) {
		return len(a.lower) < len(b.lower)
	}
	return a.lower < b.lower
}

// topK keeps the best k candidates in a heap whose root is the worst kept.
type topK struct {
	k    int
	h    []cand
	more bool // a match was dropped
}

func (t *topK) full() bool { return len(t.h) == t.k }

// add offers c; the heap keeps it if it is among the best k.
func (t *topK) add(c cand) {
	if !t.full() {
		t.h = append(t.h, c)
		for i := len(t.h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !better(&t.h[parent], &t.h[i]) {
				break
			}
			t.h[parent], t.h[i] = t.h[i], t.h[parent]
			i = parent
		}
		return
	}
	t.more = true
	if !better(&c, &t.h[0]) {
		return
	}
	t.h[0] = c
	for i := 0; ; {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(t.h) && better(&t.h[worst], &t.h[l]) {
			worst = l
		}
		if r < len(t.h) && better(&t.h[worst], &t.h[r]) {
			worst = r
		}
		if worst == i {
			break
		}
		t.h[i], t.h[worst] = t.h[worst], t.h[i]
		i = worst
	}
}

// beaten reports whether the heap is full with results no entry of class cl
// with proximity prox could beat.
func (t *topK) beaten(cl MatchClass, prox int) bool {
	if !t.full() {
		return false
	}
	w := &t.h[0]
	return w.class > cl || w.class == cl && int(w.prox) > prox
}

// list is one name list to search: the tables of a namespace, the
// namespaces of a catalog, the columns of a table, and so on.
type list struct {
	entry   Entry
	idx     *nameSet
	n       int
	cat     *Catalog   // EntryCatalog: nil (the snapshot's catalogs)
	ns      *Namespace // EntryTable: nil for temporary views
	table   *Table     // EntryColumn
	prox    int        // the proximity of its entries
	maxProx int        // the best proximity any of its entries can have
}

func (s *Snapshot) entryName(l *list, i int) string {
	switch l.entry {
	case EntryCatalog:
		return s.Catalogs[i].Name
	case EntryNamespace:
		return l.cat.Namespaces[i].Name
	case EntryTable:
		if l.ns == nil {
			return s.TempViews[i].Name
		}
		return l.ns.Tables[i].Name
	case EntryColumn:
		return l.table.Columns[i].Name
	}
	return s.Functions[i].Name
}

func (s *Snapshot) entryTable(l *list, i int) *Table {
	if l.ns == nil {
		return s.TempViews[i]
	}
	return l.ns.Tables[i]
}

// search is one Search in progress.
type search struct {
	s     *Snapshot
	q     *Query
	p     pattern
	top   topK
	lists []list
	curNS string // the current namespace, lowercased
}

func (sr *search) match(c *cand) Match {
	s, l, i := sr.s, &sr.lists[c.list], int(c.i)
	m := Match{Entry: l.entry, Class: c.class, Score: int(c.score), Proximity: int(c.prox), Catalog: l.cat, Namespace: l.ns}
	switch l.entry {
	case EntryCatalog:
		m.Catalog = s.Catalogs[i]
		m.Name = m.Catalog.Name
	case EntryNamespace:
		m.Namespace = l.cat.Namespaces[i]
		m.Name = m.Namespace.Name
	case EntryTable:
		if l.ns == nil {
			m.Table = s.TempViews[i]
		} else {
			m.Table = l.ns.Tables[i]
		}
		m.Name = m.Table.Name
	case EntryColumn:
		m.Table, m.Column = l.table, &l.table.Columns[i]
		m.Name = m.Column.Name
	case EntryFunction:
		m.Function = &s.Functions[i]
		m.Name = m.Function.Name
	}
	return m
}

func (sr *search) inStatement(t *Table) bool {
	for _, x := range sr.q.InStatement {
		if x == t || x.Ref() == t.Ref() {
			return true
		}
	}
	return false
}

// Search finds catalogs, namespaces, tables, columns and functions whose name
// matches q.Text, best first; more reports that matches beyond q.Limit were
// dropped (the completion list is incomplete). It never blocks and never
// loads: what is not in the snapshot is not found (Cache.Touch and
// Cache.Table load it).
func (s *Snapshot) Search(q Query) (matches []Match, more bool) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	sr := &search{s: s, q: &q, p: newPattern(q.Text), top: topK{k: q.Limit}, curNS: lowerASCII(s.CurrentNamespace)}
	scoped := q.Namespace != ""
	curCat := s.Catalog(s.CurrentCatalog)
	var lists []list

	if q.Want&WantCatalogs != 0 && !scoped && q.Catalog == "" {
		lists = append(lists, list{entry: EntryCatalog, idx: s.catIdx, n: len(s.Catalogs), maxProx: 1})
	}
	if q.Want&WantNamespaces != 0 && !scoped {
		for _, c := range s.Catalogs {
			if q.Catalog != "" && !strings.EqualFold(q.Catalog, c.Name) {
				continue
			}
			prox := b2i(c == curCat)
			lists = append(lists, list{entry: EntryNamespace, idx: c.idx, n: len(c.Namespaces), cat: c, prox: prox, maxProx: 2 * prox})
		}
	}
	if q.Want&WantTables != 0 {
		for _, c := range s.Catalogs {
			cat := q.Catalog
			if scoped && cat == "" {
				cat = s.CurrentCatalog
			}
			if cat != "" && !strings.EqualFold(cat, c.Name) {
				continue
			}
			for _, n := range c.Namespaces {
				if scoped && !strings.EqualFold(q.Namespace, n.Name) || len(n.Tables) == 0 {
					continue
				}
				prox := 0
				if c == curCat {
					prox = 1
					if strings.EqualFold(n.Name, s.CurrentNamespace) {
						prox = 2
					}
				}
				maxProx := prox
				for _, t := range q.InStatement {
					if strings.EqualFold(t.Namespace, n.Name) && strings.EqualFold(t.Catalog, c.Name) {
						maxProx = 3
					}
				}
				lists = append(lists, list{entry: EntryTable, idx: n.idx, n: len(n.Tables), cat: c, ns: n, prox: prox, maxProx: maxProx})
			}
		}
		if !scoped && q.Catalog == "" && len(s.TempViews) > 0 {
			lists = append(lists, list{entry: EntryTable, idx: s.tmpIdx, n: len(s.TempViews), prox: 2, maxProx: 3})
		}
	}
	if q.Want&WantColumns != 0 {
		for _, t := range q.InStatement {
			lists = append(lists, list{entry: EntryColumn, n: len(t.Columns), table: t, prox: 3, maxProx: 3})
		}
	}
	if q.Want&WantFunctions != 0 && !scoped && q.Catalog == "" {
		lists = append(lists, list{entry: EntryFunction, idx: s.fnIdx, n: len(s.Functions)})
	}

	// Nearest lists first: they fill the heap, and farther lists whose
	// results could not beat its worst are then skipped.
	slices.SortStableFunc(lists, func(a, b list) int { return b.maxProx - a.maxProx })
	sr.lists = lists
	for i := range lists {
		l := &lists[i]
		if l.idx == nil || len(l.idx.ends) != l.n {
			l.idx = newNameSet(l.n, func(j int) string { return s.entryName(l, j) })
		}
		sr.prefixPass(int32(i))
	}
	top := &sr.top
	if top.full() {
		// Only prefix (or exact) matches are kept; fuzzy ones cannot enter.
		top.more = true
	} else if sr.p.lower != "" {
		for i := range lists {
			sr.fuzzyPass(int32(i))
		}
	}
	slices.SortFunc(top.h, func(a, b cand) int {
		if better(&a, &b) {
			return -1
		}
		if better(&b, &a) {
			return 1
		}
		return 0
	})
	matches = make([]Match, len(top.h))
	for i := range top.h {
		matches[i] = sr.match(&top.h[i])
	}
	return matches, top.more
}

// offer adds the i-th entry of list li if it can enter the results.
func (sr *search) offer(li int32, i int, cl MatchClass, score int) {
	l := &sr.lists[li]
	c := cand{lower: l.idx.at(i), list: li, i: int32(i), score: int32(score), class: cl, prox: int8(l.prox)}
	switch {
	case l.maxProx == 3 && l.entry == EntryTable:
		t := sr.s.entryTable(l, i)
		if sr.inStatement(t) {
			c.prox = 3
		}
	case l.entry == EntryNamespace && l.prox > 0 && c.lower == sr.curNS:
		c.prox = 2
	}
	sr.top.add(c)
}

// prefixPass offers the exact and prefix matches of a list.
func (sr *search) prefixPass(li int32) {
	l := &sr.lists[li]
	p, top, idx := &sr.p, &sr.top, l.idx
	lo, hi := 0, l.n
	if idx.sorted {
		k := key8(p.lower)
		lo, _ = slices.BinarySearch(idx.keys, k)
		for lo < l.n && idx.at(lo) < p.lower {
			lo++ // names sharing the first 8 bytes
		}
		if top.beaten(MatchPrefix, l.maxProx) {
			// Only an exact match of this list could still enter.
			if lo < l.n && idx.at(lo) == p.lower {
				sr.offer(li, lo, MatchExact, 0)
			}
			return
		}
	}
	for i := lo; i < hi; i++ {
		if idx.sorted && len(p.lower) > 0 && (idx.keys[i]>>56) != uint64(p.lower[0]) {
			break
		}
		cl := matchPrefix(p, idx.at(i))
		if cl == MatchNone {
			if idx.sorted {
				break
			}
			continue
		}
		sr.offer(li, i, cl, 0)
	}
}

// fuzzyPass offers the fuzzy matches of a list (names that are not prefix
// matches: those were offered already).
func (sr *search) fuzzyPass(li int32) {
	l := &sr.lists[li]
	p, top, idx := &sr.p, &sr.top, l.idx
	if top.beaten(MatchFuzzy, l.maxProx) {
		return
	}
	c := bits.TrailingZeros64(p.first)
	// Prefix matches were offered already; for text of at most 8 bytes the
	// keys tell them apart without reading the name.
	pk, pm := key8(p.lower), uint64(0)
	if n := len(p.lower); n <= 8 {
		pm = ^uint64(0) << (8 * (8 - n))
	}
	for _, i := range idx.post[idx.postAt[c]:idx.postAt[c+1]] {
		if idx.masks[i]&p.mask != p.mask || pm != 0 && idx.keys[i]&pm == pk {
			continue
		}
		lower := idx.at(int(i))
		if pm == 0 && matchPrefix(p, lower) != MatchNone {
			continue
		}
		if sc, ok := matchFuzzy(p, lower, idx.words[i]); ok {
			sr.offer(li, int(i), MatchFuzzy, sc)
		}
	}
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, lowerByte(s[i]))
	}
	return b
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
