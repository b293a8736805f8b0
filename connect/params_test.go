package connect

import (
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
)

func TestParamLiteral(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"42", "integer:42"},
		{"-9876543210", "long:-9876543210"},
		{"1.50", `decimal:{value:"1.50" precision:3 scale:2}`},
		{"TRUE", "boolean:true"},
		{"'42'", `string:"42"`},
		{"x' OR 1=1 --", `string:"x' OR 1=1 --"`},
		{"1e5", `string:"1e5"`},
	} {
		got := prototext.MarshalOptions{}.Format(literal(tc.in))
		if normalize(got) != normalize(tc.want) {
			t.Errorf("literal(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParamsForStatements(t *testing.T) {
	p := Params{Named: map[string]string{"a": "1"}, Positional: []string{"1", "2", "3"}}
	a, next := p.forStatement("SELECT ?, '?', ? -- ?", 0)
	if len(a.pos) != 2 || a.named != nil || next != 2 {
		t.Errorf("positional statement: %+v next %d", a, next)
	}
	a, next = p.forStatement("SELECT :a", 2)
	if len(a.named) != 1 || a.pos != nil || next != 2 {
		t.Errorf("named statement: %+v next %d", a, next)
	}
	if r := p.Rest("SELECT ?; SELECT :a; SELECT ?"); len(r.Positional) != 1 || r.Positional[0] != "3" {
		t.Errorf("Rest: %+v", r)
	}
}

func normalize(s string) string {
	out := []rune{}
	for _, r := range s {
		if r != ' ' && r != '\u00a0' {
			out = append(out, r)
		}
	}
	return string(out)
}
