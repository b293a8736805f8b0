package connect

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Spark 3.5 errors carry no errorClass, sqlState or errorId metadata (so
// there is nothing to fetch details with): the class is only at the start of
// the message. The messages below are what a real 3.5.7 server sent
// (scripts/spark-server start --version 3.5.7) for these statements.
const (
	classes35Parse    = `["org.apache.spark.sql.catalyst.parser.ParseException","org.apache.spark.sql.AnalysisException","java.lang.Exception","java.lang.Throwable","java.lang.Object"]`
	classes35Analysis = `["org.apache.spark.sql.catalyst.ExtendedAnalysisException","org.apache.spark.sql.AnalysisException","java.lang.Exception","java.lang.Throwable","java.lang.Object"]`
)

func status35(t *testing.T, reason, classes, msg string) error {
	t.Helper()
	st, err := status.New(codes.Internal, msg).WithDetails(&errdetails.ErrorInfo{
		Reason: reason, Domain: "org.apache.spark", Metadata: map[string]string{"classes": classes},
	})
	if err != nil {
		t.Fatal(err)
	}
	return st.Err()
}

// The message comes out trimmed, without the plan, and without the
// position once Contexts hold it.
func TestClassifySpark35(t *testing.T) {
	for _, tc := range []struct {
		name, stmt, reason, classes, msg string
		class, message, at               string // at: the statement's text at the first context
	}{{
		name: "parse", stmt: "SELEC 1",
		reason: "org.apache.spark.sql.catalyst.parser.ParseException", classes: classes35Parse,
		msg:     "\n[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)\n\n== SQL ==\nSELEC 1\n^^^\n",
		class:   "PARSE_SYNTAX_ERROR",
		message: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)\n\n== SQL ==\nSELEC 1\n^^^",
		at:      "SELEC",
	}, {
		name: "parse at the end", stmt: "SELECT 1 +",
		reason: "org.apache.spark.sql.catalyst.parser.ParseException", classes: classes35Parse,
		msg:     "\n[PARSE_SYNTAX_ERROR] Syntax error at or near end of input.(line 1, pos 10)\n\n== SQL ==\nSELECT 1 +\n----------^^^\n",
		class:   "PARSE_SYNTAX_ERROR",
		message: "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input.(line 1, pos 10)\n\n== SQL ==\nSELECT 1 +\n----------^^^",
		at:      "",
	}, {
		name: "unresolved column", stmt: "SELECT nocol FROM sales.orders",
		reason: "org.apache.spark.sql.catalyst.ExtendedAnalysisException", classes: classes35Analysis,
		msg:     "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `nocol` cannot be resolved. Did you mean one of the following? [`amount`, `status`, `order_id`, `order_date`, `customer_id`].; line 1 pos 7;\n'Project ['nocol]\n+- SubqueryAlias spark_catalog.sales.orders\n   +- Relation spark_catalog.sales.orders[order_id#1989L,customer_id#1990L,amount#1991,status#1992,order_date#1993] parquet\n",
		class:   "UNRESOLVED_COLUMN.WITH_SUGGESTION",
		message: "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `nocol` cannot be resolved. Did you mean one of the following? [`amount`, `status`, `order_id`, `order_date`, `customer_id`].",
		at:      "nocol",
	}, {
		name: "table not found, a message of three lines", stmt: "SELECT * FROM no_such_table",
		reason: "org.apache.spark.sql.catalyst.ExtendedAnalysisException", classes: classes35Analysis,
		msg:     "[TABLE_OR_VIEW_NOT_FOUND] The table or view `no_such_table` cannot be found. Verify the spelling and correctness of the schema and catalog.\nIf you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS.; line 1 pos 14;\n'Project [*]\n+- 'UnresolvedRelation [no_such_table], [], false\n",
		class:   "TABLE_OR_VIEW_NOT_FOUND",
		message: "[TABLE_OR_VIEW_NOT_FOUND] The table or view `no_such_table` cannot be found. Verify the spelling and correctness of the schema and catalog.\nIf you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS.",
		at:      "no_such_table",
	}, {
		name: "position on the second line", stmt: "SELECT\n  a,\n  FROM t",
		reason: "org.apache.spark.sql.catalyst.ExtendedAnalysisException", classes: classes35Analysis,
		msg:     "[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column or function parameter with name `a` cannot be resolved. ; line 2 pos 2;\n'Project ['a, 'FROM AS t#1998]\n+- OneRowRelation\n",
		class:   "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
		message: "[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column or function parameter with name `a` cannot be resolved.",
		at:      "a,",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			err := (&Client{}).classify(context.Background(), "ExecutePlan", status35(t, tc.reason, tc.classes, tc.msg))
			var se *SparkError
			if !errors.As(err, &se) {
				t.Fatalf("classify = %T %v, want *SparkError", err, err)
			}
			se.inText(tc.stmt)
			if se.ErrorClass != tc.class || se.SQLState != "" || se.Message != tc.message {
				t.Errorf("class %q state %q message\n%q\nwant class %q, no state, message\n%q", se.ErrorClass, se.SQLState, se.Message, tc.class, tc.message)
			}
			qc, ok := se.Position()
			if !ok || tc.stmt[qc.Start:qc.Stop] != tc.at {
				t.Errorf("position %+v %v, want the span %q", qc, ok, tc.at)
			}
			if !isClass(status35(t, tc.reason, tc.classes, tc.msg), tc.class) {
				t.Errorf("isClass(%q) = false", tc.class)
			}
		})
	}
}

