"""Create the sparkls demo catalog on a running Spark Connect server.

Usage: python seed.py [sc://127.0.0.1:15002]

Run it through `scripts/spark-server seed`, which uses the python of the version's venv.
It is idempotent: databases use IF NOT EXISTS, tables and views are dropped
and recreated so their data is always exactly what is written here.

Catalog restriction worth knowing: Spark's SessionCatalog only accepts table
names made of [A-Za-z0-9_], so a persistent table cannot be called
`page views`. The demo keeps the awkward names where Spark allows them:
columns (`user-agent`, `referrer url`), a table named with a reserved word
(web_logs.`select`), and a global temporary view global_temp.`page views`,
which lives until the server stops (rerun seed after a restart).
"""

import sys
import time

from pyspark.sql import SparkSession

URL = sys.argv[1] if len(sys.argv) > 1 else "sc://127.0.0.1:15002"

DATABASES = {
    "sales": "Orders, customers and a table with every common Spark type",
    "hr": "Employees and departments",
    "web_logs": "Page views and click events; names that need backticks",
}

STATEMENTS = [
    # ---- sales.all_types: one column per common type, edge-case rows ----
    "DROP TABLE IF EXISTS sales.all_types",
    """
    CREATE TABLE sales.all_types (
      id              INT                                 COMMENT 'row id, 4 is the all-NULL row',
      c_tinyint       TINYINT,
      c_smallint      SMALLINT,
      c_int           INT,
      c_bigint        BIGINT                              COMMENT 'covers the full 64-bit range',
      c_float         FLOAT,
      c_double        DOUBLE                              COMMENT 'includes NaN and 1e10',
      c_decimal       DECIMAL(12,2)                       COMMENT 'money-like',
      c_decimal_wide  DECIMAL(38,10),
      c_string        STRING                              COMMENT 'empty, the text null, unicode',
      c_boolean       BOOLEAN,
      c_date          DATE                                COMMENT 'includes dates before 1970',
      c_timestamp     TIMESTAMP,
      c_timestamp_ntz TIMESTAMP_NTZ,
      c_binary        BINARY,
      c_int_array     ARRAY<INT>                          COMMENT 'includes an empty array and a NULL element',
      c_string_array  ARRAY<STRING>,
      c_map           MAP<STRING, INT>,
      c_struct        STRUCT<sku: STRING, qty: INT>,
      c_struct_array  ARRAY<STRUCT<sku: STRING, qty: INT>> COMMENT 'order lines',
      c_map_of_arrays MAP<STRING, ARRAY<DOUBLE>>
    ) USING parquet
    COMMENT 'One column of every common Spark SQL type, with edge-case values'
    """,
    """
    INSERT INTO sales.all_types
    SELECT 1, 1Y, 100S, 1000, 10000000000L, CAST(0.1 AS FLOAT), 0.1D, 12345.67BD,
           CAST('1234567890.0123456789' AS DECIMAL(38,10)),
           'hello', true, DATE'2024-02-29',
           TIMESTAMP'2024-01-15 10:30:00', TIMESTAMP_NTZ'2024-01-15 10:30:00.123456',
           X'00FF10', array(1, 2, 3), array('a', 'b'), map('a', 1, 'b', 2),
           named_struct('sku', 'A-1', 'qty', 2),
           array(named_struct('sku', 'A-1', 'qty', 2), named_struct('sku', 'B-7', 'qty', 1)),
           map('x', array(1.5D, 2.5D), 'y', array(1e10D))
    UNION ALL
    SELECT 2, -128Y, -32768S, -2147483648, -9223372036854775808L, CAST(-3.4e38 AS FLOAT), 1e10D, -9999999999.99BD,
           CAST('-0.0000000001' AS DECIMAL(38,10)),
           '', false, DATE'1969-07-20',
           TIMESTAMP'1969-12-31 23:59:59.999', TIMESTAMP_NTZ'1900-01-01 00:00:00',
           X'', CAST(array() AS ARRAY<INT>), CAST(array() AS ARRAY<STRING>),
           CAST(map() AS MAP<STRING, INT>),
           named_struct('sku', CAST(NULL AS STRING), 'qty', 0),
           CAST(array() AS ARRAY<STRUCT<sku: STRING, qty: INT>>),
           map('empty', CAST(array() AS ARRAY<DOUBLE>), 'none', CAST(NULL AS ARRAY<DOUBLE>))
    UNION ALL
    SELECT 3, 127Y, 32767S, 2147483647, 9223372036854775807L, CAST('Infinity' AS FLOAT), CAST('NaN' AS DOUBLE), 0.00BD,
           CAST('9999999999999999999999999999.9999999999' AS DECIMAL(38,10)),
           'null', NULL, DATE'0001-01-01',
           TIMESTAMP'2038-01-19 03:14:07.5', TIMESTAMP_NTZ'9999-12-31 23:59:59.999999',
           X'DEADBEEF', array(1, NULL, 3), array('héllo wörld – 日本語 🚀', NULL),
           map('k', CAST(NULL AS INT)),
           named_struct('sku', 'ü-9', 'qty', -1),
           array(named_struct('sku', 'C-3', 'qty', 5), CAST(NULL AS STRUCT<sku: STRING, qty: INT>)),
           map('nan', array(CAST('NaN' AS DOUBLE), -0.0D, NULL))
    UNION ALL
    SELECT 4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    """,
    # ---- sales.orders / customers and a view ----
    "DROP VIEW IF EXISTS sales.big_orders",
    "DROP TABLE IF EXISTS sales.orders",
    """
    CREATE TABLE sales.orders (
      order_id    BIGINT        COMMENT 'unique order number',
      customer_id BIGINT        COMMENT 'references sales.customers',
      order_date  DATE          COMMENT 'partition column',
      amount      DECIMAL(12,2) COMMENT 'order total in EUR',
      status      STRING        COMMENT 'new, shipped, cancelled'
    ) USING parquet
    PARTITIONED BY (order_date)
    COMMENT 'Customer orders, partitioned by day'
    """,
    """
    INSERT INTO sales.orders (order_id, customer_id, order_date, amount, status) VALUES
      (1001, 1, DATE'2024-03-01',   42.50, 'shipped'),
      (1002, 2, DATE'2024-03-01',  250.00, 'shipped'),
      (1003, 1, DATE'2024-03-02',  129.99, 'new'),
      (1004, 3, DATE'2024-03-02',   15.00, 'cancelled'),
      (1005, 4, DATE'2024-03-03', 1999.00, 'new'),
      (1006, 2, DATE'2024-03-03',   99.99, 'shipped')
    """,
    "DROP TABLE IF EXISTS sales.customers",
    """
    CREATE TABLE sales.customers (
      customer_id BIGINT    COMMENT 'primary key',
      name        STRING,
      email       STRING,
      country     STRING    COMMENT 'ISO 3166-1 alpha-2',
      created_at  TIMESTAMP
    ) USING parquet
    COMMENT 'Customers'
    """,
    """
    INSERT INTO sales.customers VALUES
      (1, 'Ada Lovelace',  'ada@example.com',   'GB', TIMESTAMP'2023-01-05 09:00:00'),
      (2, 'Grace Hopper',  'grace@example.com', 'US', TIMESTAMP'2023-02-11 14:30:00'),
      (3, 'José Müller',   NULL,                'DE', TIMESTAMP'2023-06-30 23:59:59.5'),
      (4, 'Zhang Wei',     'zhang@example.cn',  'CN', TIMESTAMP'2024-01-01 00:00:00')
    """,
    """
    CREATE VIEW sales.big_orders
    COMMENT 'Orders with an amount over 100'
    AS SELECT order_id, customer_id, order_date, amount, status
       FROM sales.orders WHERE amount > 100
    """,
    # ---- hr ----
    "DROP TABLE IF EXISTS hr.employees",
    """
    CREATE TABLE hr.employees (
      emp_id     INT           COMMENT 'primary key',
      name       STRING,
      dept_id    INT           COMMENT 'references hr.departments',
      manager_id INT           COMMENT 'NULL for the CEO',
      salary     DECIMAL(10,2),
      hire_date  DATE
    ) USING parquet
    COMMENT 'Employees'
    """,
    """
    INSERT INTO hr.employees VALUES
      (1, 'Alice', 10, NULL, 185000.00, DATE'2015-04-01'),
      (2, 'Bob',   20, 1,     92000.00, DATE'2018-09-15'),
      (3, 'Carol', 20, 2,     78500.50, DATE'2021-01-11'),
      (4, 'Dan',   30, 1,     66000.00, DATE'2023-07-03')
    """,
    "DROP TABLE IF EXISTS hr.departments",
    """
    CREATE TABLE hr.departments (
      dept_id   INT    COMMENT 'primary key',
      dept_name STRING,
      location  STRING
    ) USING parquet
    COMMENT 'Departments'
    """,
    """
    INSERT INTO hr.departments VALUES
      (10, 'Executive',   'Berlin'),
      (20, 'Engineering', 'Remote'),
      (30, 'Sales',       'Lisbon')
    """,
    # ---- web_logs ----
    "DROP TABLE IF EXISTS web_logs.page_views",
    """
    CREATE TABLE web_logs.page_views (
      view_id        BIGINT,
      ts             TIMESTAMP,
      url            STRING,
      `user-agent`   STRING COMMENT 'raw User-Agent header',
      `referrer url` STRING,
      status_code    INT
    ) USING parquet
    COMMENT 'Page views; column names that need backticks'
    """,
    """
    INSERT INTO web_logs.page_views VALUES
      (1, TIMESTAMP'2024-03-01 08:00:01', '/',         'Mozilla/5.0 (X11; Linux x86_64)', NULL,                 200),
      (2, TIMESTAMP'2024-03-01 08:00:02', '/pricing',  'curl/8.5.0',                      'https://example.com/', 200),
      (3, TIMESTAMP'2024-03-01 08:00:05', '/missing',  'Googlebot/2.1',                   '',                   404)
    """,
    "DROP TABLE IF EXISTS web_logs.`select`",
    """
    CREATE TABLE web_logs.`select` (
      `from`  STRING COMMENT 'a reserved word as a column name',
      `where` INT
    ) USING parquet
    COMMENT 'A table named with a reserved word'
    """,
    "INSERT INTO web_logs.`select` VALUES ('here', 1), ('there', 2)",
    """
    CREATE OR REPLACE GLOBAL TEMPORARY VIEW `page views`
    AS SELECT view_id, ts, url, `user-agent` FROM web_logs.page_views
    """,
    "DROP TABLE IF EXISTS web_logs.events",
    """
    CREATE TABLE web_logs.events (
      event_id   BIGINT,
      ts         TIMESTAMP          COMMENT 'event time, UTC',
      user_id    BIGINT,
      event_type STRING             COMMENT 'click, scroll, purchase',
      properties MAP<STRING, STRING>
    ) USING parquet
    COMMENT 'Click-stream events'
    """,
    """
    INSERT INTO web_logs.events VALUES
      (1, TIMESTAMP'2024-03-01 08:00:01', 1, 'click',    map('button', 'buy')),
      (2, TIMESTAMP'2024-03-01 08:00:03', 1, 'scroll',   map('depth', '0.75')),
      (3, TIMESTAMP'2024-03-01 08:01:00', 2, 'purchase', map('order_id', '1002'))
    """,
]


