"""The bytea outbox against Debezium itself: Debezium 3.6.1.Final in Kafka
Connect 4.3.0 and tidewater read the same rows with the same configuration,
value.converter Kafka's ByteArrayConverter and Debezium's
BinaryDataConverter (with a JsonConverter delegate, as Debezium's outbox
page shows), and must write the same records: keys, values byte for byte,
the id header, tombstones. With a jsonb payload ByteArrayConverter fails
Debezium's task; tidewater stops naming the converter."""
import os
import subprocess
import time
import uuid

import pytest

from debezium_peer import DebeziumConnect, DebeziumUnavailable, fetch, write_properties
from helpers import wait_for
from kafkacheck import consume, headers, topics
from realkafka import KafkaCluster

BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"
BINARY = "io.debezium.converters.BinaryDataConverter"
# name: (table, route prefix, value converter settings)
CONFIGS = {
    "bytes": ("outbox_b", "b", {"value.converter": BYTES}),
    "binary": ("outbox_b", "bd", {
        "value.converter": BINARY,
        "value.converter.delegate.converter.type": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.delegate.converter.type.schemas.enable": "false"}),
    "binaryjson": ("outbox_j", "bj", {
        "value.converter": BINARY,
        "value.converter.delegate.converter.type": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.delegate.converter.type.schemas.enable": "false"}),
    "refused": ("outbox_j", "r", {"value.converter": BYTES}),
}
PAYLOADS = [b"", bytes(range(256)), b"\x00\x00\x00\x00\x01\x02avro", os.urandom(3000), None]


def connector(db, name, side):
    table, route, conv = CONFIGS[name]
    props = {
        "name": "%s-%s" % (side, name),
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "plugin.name": "pgoutput", "topic.prefix": "%s%s" % (side, name),
        "database.hostname": "127.0.0.1", "database.port": str(db.pg.port),
        "database.user": db.pg.superuser, "database.dbname": db.name,
        "slot.name": "%s_%s_%s" % (db.name, side, name),
        "publication.name": "%s_%s_%s" % (db.name, side, name),
        "publication.autocreate.mode": "filtered",
        "table.include.list": "public\\." + table, "snapshot.mode": "no_data",
        "transforms": "outbox",
        "transforms.outbox.type": "io.debezium.transforms.outbox.EventRouter",
        "transforms.outbox.route.topic.replacement": route + ".${routedByValue}",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
    }
    props.update(conv)
    return props


def slot_names(db):
    return ["%s_%s_%s" % (db.name, side, n) for side in ("dbz", "tw") for n in CONFIGS]


def records(bootstrap, topic, n):
    return [(m.key(), m.value(), headers(m)["id"])
            for m in consume(bootstrap, [topic], expect=n, timeout=60)]


def test_bytea_outbox_same_as_debezium(db, broker, tidewater_bin, tmp_path):
    try:
        lib = fetch("connect")
        fetch("kafka")
    except DebeziumUnavailable as e:
        if os.environ.get("CI"):
            raise
        pytest.skip("Debezium cannot be fetched: %s" % e)
    for t, payload in (("outbox_b", "bytea"), ("outbox_j", "jsonb")):
        db.sql("CREATE TABLE %s (id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL, "
               "aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL, payload %s)"
               % (t, payload))
    kafka = KafkaCluster(str(tmp_path / "kafka")).start()
    dbz = tws = None
    try:
        files = [write_properties(str(tmp_path / ("dbz-%s.properties" % n)),
                                  connector(db, n, "dbz")) for n in CONFIGS]
        dbz = DebeziumConnect(lib, tmp_path / "connect",
                              {"bootstrap.servers": kafka.bootstrap_servers,
                               # The worker's defaults; each connector sets its own.
                               "key.converter": "org.apache.kafka.connect.json.JsonConverter",
                               "value.converter": "org.apache.kafka.connect.json.JsonConverter"},
                              files[0],
                              extra_connectors=files[1:]).start()
        tws = {}
        for n in CONFIGS:
            props = connector(db, n, "tw")
            props.update({"bootstrap.servers": broker.bootstrap_servers,
                          "offset.storage.file.filename": str(tmp_path / ("tw-%s.off" % n)),
                          "state.dir": str(tmp_path / ("tw-%s" % n)),
                          "status.update.interval.ms": "500", "producer.linger.ms": "5"})
            cfg = write_properties(str(tmp_path / ("tw-%s.properties" % n)), props)
            log = open(str(tmp_path / ("tw-%s.log" % n)), "w")
            tws[n] = (subprocess.Popen([tidewater_bin, "run", cfg], stdout=log,
                                       stderr=subprocess.STDOUT), log)
        wait_for(lambda: len(db.pg.sql(
            "SELECT 1 FROM pg_replication_slots WHERE active AND slot_name = ANY(%s)",
            (slot_names(db),))) == 2 * len(CONFIGS), what="all slots active", timeout=120)
        ids = []
        for p in PAYLOADS:
            eid = str(uuid.uuid4())
            ids.append(eid)
            db.sql("INSERT INTO outbox_b VALUES (%s, 'Order', 'o-1', 'T', %s)", (eid, p))
        jid = str(uuid.uuid4())
        db.sql("INSERT INTO outbox_j VALUES (%s, 'Order', 'o-2', 'T', '{\"n\": [1, 2]}')",
               (jid,))
        for name in ("bytes", "binary"):
            route = CONFIGS[name][1] + ".Order"
            wait_for(lambda: route in topics(kafka.bootstrap_servers)
                     and route in topics(broker.bootstrap_servers), what=route, timeout=90)
            d = records(kafka.bootstrap_servers, route, len(PAYLOADS))
            t = records(broker.bootstrap_servers, route, len(PAYLOADS))
            assert [r[2] for r in d] == ids, name
            assert t == d, name
            assert [r[1] for r in t] == PAYLOADS, name
        # Not bytea: BinaryDataConverter's delegate writes it on both sides.
        wait_for(lambda: "bj.Order" in topics(kafka.bootstrap_servers)
                 and "bj.Order" in topics(broker.bootstrap_servers), what="bj.Order",
                 timeout=90)
        assert records(broker.bootstrap_servers, "bj.Order", 1) == \
            records(kafka.bootstrap_servers, "bj.Order", 1)
        # ByteArrayConverter and a jsonb payload: Debezium's task fails,
        # tidewater stops; neither writes the record.
        def failed():
            st = dbz.status("dbz-refused") or {}
            return any(t["state"] == "FAILED" for t in st.get("tasks", []))
        wait_for(failed, what="Debezium's refused task to fail", timeout=60)
        trace = dbz.status("dbz-refused")["tasks"][0]["trace"]
        assert "ByteArrayConverter" in trace, trace
        proc, log = tws["refused"]
        wait_for(lambda: proc.poll() is not None, what="tidewater to stop", timeout=60)
        log.flush()
        out = open(log.name).read()
        assert proc.returncode != 0, out
        assert "ByteArrayConverter writes bytea (BYTES) only" in out, out
        for bootstrap in (kafka.bootstrap_servers, broker.bootstrap_servers):
            assert "r.Order" not in topics(bootstrap) or \
                consume(bootstrap, ["r.Order"], timeout=3) == []
    finally:
        for proc, log in (tws or {}).values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)
            log.close()
        if dbz:
            dbz.stop()
        kafka.stop()
        time.sleep(0.5)
        db.pg.sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                  "WHERE NOT active AND slot_name = ANY(%s)", (slot_names(db),))
