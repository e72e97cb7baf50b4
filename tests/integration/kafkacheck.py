"""Independent checks of what tidewater wrote: consume with
python3-confluent-kafka, decode Avro bodies with python3-avro using the
schema fetched from the registry by id, and compute Java's murmur2
partitioning — none of it shares code with tidewater."""
import io
import json
import struct
import time
import uuid

import avro.io
import avro.schema
from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException,
                             TopicPartition)
from confluent_kafka.admin import AdminClient

from helpers import lsn_int, wait_for


def murmur2(data):
    """Kafka's Java murmur2 (org.apache.kafka.common.utils.Utils.murmur2)."""
    length = len(data)
    seed = 0x9747B28C
    m = 0x5BD1E995
    r = 24
    h = (seed ^ length) & 0xFFFFFFFF
    length4 = length // 4
    for i in range(length4):
        i4 = i * 4
        k = (data[i4] & 0xFF) + ((data[i4 + 1] & 0xFF) << 8) + \
            ((data[i4 + 2] & 0xFF) << 16) + ((data[i4 + 3] & 0xFF) << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rest = length % 4
    if rest == 3:
        h ^= (data[(length & ~3) + 2] & 0xFF) << 16
    if rest >= 2:
        h ^= (data[(length & ~3) + 1] & 0xFF) << 8
    if rest >= 1:
        h ^= data[length & ~3] & 0xFF
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def java_partition(key_bytes, partitions):
    """DefaultPartitioner for a keyed record: toPositive(murmur2(key)) % n."""
    return (murmur2(key_bytes) & 0x7FFFFFFF) % partitions


class AvroDecoder:
    """Decodes Confluent-framed Avro with schemas fetched from the registry."""

    def __init__(self, registry):
        self.registry = registry
        self.cache = {}

    def schema(self, schema_id):
        if schema_id not in self.cache:
            status, body = self.registry.request("GET", "/schemas/ids/%d" % schema_id)
            assert status == 200, body
            self.cache[schema_id] = avro.schema.parse(body["schema"])
        return self.cache[schema_id]

    def decode(self, data):
        if data is None:
            return None
        assert data[0] == 0, "not Confluent framing (magic byte %r)" % data[0]
        schema_id = struct.unpack(">I", data[1:5])[0]
        reader = avro.io.DatumReader(self.schema(schema_id))
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))

    def schema_id(self, data):
        return struct.unpack(">I", data[1:5])[0]


def topics(bootstrap):
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    return {name: len(t.partitions) for name, t in md.topics.items()}