def main() -> None:
    t0 = time.monotonic()
    spark = SparkSession.builder.remote(URL).getOrCreate()
    # Spark 3.5 refuses to write DATE'0001-01-01' to parquet unless told how
    # to rebase pre-Gregorian dates (EXCEPTION is its default; 4.0's is
    # CORRECTED, so this changes nothing there).
    spark.conf.set("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
    for name, comment in DATABASES.items():
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {name} COMMENT '{comment}'")
    for stmt in STATEMENTS:
        try:
            spark.sql(stmt)
        except Exception as e:
            first = str(e).splitlines()[0]
            sys.exit(f"seed failed on:\n{stmt.strip()}\n-> {first}")

    print(f"seeded {URL.split('/;')[0]} in {time.monotonic() - t0:.1f}s")
    for db in DATABASES:
        for row in spark.sql(f"SHOW TABLES IN {db}").collect():
            count = spark.sql(f"SELECT count(*) FROM {db}.`{row.tableName}`").collect()[0][0]
            print(f"  {db}.{row.tableName}: {count} rows")
    count = spark.sql("SELECT count(*) FROM global_temp.`page views`").collect()[0][0]
    print(f"  global_temp.`page views` (view, until server stops): {count} rows")
    spark.stop()


if __name__ == "__main__":
    main()
