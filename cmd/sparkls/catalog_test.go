package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sparkls/sparkls/internal/ittest"
)

// --stats reads the cache file only: without a server, it says there is none.
func TestCatalogStatsWithoutCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errb bytes.Buffer
	if code := run([]string{"catalog", "--stats", "--remote", "sc://127.0.0.1:1"}, &out, &errb); code != 0 {
		t.Fatalf("code %d: %s", code, errb.String())
	}
	for _, want := range []string{"schema cache ", "(none yet", "tables 0", "never fully loaded"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, args := range [][]string{{"catalog", "--stats", "sales.*"}, {"catalog", "--stats", "--columns"}} {
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%q: code %d", args, code)
		}
	}
}

// Against the real server: --refresh --columns fills the cache file that
// --stats then describes.
func TestITCatalogRefreshStats(t *testing.T) {
	remote := ittest.Remote(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errb bytes.Buffer
	if code := run([]string{"catalog", "--refresh", "--columns", "--remote", remote}, &out, &errb); code != 0 {
		t.Fatalf("refresh: %d %s", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"catalog", "--stats", "--remote", remote}, &out, &errb); code != 0 {
		t.Fatalf("stats: %d %s", code, errb.String())
	}
	s := out.String()
	if strings.Contains(s, "none yet") || strings.Contains(s, "tables 0") || strings.Contains(s, "columns 0,") || !strings.Contains(s, "refreshed ") {
		t.Errorf("stats after refresh:\n%s", s)
	}
}
