"""Kafka Connect's topic creation (topic.creation.* groups, KIP-158) on the
test's broker: tidewater creates each missing topic with its group's
partitions and topic configs before the first record, and a creation Kafka
refuses stops it with the reason while the slot stays where it was.

Topic partitions and configs are read back with confluent-kafka's
AdminClient, which shares no code with tidewater."""
import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from conftest import OUTBOX_DDL, assert_held_before, outbox_config
from kafkacheck import consume, topics
from test_run_outbox import slot_active, wait_for

JSON = "org.apache.kafka.connect.json.JsonConverter"


def json_config(db, broker, registry, tmp_path, **overrides):
    return outbox_config(db, broker, registry, tmp_path, key_converter=JSON,
                         value_converter=JSON, key_converter_schema_registry_url=None,
                         value_converter_schema_registry_url=None, **overrides)


def partitions(bootstrap, topic):
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=10)
    t = md.topics.get(topic)
    return None if t is None or t.error is not None else len(t.partitions)


def topic_config(bootstrap, topic, name):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
    for future in futures.values():
        return future.result(timeout=10)[name].value


# The dev broker (librdkafka's mock cluster) creates a topic on any metadata
# request, whatever the client asks, so only real Kafka can show this.
@pytest.mark.realkafka_only
def test_missing_topics_are_created_with_their_groups_settings(db, broker, registry, run,
                                                               tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(json_config(
        db, broker, registry, tmp_path,
        topic_creation_default_replication_factor="1",
        topic_creation_default_partitions="3",
        topic_creation_groups="compacted",
        topic_creation_compacted_include=r"outbox\\.event\\.Cust.*",
        topic_creation_compacted_exclude=r".*Skip",
        topic_creation_compacted_partitions="2",
        topic_creation_compacted_cleanup_policy="compact"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES "
           "('Order', 'o1', 'Created', '{}'), ('Customer', 'c1', 'Created', '{}'), "
           "('CustomerSkip', 'c2', 'Created', '{}')")
    names = ["outbox.event.Order", "outbox.event.Customer", "outbox.event.CustomerSkip"]
    wait_for(lambda: set(names) <= set(topics(broker.bootstrap_servers)), what="three topics")
    got = consume(broker.bootstrap_servers, names, expect=3)
    assert len(got) == 3
    bs = broker.bootstrap_servers
    assert partitions(bs, "outbox.event.Order") == 3
    assert partitions(bs, "outbox.event.Customer") == 2
    assert partitions(bs, "outbox.event.CustomerSkip") == 3  # excluded: the default group
    assert topic_config(bs, "outbox.event.Customer", "cleanup.policy") == "compact"
    assert topic_config(bs, "outbox.event.Order", "cleanup.policy") == "delete"
    assert "created topic outbox.event.Customer (topic creation group \"compacted\"" in \
        runner.output()
    assert runner.proc.poll() is None


def test_existing_topic_is_left_as_it_is(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    broker.create_topic("outbox.event.Order", partitions=1)
    runner = run(json_config(db, broker, registry, tmp_path,
                             topic_creation_default_replication_factor="1",
                             topic_creation_default_partitions="5"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES "
           "('Order', 'o1', 'Created', '{}')")
    assert len(consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)) == 1
    assert partitions(broker.bootstrap_servers, "outbox.event.Order") == 1
    assert "created topic" not in runner.output()


@pytest.mark.realkafka_only  # the dev broker accepts any replication factor
def test_refused_creation_stops_and_holds_the_slot(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(json_config(db, broker, registry, tmp_path, errors_tolerance="all",
                             topic_creation_default_replication_factor="3",
                             topic_creation_default_partitions="1"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES "
           "('Order', 'o1', 'Created', '{}')")
    end = db.insert_lsn()
    runner.proc.wait(timeout=60)
    assert runner.proc.returncode != 0
    out = runner.output()
    assert "Kafka refused to create topic outbox.event.Order" in out, out
    assert "topic.creation.default" in out
    assert_held_before(db, end)


@pytest.mark.parametrize("overrides,expected", [
    (dict(topic_creation_groups="g", topic_creation_g_include="x.*",
          topic_creation_g_partitions="2"), "topic.creation.default.replication.factor"),
    (dict(topic_creation_default_replication_factor="1", topic_creation_default_partitions="0"),
     "topic.creation.default.partitions=0: expected a positive integer, or -1"),
    (dict(topic_creation_default_replication_factor="1", topic_creation_default_partitions="1",
          topic_creation_other_partitions="2"),
     'group "other" is not listed in topic.creation.groups'),
    (dict(topic_creation_default_replication_factor="1", topic_creation_default_partitions="1",
          topic_creation_groups="g"), 'group "g" has no topic.creation.g.include'),
    (dict(topic_creation_default_replication_factor="1", topic_creation_default_partitions="1",
          topic_creation_groups="g", topic_creation_g_include="(unclosed"),
     "topic.creation.g.include"),
])
def test_bad_topic_creation_keys_are_refused(db, broker, registry, tidewater_bin, tmp_path,
                                             overrides, expected):
    import subprocess
    path = json_config(db, broker, registry, tmp_path, **overrides)
    r = subprocess.run([tidewater_bin, "check", "--config-only", path], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode != 0
    assert expected in r.stdout + r.stderr, r.stdout + r.stderr


def test_connect_keys_debezium_configs_carry_are_accepted(db, broker, registry, tidewater_bin,
                                                          tmp_path):
    import subprocess
    path = json_config(db, broker, registry, tmp_path,
                       topic_creation_default_replication_factor="-1",
                       topic_creation_default_partitions="-1",
                       errors_retry_timeout="0", errors_retry_delay_max_ms="60000",
                       errors_deadletterqueue_topic_replication_factor="1",
                       header_converter="org.apache.kafka.connect.storage.SimpleHeaderConverter")
    r = subprocess.run([tidewater_bin, "check", "--config-only", path], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
