package schema

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The synthetic catalog of the benchmarks: 100 namespaces × 1,000 tables ×
// 20 columns = 2M columns, names built from common words, 25 types, one
// column in ten with a comment.
const (
	benchNamespaces = 100
	benchTables     = 1000
	benchColumns    = 20
	benchTotalCols  = benchNamespaces * benchTables * benchColumns
)

var benchWords = strings.Fields(`order customer product sale invoice payment shipment account user session
event click page view campaign ad region store item price stock supplier employee dept salary
ledger balance transfer card merchant device app log metric daily weekly monthly fact dim stg raw
agg snapshot history audit booking flight hotel claim policy risk score model feature label`)

var benchSuffixes = strings.Fields(`id name date ts amount code flag count type status key value desc total qty`)

var benchTypes = strings.Fields(`int bigint string double boolean date timestamp decimal(12,2) decimal(38,10)
float smallint tinyint binary timestamp_ntz array<string> array<int> map<string,string>
struct<sku:string,qty:int> array<struct<k:string,v:double>> decimal(18,4) varchar(64) char(2)
map<string,array<double>> interval struct<a:int,b:string>`)

// benchListing generates what a bulk Source returns for namespace ns: fresh
// strings everywhere, as a decoder would hand them over.
func benchListing(ns int) []Table {
	r := rand.New(rand.NewPCG(uint64(ns), 7))
	out := make([]Table, benchTables)
	for i := range out {
		w1, w2 := benchWords[r.IntN(len(benchWords))], benchWords[r.IntN(len(benchWords))]
		t := Table{Name: fmt.Sprintf("%s_%s_%03d", w1, w2, i), Kind: KindManaged}
		t.Columns = make([]Column, benchColumns)
		for j := range t.Columns {
			col := &t.Columns[j]
			col.Name = benchWords[r.IntN(len(benchWords))] + "_" + benchSuffixes[r.IntN(len(benchSuffixes))] + fmt.Sprint(j)
			col.Type = strings.Clone(benchTypes[r.IntN(len(benchTypes))])
			col.Nullable = j > 0
			if r.IntN(10) == 0 {
				col.Comment = "the " + col.Name + " of the row"
			}
		}
		out[i] = t
	}
	return out
}

// benchSnapshot builds the synthetic snapshot the way the cache does when
// bulk loads land: listing, interning, sorting, indexing, swapping.
func benchSnapshot() *Snapshot {
	listings := make([][]Table, benchNamespaces)
	for ns := range listings {
		listings[ns] = benchListing(ns)
	}
	return buildFrom(listings)
}

func buildFrom(listings [][]Table) *Snapshot {
	c := New(nil, Options{})
	c.update(func(s *Snapshot) *Snapshot {
		out := s.clone()
		out.CurrentCatalog, out.CurrentNamespace = "spark_catalog", "ns_000"
		out.RefreshedAt = time.Now()
		return out
	})
	for ns, list := range listings {
		c.applyBulk("spark_catalog", fmt.Sprintf("ns_%03d", ns), time.Now(), list)
	}
	return c.Snapshot()
}

var (
	benchOnce sync.Once
	benchSnap *Snapshot
)

