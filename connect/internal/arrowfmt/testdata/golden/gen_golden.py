"""Regenerate the Spark ground truth used by TestGolden.

Run against a live Spark Connect server (scripts/spark-server start):

    "$(scripts/spark-server python)" connect/internal/arrowfmt/testdata/golden/gen_golden.py [outdir]

For every case group it runs SELECT <expr> AS c0, ... and stores the raw
ArrowBatch.data bytes the server sent (<name>.arrows; several streams are
concatenated), then asks the same server for CAST(<expr> AS STRING) and
typeof(<expr>) (<name>.json). Binary columns are compared with df.show()
output, variants with to_json() (what show() prints). Groups whose Arrow bytes
exceed 4000 bytes are split so that every committed fixture stays small.
Read-only: it creates no tables.
"""
import json
import os
import sys

import pyarrow as pa
from pyspark.sql import SparkSession
import pyspark.sql.connect.client.core as core

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
LIMIT = 4000

captured = []
_orig_open_stream = pa.ipc.open_stream


def _capture(data, *a, **k):
    captured.append(bytes(data))
    return _orig_open_stream(data, *a, **k)


core.pa.ipc.open_stream = _capture
spark = SparkSession.builder.remote(os.environ.get("SPARK_REMOTE", "sc://127.0.0.1:15002")).getOrCreate()


def show_cell(expr):
    """The single cell df.show() prints for expr (one row)."""
    s = spark.sql(f"SELECT {expr} AS c")._show_string(1, truncate=False)
    line = s.splitlines()[3]
    return line[1:-1].strip()


def capture(exprs):
    cols = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
    captured.clear()
    try:
        spark.sql(f"SELECT {cols}").collect()
    except Exception as e:  # pyspark may fail converting; the raw bytes are captured already
        print("  (client-side conversion:", str(e).splitlines()[0][:120], ")")
    return b"".join(captured)


def expected(exprs, mode):
    out = []
    for i, e in enumerate(exprs):
        t = spark.sql(f"SELECT typeof({e})").collect()[0][0]
        if mode[i] == "show":
            s = show_cell(e)
        elif mode[i] == "json":
            s = spark.sql(f"SELECT to_json({e})").collect()[0][0]
        else:
            s = spark.sql(f"SELECT CAST({e} AS STRING)").collect()[0][0]
        out.append([s, t])
    return [out]


def run(name, exprs, mode=None):
    mode = mode or ["cast"] * len(exprs)
    raw = capture(exprs)
    if len(raw) > LIMIT and len(exprs) > 1:
        h = len(exprs) // 2
        run(name + "a", exprs[:h], mode[:h])
        run(name + "b", exprs[h:], mode[h:])
        return
    with open(os.path.join(OUT, name + ".arrows"), "wb") as f:
        f.write(raw)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"exprs": exprs, "rows": expected(exprs, mode)}, f, ensure_ascii=False, indent=1)
    print(name, len(raw), "bytes")


TS = ["'2024-01-02 03:04:05.120'", "'2024-01-02 03:04:05.123456'", "'1969-12-31 23:59:59.999999'",
      "'0001-01-01 00:00:00'", "'1800-06-01 12:00:00'", "'9999-12-31 23:59:59.999999'",
      "'2024-03-10 10:30:00'", "'2024-11-03 08:30:00'"]

run("spark401_numbers", ["1Y", "-128Y", "-32768S", "-2147483648", "9223372036854775807L",
                         "-9223372036854775808L", "cast(null as int)", "true", "false"])
run("spark401_double", ["1.0d", "0.1d", "1e10d", "1e-5d", "-0.0d", "cast('NaN' as double)",
                        "cast('Infinity' as double)", "cast('-Infinity' as double)", "1e7d", "9999999.0d",
                        "0.001d", "0.000999d", "1e23d", "4.9E-324d", "2.82879384806159E17d",
                        "8.41E21d", "12345678.9d", "0.1d+0.2d"])
run("spark401_float", ["cast(%s as float)" % x for x in
                       ["1.1", "0.1", "3.4028235E38", "1.4E-45", "16777216", "1.0/3", "0.0009", "123456.7"]])
