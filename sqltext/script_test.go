package sqltext

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestScriptAt(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // vars (name:type[:cols]) then labels, innermost first
	}{
		{"declared before the cursor", "BEGIN DECLARE x INT DEFAULT 0; DECLARE y, z STRING; SELECT | ; DECLARE later INT; END",
			"vars z:STRING y:STRING x:INT labels"},
		{"default decides the type", "BEGIN DECLARE n = 5; SET n = | ; END", "vars n: labels"},
		{"labels and nested blocks", "outer: BEGIN DECLARE a INT; inner: BEGIN DECLARE b INT; END; SELECT |; END",
			"vars a:INT labels outer"},
		{"inside the inner block", "outer: BEGIN DECLARE a INT; inner: BEGIN DECLARE b INT; SELECT |; END; END",
			"vars b:INT a:INT labels inner outer"},
		{"for row variable", "BEGIN lp: FOR r AS (SELECT 1 AS id, 'x' AS name) DO SELECT r.| ; END FOR; END",
			"vars r::id,name labels lp"},
		{"a block in a for body", "BEGIN FOR r AS SELECT 1 AS a DO BEGIN DECLARE y INT; SELECT |; END; END FOR; END",
			"vars y:INT r::a labels"},
		{"for without parens", "BEGIN FOR r AS SELECT order_id FROM t DO VALUES (|); END FOR; END", "vars r::order_id labels"},
		{"after the for loop", "BEGIN FOR r AS SELECT 1 AS a DO SELECT 1; END FOR; SELECT |; END", "vars labels"},
		{"if and case do not end the block", "BEGIN DECLARE x INT; IF x > 0 THEN SELECT CASE WHEN x = 1 THEN 2 END; END IF; SELECT |; END",
			"vars x:INT labels"},
		{"handler and condition are not variables", "BEGIN DECLARE c CONDITION FOR SQLSTATE '22012'; DECLARE EXIT HANDLER FOR c BEGIN SELECT 1; END; SELECT |; END",
			"vars labels"},
		{"a declaration being typed", "BEGIN DECLARE x INT DEFAULT |; END", "vars labels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off := strings.Index(tc.src, "|")
			src := tc.src[:off] + tc.src[off+1:]
			s, ok := ScriptAt(src, off)
			if !ok {
				t.Fatal("not in a script")
			}
			var b strings.Builder
			b.WriteString("vars")
			for _, v := range s.Vars {
				fmt.Fprintf(&b, " %s:%s", v.Name, v.Type)
				if v.Row {
					fmt.Fprintf(&b, ":%s", strings.Join(v.Columns, ","))
				}
			}
			b.WriteString(" labels")
			for _, l := range s.Labels {
				b.WriteString(" " + l.Name)
			}
			if b.String() != tc.want {
				t.Errorf("got  %s\nwant %s", b.String(), tc.want)
			}
		})
	}
	if _, ok := ScriptAt("SELECT begin FROM t", 7); ok {
		t.Error("a column named begin is no script")
	}
	if s, _ := ScriptAt("lbl: BEGIN LOOP LEAVE ", 22); !s.WantLabel || len(s.Labels) != 1 {
		t.Errorf("LEAVE: %+v", s)
	}
}

// ScriptAt and SessionVars never fail, at any offset of half-typed scripts.
func TestScriptAtEveryOffset(t *testing.T) {
	for _, src := range []string{
		"lbl: BEGIN DECLARE x INT DEFAULT; DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN SELECT 1; END; FOR r AS (SELECT 1 AS a DO SELECT r.a; END FOR; LEAVE lbl; END",
		"DECLARE OR REPLACE VARIABLE v = ; DROP TEMPORARY VARIABLE; BEGIN DECLARE , ; END; DECLARE",
		"BEGIN WHILE x DO IF y THEN CASE WHEN 1 THEN 2 END; END IF; END WHILE; REPEAT SELECT 1; UNTIL true END REPEAT; END",
	} {
		for off := 0; off <= len(src); off++ {
			ScriptAt(src, off)
			SessionVars(src, off)
		}
	}
}

// ScriptQueries: the queries of a script that use none of its names.
func TestScriptQueries(t *testing.T) {
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{"SELECT 1", nil},
		{"BEGIN SELECT 1; END", []string{"SELECT 1"}},
		{"BEGIN\n  DECLARE v INT DEFAULT (SELECT 1);\n  SELECT v + 1;\n  SELECT a FROM t WHERE a > 0;\n  SET v = (SELECT 2);\n  INSERT INTO t SELECT * FROM t;\nEND",
			[]string{"SELECT a FROM t WHERE a > 0"}},
		{"lbl: BEGIN\n  IF (SELECT count(*) FROM t) > 0 THEN\n    SELECT CASE WHEN a THEN 1 ELSE 2 END FROM t;\n  ELSE\n    WITH c AS (SELECT 1 AS x) SELECT x FROM c;\n  END IF;\n  WHILE true DO VALUES (1); LEAVE lbl; END WHILE;\nEND lbl",
			[]string{"SELECT CASE WHEN a THEN 1 ELSE 2 END FROM t", "WITH c AS (SELECT 1 AS x) SELECT x FROM c", "VALUES (1)"}},
		{"BEGIN\n  FOR r AS SELECT a FROM t DO\n    SELECT r.a;\n    SELECT b FROM u;\n  END FOR;\n  DECLARE c CONDITION FOR SQLSTATE '22012';\n  SELECT `C` FROM u;\n  SELECT R FROM u;\n  x: LOOP SELECT 1; END LOOP x;\n  SELECT x FROM u;\nEND",
			[]string{"SELECT b FROM u", "SELECT 1"}},
		{"BEGIN SELECT 1", nil}, // not ended yet
	} {
		var got []string
		for _, q := range ScriptQueries(tc.script) {
			if tc.script[q.Start:q.End] != q.Text {
				t.Errorf("%q: span %v is not %q", tc.script, q, q.Text)
			}
			got = append(got, q.Text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q:\n got %q\nwant %q", tc.script, got, tc.want)
		}
	}
}
