package arrowfmt

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestJDKCompare(t *testing.T) {
	path := os.Getenv("ARROWFMT_JDK_VALUES")
	if path == "" {
		t.Skip()
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	cats := map[string][2]int{}
	shown := 0
	line := 0
	for sc.Scan() {
		line++
		p := strings.Fields(sc.Text())
		bits, _ := strconv.ParseUint(p[1], 16, 64)
		var got string
		if p[0] == "d" {
			got = string(appendJavaFloat(nil, math.Float64frombits(bits), 64))
		} else {
			got = string(appendJavaFloat(nil, float64(math.Float32frombits(uint32(bits))), 32))
		}
		cat := p[0] + strconv.Itoa((line-1)/2%5)
		c := cats[cat]
		c[0]++
		if got != p[2] {
			c[1]++
			if shown < 15 {
				t.Logf("%s %s: go %s java %s", p[0], p[1], got, p[2])
				shown++
			}
		}
		cats[cat] = c
	}
	for k, v := range cats {
		t.Logf("%s: %d/%d differ (%.4f%%)", k, v[1], v[0], 100*float64(v[1])/float64(v[0]))
	}
}