def consume(bootstrap, topic_names, expect=None, timeout=30, idle=2.0,
            isolation="read_committed"):
    """All records of the topics, read from the beginning of every
    partition (assigned directly: no consumer group, so no rebalances).
    Stops once `expect` records arrived (then waits `idle` more for extras),
    or after `timeout`. isolation="read_uncommitted" also shows records of
    aborted and open Kafka transactions (real Kafka; the dev broker always
    shows them)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "check-" + uuid.uuid4().hex,
                  "enable.auto.commit": False, "enable.partition.eof": False,
                  "isolation.level": isolation})
    md = c.list_topics(timeout=10)
    parts = [TopicPartition(t, p, OFFSET_BEGINNING)
             for t in topic_names if t in md.topics for p in md.topics[t].partitions]
    c.assign(parts)
    out = []
    deadline = time.time() + timeout
    quiet_until = None
    try:
        while time.time() < deadline:
            msg = c.poll(0.2)
            if msg is None:
                if expect is not None and len(out) >= expect:
                    if quiet_until is None:
                        quiet_until = time.time() + idle
                    elif time.time() > quiet_until:
                        break
                continue
            if msg.error():
                if msg.error().code() in (KafkaError._PARTITION_EOF,
                                          KafkaError.UNKNOWN_TOPIC_OR_PART):
                    continue
                raise RuntimeError(msg.error())
            out.append(msg)
    finally:
        c.close()
    # Commit order across partitions is not defined; keep a stable order.
    out.sort(key=lambda m: (m.timestamp()[1], m.topic(), m.partition(), m.offset()))
    return out


def consume_all(bootstrap, topic_names, timeout=600, isolation="read_committed"):
    """Every record of the topics up to their current ends (the high
    watermarks when called), however long the topics are; raises if that
    takes longer than `timeout`."""
    # Partition EOF ends a partition too: on real Kafka the high watermark
    # of a transactional topic counts the last commit marker, a control
    # record no consumer ever receives.
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "check-" + uuid.uuid4().hex,
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "isolation.level": isolation})
    md = c.list_topics(timeout=10)
    ends = {}
    parts = []
    for t in topic_names:
        if t not in md.topics:
            continue
        for p in md.topics[t].partitions:
            low, high = c.get_watermark_offsets(TopicPartition(t, p), timeout=10)
            if high > low:
                ends[(t, p)] = high
                parts.append(TopicPartition(t, p, OFFSET_BEGINNING))
    c.assign(parts)
    out = []
    pending = dict(ends)
    deadline = time.time() + timeout
    try:
        while pending:
            if time.time() > deadline:
                raise RuntimeError("reading %s to its end took over %d s (%d partitions left)"
                                   % (topic_names, timeout, len(pending)))
            msgs = c.consume(1000, 0.5)
            for msg in msgs:
                key = (msg.topic(), msg.partition())
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        pending.pop(key, None)
                        continue
                    raise RuntimeError(msg.error())
                out.append(msg)
                if key in pending and msg.offset() + 1 >= pending[key]:
                    del pending[key]
    finally:
        c.close()
    return out


# Answers a cluster gives while a partition's leader moves (a broker was
# just stopped): ask again.
_LEADER_MOVING = (KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE,
                  KafkaError._TRANSPORT, KafkaError._TIMED_OUT, KafkaError.UNKNOWN_TOPIC_OR_PART)


def _watermarks(bootstrap, topic_names, which, timeout=60):
    deadline = time.time() + timeout
    while True:
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "check-" + uuid.uuid4().hex})
        out = {}
        try:
            md = c.list_topics(timeout=10)
            for t in topic_names:
                if t in md.topics:
                    for p in md.topics[t].partitions:
                        out[(t, p)] = c.get_watermark_offsets(TopicPartition(t, p),
                                                              timeout=10)[which]
            return out
        except KafkaException as e:
            if e.args[0].code() not in _LEADER_MOVING or time.time() > deadline:
                raise
        finally:
            c.close()
        time.sleep(0.5)


def low_watermarks(bootstrap, topic_names):
    """{(topic, partition): first offset still stored}. The dev broker (like
    librdkafka's mock) keeps at most 5 MB or 100,000 batches per partition
    and drops the oldest beyond that, which a checker must not call loss."""
    return _watermarks(bootstrap, topic_names, 0)


def high_watermarks(bootstrap, topic_names):
    """{(topic, partition): the offset the next record will get}."""
    return _watermarks(bootstrap, topic_names, 1)


def headers(msg):
    return {k: (v.decode() if v is not None else None) for k, v in (msg.headers() or [])}


def outbox_ids(broker, topic_names, expect, timeout=60):
    """The id headers of the outbox events on the topics, once the topics
    exist (the Outbox Event Router's id header)."""
    wait_for(lambda: set(topic_names) <= set(topics(broker.bootstrap_servers)),
             timeout=timeout, what="topics %s" % topic_names)
    msgs = consume(broker.bootstrap_servers, topic_names, expect=expect, timeout=timeout)
    return [headers(m)["id"] for m in msgs]


def checkpoints(bootstrap, offsets_topic, key=None):
    """Every checkpoint record tidewater wrote to its offsets topic
    (exactly-once mode), in log order: (key, value dict)."""
    if offsets_topic not in topics(bootstrap):
        return []
    msgs = consume_all(bootstrap, [offsets_topic])
    msgs.sort(key=lambda m: (m.partition(), m.offset()))
    out = []
    for m in msgs:
        k = json.loads(m.key())
        if key is None or k == key:
            out.append((k, json.loads(m.value()) if m.value() is not None else None))
    return out


def _chain(values):
    """The committed checkpoints among values (one run of checkpoints with
    no reset between them), newest first."""
    chain = []
    i = len(values) - 1
    while i >= 0:
        cur = values[i]
        chain.append(cur)
        prev = cur["prev_commit_lsn"]
        i -= 1
        # A non-transactional message's checkpoint may share its commit LSN
        # with the transaction after it (its LSN is where the commit record
        # starts); an attempt at that transaction itself is told apart by
        # ending after the checkpoint that follows it begins.
        while i >= 0 and (values[i]["commit_lsn"] != prev or
                          lsn_int(values[i]["end_lsn"]) > lsn_int(cur["commit_lsn"])):
            i -= 1
    return chain


def committed_offsets(records):
    """What a read_committed consumer would see, worked out from checkpoint
    records, for brokers without transaction markers (the dev broker shows
    aborted records too).

    Each checkpoint names the checkpoint its Kafka transaction started from
    (prev_commit_lsn) and the offsets its records got. The committed
    transactions form a chain back from the newest checkpoint; an aborted
    attempt is not on it (the retry that replaced it started from the same
    checkpoint and comes later in the log). Returns a set of
    (topic, partition, offset)."""
    # Reset records (a first start, `tidewater offsets reset`) hold no
    # position and start a new chain: each chain ends at the newest
    # checkpoint before the next reset (tidewater was stopped in between).
    segments = [[]]
    for _, v in records:
        if v is None:
            continue
        if v.get("reset"):
            segments.append([])
        else:
            segments[-1].append(v)
    chain = []
    for values in segments:
        chain.extend(_chain(values))
    out = set()
    for v in chain:
        for r in v["records"]:
            for off in range(r["first"], r["last"] + 1):
                out.add((r["topic"], r["partition"], off))
    return out
