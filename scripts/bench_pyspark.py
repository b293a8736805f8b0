"""Median round trip of the sparkls bench queries through PySpark's Connect client.

spark.sql(q) sends the SqlCommand and .limit(101).collect() reads the preview:
the same two round trips sparkls makes. Prints JSON like cmd/sparkls-bench.
"""
import json
import statistics
import sys
import time

from pyspark.sql import SparkSession

QUERIES = {
    "select1": "SELECT 1",
    "preview100": "SELECT id, id * 2 AS twice, concat('row ', id) AS label, id % 7 = 0 AS lucky FROM range(1000)",
}


def main() -> None:
    remote, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50
    spark = SparkSession.builder.remote(remote).getOrCreate()
    out = {}
    for name, sql in QUERIES.items():
        times = []
        for i in range(-5, runs):  # 5 warm-up runs
            start = time.perf_counter()
            rows = spark.sql(sql).limit(101).collect()
            if i >= 0:
                times.append(time.perf_counter() - start)
            assert rows
        out[name + "_median_ms"] = round(statistics.median(times) * 1000, 3)
    print(json.dumps(out))
    spark.stop()


if __name__ == "__main__":
    main()
