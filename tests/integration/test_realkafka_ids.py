"""The test harness's Kafka cluster ids: one CI run failed because a random
id began with '-' and Kafka's storage tool read it as an option."""
import os
import uuid

import pytest

import realkafka


def test_random_cluster_id_never_starts_with_a_dash(monkeypatch):
    # 0xf8 encodes to '-' as the first URL-safe base64 character.
    dashed = uuid.UUID(bytes=b"\xf8" + b"\x01" * 15)
    plain = uuid.UUID(bytes=b"\x10" + b"\x02" * 15)
    draws = iter([dashed, dashed, plain])
    monkeypatch.setattr(realkafka.uuid, "uuid4", lambda: next(draws))
    cid = realkafka.random_cluster_id()
    assert not cid.startswith("-")
    assert len(cid) == 22
    assert realkafka.base64.urlsafe_b64decode(cid + "==") == plain.bytes


@pytest.mark.realkafka_only
def test_storage_tool_formats_a_node_whose_id_starts_with_a_dash(tmp_path):
    # Ids from elsewhere (a restored cluster.json) may still start with '-':
    # the format command must pass them as one --cluster-id=... argument.
    cluster = realkafka.KafkaCluster(str(tmp_path / "kafka"))
    cluster.lib = realkafka.kafka_lib()
    cluster._load_or_create_state()
    cluster.state["cluster_id"] = "-" + cluster.state["cluster_id"][1:]
    cluster._format(cluster.node_ids())
    props = os.path.join(cluster.node_dir(1), "data", "meta.properties")
    with open(props) as f:
        assert "cluster.id=%s" % cluster.state["cluster_id"] in f.read()
