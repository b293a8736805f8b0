package sqltext

import "strings"

// The keywords the cursor analysis tells apart. Spark lets most keywords be
// identifiers too, so these are only ever guesses about the role of a word;
// an identifier that is not here is a name.
var keywords = func() map[string]string {
	m := map[string]string{}
	for _, kw := range strings.Fields(`
		ADD ALL ALTER ANALYZE AND ANTI ANY AS ASC BEGIN BETWEEN BY CACHE CASE
		CATALOG CHANGE CLUSTER COLUMN COLUMNS COMMENT CREATE CROSS DATABASE
		DELETE DESC DESCRIBE DISTINCT DISTRIBUTE DIV DROP ELSE END ESCAPE EXCEPT
		EXISTS EXPLAIN EXTENDED FALSE FILTER FOR FORMATTED FROM FULL FUNCTION
		GROUP HAVING IF ILIKE IN INNER INSERT INTERSECT INTERVAL INTO IS JOIN
		LATERAL LEFT LIKE LIMIT MATCHED MERGE MINUS MSCK NAMESPACE NATURAL NOT
		NULL OF OFFSET ON OR ORDER OUTER OVER OVERWRITE PARTITION PARTITIONS
		PIVOT QUALIFY RECURSIVE REFRESH REGEXP RENAME REPAIR REPLACE RIGHT RLIKE
		SCHEMA SCHEMAS DATABASES NAMESPACES SELECT SEMI SET SHOW SOME SORT
		SOURCE TABLE TABLES TABLESAMPLE TARGET TBLPROPERTIES THEN TIMESTAMP TO
		TRUE TRUNCATE UNCACHE UNION UNPIVOT UPDATE USE USING VALUES VERSION VIEW
		VIEWS FUNCTIONS WHEN WHERE WINDOW WITH WITHIN QUERY EXTERNAL TEMPORARY
		TEMP GLOBAL LOAD DATA COPY REDUCE MAP TRANSFORM EXCLUDE LOCAL NULLS
		`) {
		m[kw] = kw
	}
	return m
}()

