package localspark_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sparkls/sparkls/connect/localspark"
	"github.com/sparkls/sparkls/internal/ittest"
)

// Installing from PyPI for real, into a fresh cache directory, as
// `sparkls server install` does on a user's machine; a second install
// finds it and installs nothing. pip's own download cache is kept, so that
// on a machine where scripts/spark-server already installed pyspark (make
// test) it costs about a minute, not a 450 MB download.
func TestITInstallFromPyPI(t *testing.T) {
	ittest.Remote(t)
	if os.Getenv(localspark.PythonEnv) != "" {
		t.Skipf("$%s is set: nothing would be installed", localspark.PythonEnv)
	}
	if os.Getenv("PIP_CACHE_DIR") == "" {
		if ucd, err := os.UserCacheDir(); err == nil {
			t.Setenv("PIP_CACHE_DIR", filepath.Join(ucd, "pip"))
		}
	}
	dir := filepath.Join(t.TempDir(), "server")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var said []string
	home, err := localspark.Install(ctx, localspark.Options{Dir: dir, Progress: func(s string) { said = append(said, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "jars", "spark-connect_2.13-"+localspark.SparkVersion+".jar")); err != nil {
		t.Errorf("installed pyspark lacks the server: %v", err)
	}
	if rel, err := filepath.Rel(dir, home); err != nil || !filepath.IsLocal(rel) {
		t.Errorf("pyspark installed in %s, not under %s", home, dir)
	}
	if len(said) != 3 {
		t.Errorf("progress %q", said)
	}
	said = nil
	begin := time.Now()
	if again, err := localspark.Install(ctx, localspark.Options{Dir: dir, Progress: func(s string) { said = append(said, s) }}); err != nil || again != home || len(said) != 0 {
		t.Errorf("second install: %s, %v, progress %q", again, err, said)
	}
	t.Logf("second install took %s", time.Since(begin))
}
