"""`tidewater tail` values against PostgreSQL's own output: for each value
class, rows go through the slot in text and in binary pgoutput mode, and
each printed value must be what PostgreSQL's text output of the same value
(its output function, via format('%s', v), read back under the session
settings tidewater's replication connection uses) maps to under the README's
rules. The expected JSON is
derived here from that text, independently of tidewater's C code."""
import base64
import json
import math
import re

import pytest

# The replication session's settings (pg_conn.c), so ::text prints what
# pgoutput's text mode sends.
SESSION = ("SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; "
           "SET extra_float_digits = 3; SET bytea_output = hex")

BIG_NUMERIC = "9" * 131072  # the most integer digits numeric takes: 32768 base-10000 digits

# (column type, SQL expressions of the values). Each value is one row.
CLASSES = [
    ("int2", ["-32768", "0", "32767"]),
    ("int4", ["-2147483648", "2147483647"]),
    ("int8", ["-9223372036854775808", "9223372036854775807"]),
    ("oid", ["0", "4294967295"]),
    ("float4", ["'3.4028235e+38'", "'1e-45'", "'-0'", "'0.1'", "'NaN'", "'-Infinity'"]),
    ("float8", ["'-0'", "'0'", "'5e-324'", "'1.7976931348623157e+308'", "'0.1'", "'1e+20'",
                "'NaN'", "'Infinity'"]),
    ("numeric", ["'0'", "'-12.3400'", "'0.000000000000000000000000000001'", "'1E+20'", "'NaN'",
                 "'Infinity'", "'-Infinity'", "'%s'" % BIG_NUMERIC, "'-%s.5'" % BIG_NUMERIC]),
    ("bool", ["true", "false"]),
    ("text", ["E'h\\u00e9llo \"q\"\\n\\ttab'", "''"]),
    ("bpchar(5)", ["'ab'"]),
    ("name", ["'pg_class'"]),
    ('"char"', ["'x'", "'\\351'", "'\\200'", "'\\377'", "''"]),
    ("bytea", ["'\\x'", "'\\x00ff10'"]),
    ("uuid", ["'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"]),
    ("json", ["E'{\"a\":\\n 1,\\n \"b\": [1.50, 1e400]}'", "'null'", "'\"null\"'", "'  [ ] '",
              "'{\"b\": 1, \"a\": 2, \"b\": 3}'"]),
    ("jsonb", ["'null'", "'{\"b\": 1, \"a\": [2.50]}'", "'\"x\\ny\"'"]),
    ("date", ["'2024-02-29'", "'4714-11-24 BC'", "'0044-03-15 BC'", "'5874897-12-31'",
              "'infinity'", "'-infinity'"]),
    ("time", ["'00:00:00'", "'24:00:00'", "'13:45:30.123456'"]),
    ("timestamp", ["'2024-02-29 12:34:56.789'", "'4714-11-24 00:00:00 BC'",
                   "'0044-03-15 12:00:00 BC'", "'294247-01-10 04:00:54.775807'",
                   "'294247-01-10 04:00:54.775808'", "'294276-12-31 23:59:59.999999'",
                   "'infinity'", "'-infinity'"]),
    ("timestamptz", ["'2024-02-29 12:00:00+05:30'", "'4714-11-24 00:00:00+00 BC'",
                     "'294247-01-10 04:00:54.775808+00'", "'294276-12-31 23:59:59.999999+00'",
                     "'-infinity'"]),
    ("interval", ["'1 year 2 mons 3 days 04:05:06.5'", "'-1 days +02:00:00'", "'0'",
                  "'-00:00:00.5'", "'1 day -00:00:00.000001'",
                  "'178956970 years 7 mons 2147483647 days 2562047788:00:54.775807'",
                  "'-178956970 years -8 mons -2147483648 days'::interval "
                  "+ '-2562047788:00:54.775807' - '00:00:00.000001'"]),
    ("int4[]", ["'{1,NULL,3}'", "'{}'", "'{{1,2},{3,4}}'", "'[0:1]={5,6}'",
                "'[0:1][-1:0]={{1,2},{3,NULL}}'", "'{{{7}}}'"]),
    ("text[]", ["'{\"a b\",NULL,\"NULL\",\"{}\"}'", "'{{a,b},{c,NULL}}'",
                "'[-1:0]={\"x,y\",z}'"]),
    ("bool[]", ["'[2:3]={t,f}'"]),
]


