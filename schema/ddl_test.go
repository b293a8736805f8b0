package schema

import "testing"

func TestDDLHint(t *testing.T) {
	tests := []struct {
		stmt string
		want Hint
		ok   bool
	}{
		{"CREATE TABLE sales.returns (id INT)", Hint{Namespace: "sales", Table: "returns"}, true},
		{"create or replace table t as select 1", Hint{Table: "t"}, true},
		{"CREATE TABLE IF NOT EXISTS main.sales.orders (id INT)", Hint{Catalog: "main", Namespace: "sales", Table: "orders"}, true},
		{"CREATE EXTERNAL TABLE `web logs`.`page views` (a INT) LOCATION '/x'", Hint{Namespace: "web logs", Table: "page views"}, true},
		{"-- comment\n/* block */ DROP TABLE IF EXISTS sales.returns", Hint{Namespace: "sales", Table: "returns"}, true},
		{"/* /*+ */ DROP TABLE sales.returns -- */ SELECT 1", Hint{Namespace: "sales", Table: "returns"}, true},
		{"/* a /* b */ SELECT 1 */ DROP TABLE t", Hint{Table: "t"}, true},
		{"DROP VIEW sales.big_orders", Hint{Namespace: "sales", Table: "big_orders"}, true},
		{"ALTER TABLE sales.orders RENAME TO sales.orders_old", Hint{Namespace: "sales", Table: "orders"}, true},
		{"ALTER TABLE orders ADD COLUMNS (note STRING)", Hint{Table: "orders"}, true},
		{"REPLACE TABLE sales.orders USING delta AS SELECT 1", Hint{Namespace: "sales", Table: "orders"}, true},
		{"CREATE OR REPLACE TEMPORARY VIEW recent AS SELECT 1", Hint{Temp: true, Table: "recent"}, true},
		{"CREATE TEMP VIEW recent AS SELECT 1", Hint{Temp: true, Table: "recent"}, true},
		{"DROP VIEW IF EXISTS recent", Hint{Temp: true, Table: "recent"}, true},
		{"CREATE VIEW v AS SELECT 1", Hint{Temp: true, Table: "v"}, true},
		{"CREATE GLOBAL TEMPORARY VIEW g AS SELECT 1", Hint{Namespace: "global_temp", Table: "g"}, true},
		{"CREATE DATABASE IF NOT EXISTS staging", Hint{Namespace: "staging"}, true},
		{"DROP SCHEMA main.staging CASCADE", Hint{Catalog: "main", Namespace: "staging"}, true},
		{"ALTER NAMESPACE hr SET DBPROPERTIES ('a'='b')", Hint{Namespace: "hr"}, true},
		{"CREATE FUNCTION f AS 'com.example.F'", Hint{Functions: true}, true},
		{"DROP TEMPORARY FUNCTION f", Hint{Functions: true}, true},
		{"COMMENT ON TABLE sales.orders IS 'x'", Hint{Namespace: "sales", Table: "orders"}, true},
		{"USE hr", Hint{Current: true}, true},
		{"use catalog main", Hint{Current: true}, true},
		{"SET CATALOG main", Hint{Current: true}, true},
		{"SET spark.sql.shuffle.partitions = 4", Hint{}, false},
		{"SELECT * FROM orders", Hint{}, false},
		{"INSERT INTO sales.orders VALUES (1)", Hint{}, false},
		{"CREATE", Hint{}, false},
		{"DROP TABLE", Hint{}, false},
		{"CREATE INDEX i ON t (a)", Hint{}, false},
		{"", Hint{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			got, ok := DDLHint(tt.stmt)
			if got != tt.want || ok != tt.ok {
				t.Errorf("DDLHint(%q) = %+v, %v; want %+v, %v", tt.stmt, got, ok, tt.want, tt.ok)
			}
		})
	}
}
