"""Change events across ALTER TABLE while tidewater runs (Avro, dev
registry): each new Relation message gives a new value schema, registered
before the first record that uses it; a change the registry refuses under
the subject's compatibility level stops tidewater before anything is
written with it, or sends the record to the dead-letter topic with
errors.tolerance=all."""
import time

from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder, consume, topics
from test_run_envelope import envelope_config, run_sql

TABLE = "CREATE TABLE evo (id int PRIMARY KEY, a text NOT NULL, b int, c text)"
TOPIC = "tw.public.evo"
SUBJECT = TOPIC + "-value"


def value_fields(dec, msg):
    """The Value struct's field names and types in the record's own schema."""
    env = dec.schema(dec.schema_id(msg.value())).to_json()
    value = [t for t in env["fields"][0]["type"] if t != "null"][0]  # before defines it
    return {f["name"]: f["type"] for f in value["fields"]}


def test_add_drop_rename_retype(db, broker, registry, run, tmp_path):
    db.sql(TABLE)
    assert registry.request("PUT", "/config/" + SUBJECT, {"compatibility": "BACKWARD"})[0] == 200
    runner = run(envelope_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [
        ["INSERT INTO evo VALUES (1, 'one', 1, 'c1')"],
        ["ALTER TABLE evo ADD COLUMN d int", "INSERT INTO evo VALUES (2, 'two', 2, 'c2', 2)"],
        ["ALTER TABLE evo DROP COLUMN c", "INSERT INTO evo VALUES (3, 'three', 3, 3)"],
        ["ALTER TABLE evo RENAME COLUMN b TO bb", "INSERT INTO evo VALUES (4, 'four', 4, 4)"],
        ["ALTER TABLE evo ALTER COLUMN bb TYPE bigint",
         "INSERT INTO evo VALUES (5, 'five', 5000000000, 5)"],
        # Within one transaction: the rows before the change keep the old schema.
        ["INSERT INTO evo VALUES (6, 'six', 6, 6)", "ALTER TABLE evo ADD COLUMN e text",
         "INSERT INTO evo VALUES (7, 'seven', 7, 7, 'e7')"],
    ])
    dec = AvroDecoder(registry)
    wait_for(lambda: TOPIC in topics(broker.bootstrap_servers), what="the topic")
    msgs = sorted(consume(broker.bootstrap_servers, [TOPIC], expect=7, timeout=60),
                  key=lambda m: dec.decode(m.key())["id"])
    assert runner.proc.poll() is None, runner.output()
    after = [dec.decode(m.value())["after"] for m in msgs]
    assert after == [
        {"id": 1, "a": "one", "b": 1, "c": "c1"},
        {"id": 2, "a": "two", "b": 2, "c": "c2", "d": 2},
        {"id": 3, "a": "three", "b": 3, "d": 3},
        {"id": 4, "a": "four", "bb": 4, "d": 4},
        {"id": 5, "a": "five", "bb": 5000000000, "d": 5},
        {"id": 6, "a": "six", "bb": 6, "d": 6},
        {"id": 7, "a": "seven", "bb": 7, "d": 7, "e": "e7"},
    ]
    ids = [dec.schema_id(m.value()) for m in msgs]
    assert len(set(ids)) == 6 and ids[4] == ids[5]
    assert value_fields(dec, msgs[3])["bb"] == ["null", "int"]
    assert value_fields(dec, msgs[4])["bb"] == ["null", "long"]
    # Every schema is a registered version of the subject, in order.
    status, versions = registry.request("GET", "/subjects/%s/versions" % SUBJECT)
    assert status == 200 and len(versions) == 6
    registered = [registry.request("GET", "/subjects/%s/versions/%d" % (SUBJECT, v))[1]["id"]
                  for v in versions]
    assert registered == sorted(set(ids), key=ids.index)
    assert runner.stop() == 0


def first_then_drop(db, broker):
    """Row 1 with the first schema (delivered before the change, so its
    NOT NULL column is read from the catalog while it exists), then a DROP
    of that required column and row 2."""
    run_sql(db, [["INSERT INTO evo VALUES (1, 'one', 1, 'c1')"]])
    wait_for(lambda: TOPIC in topics(broker.bootstrap_servers), what="the first record")
    assert len(consume(broker.bootstrap_servers, [TOPIC], expect=1, timeout=30)) == 1
    run_sql(db, [["ALTER TABLE evo DROP COLUMN a", "INSERT INTO evo VALUES (2, 2, 'c2')"]])


def test_refused_change_stops_before_writing(db, broker, registry, run, tmp_path):
    """FULL compatibility: dropping a required column is refused; tidewater
    stops with the registry's reason and writes nothing with the new
    schema; the slot keeps the change for a run after the subject allows it."""
    db.sql(TABLE)
    assert registry.request("PUT", "/config/" + SUBJECT, {"compatibility": "FULL"})[0] == 200
    cfg = envelope_config(db, broker, registry, tmp_path)
    runner = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot")
    first_then_drop(db, broker)
    assert runner.proc.wait(timeout=60) != 0
    out = runner.output()
    assert SUBJECT in out and "incompatible" in out.lower(), out[-3000:]
    dec = AvroDecoder(registry)
    msgs = consume(broker.bootstrap_servers, [TOPIC], expect=1, timeout=20, idle=3.0)
    assert [dec.decode(m.key())["id"] for m in msgs] == [1]
    # With the subject's level relaxed, the refused change is delivered.
    assert registry.request("PUT", "/config/" + SUBJECT, {"compatibility": "NONE"})[0] == 200
    runner = run(cfg)
    wait_for(lambda: len(consume(broker.bootstrap_servers, [TOPIC], expect=2, timeout=5,
                                 idle=1.0)) >= 2, timeout=60, what="the second record")
    msgs = consume(broker.bootstrap_servers, [TOPIC], expect=2, timeout=20, idle=2.0)
    assert sorted(dec.decode(m.key())["id"] for m in msgs) == [1, 2]
    last = [m for m in msgs if dec.decode(m.key())["id"] == 2][0]
    assert dec.decode(last.value())["after"] == {"id": 2, "b": 2, "c": "c2"}
    assert runner.stop() == 0


def test_refused_change_to_dead_letter_topic(db, broker, registry, run, tmp_path):
    db.sql(TABLE)
    assert registry.request("PUT", "/config/" + SUBJECT, {"compatibility": "FULL"})[0] == 200
    runner = run(envelope_config(db, broker, registry, tmp_path, errors_tolerance="all",
                                 errors_deadletterqueue_topic_name="dlq",
                                 errors_deadletterqueue_context_headers_enable="true"))
    wait_for(lambda: slot_active(db), what="the slot")
    first_then_drop(db, broker)
    run_sql(db, [["INSERT INTO evo VALUES (3, 3, 'c3')"]])
    wait_for(lambda: "dlq" in topics(broker.bootstrap_servers), timeout=60, what="the DLQ")
    dlq = consume(broker.bootstrap_servers, ["dlq"], expect=2, timeout=30, idle=3.0)
    assert len(dlq) == 2
    time.sleep(1)
    assert runner.proc.poll() is None, runner.output()
    dec = AvroDecoder(registry)
    msgs = consume(broker.bootstrap_servers, [TOPIC], expect=1, timeout=20, idle=2.0)
    assert [dec.decode(m.key())["id"] for m in msgs] == [1]
    hdrs = dict((k, v) for k, v in (dlq[0].headers() or []))
    assert any(k.startswith("__connect.errors") for k in hdrs), hdrs
    assert runner.stop() == 0