// A message without a leading class (or an odd one) is kept whole and gets
// no class: the class is never guessed.
func TestLeadingClass(t *testing.T) {
	for msg, want := range map[string]string{
		"[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle": "INVALID_HANDLE.OPERATION_NOT_FOUND",
		"\n[PARSE_SYNTAX_ERROR] Syntax error":             "PARSE_SYNTAX_ERROR",
		"Cannot cast [1] to int":                          "",
		"[lower_case] x":                                  "",
		"":                                                "",
	} {
		if got := leadingClass(msg); got != want {
			t.Errorf("leadingClass(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestCutPlan(t *testing.T) {
	for _, tc := range []struct{ in, msg, plan string }{
		{ // Spark 4.0.1, a query run inside the envelope
			"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column `amount_typo` cannot be resolved. SQLSTATE: 42703; line 2 pos 7;\n'GlobalLimit 101\n+- 'LocalLimit 101\n   +- 'Project [*]\n",
			"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column `amount_typo` cannot be resolved. SQLSTATE: 42703; line 2 pos 7",
			"'GlobalLimit 101\n+- 'LocalLimit 101\n   +- 'Project [*]",
		},
		{ // a resolved node first, and CRLF
			"[X] bad; line 1 pos 0;\r\nProject [a#1]\r\n+- OneRowRelation\r\n",
			"[X] bad; line 1 pos 0",
			"Project [a#1]\r\n+- OneRowRelation",
		},
		{ // a parse error: no plan, a leading line break
			"\n[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 10)\n\n== SQL ==\nSELECT 1 +\n----------^^^\n",
			"[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 10)\n\n== SQL ==\nSELECT 1 +\n----------^^^",
			"",
		},
		{"a; b;\nnot a plan: lower case", "a; b;\nnot a plan: lower case", ""},
	} {
		msg, plan := cutPlan(tc.in)
		if msg != tc.msg || plan != tc.plan {
			t.Errorf("cutPlan(%q)\n = %q, %q\nwant %q, %q", tc.in, msg, plan, tc.msg, tc.plan)
		}
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct{ class, msg, want string }{
		{"UNRESOLVED_COLUMN.WITH_SUGGESTION",
			"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column `x` cannot be resolved. Did you mean one of the following? [`y`]. SQLSTATE: 42703; line 1 pos 7;\n'Project ['x]\n+- OneRowRelation\n",
			"A column `x` cannot be resolved. Did you mean one of the following? [`y`]."},
		{"TABLE_OR_VIEW_NOT_FOUND",
			"[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found.\nIf you did not qualify the name, verify current_schema(). SQLSTATE: 42P01; line 1 pos 14;\n'Project [*]\n",
			"The table or view `t` cannot be found."},
		{"PARSE_SYNTAX_ERROR",
			"\n[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 9)\n\n== SQL ==\nSELECT (1\n---------^^^\n",
			"Syntax error at or near end of input."},
		// Spark 3.5.7 (connect has trimmed the plan and the leading newline).
		{"UNRESOLVED_COLUMN.WITH_SUGGESTION",
			"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `nocol` cannot be resolved. Did you mean one of the following? [`amount`, `status`].; line 1 pos 7",
			"A column or function parameter with name `nocol` cannot be resolved. Did you mean one of the following? [`amount`, `status`]."},
		{"UNRESOLVED_COLUMN.WITHOUT_SUGGESTION",
			"[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column or function parameter with name `a` cannot be resolved. ; line 2 pos 2",
			"A column or function parameter with name `a` cannot be resolved."},
		{"PARSE_SYNTAX_ERROR",
			"[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)\n\n== SQL ==\nSELEC 1\n^^^\n",
			"Syntax error at or near 'SELEC'."},
		{"", "something broke\nat line 2", "something broke"},
		{"X", "[X]", "[X]"},
	} {
		got := (&SparkError{ErrorClass: tc.class, Message: tc.msg}).Summary()
		if got != tc.want {
			t.Errorf("Summary(%q)\n got %q\nwant %q", tc.msg, got, tc.want)
		}
	}
}
