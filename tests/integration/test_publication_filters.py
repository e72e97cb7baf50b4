"""Publications a user made with PostgreSQL 15's row filters and column
lists. pgoutput then sends only the published columns (Relation messages
describe only them) and only rows the filter passes: an UPDATE that moves a
row into the filter arrives as an INSERT, one that moves it out as a
DELETE. Change events and the outbox router take what pgoutput sends;
tidewater keeps such publications as they are (filtered mode keeps each
table's list and filter when it changes the table set) and refuses at
start an outbox table whose routed columns the publication leaves out."""
import json

import pytest

from helpers import slot_active, wait_for
from kafkacheck import topics
from test_run_envelope import envelope_config, records, run_sql

DDL = """
CREATE TABLE stock (id int PRIMARY KEY, name text, qty int NOT NULL);
ALTER TABLE stock REPLICA IDENTITY FULL;
CREATE TABLE people (id int PRIMARY KEY, name text, secret text, age int);
"""


def pg15(db):
    return int(db.sql("SHOW server_version_num")[0][0]) >= 150000


@pytest.fixture
def filtered_pub(db):
    if not pg15(db):
        pytest.skip("row filters and column lists need PostgreSQL 15")
    db.sql(DDL)
    db.sql("CREATE PUBLICATION %s FOR TABLE stock WHERE (qty > 0), people (id, name, age)"
           % db.publication)


def decode(b):
    return None if b is None else json.loads(b)


def test_change_events(db, broker, registry, run, tmp_path, filtered_pub):
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 publication_autocreate_mode="disabled"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [
        ["INSERT INTO stock VALUES (1, 'a', 5), (2, 'b', 0)",
         "INSERT INTO people VALUES (1, 'Ann', 'pw', 30)"],
        ["UPDATE stock SET qty = 0 WHERE id = 1"],   # leaves the filter: a DELETE
        ["UPDATE stock SET qty = 7 WHERE id = 2"],   # enters it: an INSERT
        ["UPDATE stock SET name = 'bb' WHERE id = 2"],  # stays in: an UPDATE
        ["UPDATE stock SET name = 'x' WHERE id = 1"],   # stays out: nothing
        ["UPDATE people SET secret = 'new', age = 31 WHERE id = 1"],
        ["DELETE FROM people WHERE id = 1"],
    ])
    recs = records(broker, ["tw.public.stock", "tw.public.people"], 9, decode)
    assert runner.proc.poll() is None, runner.output()
    stock = [(r[1], r[2] and r[2]["op"], r[2] and r[2]["before"], r[2] and r[2]["after"])
             for r in recs if r[0] == "tw.public.stock"]
    assert stock == [
        ({"id": 1}, "c", None, {"id": 1, "name": "a", "qty": 5}),
        ({"id": 1}, "d", {"id": 1, "name": "a", "qty": 5}, None),
        ({"id": 1}, None, None, None),  # the delete's tombstone
        ({"id": 2}, "c", None, {"id": 2, "name": "b", "qty": 7}),
        ({"id": 2}, "u", {"id": 2, "name": "b", "qty": 7}, {"id": 2, "name": "bb", "qty": 7}),
    ]
    people = [(r[2] and r[2]["op"], r[2] and r[2]["before"], r[2] and r[2]["after"])
              for r in recs if r[0] == "tw.public.people"]
    # The column list: no "secret", in the schema or the rows.
    assert people == [
        ("c", None, {"id": 1, "name": "Ann", "age": 30}),
        ("u", None, {"id": 1, "name": "Ann", "age": 31}),
        ("d", {"id": 1, "name": None, "age": None}, None),
        (None, None, None),
    ]
    assert runner.stop() == 0


OUTBOX = """
CREATE TABLE outbox (
    id uuid PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL,
    type text NOT NULL, payload jsonb, note text
);
"""


def outbox_config(db, broker, registry, tmp_path, **kw):
    return envelope_config(
        db, broker, registry, tmp_path, avro=False, table_include_list="public\\.outbox",
        transforms="outbox", transforms_outbox_type="io.debezium.transforms.outbox.EventRouter",
        **kw)