// kwOf returns the canonical upper-case keyword that t spells, or "" when t
// is not an unquoted identifier or not a keyword the analysis knows. It does
// not allocate.
func kwOf(t Token) string {
	if t.Kind != Ident || len(t.Text) > 16 {
		return ""
	}
	var buf [16]byte
	for i := 0; i < len(t.Text); i++ {
		c := t.Text[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return keywords[string(buf[:len(t.Text)])]
}

// notAlias are the keywords that may follow a table reference, so they are
// never read as its alias, and words that end a select item rather than
// name it.
var notAlias = set(`
	ON USING JOIN NATURAL INNER CROSS LEFT RIGHT FULL OUTER SEMI ANTI WHERE
	GROUP HAVING QUALIFY ORDER SORT CLUSTER DISTRIBUTE LIMIT OFFSET WINDOW
	UNION INTERSECT EXCEPT MINUS LATERAL PIVOT UNPIVOT TABLESAMPLE SELECT
	INSERT WHEN SET AS VERSION TIMESTAMP FOR WITH FROM VALUES INTO PARTITION
	BY AND OR NOT IS IN LIKE ILIKE RLIKE REGEXP BETWEEN END NULL TRUE FALSE
	ASC DESC THEN ELSE CASE DISTINCT ALL OVER FILTER MATCHED REPLACE TABLE
	DELETE UPDATE MERGE USE EXCLUDE`)

// exprIntro are the keywords after which an expression (so a column) comes.
var exprIntro = set(`
	SELECT DISTINCT ALL WHERE AND OR NOT ON BY HAVING QUALIFY WHEN THEN ELSE
	CASE IN LIKE ILIKE RLIKE REGEXP BETWEEN SET VALUES EXISTS ANY SOME
	INTERVAL DIV FROM ESCAPE FOR USING`)

// joinWord are the keywords that join table references.
var joinWord = set(`JOIN NATURAL INNER CROSS LEFT RIGHT FULL OUTER SEMI ANTI`)

// fromEnd are the keywords that end a FROM clause.
var fromEnd = set(`
	WHERE GROUP HAVING QUALIFY ORDER SORT CLUSTER DISTRIBUTE LIMIT OFFSET
	WINDOW SELECT INSERT UNION INTERSECT EXCEPT MINUS WHEN SET`)

// selectEnd are the keywords that end a SELECT list.
var selectEnd = set(`
	FROM WHERE GROUP HAVING QUALIFY ORDER SORT CLUSTER DISTRIBUTE LIMIT
	OFFSET WINDOW LATERAL UNION INTERSECT EXCEPT MINUS INTO`)

// closesGroup are the clause keywords that end an unclosed call or
// parenthesized expression: SELECT count(a FROM t is count(a) FROM t.
var closesGroup = set(`
	SELECT FROM WHERE GROUP HAVING QUALIFY ORDER LIMIT JOIN UNION INTERSECT
	MINUS WINDOW`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Keyword suggestions. They are hints, best first, for the caller to offer
// before (not instead of) its full keyword list.
var (
	kwStatement = []string{"SELECT", "WITH", "INSERT INTO", "INSERT OVERWRITE", "UPDATE",
		"DELETE FROM", "MERGE INTO", "CREATE", "DROP", "ALTER", "DESCRIBE", "SHOW", "USE",
		"SET", "EXPLAIN", "TRUNCATE TABLE", "VALUES", "CACHE TABLE", "REFRESH TABLE",
		"ANALYZE TABLE"}
	kwQuery      = []string{"SELECT", "WITH", "VALUES", "FROM", "TABLE"}
	kwOperators  = []string{"AND", "OR", "NOT", "IN", "IS", "LIKE", "BETWEEN", "ILIKE", "RLIKE"}
	kwAfterTable = []string{"AS", "JOIN", "INNER JOIN", "LEFT JOIN", "LEFT OUTER JOIN",
		"RIGHT JOIN", "FULL OUTER JOIN", "CROSS JOIN", "LEFT SEMI JOIN", "LEFT ANTI JOIN",
		"WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "LATERAL VIEW", "WINDOW",
		"QUALIFY", "UNION", "UNION ALL", "INTERSECT", "EXCEPT", "PIVOT", "UNPIVOT",
		"TABLESAMPLE", "CLUSTER BY", "DISTRIBUTE BY", "SORT BY"}
	kwAfterJoin  = append([]string{"ON", "USING"}, kwAfterTable...)
	kwTail       = []string{"GROUP BY", "HAVING", "QUALIFY", "ORDER BY", "LIMIT", "WINDOW", "UNION", "UNION ALL", "INTERSECT", "EXCEPT"}
	kwAfterWhere = append(append([]string{}, kwOperators...), kwTail...)
	kwAfterOn    = append(append([]string{"AND", "OR", "JOIN", "LEFT JOIN", "INNER JOIN",
		"RIGHT JOIN", "FULL OUTER JOIN", "CROSS JOIN", "WHERE"}, kwOperators[2:]...), kwTail...)
	kwAfterSelect = append([]string{"AS", "FROM"}, kwOperators...)
	kwAfterGroup  = append([]string{"HAVING", "ORDER BY", "LIMIT", "WITH ROLLUP", "WITH CUBE",
		"GROUPING SETS", "QUALIFY", "WINDOW", "UNION", "UNION ALL"}, kwOperators...)
	kwAfterHaving = append(append([]string{}, kwOperators...), "ORDER BY", "LIMIT", "QUALIFY", "WINDOW", "UNION")
	kwAfterOrder  = []string{"ASC", "DESC", "NULLS FIRST", "NULLS LAST", "LIMIT", "OFFSET"}
	kwAfterLimit  = []string{"OFFSET"}
	kwAfterIs     = []string{"NULL", "NOT NULL", "TRUE", "FALSE", "NOT", "DISTINCT FROM", "NOT DISTINCT FROM"}
	kwSetOp       = []string{"SELECT", "ALL", "DISTINCT", "VALUES", "TABLE"}
	kwTypes       = []string{"STRING", "INT", "BIGINT", "DOUBLE", "DECIMAL", "BOOLEAN", "DATE",
		"TIMESTAMP", "TIMESTAMP_NTZ", "FLOAT", "SMALLINT", "TINYINT", "BINARY", "VARCHAR",
		"CHAR", "ARRAY", "MAP", "STRUCT", "INTERVAL", "VARIANT"}
)

// kwNext are the keywords that complete a keyword the user has just typed.
var kwNext = map[string][]string{
	"INSERT":     {"INTO", "OVERWRITE"},
	"DELETE":     {"FROM"},
	"MERGE":      {"INTO"},
	"CREATE":     {"TABLE", "OR REPLACE", "VIEW", "TEMPORARY VIEW", "SCHEMA", "DATABASE", "FUNCTION", "EXTERNAL TABLE", "GLOBAL TEMPORARY VIEW", "CATALOG"},
	"OR":         {"REPLACE"},
	"REPLACE":    {"TABLE", "VIEW", "TEMPORARY VIEW", "FUNCTION"},
	"TEMPORARY":  {"VIEW", "TABLE", "FUNCTION"},
	"TEMP":       {"VIEW", "TABLE", "FUNCTION"},
	"GLOBAL":     {"TEMPORARY VIEW"},
	"EXTERNAL":   {"TABLE"},
	"DROP":       {"TABLE", "VIEW", "SCHEMA", "DATABASE", "FUNCTION", "TEMPORARY VIEW", "CATALOG", "IF EXISTS"},
	"ALTER":      {"TABLE", "VIEW", "SCHEMA", "DATABASE"},
	"SHOW":       {"TABLES", "VIEWS", "COLUMNS IN", "DATABASES", "SCHEMAS", "CATALOGS", "FUNCTIONS", "PARTITIONS", "CREATE TABLE", "TBLPROPERTIES", "TABLE EXTENDED"},
	"TABLES":     {"IN", "FROM", "LIKE"},
	"VIEWS":      {"IN", "FROM", "LIKE"},
	"FUNCTIONS":  {"IN", "FROM", "LIKE"},
	"SCHEMAS":    {"IN", "FROM", "LIKE"},
	"DATABASES":  {"IN", "FROM", "LIKE"},
	"NAMESPACES": {"IN", "FROM", "LIKE"},
	"COLUMNS":    {"IN", "FROM"},
	"TRUNCATE":   {"TABLE"},
	"REFRESH":    {"TABLE", "FUNCTION"},
	"CACHE":      {"TABLE", "LAZY TABLE"},
	"UNCACHE":    {"TABLE"},
	"ANALYZE":    {"TABLE"},
	"MSCK":       {"REPAIR TABLE"},
	"REPAIR":     {"TABLE"},
	"EXPLAIN":    {"SELECT", "EXTENDED", "FORMATTED", "CODEGEN", "COST"},
	"GROUP":      {"BY"},
	"ORDER":      {"BY"},
	"SORT":       {"BY"},
	"CLUSTER":    {"BY"},
	"DISTRIBUTE": {"BY"},
	"PARTITION":  {"BY"},
	"LEFT":       {"JOIN", "OUTER JOIN", "SEMI JOIN", "ANTI JOIN"},
	"RIGHT":      {"JOIN", "OUTER JOIN"},
	"FULL":       {"JOIN", "OUTER JOIN"},
	"INNER":      {"JOIN"},
	"CROSS":      {"JOIN"},
	"OUTER":      {"JOIN"},
	"SEMI":       {"JOIN"},
	"ANTI":       {"JOIN"},
	"NATURAL":    {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "INNER JOIN"},
	"LATERAL":    {"VIEW"},
	"UNION":      kwSetOp,
	"INTERSECT":  kwSetOp,
	"EXCEPT":     kwSetOp,
	"MINUS":      kwSetOp,
	"IS":         kwAfterIs,
	"IF":         {"EXISTS", "NOT EXISTS"},
	"WITH":       {"RECURSIVE"},
	"WHEN":       {"MATCHED", "NOT MATCHED"},
	"MATCHED":    {"THEN", "AND"},
	"UPDATE":     {"SET"},
	"DESCRIBE":   {"TABLE", "EXTENDED", "FORMATTED", "QUERY", "FUNCTION", "SCHEMA", "DATABASE", "CATALOG"},
	"DESC":       {"TABLE", "EXTENDED", "FORMATTED", "QUERY", "FUNCTION", "SCHEMA", "DATABASE", "CATALOG"},
	"USE":        {"CATALOG", "SCHEMA", "DATABASE", "NAMESPACE"},
	"NULLS":      {"FIRST", "LAST"},
}
