package ide

import (
	"fmt"
	"strings"

	"github.com/sparkls/sparkls/sqltext"
)

// SQL scripting: local variables, FOR row variables and labels of the
// enclosing BEGIN … END block (sqltext.ScriptAt).

// SessionVar is a variable of the Spark session as the session itself
// says (after a run): its type as typeof() prints it and its value as
// CAST(v AS STRING) does.
type SessionVar struct {
	Name, Type, Value string
	Null              bool
}

// sessionVarDetail is a session variable's completion detail.
func sessionVarDetail(v SessionVar) string {
	return "session variable · " + v.Type + " = " + sessionValue(v)
}

func sessionValue(v SessionVar) string {
	if v.Null {
		return "NULL"
	}
	return v.Value
}

// lookupSessionVar finds the session's variable called name.
func lookupSessionVar(vars []SessionVar, name string) (SessionVar, bool) {
	for _, v := range vars {
		if strings.EqualFold(v.Name, name) {
			return v, true
		}
	}
	return SessionVar{}, false
}

// scriptVars offers the local variables in scope (after the columns: Spark
// resolves a column first), then the session variables the file declares
// and those the session has.
func (cp *completer) scriptVars() {
	if cp.inScript {
		for _, v := range cp.script.Vars {
			cp.addName(candidate{kind: KindVariable, detail: varDetail(v), group: groupRef}, v.Name)
		}
	}
	cp.sessionVars()
}

// sessionVars offers the session variables: declared earlier in the file,
// or known to the session (with their value), unless a local variable
// hides them.
func (cp *completer) sessionVars() {
	seen := map[string]bool{}
	hidden := func(name string) bool {
		if seen[strings.ToLower(name)] {
			return true
		}
		seen[strings.ToLower(name)] = true
		if cp.inScript {
			_, shadowed := cp.script.Lookup("", name)
			return shadowed
		}
		return false
	}
	for _, v := range sqltext.SessionVars(cp.text, cp.c.Statement.Start) {
		if !hidden(v.Name) {
			detail := varDetail(v)
			if sv, ok := lookupSessionVar(cp.opt.sessionVars, v.Name); ok {
				detail = sessionVarDetail(sv)
			}
			cp.addName(candidate{kind: KindVariable, detail: detail, group: groupRef}, v.Name)
		}
	}
	for _, v := range cp.opt.sessionVars {
		if !hidden(v.Name) {
			cp.addName(candidate{kind: KindVariable, detail: sessionVarDetail(v), group: groupRef}, v.Name)
		}
	}
}

// sessionQualified offers the session variables after session. or
// system.session. (ok false for any other qualifier).
func (cp *completer) sessionQualified(q []string) bool {
	if !isSessionQualifier(q) {
		return false
	}
	cp.sessionVars()
	return true
}

func isSessionQualifier(q []string) bool {
	switch len(q) {
	case 1:
		return strings.EqualFold(q[0], "session")
	case 2:
		return strings.EqualFold(q[0], "system") && strings.EqualFold(q[1], "session")
	}
	return false
}

// scriptQualified offers, after r. or label., the columns of FOR row
// variable r or the variables of the block labelled so. ok is false when
// q names neither.
func (cp *completer) scriptQualified(q []string) bool {
	if !cp.inScript || len(q) != 1 {
		return false
	}
	if v, ok := cp.script.Lookup("", q[0]); ok && v.Row {
		for _, c := range v.Columns {
			cp.add(candidate{label: c, kind: KindField, insert: quoteName(c), detail: "FOR row · " + v.Name, group: groupColumn}, c)
		}
		return true
	}
	found := false
	for _, l := range cp.script.Labels {
		if strings.EqualFold(l.Name, q[0]) {
			found = true
		}
	}
	if !found {
		return false
	}
	for _, v := range cp.script.Vars {
		if strings.EqualFold(v.Label, q[0]) {
			cp.addName(candidate{kind: KindVariable, detail: varDetail(v), group: groupRef}, v.Name)
		}
	}
	return true
}

// scriptLabels offers the labels of the enclosing blocks and loops (after
// LEAVE or ITERATE).
func (cp *completer) scriptLabels() {
	for _, l := range cp.script.Labels {
		cp.addName(candidate{kind: KindVariable, detail: "label · " + l.Kind, group: groupRef}, l.Name)
	}
}

