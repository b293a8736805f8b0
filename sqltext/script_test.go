package sqltext

import (
	"fmt"
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
