package ide

import "github.com/sparkls/sparkls/sqltext"

// DefinitionAt is where the name at byte offset off of text is defined,
// for names the statement itself defines: a CTE name goes to the CTE, an
// alias or a table used as a qualifier (o.id) to its FROM reference, a
// column of a CTE, subquery or lateral view to where that names it (see
// sqltext.Definition). Catalog tables and their columns are defined
// elsewhere: ok is false. A name that is itself a definition answers its
// own place, so that the editor shows it rather than "no definition found".
func DefinitionAt(text string, off int) (sqltext.Span, bool) {
	return sqltext.Definition(text, off)
}