func sharedBenchSnapshot() *Snapshot {
	benchOnce.Do(func() { benchSnap = benchSnapshot() })
	return benchSnap
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkSnapshotBuild: time to build the 2M-column snapshot from bulk
// listings, and the heap it keeps per column.
func BenchmarkSnapshotBuild(b *testing.B) {
	before := heapInUse()
	s := benchSnapshot()
	after := heapInUse()
	if st := s.Stats(time.Now(), time.Hour); st.Columns != benchTotalCols {
		b.Fatalf("built %d columns", st.Columns)
	}
	runtime.KeepAlive(s)
	perCol := float64(after-before) / benchTotalCols
	s = nil
	listings := make([][]Table, benchNamespaces)
	for ns := range listings {
		listings[ns] = benchListing(ns)
	}
	for b.Loop() {
		buildFrom(listings)
	}
	b.ReportMetric(perCol, "heapB/col")
}

// BenchmarkDiskSnapshotHeap: the heap a snapshot read from the cache file
// keeps per column (one names string per table, shared types).
func BenchmarkDiskSnapshotHeap(b *testing.B) {
	key := "bench"
	data := Encode(sharedBenchSnapshot(), key, time.Now())
	before := heapInUse()
	s, err := Decode(data, key)
	if err != nil {
		b.Fatal(err)
	}
	after := heapInUse()
	runtime.KeepAlive(s)
	for b.Loop() {
	}
	b.ReportMetric(float64(after-before)/benchTotalCols, "heapB/col")
}

type benchQuery struct {
	name string
	make func(r *rand.Rand, name string) string
}

func prefixOf(r *rand.Rand, name string) string { return name[:2+r.IntN(4)] }

// fuzzyOf picks 3 to 5 characters of name in order, the first at a word
// start (as a user types an abbreviation: "cuid" for customer_id).
func fuzzyOf(r *rand.Rand, name string) string {
	var starts []int
	for i := 0; i < len(name)-3; i++ {
		if wordStart(name, i) {
			starts = append(starts, i)
		}
	}
	s := starts[r.IntN(len(starts))]
	rest := name[s+1:]
	n := min(2+r.IntN(3), len(rest))
	idx := r.Perm(len(rest))[:n]
	slices.Sort(idx)
	b := []byte{name[s]}
	for _, i := range idx {
		b = append(b, rest[i])
	}
	return string(b)
}

// BenchmarkSearch: lookup latency percentiles over 1,000 completion
// searches (tables, namespaces, catalogs, functions) of the 100,000 tables.
func BenchmarkSearch(b *testing.B) {
	s := sharedBenchSnapshot()
	var names []string
	for _, n := range s.Catalogs[0].Namespaces {
		for _, t := range n.Tables {
			names = append(names, t.Name)
		}
	}
	for _, q := range []benchQuery{{"prefix", prefixOf}, {"fuzzy", fuzzyOf}} {
		b.Run(q.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			texts := make([]string, 1000)
			for i := range texts {
				texts[i] = q.make(r, names[r.IntN(len(names))])
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var wall, cpu []time.Duration
			for b.Loop() {
				for _, text := range texts {
					start, startCPU := time.Now(), threadCPU()
					s.Search(Query{Text: text, Want: WantTables | WantNamespaces | WantCatalogs | WantFunctions, Limit: 100})
					cpu = append(cpu, threadCPU()-startCPU)
					wall = append(wall, time.Since(start))
				}
			}
			slices.Sort(wall)
			slices.Sort(cpu)
			b.ReportMetric(float64(wall[len(wall)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(wall[len(wall)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds()), "cpu-p50-µs")
			b.ReportMetric(float64(cpu[len(cpu)*99/100].Microseconds()), "cpu-p99-µs")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// The cold-load candidates: this package's binary format raw and deflated,
// gob, and JSON+gzip. Each includes building the name indexes.
type coldFormat struct {
	name   string
	encode func(s *Snapshot) []byte
	decode func(data []byte) (*Snapshot, error)
}

var coldFormats = []coldFormat{
	{"binary", func(s *Snapshot) []byte { return Encode(s, "k", time.Now()) }, func(d []byte) (*Snapshot, error) { return Decode(d, "k") }},
	{"binary+deflate", func(s *Snapshot) []byte {
		compress = true
		defer func() { compress = false }()
		return Encode(s, "k", time.Now())
	}, func(d []byte) (*Snapshot, error) { return Decode(d, "k") }},
	{"gob", func(s *Snapshot) []byte {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(s); err != nil {
			panic(err)
		}
		return buf.Bytes()
	}, func(d []byte) (*Snapshot, error) {
		var s Snapshot
		if err := gob.NewDecoder(bytes.NewReader(d)).Decode(&s); err != nil {
			return nil, err
		}
		return NewSnapshot(reindexCatalogs(s.Catalogs), nil, s.Functions), nil
	}},
	{"json+gzip", func(s *Snapshot) []byte {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if err := json.NewEncoder(w).Encode(s); err != nil {
			panic(err)
		}
		w.Close()
		return buf.Bytes()
	}, func(d []byte) (*Snapshot, error) {
		r, err := gzip.NewReader(bytes.NewReader(d))
		if err != nil {
			return nil, err
		}
		var s Snapshot
		if err := json.NewDecoder(r).Decode(&s); err != nil {
			return nil, err
		}
		return NewSnapshot(reindexCatalogs(s.Catalogs), nil, s.Functions), nil
	}},
}

func reindexCatalogs(cs []*Catalog) []*Catalog {
	for i, c := range cs {
		for j, n := range c.Namespaces {
			c.Namespaces[j] = NewNamespace(c.Name, n.Name, n.Comment, n.Tables, n.TablesAt)
		}
		cs[i] = NewCatalog(c.Name, c.Comment, c.Namespaces, c.NamespacesAt)
	}
	return cs
}

// BenchmarkColdLoad: reading the 2M-column cache file (from the page cache)
// into a searchable snapshot, per format. SPARKLS_BENCH_FORMATS=all also
// runs gob and JSON+gzip (slow to encode).
func BenchmarkColdLoad(b *testing.B) {
	formats := coldFormats[:2]
	if os.Getenv("SPARKLS_BENCH_FORMATS") == "all" {
		formats = coldFormats
	}
	// Write the files, then drop the snapshot: a cold start has nothing
	// else on its heap for the collector to scan.
	dir := b.TempDir()
	s := benchSnapshot()
	for _, f := range formats {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.encode(s), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	s = nil
	runtime.GC()
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			path := filepath.Join(dir, f.name)
			fi, _ := os.Stat(path)
			for b.Loop() {
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				got, err := f.decode(data)
				if err != nil {
					b.Fatal(err)
				}
				if len(got.Catalogs) != 1 {
					b.Fatal("lost catalogs")
				}
				b.StopTimer()
				got, data = nil, nil
				runtime.GC()
				b.StartTimer()
			}
			b.ReportMetric(float64(fi.Size())/(1<<20), "MB")
		})
	}
}

// BenchmarkColumnLoad: one table's columns landing in a 100,000-table
// snapshot (the copy-on-write cost of a lazy load).
func BenchmarkColumnLoad(b *testing.B) {
	s := sharedBenchSnapshot()
	cols := []Column{{Name: "a", Type: "int"}}
	for b.Loop() {
		s.withColumns("spark_catalog", "ns_050", map[string]*Table{lowerASCII(s.Catalogs[0].Namespaces[50].Tables[7].Name): {Columns: cols, ColumnsAt: time.Now()}})
	}
}
