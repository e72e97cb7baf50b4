"""hstore columns (hstore.handling.mode): json (an io.debezium.data.Json
string) and map (a Connect map; an Avro map through the registry), from
text and binary pgoutput, with unchanged TOASTed values. PostgreSQL's own
hstore_to_json is the oracle for the content; the pair order (Java's
HashMap, as Debezium writes it) is compared with Debezium 3.6.1 in
test_debezium_diff.py (configurations `unknown` and `unknownincl`)."""
import json

import pytest

from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder, consume
from test_run_envelope import envelope_config, records, run_sql

DDL = """
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE TABLE kv (id int PRIMARY KEY, h hstore, n int, hs hstore[]);
"""
VALUES = {
    1: '"a"=>"1", "b"=>NULL, "q\\"uo\\\\te"=>"x y", "\u00fc"=>"\u00e9"',
    2: "",
    3: None,
}


def expected(db):
    """PostgreSQL's own reading of each value."""
    rows = db.sql("SELECT id, hstore_to_json(h)::text FROM kv ORDER BY id")
    return {r[0]: None if r[1] is None else json.loads(r[1]) for r in rows}


def insert_rows():
    def lit(v):
        return "NULL" if v is None else "'%s'" % v.replace("'", "''")
    return [["INSERT INTO kv VALUES (%d, %s, 0, %s)" % (
        i, lit(v), "ARRAY[%s::hstore, NULL, '']" % lit(v) if i == 1 else "NULL")
        for i, v in VALUES.items()]]


@pytest.mark.parametrize("binary", ["false", "true"])
def test_map_avro(db, broker, registry, run, tmp_path, binary):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, hstore_handling_mode="map",
                                 pgoutput_binary=binary))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, insert_rows())
    dec = AvroDecoder(registry)
    recs = records(broker, ["tw.public.kv"], 3, dec.decode)
    assert runner.proc.poll() is None, runner.output()
    got = {r[1]["id"]: r[2]["after"]["h"] for r in recs}
    assert got == expected(db)
    # hstore[]: an array of (optional) maps; its second element is NULL.
    assert {r[1]["id"]: r[2]["after"]["hs"] for r in recs} == {
        1: [expected(db)[1], None, {}], 2: None, 3: None}
    first = consume(broker.bootstrap_servers, ["tw.public.kv"], expect=1)[0]
    value = dec.schema(dec.schema_id(first.value())).to_json()
    row = [t for t in value["fields"][0]["type"] if t != "null"][0]
    h = [f for f in row["fields"] if f["name"] == "h"][0]["type"]
    assert h == ["null", {"type": "map", "values": ["null", "string"]}]
    assert runner.stop() == 0


def test_json_default(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, insert_rows())
    recs = records(broker, ["tw.public.kv"], 3, json.loads)
    got = {r[1]["id"]: r[2]["after"]["h"] for r in recs}
    want = expected(db)
    assert {k: None if v is None else json.loads(v) for k, v in got.items()} == want
    assert got[2] == "{}"
    # Compact, keys in HashMap order: "a" (bucket 1) before "b" (2).
    assert got[1].startswith('{"a":"1","b":null,')
    assert runner.stop() == 0


@pytest.mark.parametrize("mode", ["map", "json"])
def test_unchanged_toast(db, broker, registry, run, tmp_path, mode):
    """An unchanged TOASTed hstore: Debezium's placeholder map
    {placeholder: placeholder}."""
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 hstore_handling_mode=mode))
    wait_for(lambda: slot_active(db), what="the slot")
    big = ", ".join('"k%d"=>"%s"' % (i, "v" * 50 + str(i)) for i in range(400))
    run_sql(db, [["ALTER TABLE kv ALTER COLUMN h SET STORAGE EXTERNAL",
                  "INSERT INTO kv VALUES (1, '%s', 0)" % big],
                 ["UPDATE kv SET n = 1 WHERE id = 1"]])
    recs = records(broker, ["tw.public.kv"], 2, json.loads)
    h = recs[1][2]["after"]["h"]
    p = "__debezium_unavailable_value"
    assert (json.loads(h) if mode == "json" else h) == {p: p}
    assert len(json.loads(recs[0][2]["after"]["h"]) if mode == "json"
               else recs[0][2]["after"]["h"]) == 400
    assert runner.stop() == 0
