"""Bad input to `tidewater run`: each stops with a message that names the
problem and the fix, and loses nothing."""
import os
import subprocess
import uuid

from conftest import OUTBOX_DDL, assert_held_before, outbox_config
from helpers import slot_active, wait_for
from kafkacheck import consume, headers, topics


def run_once(tidewater_bin, cfg, env=None, timeout=60):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([tidewater_bin, "run", cfg], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, env=e)


TEXT_OUTBOX = OUTBOX_DDL.replace("payload jsonb", "payload text")


def test_malformed_json_payload_with_expand_stops(db, broker, registry, run, tmp_path):
    db.sql(TEXT_OUTBOX)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               transforms_outbox_table_expand_json_payload="true"))
    wait_for(lambda: slot_active(db), what="slot active")
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a', 'E', '{\"broken\": ')", (eid,))
    after = db.insert_lsn()
    assert runner.proc.wait(timeout=30) == 1
    out = runner.output()
    assert "event %s: payload is not valid JSON" % eid in out
    assert "table.expand.json.payload=true needs JSON payloads" in out
    assert_held_before(db, after)


def test_malformed_json_payload_goes_to_dlq_when_tolerated(db, broker, registry, run, tmp_path):
    db.sql(TEXT_OUTBOX)
    run(outbox_config(db, broker, registry, tmp_path,
                      transforms_outbox_table_expand_json_payload="true",
                      errors_tolerance="all", errors_deadletterqueue_topic_name="dlq"))
    wait_for(lambda: slot_active(db), what="slot active")
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a', 'E', 'not json')", (eid,))
    wait_for(lambda: "dlq" in topics(broker.bootstrap_servers), what="the DLQ topic")
    m = consume(broker.bootstrap_servers, ["dlq"], expect=1)[0]
    h = headers(m)
    assert h["tidewater.event.id"] == eid
    assert h["tidewater.error.kind"] == "routing"
    assert "not a JSON object or array" in h["tidewater.error.message"]


def test_payload_over_message_max_bytes(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               producer_message_max_bytes="2000"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a', 'E', %s)",
           (str(uuid.uuid4()), '{"blob": "%s"}' % ("x" * 5000)))
    assert runner.proc.wait(timeout=30) == 1
    out = runner.output()
    assert "over message.max.bytes=2000" in out
    assert "producer.message.max.bytes" in out


def test_missing_outbox_column_is_a_startup_error(db, broker, registry, tidewater_bin, tmp_path):
    db.sql("CREATE TABLE outbox (id uuid PRIMARY KEY, aggregateid text, type text, "
           "payload jsonb)")
    res = run_once(tidewater_bin, outbox_config(db, broker, registry, tmp_path))
    assert res.returncode == 1
    assert 'outbox table public.outbox has no column "aggregatetype"' in res.stdout
    assert "transforms.outbox.route.by.field" in res.stdout


def test_config_errors(db, broker, registry, tidewater_bin, tmp_path):
    cfg = outbox_config(db, broker, registry, tmp_path, transforms_outbox_route_by_feild="x")
    res = run_once(tidewater_bin, cfg)
    assert res.returncode == 2
    assert 'did you mean "transforms.outbox.route.by.field"?' in res.stdout
    cfg = outbox_config(db, broker, registry, tmp_path, database_password="${env:TW_NOPE_UNSET}")
    res = run_once(tidewater_bin, cfg)
    assert res.returncode == 2 and "TW_NOPE_UNSET is not set" in res.stdout
    cfg = outbox_config(db, broker, registry, tmp_path, bootstrap_servers=None)
    res = run_once(tidewater_bin, cfg)
    assert res.returncode == 2 and "bootstrap.servers is required" in res.stdout
    cfg = outbox_config(db, broker, registry, tmp_path, producer_enable_idempotence="false")
    res = run_once(tidewater_bin, cfg)
    assert res.returncode == 2 and "producer.enable.idempotence=false is refused" in res.stdout
    cfg = outbox_config(db, broker, registry, tmp_path, value_converter_schema_registry_url=None)
    res = run_once(tidewater_bin, cfg)
    assert res.returncode == 2
    assert "value.converter.schema.registry.url is required" in res.stdout


def test_secrets_never_logged(db, broker, registry, run, tmp_path, registry_script):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path, log_level="debug",
                               database_password="Pg-S3cret-Value",
                               value_converter_basic_auth_user_info="u:Reg-S3cret-Value",
                               producer_sasl_password="Kafka-S3cret-Value"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a', 'E', '{}')", (str(uuid.uuid4()),))
    wait_for(lambda: "outbox.event.A" in topics(broker.bootstrap_servers), what="a record")
    runner.stop()
    out = runner.output()
    for secret in ("Pg-S3cret-Value", "Reg-S3cret-Value", "Kafka-S3cret-Value"):
        assert secret not in out


def test_registry_password_in_url_never_shown(db, broker, registry, tidewater_bin, tmp_path):
    """basic.auth.credentials.source=URL puts the password in the URL; the
    'did not answer' error names the registry without it."""
    from pgcluster import free_port
    db.sql(OUTBOX_DDL)
    url = "http://user:Url-S3cret-Value@127.0.0.1:%d" % free_port()
    cfg = outbox_config(db, broker, registry, tmp_path,
                        key_converter_schema_registry_url=url,
                        key_converter_basic_auth_credentials_source="URL",
                        value_converter_schema_registry_url=url,
                        value_converter_basic_auth_credentials_source="URL")
    res = subprocess.run([tidewater_bin, "check", cfg], capture_output=True, text=True,
                         timeout=120)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "http://127.0.0.1:" in out, out
    assert "Url-S3cret-Value" not in out


def test_timestamp_beyond_micros_since_1970_is_a_record_error(db, broker, registry, run,
                                                              tmp_path):
    """PostgreSQL's timestamps go to 294276 AD; int64 microseconds since 1970
    (io.debezium.time.MicroTimestamp) end in 294247. Such a value is the
    record's problem (dead-letter topic here), not a stalled stream: the
    next event still arrives."""
    db.sql(OUTBOX_DDL.replace("payload jsonb", "payload jsonb, at timestamp"))
    run(outbox_config(db, broker, registry, tmp_path,
                      transforms_outbox_table_fields_additional_placement="at:envelope",
                      errors_tolerance="all", errors_deadletterqueue_topic_name="dlq"))
    wait_for(lambda: slot_active(db), what="slot active")
    far, near = str(uuid.uuid4()), str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a', 'E', '{}', "
           "'294276-12-31 23:59:59.999999')", (far,))
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a', 'E', '{}', '2024-02-29 12:00:00')", (near,))
    wait_for(lambda: "dlq" in topics(broker.bootstrap_servers), what="the DLQ topic")
    h = headers(consume(broker.bootstrap_servers, ["dlq"], expect=1)[0])
    assert h["tidewater.event.id"] == far
    assert "294247-01-10 04:00:54.775807" in h["tidewater.error.message"]
    assert "MicroTimestamp" in h["tidewater.error.message"]
    m = consume(broker.bootstrap_servers, ["outbox.event.A"], expect=1)
    assert [headers(x)["id"] for x in m] == [near]