def iso_year(y, bc):
    """PostgreSQL's printed year → ISO 8601 year text (astronomical)."""
    year = 1 - y if bc else y
    if year < 0:
        return "-%04d" % -year
    if year > 9999:
        return "+%d" % year
    return "%04d" % year


def iso_datetime(text):
    if text in ("infinity", "-infinity"):
        return text
    bc = text.endswith(" BC")
    if bc:
        text = text[:-3]
    m = re.fullmatch(r"(\d+)-(\d\d)-(\d\d)(?: (\d\d:\d\d:\d\d(?:\.\d+)?)(\+00)?)?", text)
    assert m, text
    out = "%s-%s-%s" % (iso_year(int(m.group(1)), bc), m.group(2), m.group(3))
    if m.group(4):
        out += "T" + m.group(4) + ("Z" if m.group(5) else "")
    return out


def iso_interval(text):
    """IntervalStyle=postgres text → the README's ISO 8601 duration (each
    component signed on its own, years/months from months, days, then the
    time split into H/M/S)."""
    months = days = micros = 0
    for tok in re.findall(r"[-+]?\d+ \w+|[-+]?\d+:\d\d:\d\d(?:\.\d+)?", text):
        if ":" in tok:
            neg = tok.startswith("-")
            h, mi, s = tok.lstrip("+-").split(":")
            sec, _, frac = s.partition(".")
            mag = ((int(h) * 60 + int(mi)) * 60 + int(sec)) * 10**6 + int((frac + "000000")[:6])
            micros = -mag if neg else mag
        else:
            n, unit = tok.split()
            if unit.startswith("year"):
                months += int(n) * 12
            elif unit.startswith("mon"):
                months += int(n)
            else:
                days = int(n)
    years, mons = int(months / 12), months - int(months / 12) * 12
    out = "P"
    out += "%dY" % years if years else ""
    out += "%dM" % mons if mons else ""
    out += "%dD" % days if days else ""
    if micros:
        sign, mag = ("-" if micros < 0 else ""), abs(micros)
        h, rest = divmod(mag, 3600 * 10**6)
        mi, rest = divmod(rest, 60 * 10**6)
        s, frac = divmod(rest, 10**6)
        out += "T"
        out += "%s%dH" % (sign, h) if h else ""
        out += "%s%dM" % (sign, mi) if mi else ""
        if s or frac:
            out += "%s%d" % (sign, s)
            out += ("." + ("%06d" % frac).rstrip("0")) if frac else ""
            out += "S"
    return out if out != "P" else "PT0S"


def expected(typ, text, array_json):
    """What tail must print for a value PostgreSQL prints as `text`."""
    if text is None:
        return None
    if typ.endswith("[]"):
        # array_to_json: nested arrays, lower bounds dropped.
        return json.loads(array_json)
    if typ in ("int2", "int4", "int8", "oid"):
        return int(text)
    if typ in ("float4", "float8"):
        if text in ("NaN", "Infinity", "-Infinity"):
            return text
        return float(text)
    if typ == "bool":
        return text == "t"
    if typ == "bytea":
        return base64.b64encode(bytes.fromhex(text[2:])).decode()
    if typ in ("date", "timestamp", "timestamptz"):
        return iso_datetime(text)
    if typ == "interval":
        return iso_interval(text)
    # numeric, strings, "char", uuid, json, jsonb, time: PostgreSQL's text.
    return text


def same(got, want):
    if isinstance(want, float):
        # 0 and 0.0 are the same JSON number; -0 must read back negative.
        return (isinstance(got, (int, float)) and not isinstance(got, bool) and got == want
                and math.copysign(1, float(got)) == math.copysign(1, want))
    return got == want and type(got) is type(want)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_values_match_postgres_text_output(db, tail, binary):
    tables = {}
    for i, (typ, _) in enumerate(CLASSES):
        tables[typ] = "v%d" % i
        db.sql("CREATE TABLE %s (id int PRIMARY KEY, v %s)" % (tables[typ], typ))
    cfg = db.config(pgoutput_binary=str(binary).lower())
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr
    for typ, values in CLASSES:
        rows = ", ".join("(%d, %s)" % (n, v) for n, v in enumerate(values + ["NULL"]))
        db.sql("INSERT INTO %s VALUES %s" % (tables[typ], rows))
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr
    # One JSON object per line, whatever the values hold.
    lines = res.stdout.splitlines()
    assert len(lines) == len(res.events)

    conn = db.connect()
    checked = {}
    try:
        with conn.cursor() as cur:
            cur.execute(SESSION)
            for typ, values in CLASSES:
                table = tables[typ]
                cur.execute("SELECT id, CASE WHEN v IS NOT NULL THEN format('%%s', v) END, %s "
                            "FROM %s ORDER BY id"
                            % ("array_to_json(v)::text" if typ.endswith("[]") else "NULL", table))
                want = {row[0]: expected(typ, row[1], row[2]) for row in cur.fetchall()}
                got = {e["after"]["id"]: e["after"]["v"] for e in res.rows(table, "c")}
                assert sorted(got) == sorted(want), typ
                for n in want:
                    assert same(got[n], want[n]), "%s %s: tail %r, PostgreSQL %r" % (
                        typ, values[n] if n < len(values) else "NULL", got[n], want[n])
                checked[typ] = len(want)
    finally:
        conn.close()
    assert sum(checked.values()) == sum(len(v) + 1 for _, v in CLASSES)


