"""Values of the types tidewater reads from PostgreSQL's text (or, with
pgoutput.binary=true, from their send bytes) and renders as Debezium does —
timetz in UTC, timestamptz padded to the column's precision, money, bit
strings, points, bytea in hex — checked against PostgreSQL's own answers for
the same stored values, in both pgoutput formats. The differential test
(test_debezium_diff.py) checks the forms against Debezium; this checks the
values over many rows."""
import base64
import json
import random
import struct

import pytest

from helpers import slot_active, wait_for
from kafkacheck import consume, topics

COLS = ["tz", "tstz", "tstz3", "m", "b", "vb", "pt", "ba", "e"]
DDL = """
CREATE TYPE hue AS ENUM ('red', 'green', 'blue');
CREATE TABLE outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    aggregatetype varchar(255) NOT NULL,
    aggregateid varchar(255) NOT NULL,
    type varchar(255) NOT NULL,
    payload jsonb,
    tz timetz, tstz timestamptz, tstz3 timestamptz(3), m money, b bit(12), vb varbit(20),
    pt point, ba bytea, e hue DEFAULT 'green'
)
"""
N = 60


def random_rows(rng):
    rows = []
    for i in range(N):
        off = rng.randint(-15 * 60 - 59, 15 * 60 + 59)
        tz = "%02d:%02d:%02d.%06d%s%02d:%02d" % (
            rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
            rng.choice([0, 4, rng.randint(0, 999999)]), "-" if off < 0 else "+",
            abs(off) // 60, abs(off) % 60)
        ts = "%04d-%02d-%02d %02d:%02d:%02d.%06d+%02d" % (
            rng.randint(1000, 9999), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
            rng.randint(0, 59), rng.randint(0, 59), rng.choice([0, 1, rng.randint(0, 999999)]),
            rng.randint(0, 14))
        money = "%d.%02d" % (rng.randint(-10 ** rng.randint(0, 14), 10 ** rng.randint(0, 14)),
                             rng.randint(0, 99))
        bits = "".join(rng.choice("01") for _ in range(12))
        vbits = "".join(rng.choice("01") for _ in range(rng.randint(0, 20)))
        pt = "(%r,%r)" % (rng.uniform(-1e6, 1e6), rng.choice([0.0, -0.0, rng.uniform(-1, 1)]))
        ba = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 9)))
        rows.append((tz, ts, ts, money, bits, vbits, pt, ba))
    return rows


def bitset_bytes(text):
    """java.util.BitSet.toByteArray of the bit string read as a number."""
    n = int(text, 2) if text else 0
    return n.to_bytes((n.bit_length() + 7) // 8, "little")


def trim_time(text):
    """'HH:MI:SS.ffffff' with the fraction's trailing zeros (and an empty
    fraction) removed, as Java's ISO_LOCAL_TIME prints it."""
    hms, frac = text.split(".")
    frac = frac.rstrip("0")
    return hms + ("." + frac if frac else "")


def expected(db):
    rows = db.sql(
        "SELECT aggregateid, "
        "to_char(('2000-01-01 ' || tz::text)::timestamptz AT TIME ZONE 'UTC', 'HH24:MI:SS.US'), "
        "to_char(tstz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "to_char(tstz3 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
        "m::numeric::text, b::text, vb::text, pt[0], pt[1], encode(ba, 'hex'), e::text "
        "FROM outbox")
    out = {}
    for (aid, tz, tstz, tstz3, m, b, vb, x, y, ba, e) in rows:
        if aid == "null":
            continue
        out[aid] = {
            "tz": trim_time(tz) + "Z",
            "tstz": tstz, "tstz3": tstz3, "m": m,
            "b": base64.b64encode(bitset_bytes(b)).decode(),
            "vb": base64.b64encode(bitset_bytes(vb)).decode(),
            "pt": {"x": x, "y": y, "srid": None,
                   "wkb": base64.b64encode(struct.pack("<BIdd", 1, 1, x, y)).decode()},
            "ba": ba, "e": e,
        }
    return out


@pytest.mark.parametrize("binary", ["false", "true"])
def test_values_match_postgresql(db, broker, registry, run, tmp_path, binary):
    from conftest import outbox_config
    db.sql(DDL)
    run(outbox_config(
        db, broker, registry, tmp_path,
        pgoutput_binary=binary,
        decimal_handling_mode="string", binary_handling_mode="hex",
        key_converter="org.apache.kafka.connect.storage.StringConverter",
        value_converter="org.apache.kafka.connect.json.JsonConverter",
        value_converter_schemas_enable="true",
        transforms_outbox_table_fields_additional_placement=",".join(
            "%s:envelope" % c for c in COLS)))
    wait_for(lambda: slot_active(db), what="slot active")
    rng = random.Random(15)
    conn = db.connect()
    with conn.cursor() as cur:
        for i, row in enumerate(random_rows(rng)):
            cur.execute("INSERT INTO outbox (aggregatetype, aggregateid, type, payload, tz, tstz, "
                        "tstz3, m, b, vb, pt, ba) VALUES ('T', %s, 'x', '{}', %s, %s, %s, %s, "
                        "%s::bit(12), %s::varbit, %s, %s)", ("r%d" % i,) + row)
        # NULLs, and the enum's default.
        cur.execute("INSERT INTO outbox (aggregatetype, aggregateid, type) VALUES ('T', 'null', 'x')")
    conn.commit()
    want = expected(db)
    wait_for(lambda: "outbox.event.T" in topics(broker.bootstrap_servers), what="topic")
    msgs = consume(broker.bootstrap_servers, ["outbox.event.T"], expect=N + 1, timeout=60)
    assert len(msgs) == N + 1
    for m in msgs:
        doc = json.loads(m.value())
        fields = {f["field"]: f for f in doc["schema"]["fields"]}
        assert fields["e"]["name"] == "io.debezium.data.Enum"
        assert fields["e"]["parameters"] == {"allowed": "red,green,blue"}
        assert fields["e"]["default"] == "green"
        got = {c: doc["payload"][c] for c in COLS}
        aid = m.key().decode()
        if aid == "null":
            assert got == dict({c: None for c in COLS}, e="green")
            continue
        assert got == want[aid], aid
