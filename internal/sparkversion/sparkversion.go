// Package sparkversion compares the Spark versions servers report
// ("4.0.1", "3.5.2-databricks") with the versions features and lists
// name ("4.0"). It is the one place that reads version strings.
package sparkversion

import (
	"strconv"
	"strings"
)

// Compare compares dotted versions numerically, as far as the shorter goes
// ("4.0" equals "4.0.1"; a suffix such as "-SNAPSHOT" is ignored, and so is
// anything from the first part that is not a number).
func Compare(a, b string) int {
	pa, pb := parts(a), parts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func parts(v string) []int {
	v, _, _ = strings.Cut(v, "-")
	var out []int
	for _, f := range strings.Split(v, ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			break
		}
		out = append(out, n)
	}
	return out
}