// scriptConditions offers the conditions declared in scope (after SIGNAL,
// RESIGNAL or a handler's FOR).
func (cp *completer) scriptConditions() {
	for _, c := range cp.script.Conditions {
		cp.addName(candidate{kind: KindVariable, detail: conditionDetail(c), group: groupRef}, c.Name)
	}
}

func conditionDetail(c sqltext.Condition) string {
	if c.SQLState != "" {
		return "condition · SQLSTATE " + c.SQLState
	}
	return "condition"
}

func varDetail(v sqltext.LocalVar) string {
	switch {
	case v.Row:
		return "FOR row variable"
	case v.Session && v.Type != "":
		return "session variable · " + v.Type
	case v.Session:
		return "session variable"
	case v.Type != "":
		return "local variable · " + v.Type
	}
	return "local variable"
}

// scriptHover describes a local variable, row variable or label named by
// parts (the hovered part at index at), or "".
func scriptHover(text string, off, stmtStart int, parts []string, at int, session []SessionVar) string {
	name := parts[at]
	if at == len(parts)-1 && (at == 0 || isSessionQualifier(parts[:at])) {
		sc, inScript := sqltext.ScriptAt(text, off)
		shadowed := false
		if inScript && at == 0 {
			_, shadowed = sc.Lookup("", name)
		}
		if !shadowed {
			sv, inSession := lookupSessionVar(session, name)
			for _, v := range sqltext.SessionVars(text, stmtStart) {
				if strings.EqualFold(v.Name, name) {
					if inSession {
						return varMarkdown(v) + sessionVarMarkdown(sv)
					}
					return varMarkdown(v)
				}
			}
			if inSession {
				return fmt.Sprintf("%s — session variable · %s\n", mdCode(sv.Name), mdCode(sv.Type)) + sessionVarMarkdown(sv)
			}
		}
	}
	sc, ok := sqltext.ScriptAt(text, off)
	if !ok {
		return ""
	}
	if at == 0 {
		if v, ok := sc.Lookup("", name); ok {
			return varMarkdown(v)
		}
		for _, l := range sc.Labels {
			if strings.EqualFold(l.Name, name) {
				return fmt.Sprintf("%s — label of a %s\n", mdCode(l.Name), l.Kind)
			}
		}
		for _, c := range sc.Conditions {
			if strings.EqualFold(c.Name, name) {
				return fmt.Sprintf("%s — %s\n", mdCode(c.Name), conditionDetail(c))
			}
		}
		return ""
	}
	if at == 1 {
		if v, ok := sc.Lookup("", parts[0]); ok && v.Row {
			for _, c := range v.Columns {
				if strings.EqualFold(c, name) {
					return fmt.Sprintf("%s — column of FOR row variable %s\n", mdCode(c), mdCode(v.Name))
				}
			}
		}
		if v, ok := sc.Lookup(parts[0], name); ok {
			return varMarkdown(v)
		}
	}
	return ""
}

// sessionVarMarkdown is what the session says of a variable.
func sessionVarMarkdown(v SessionVar) string {
	return fmt.Sprintf("\nin the session: %s · %s\n", mdCode(v.Type), mdCode(sessionValue(v)))
}

func varMarkdown(v sqltext.LocalVar) string {
	var b strings.Builder
	if v.Row {
		fmt.Fprintf(&b, "%s — FOR row variable\n\n", mdCode(v.Name))
		if len(v.Columns) > 0 {
			cols := make([]refColumn, len(v.Columns))
			for i, c := range v.Columns {
				cols[i] = refColumn{Name: c}
			}
			b.WriteString(columnList(cols))
		}
		return b.String()
	}
	kind := "local variable"
	if v.Session {
		kind = "session variable (declared earlier in the file)"
	}
	fmt.Fprintf(&b, "%s — %s", mdCode(v.Name), kind)
	if v.Type != "" {
		fmt.Fprintf(&b, " · %s", mdCode(v.Type))
	}
	b.WriteString("\n")
	if v.Default != "" {
		fmt.Fprintf(&b, "\nDEFAULT %s\n", mdCode(v.Default))
	}
	if v.Label != "" {
		fmt.Fprintf(&b, "\ndeclared in block %s\n", mdCode(v.Label))
	}
	return b.String()
}