def test_json_null_is_not_sql_null_and_stays_on_one_line(db, tail):
    db.sql("CREATE TABLE j (id int PRIMARY KEY, a json, b jsonb)")
    cfg = db.config()
    assert tail(cfg, endpos=db.insert_lsn()).returncode == 0
    db.sql("INSERT INTO j VALUES (1, 'null', 'null'), (2, NULL, NULL), "
           "(3, E'{\"k\":\\n  [1.0, 1E+2]}', '{\"k\": [1.0, 1E+2]}')")
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == 3
    after = {e["after"]["id"]: e["after"] for e in res.events}
    assert after[1] == {"id": 1, "a": "null", "b": "null"}
    assert after[2] == {"id": 2, "a": None, "b": None}
    # json keeps the document as written; jsonb is PostgreSQL's normal form.
    assert after[3]["a"] == '{"k":\n  [1.0, 1E+2]}'
    assert after[3]["b"] == '{"k": [1.0, 100]}'


DOMAINS_DDL = """
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE DOMAIN small_posint AS posint CHECK (VALUE < 100);
CREATE DOMAIN price AS numeric(10, 2);
CREATE DOMAIN matrix AS int4[];
CREATE DOMAIN stamp AS timestamptz;
CREATE DOMAIN doc AS jsonb;
CREATE DOMAIN real4 AS float4;
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN good_mood AS mood CHECK (VALUE <> 'sad');
CREATE TABLE d (id int PRIMARY KEY, a posint, b small_posint, c price, e matrix, f stamp,
                g doc, h real4, arr posint[], m mood, gm good_mood);
"""

# column → base type, for the expected value
DOMAIN_BASES = {"a": "int4", "b": "int4", "c": "numeric", "e": "int4[]", "f": "timestamptz",
                "g": "jsonb", "h": "float4", "m": "text", "gm": "text"}


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_domain_and_enum_values_match_text_mode(db, tail, binary):
    """A domain is its base type; an enum is its label, in binary mode too."""
    db.sql(DOMAINS_DDL)
    cfg = db.config(pgoutput_binary=str(binary).lower())
    assert tail(cfg, endpos=db.insert_lsn()).returncode == 0
    db.sql("INSERT INTO d VALUES (1, 5, 7, 12.5, '[0:1][0:1]={{1,2},{3,4}}', "
           "'294276-12-31 23:59:59.999999+00', 'null', '-0', '{1,2}', 'sad', 'happy'), "
           "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)")
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr
    after = {e["after"]["id"]: e["after"] for e in res.events}
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(SESSION)
            for col, base in DOMAIN_BASES.items():
                cur.execute("SELECT id, CASE WHEN {0} IS NOT NULL THEN format('%s', {0}) END, "
                            "array_to_json({0}::{1})::text FROM d ORDER BY id"
                            .format(col, base) if base.endswith("[]") else
                            "SELECT id, CASE WHEN {0} IS NOT NULL THEN format('%s', {0}) END, "
                            "NULL FROM d ORDER BY id".format(col))
                for row_id, text, array_json in cur.fetchall():
                    want = expected(base, text, array_json)
                    assert same(after[row_id][col], want), (col, after[row_id][col], want)
    finally:
        conn.close()
    # An array of a domain is not resolved (its binary form names the domain
    # as the element type): PostgreSQL's text, or base64 of the send bytes.
    if binary:
        assert isinstance(after[1]["arr"], str) and after[1]["arr"] != "{1,2}"
    else:
        assert after[1]["arr"] == "{1,2}"