def test_outbox_row_filter_and_column_list(db, broker, registry, run, tmp_path):
    if not pg15(db):
        pytest.skip("row filters and column lists need PostgreSQL 15")
    db.sql(OUTBOX)
    # An outbox publication publishes inserts (a row filter on a column
    # outside the replica identity allows no more).
    db.sql("CREATE PUBLICATION %s FOR TABLE outbox (id, aggregatetype, aggregateid, type, "
           "payload) WHERE (aggregatetype <> 'internal') WITH (publish = 'insert')"
           % db.publication)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               publication_autocreate_mode="disabled"))
    wait_for(lambda: slot_active(db), what="the slot")
    ins = ("INSERT INTO outbox VALUES ('00000000-0000-0000-0000-00000000000%d', '%s', 'a', "
           "'T', '{\"n\": %d}', 'note')")
    run_sql(db, [[ins % (1, "Order", 1), ins % (2, "internal", 2), ins % (3, "Order", 3)],
                 ["DELETE FROM outbox"]])
    recs = records(broker, ["outbox.event.Order"], 2, json.loads)
    assert runner.proc.poll() is None, runner.output()
    assert [json.loads(r[2]) for r in recs] == [{"n": 1}, {"n": 3}]
    assert "outbox.event.internal" not in topics(broker.bootstrap_servers)
    assert runner.stop() == 0


def test_outbox_column_list_without_payload_refused(db, broker, registry, run, tmp_path):
    if not pg15(db):
        pytest.skip("row filters and column lists need PostgreSQL 15")
    db.sql(OUTBOX)
    db.sql("CREATE PUBLICATION %s FOR TABLE outbox (id, aggregatetype, aggregateid, type)"
           % db.publication)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               publication_autocreate_mode="disabled"))
    assert runner.proc.wait(timeout=30) != 0
    out = runner.output()
    assert 'publication "%s" publishes only' % db.publication in out, out
    assert "payload" in out


def test_filtered_mode_keeps_lists_and_filters(db, broker, registry, run, tmp_path,
                                               filtered_pub):
    """publication.autocreate.mode=filtered adding a table keeps the
    column lists and row filters of the tables already in it."""
    db.sql("CREATE TABLE extra (id int PRIMARY KEY)")
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 publication_autocreate_mode="filtered"))
    wait_for(lambda: slot_active(db), what="the slot")
    rows = db.sql("SELECT tablename, attnames::text, rowfilter FROM pg_publication_tables "
                  "WHERE pubname = '%s' ORDER BY 1" % db.publication)
    assert rows == [("extra", "{id}", None), ("people", "{id,name,age}", None),
                    ("stock", "{id,name,qty}", "(qty > 0)")]
    assert runner.stop() == 0


def test_outbox_update_entering_the_filter_is_routed(db, broker, registry, run, tmp_path):
    """With updates published (the filter's column in the replica
    identity), an UPDATE moving a row into the filter arrives as an INSERT
    and is routed as a new event, as Debezium's EventRouter would."""
    if not pg15(db):
        pytest.skip("row filters and column lists need PostgreSQL 15")
    db.sql(OUTBOX)
    db.sql("ALTER TABLE outbox REPLICA IDENTITY FULL")
    db.sql("CREATE PUBLICATION %s FOR TABLE outbox WHERE (aggregatetype <> 'internal')"
           % db.publication)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               publication_autocreate_mode="disabled"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO outbox VALUES ('00000000-0000-0000-0000-000000000001', "
                  "'internal', 'a', 'T', '{\"n\": 1}', NULL)"],
                 ["UPDATE outbox SET aggregatetype = 'Order'"]])
    recs = records(broker, ["outbox.event.Order"], 1, json.loads)
    assert runner.proc.poll() is None, runner.output()
    assert [json.loads(r[2]) for r in recs] == [{"n": 1}]
    assert runner.stop() == 0
