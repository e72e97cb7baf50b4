#!/usr/bin/python3
"""value_vectors.py — checks the vectors of tests/unit/test_value.c against a
real PostgreSQL.

test_value.c hard-codes what PostgreSQL prints (text format, with the session
settings pg_conn uses) and what its send functions produce (binary format).
This script starts a throwaway PostgreSQL 15, asks it for the same values and
compares: it exits non-zero when the server disagrees with a vector here, and
prints every value so new vectors can be taken from its output.

    /usr/bin/python3 tests/unit/value_vectors.py [--pg-bin DIR] [--keep]

Needs python3-psycopg2 and the PostgreSQL server binaries (Debian:
postgresql-15). As root, the cluster is run as the `postgres` user (initdb
refuses root) in a directory under /tmp handed to that user.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import psycopg2

# The session pg_conn sets up for replication connections.
SESSION = {
    "DateStyle": "ISO",
    "IntervalStyle": "postgres",
    "TimeZone": "UTC",
    "extra_float_digits": "3",
    "bytea_output": "hex",
}

# (type, input literal, expected text output, expected send output in hex or
# None when only the text is checked). Keep in step with test_value.c.
VECTORS = [
    ("bool", "true", "t", "01"),
    ("bool", "false", "f", "00"),
    ("int2", "-32768", "-32768", "8000"),
    ("int2", "32767", "32767", "7fff"),
    ("int4", "-2147483648", "-2147483648", "80000000"),
    ("int4", "2147483647", "2147483647", "7fffffff"),
    ("int8", "-9223372036854775808", "-9223372036854775808", "8000000000000000"),
    ("int8", "9223372036854775807", "9223372036854775807", "7fffffffffffffff"),
    ("oid", "4294967295", "4294967295", "ffffffff"),
    ("float4", "3.4028235e+38", "3.4028235e+38", "7f7fffff"),
    ("float4", "1e-45", "1e-45", "00000001"),
    ("float4", "0.1", "0.1", "3dcccccd"),
    ("float4", "-Infinity", "-Infinity", "ff800000"),
    ("float4", "NaN", "NaN", "7fc00000"),
    ("float8", "0.1", "0.1", "3fb999999999999a"),
    ("float8", "5e-324", "5e-324", "0000000000000001"),
    ("float8", "1.7976931348623157e+308", "1.7976931348623157e+308", "7fefffffffffffff"),
    ("float8", "-0", "-0", "8000000000000000"),
    ("float8", "Infinity", "Infinity", "7ff0000000000000"),
    ("float8", "1e+20", "1e+20", "4415af1d78b58c40"),
    ("numeric", "12345678901234567890.12345678901234567890",
     "12345678901234567890.12345678901234567890",
     "000a00040000001404d2162e23340d801ed204d2162e23340d801ed2"),
    ("numeric", "-12.3400", "-12.3400", "0002000040000004000c0d48"),
    ("numeric", "0.0001", "0.0001", "0001ffff000000040001"),
    ("numeric", "100000000", "100000000", "00010002000000000001"),
    ("numeric", "0.000", "0.000", "0000000000000003"),
    # numeric_in takes an exponent, numeric_out never prints one.
    ("numeric", "1E+20", "100000000000000000000", "00010005000000000001"),
    ("numeric", "NaN", "NaN", "00000000c0000000"),
    ("numeric", "Infinity", "Infinity", "00000000d0000020"),
    ("numeric", "-Infinity", "-Infinity", "00000000f0000020"),
    ("text", "h\u00e9llo", "h\u00e9llo", "68c3a96c6c6f"),
    ("bpchar(5)", "ab", "ab   ", "6162202020"),
    ("name", "pg_class", "pg_class", "70675f636c617373"),
    ("\"char\"", "x", "x", "78"),
    ("bytea", "\\x0102ff", "\\x0102ff", "0102ff"),
    ("bytea", "\\x", "\\x", ""),
    ("uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "a0eebc999c0b4ef8bb6d6bb9bd380a11"),
    ("json", '{"a": [1, 2]}', '{"a": [1, 2]}', "7b2261223a205b312c20325d7d"),
    ("jsonb", '{"a":[1,2]}', '{"a": [1, 2]}', "017b2261223a205b312c20325d7d"),
    ("json", '{"a":\n 1}', '{"a":\n 1}', "7b2261223a0a20317d"),
    ("jsonb", "null", "null", "016e756c6c"),
    # charout (PostgreSQL 15 on): a high byte as backslash + octal, NUL as ''
    ("\"char\"", "\\351", "\\351", "e9"),
    ("\"char\"", "", "", "00"),
    # the ends of the timestamp range, and the end of int64 micros since 1970
    ("timestamp", "294276-12-31 23:59:59.999999", "294276-12-31 23:59:59.999999",
     "7fffff5bb3b29fff"),
    ("timestamptz", "294276-12-31 23:59:59.999999+00", "294276-12-31 23:59:59.999999+00",
     "7fffff5bb3b29fff"),
    ("timestamp", "294247-01-10 04:00:54.775807", "294247-01-10 04:00:54.775807",
     "7ffca2fec4c81fff"),
    ("timestamp", "294247-01-10 04:00:54.775808", "294247-01-10 04:00:54.775808",
     "7ffca2fec4c82000"),
    ("timestamp", "4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC", "fd0f7cc1411fa000"),
    ("date", "2024-02-29", "2024-02-29", "00002279"),
    ("date", "1970-01-01", "1970-01-01", "ffffd533"),
    ("date", "0044-03-15 BC", "0044-03-15 BC", "fff49d7b"),
    ("date", "4714-11-24 BC", "4714-11-24 BC", "ffda97a7"),
    ("date", "5874897-12-31", "5874897-12-31", "7fda970c"),
    ("date", "infinity", "infinity", "7fffffff"),
    ("date", "-infinity", "-infinity", "80000000"),
    ("time", "24:00:00", "24:00:00", "000000141dd76000"),
    ("time", "13:45:30.123456", "13:45:30.123456", "0000000b8839b4c0"),
    ("time", "00:00:00", "00:00:00", "0000000000000000"),
    ("timestamp", "2024-02-29 12:34:56.789", "2024-02-29 12:34:56.789", "0002b58341728608"),
    ("timestamp", "1969-12-31 23:59:59.999999", "1969-12-31 23:59:59.999999",
     "fffca2fec4c81fff"),
    ("timestamp", "0044-03-15 12:00:00 BC", "0044-03-15 12:00:00 BC", "ff1af9e8fb46d000"),
    ("timestamp", "10000-01-01 00:00:00", "10000-01-01 00:00:00", "0380e70b913b8000"),
    ("timestamp", "infinity", "infinity", "7fffffffffffffff"),
    ("timestamptz", "2024-02-29 12:00:00+05:30", "2024-02-29 06:30:00+00", "0002b57e284c0a00"),
    ("timestamptz", "2000-01-01 00:00:00-03:00:15", "2000-01-01 03:00:15+00",
     "00000002849fcdc0"),
    ("timestamptz", "0044-03-15 12:00:00+00 BC", "0044-03-15 12:00:00+00 BC",
     "ff1af9e8fb46d000"),
    ("timestamptz", "-infinity", "-infinity", "8000000000000000"),
    ("interval", "1 year 2 mons 3 days 04:05:06.5", "1 year 2 mons 3 days 04:05:06.5",
     "000000036c9361a0000000030000000e"),
    ("interval", "-1 days +02:00:00", "-1 days +02:00:00", "00000001ad274800ffffffff00000000"),
    ("interval", "0", "00:00:00", "00000000000000000000000000000000"),
    ("interval", "-0.5 seconds", "-00:00:00.5", "fffffffffff85ee00000000000000000"),
    ("interval", "-14 mons", "-1 years -2 mons", "000000000000000000000000fffffff2"),
    ("interval", "1 day -1 microsecond", "1 day -00:00:00.000001",
     "ffffffffffffffff0000000100000000"),
    ("interval", "2147483647 mons", "178956970 years 7 mons", "0000000000000000000000007fffffff"),
    ("interval", "9223372036854775807 microseconds", "2562047788:00:54.775807",
     "7fffffffffffffff0000000000000000"),
    # the largest and smallest finite intervals before PostgreSQL 17
    ("interval", "178956970 years 7 mons 2147483647 days 2562047788:00:54.775807",
     "178956970 years 7 mons 2147483647 days 2562047788:00:54.775807",
     "7fffffffffffffff7fffffff7fffffff"),
    ("int4[]", "[0:1][-1:-1]={{1},{2}}", "[0:1][-1:-1]={{1},{2}}",
     "0000000200000000000000170000000200000000" "00000001ffffffff"
     "00000004000000010000000400000002"),
    ("int4[]", "{{1,2},{3,4}}", "{{1,2},{3,4}}",
     "000000020000000000000017000000020000000100000002000000010000000400000001"
     "000000040000000200000004000000030000000400000004"),
    ("int4[]", "{1,2,NULL}", "{1,2,NULL}",
     "000000010000000100000017000000030000000100000004000000010000000400000002ffffffff"),
    ("int4[]", "{}", "{}", "000000000000000000000017"),
    ("int4[]", "[0:1]={1,2}", "[0:1]={1,2}",
     "0000000100000000000000170000000200000000000000040000000100000004"
     "00000002"),
    ("text[]", "{\"a,b\",\"NULL\",NULL,\"q\\\"x\",\"back\\\\slash\",\"\",\" sp\"}",
     "{\"a,b\",\"NULL\",NULL,\"q\\\"x\",\"back\\\\slash\",\"\",\" sp\"}", None),
    ("text[]", "{a,NULL}", "{a,NULL}",
     "00000001000000010000001900000002000000010000000161ffffffff"),
    ("bytea[]", "{\"\\\\x0102\"}", "{\"\\\\x0102\"}", None),
    ("numeric[]", "{1.5,NaN}", "{1.5,NaN}", None),
    ("jsonb[]", "{\"{\\\"a\\\": 1}\"}", "{\"{\\\"a\\\": 1}\"}", None),
    ("date[]", "{infinity,\"0044-03-15 BC\"}", "{infinity,\"0044-03-15 BC\"}", None),
    ("interval[]", "{\"1 day\",\"-1 days +02:00:00\"}",
     "{\"1 day\",\"-1 days +02:00:00\"}", None),
    ("timestamptz[]", "{\"2024-01-01 10:00:00+00\"}", "{\"2024-01-01 10:00:00+00\"}", None),
    ("bool[]", "{t,f}", "{t,f}", None),
    ("uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
     "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", None),
]

# Further text outputs the tests rely on, from expressions (the ::text cast
# of these types is their output function), optionally under other settings.
EXPRESSIONS = [
    # numeric(p,s) typmods, including PostgreSQL 15's negative scale
    ("(SELECT atttypmod FROM pg_attribute WHERE attrelid = 'tw_typmod'::regclass "
     "AND attname = 'a')", "329729"),
    ("(SELECT atttypmod FROM pg_attribute WHERE attrelid = 'tw_typmod'::regclass "
     "AND attname = 'b')", "196617"),
    ("(SELECT atttypmod FROM pg_attribute WHERE attrelid = 'tw_typmod'::regclass "
     "AND attname = 'c')", "655366"),
    # the smallest interval can be computed but not typed in
    ("interval '-2562047788:00:54.775807' - interval '1 microsecond'",
     "-2562047788:00:54.775808"),
    ("interval '-178956970 years -8 mons'", "-178956970 years -8 mons"),
    ("interval '1 year -1 mons'", "11 mons"),
    ("interval '-3 days -4 hours'", "-3 days -04:00:00"),
    ("interval '-01:02:03.04'", "-01:02:03.04"),
    ("interval '100:00:00.000001'", "100:00:00.000001"),
    ("timestamp '4714-11-24 00:00:00 BC'", "4714-11-24 00:00:00 BC"),
    # accepted by PostgreSQL, beyond int64 microseconds since 1970
    ("timestamp '294276-12-31 23:59:59.999999'", "294276-12-31 23:59:59.999999"),
    ("encode(timestamp_send('294276-12-31 23:59:59.999999'), 'hex')", "7fffff5bb3b29fff"),
    ("float8 '123456789012345680000'", "1.2345678901234568e+20"),
    ("float8 '2.2250738585072014e-308'", "2.2250738585072014e-308"),
    ("float8 '0.30000000000000004'", "0.30000000000000004"),
    ("float8 '1e-07'", "1e-07"),
    ("float4 '16777216'", "1.6777216e+07"),
    ("float4 '1e+20'", "1e+20"),
    ("float8 '-1.5e-10'", "-1.5e-10"),
    # the legacy bytea output the parser also takes
    ("decode('61625c6301ff', 'hex')", "ab\\\\c\\001\\377", {"bytea_output": "escape"}),
]

# Values printed under another TimeZone: a timestamptz carries the zone's
# offset, including a local mean time offset with seconds.
ZONED = [
    ("Asia/Kolkata", "timestamptz", "2024-02-29 12:00:00+05:30", "2024-02-29 12:00:00+05:30"),
    ("Asia/Kolkata", "timestamptz", "1800-01-01 00:00:00+05:53:28",
     "1800-01-01 00:00:00+05:53:28"),
    ("UTC", "timestamptz", "1800-01-01 00:00:00+05:53:28", "1799-12-31 18:06:32+00"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway cluster: initdb, pg_ctl start, pg_ctl stop, rm -r."""

    def __init__(self, pg_bin):
        self.pg_bin = pg_bin
        self.dir = tempfile.mkdtemp(prefix="tw-value-vectors-")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres")

    def run(self, *argv):
        cmd = " ".join(_quote(a) for a in argv)
        if self.as_root:
            subprocess.run(["su", "postgres", "-c", cmd], check=True, stdout=subprocess.DEVNULL)
        else:
            subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        data = os.path.join(self.dir, "data")
        self.run(os.path.join(self.pg_bin, "initdb"), "-D", data, "-A", "trust", "-U",
                 "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off")
        self.run(os.path.join(self.pg_bin, "pg_ctl"), "-D", data, "-l",
                 os.path.join(self.dir, "log"), "-o", opts, "-w", "start")

    def stop(self, keep):
        data = os.path.join(self.dir, "data")
        try:
            self.run(os.path.join(self.pg_bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
        finally:
            if not keep:
                shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self):
        options = " ".join(f"-c {k}={v}" for k, v in SESSION.items())
        return psycopg2.connect(host=self.dir, port=self.port, user="postgres",
                                dbname="postgres", options=options)


def _quote(arg):
    return "'" + arg.replace("'", "'\\''") + "'"


def io_functions(cur, type_name):
    """The type's output and send functions. The output function is what the
    walsender uses; a ::text cast can differ (bool gives 'true', bpchar loses
    its padding)."""
    cur.execute("SELECT typoutput::regproc::text, typsend::regproc::text FROM pg_type "
                "WHERE oid = %s::regtype", (type_name,))
    return cur.fetchone()


def check(cur):
    failures = 0
    for type_name, literal, want_text, want_hex in VECTORS:
        output, send = io_functions(cur, type_name)
        cur.execute(f"SELECT {output}(v)::text, encode({send}(v), 'hex') "
                    f"FROM (SELECT %s::{type_name} AS v) s", (literal,))
        got_text, got_hex = cur.fetchone()
        ok = got_text == want_text and (want_hex is None or got_hex == want_hex)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {type_name:12} {literal!r:45} text={got_text!r} "
              f"send={got_hex}")
        if not ok:
            print(f"     expected text={want_text!r} send={want_hex}")
    cur.execute("CREATE TEMP TABLE tw_typmod (a numeric(5,-3), b numeric(3,5), "
                "c numeric(10,2))")
    for expr, want_text, *settings in EXPRESSIONS:
        for name, value in (settings[0] if settings else {}).items():
            cur.execute("SELECT set_config(%s, %s, false)", (name, value))
        cur.execute(f"SELECT ({expr})::text")
        got_text = cur.fetchone()[0]
        for name in (settings[0] if settings else {}):
            cur.execute("SELECT set_config(%s, %s, false)", (name, SESSION[name]))
        ok = got_text == want_text
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {expr[:58]!s:58} text={got_text!r}"
              + ("" if ok else f" expected {want_text!r}"))
    for zone, type_name, literal, want_text in ZONED:
        cur.execute("SELECT set_config('TimeZone', %s, false)", (zone,))
        output, _ = io_functions(cur, type_name)
        cur.execute(f"SELECT {output}(%s::{type_name})::text", (literal,))
        got_text = cur.fetchone()[0]
        ok = got_text == want_text
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {type_name:12} {literal!r:45} TimeZone={zone} "
              f"text={got_text!r}" + ("" if ok else f" expected {want_text!r}"))
    cur.execute("SELECT set_config('TimeZone', 'UTC', false)")
    # Inputs that must be rejected by PostgreSQL too (the tests expect errors).
    for type_name, literal in [("int2", "32768"), ("int2", "-32769"), ("date", "2023-02-29"),
                               ("time", "24:00:01"), ("float4", "3.5e38"), ("uuid", "a0ee")]:
        cur.execute("SAVEPOINT s")
        try:
            cur.execute(f"SELECT %s::{type_name}", (literal,))
            print(f"FAIL {type_name:12} {literal!r:45} accepted, expected an error")
            failures += 1
        except psycopg2.Error as e:
            print(f"ok   {type_name:12} {literal!r:45} rejected: {e.pgerror.splitlines()[0]}")
        cur.execute("ROLLBACK TO SAVEPOINT s")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-bin", default="/usr/lib/postgresql/15/bin")
    ap.add_argument("--keep", action="store_true", help="keep the cluster directory")
    args = ap.parse_args()

    cluster = Cluster(args.pg_bin)
    cluster.start()
    try:
        with cluster.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT version()")
            print("#", cur.fetchone()[0])
            failures = check(cur)
    finally:
        cluster.stop(args.keep)
    total = len(VECTORS) + len(EXPRESSIONS) + len(ZONED) + 6
    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
