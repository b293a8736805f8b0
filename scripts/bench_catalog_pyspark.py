"""Load a whole database's columns the naive way through PySpark's Connect client.

Usage: python bench_catalog_pyspark.py [--create | --drop] [sc://127.0.0.1:15002] [runs]

  --create  create schema_bench_1000: 1,000 tables x 20 columns (idempotent)
  --drop    drop it again
  (none)    time the naive loop, spark.catalog.listTables(db) then
            spark.catalog.listColumns(table) per table, the way a client
            without a bulk path loads a catalog; print JSON like
            {"tables": 1000, "columns": 20000, "calls": 1001, "median_ms": ...}

Compare with `go test ./connect -run XXX -bench ITSchemaLoad1000` (sparkls's
schema cache: one SHOW TABLE EXTENDED for the database).
"""
import json
import statistics
import sys
import time

from pyspark.sql import SparkSession

DB = "schema_bench_1000"
TABLES = 1000
TYPES = [
    "INT", "BIGINT", "STRING", "DOUBLE", "DECIMAL(12,2)", "DATE", "TIMESTAMP", "BOOLEAN",
    "ARRAY<STRING>", "MAP<STRING,INT>", "STRUCT<a: INT, b: STRING>", "FLOAT", "SMALLINT",
    "TINYINT", "BINARY", "TIMESTAMP_NTZ", "ARRAY<INT>", "DECIMAL(38,10)", "STRING", "BIGINT",
]


def create(spark):
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {DB} COMMENT 'sparkls catalog benchmark: drop at will'")
    have = {t.name for t in spark.catalog.listTables(DB)}
    for i in range(TABLES):
        name = f"t{i:04d}"
        if name in have:
            continue
        cols = ", ".join(f"c{j:02d} {TYPES[j]} COMMENT 'column {j}'" for j in range(20))
        spark.sql(f"CREATE TABLE {DB}.{name} ({cols}) USING parquet")
    print(json.dumps({"created": TABLES - len(have)}))


def naive(spark, runs):
    times, calls, columns = [], 0, 0
    for _ in range(runs):
        start = time.perf_counter()
        calls, columns = 1, 0
        tables = spark.catalog.listTables(DB)
        for t in tables:
            columns += len(spark.catalog.listColumns(f"{DB}.{t.name}"))
            calls += 1
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "tables": len(tables), "columns": columns, "calls": calls,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "runs_ms": [round(t * 1000, 1) for t in times],
    }))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    remote = args[0] if args else "sc://127.0.0.1:15002"
    runs = int(args[1]) if len(args) > 1 else 3
    spark = SparkSession.builder.remote(remote).getOrCreate()
    if "--create" in sys.argv:
        create(spark)
    elif "--drop" in sys.argv:
        spark.sql(f"DROP DATABASE IF EXISTS {DB} CASCADE")
    else:
        naive(spark, runs)
    spark.stop()


if __name__ == "__main__":
    main()
