package embed

import (
	"strings"
	"testing"
)

// show renders a view as the document's lines with its SQL text, "|" at
// both ends of each region.
func show(v View) string {
	return strings.TrimRight(strings.Join(func() []string {
		var out []string
		for _, l := range strings.Split(v.Text, "\n") {
			out = append(out, strings.TrimRight(l, " "))
		}
		return out
	}(), "\n"), "\n")
}

func regions(text string, v View) []string {
	var out []string
	for _, r := range v.Regions {
		out = append(out, text[r.Start:r.End])
	}
	return out
}

func TestNotebook(t *testing.T) {
	for _, tc := range []struct {
		name, uri, src, view string
		regions              []string
	}{
		{"python", "file:///n.py",
			"# Databricks notebook source\nx = 1\n\n# COMMAND ----------\n\n# MAGIC %sql\n# MAGIC SELECT *\n# MAGIC\n# MAGIC FROM sales.orders\n\n# COMMAND ----------\n\n# MAGIC %md\n# MAGIC # Title\n",
			"\n\n\n-- %%\n\n\n        SELECT *\n\n        FROM sales.orders\n\n-- %%\n\n\n\n",
			[]string{"SELECT *\n# MAGIC\n# MAGIC FROM sales.orders"}},
		{"scala", "file:///n.scala",
			"// Databricks notebook source\nval x = 1\n\n// COMMAND ----------\n\n// MAGIC %sql SELECT 1\n// MAGIC SELECT 2\n",
			"\n\n\n-- %%\n\n\n         SELECT 2\n",
			[]string{"SELECT 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Of(tc.uri, "", tc.src)
			if v.Kind != Notebook || len(v.Text) != len(tc.src) {
				t.Fatalf("kind %d, %d bytes for %d", v.Kind, len(v.Text), len(tc.src))
			}
			if got := show(v); got != strings.TrimRight(tc.view, "\n") {
				t.Errorf("view\n%s\nwant\n%s", got, tc.view)
			}
			if got := regions(tc.src, v); strings.Join(got, "|") != strings.Join(tc.regions, "|") {
				t.Errorf("regions %q, want %q", got, tc.regions)
			}
		})
	}
}

func TestPython(t *testing.T) {
	src := `import x  # spark.sql("no")
df = spark.sql("""SELECT * -- c
FROM sales.orders""")
q = spark.sql(f"""SELECT a FROM {tbl} WHERE b = '{{x}}'""")
spark.table('sales.orders'); other.sql("SELECT 9")
t = spark.read.table("hr.emp")
s = "SELECT nope"
e = spark.sql("SELECT 'it\'s'", args)
`
	v := Of("file:///a.py", "python", src)
	if v.Kind != Python || len(v.Text) != len(src) {
		t.Fatalf("kind %d, %d bytes", v.Kind, len(v.Text))
	}
	want := "\n" +
		`                  SELECT * -- c` + "\n" +
		"FROM sales.orders\n;\n" +
		`                  SELECT a FROM ${__} WHERE b = ' {x }'` + "\n;\n" +
		`      TABLE  sales.orders` + "\n;\n" +
		`               TABLE  hr.emp` + "\n;\n" +
		"\n" +
		`               SELECT 'it 's'` + "\n;"
	if got := show(v); got != want {
		t.Errorf("view\n%s\nwant\n%s", got, want)
	}
	if got := regions(src, v); len(got) != 5 {
		t.Errorf("regions %q", got)
	}
	hole := strings.Index(src, "{tbl}")
	if !v.Opaque(hole, hole+1) || v.Opaque(0, hole-1) {
		t.Errorf("Opaque wrong around the hole at %d", hole)
	}
	if v.In(strings.Index(src, "import")) || !v.In(strings.Index(src, "FROM sales")) || !v.In(strings.Index(src, `sales.orders'`)+len("sales.orders")) {
		t.Error("In wrong")
	}
}

func TestPythonUnfinished(t *testing.T) {
	src := "a = spark.sql(\"SELECT 1\" % x)\nb = spark.sql(q)\nc = spark.sql(\"\"\"SELECT * FROM sales."
	v := Of("file:///a.py", "python", src)
	if got := regions(src, v); len(got) != 1 || got[0] != "SELECT * FROM sales." {
		t.Errorf("regions %q: want only the triple-quoted string being typed", got)
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		uri, lang, text string
		want            Kind
	}{
		{"file:///a.sql", "sql", "SELECT 1", SQL},
		{"untitled:1", "sparksql", "SELECT 1", SQL},
		{"file:///a.sql", "sql", "-- Databricks notebook source\r\n", SQL},
		{"file:///a.py", "python", "# Databricks notebook source\n", Notebook},
		{"file:///a.py", "", "import x", Python},
		{"file:///a.scala", "scala", "object A", None},
		{"file:///a.scala", "scala", "// Databricks notebook source\n", Notebook},
	} {
		if got := KindOf(tc.uri, tc.lang, tc.text); got != tc.want {
			t.Errorf("KindOf(%q, %q, %q) = %d, want %d", tc.uri, tc.lang, tc.text, got, tc.want)
		}
	}
}

func TestCellMagic(t *testing.T) {
	for _, src := range []string{"%%sql\nSELECT 1\n", "%%sql", "  %%sql --section x\nSELECT 1"} {
		v := Of("vscode-notebook-cell:/w/a.ipynb#W0", "python", src)
		if v.Kind != Notebook || len(v.Text) != len(src) || strings.Contains(v.Text, "%%") || len(v.Regions) != 1 {
			t.Errorf("%q: kind %d, view %q, regions %v", src, v.Kind, v.Text, v.Regions)
		}
	}
	if v := Of("file:///a.py", "python", "x = 1  # %%sql\n"); v.Kind != Python {
		t.Errorf("%%%%sql not on the first line: kind %d", v.Kind)
	}
}