run("spark401_decimal", ["cast(12.3 as decimal(12,2))", "cast(-0.01 as decimal(20,10))",
                         "cast(0 as decimal(20,10))",
                         "cast('12345678901234567890123456.123456789012' as decimal(38,12))",
                         "cast('-99999999999999999999999999999999999999' as decimal(38,0))",
                         "cast('0.0000001' as decimal(10,7))", "cast('-9223372036854775808' as decimal(19,0))"])
run("spark401_string", ["'abc'", "''", "'null'", "'é日本🙂'", "cast(null as string)", "'a\\nb'",
                        "cast('ab' as char(5))"])
run("spark401_binary", ["x'00ff10'", "x''", "cast('abc' as binary)", "cast(null as binary)"],
    ["show"] * 3 + ["cast"])
run("spark401_date", ["date'2024-01-02'", "date'1969-12-31'", "date'0001-01-01'", "date'0999-05-06'",
                      "date_add(date'0001-01-01', -1)", "date_add(date'9999-12-31', 1)",
                      "make_date(-44,3,15)", "date_add(date'9999-12-31', 800000)"])
run("spark401_ts_utc", ["timestamp%s" % t for t in TS] + ["timestamp_ntz%s" % t for t in TS[:3]] +
    ["timestamp_micros(-62135596800000001)", "timestamp_micros(253402300800000000)",
     "timestamp_micros(-9223372036854775807)"])
for tz in ["America/Los_Angeles", "Asia/Kolkata", "+08:00"]:
    spark.conf.set("spark.sql.session.timeZone", tz)
    run("spark401_ts_" + tz.replace("/", "_").replace("+", "p").replace(":", ""),
        ["timestamp%s" % t for t in TS] + ["timestamp_ntz'1800-06-01 12:00:00'",
                                            "array(timestamp'2024-01-02 03:04:05.1')"])
spark.conf.set("spark.sql.session.timeZone", "UTC")
run("spark401_nested", ["array(1,2,null)", "array('a',null,'null','')", "array()", "array(array(1),null,array())",
                        "map('a',1,'b',null)", "map()", "named_struct('x','a','y',1)",
                        "named_struct('a', null, 'b', null)",
                        "named_struct('s', array(1), 'm', map('k', named_struct('z', 1.5d)))",
                        "array(x'41', null)", "map(1, x'4142')", "array(1.5d, 1e10d, cast('NaN' as double))",
                        "array(cast(1.5 as decimal(5,2)))", "array(named_struct('a', 1), null)",
                        "map(array(1,2), array(3))", "cast(null as array<int>)", "array(date'2024-01-01')",
                        "named_struct('a b', 1, 'c', 'x')", "map('a', array(1.5d))"])
run("spark401_interval", ["interval '1 02:03:04.5' day to second", "interval '-1 00:00:00.000001' day to second",
                          "interval '100 00:00:00' day to second", "interval '1-2' year to month",
                          "interval '-0-3' year to month", "interval '3' hour", "interval '100' year",
                          "interval '-106751991 04:00:54.775807' day to second"])
run("spark401_null", ["null", "array(null)", "map('a', null)", "named_struct('n', null)"])
run("spark401_variant",
    ["parse_json('{\"b\":[1,2.5,\"x\",null,true,false,1e300,-0.0,1.50]}')",
     "parse_json('\"q\\\\\"\\\\n\\\\t\\\\u0001 / é\"')", "cast(cast(0.1 as float) as variant)",
     "cast(1e10d as variant)", "cast(date'2024-01-02' as variant)",
     "cast(timestamp'2024-01-02 03:04:05.12' as variant)", "cast(timestamp_ntz'2024-01-02 03:04:05.12' as variant)",
     "cast(x'00ff' as variant)", "cast(cast(1.50 as decimal(10,2)) as variant)",
     "cast(cast(0 as decimal(20,10)) as variant)", "parse_json('123456789012345678901234567890')",
     "parse_json('null')", "parse_json('{}')", "cast(cast('NaN' as double) as variant)",
     "to_variant_object(named_struct('z',1,'a',2))", "parse_json('\"" + "x" * 70 + "\"')"],
    ["json"] * 16)
run("spark401_variant_nested", ["array(parse_json('{\"a\":\"x\",\"b\":1.5}'), null)",
                                "named_struct('v', parse_json('\"s\"'))"])
