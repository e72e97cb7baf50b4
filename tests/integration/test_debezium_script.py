"""scripts/debezium: starts Kafka and Kafka Connect with a connector file,
leaves PID files, and stops both by them."""
import json
import os
import subprocess
import urllib.request

from debezium_side import require_debezium
from realkafka import pid_alive

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "debezium")


def test_start_status_stop(db, tmp_path):
    require_debezium()
    db.sql("CREATE TABLE outbox (id uuid PRIMARY KEY, aggregatetype text NOT NULL, "
           "aggregateid text NOT NULL, type text NOT NULL, payload jsonb)")
    conn = tmp_path / "c.properties"
    conn.write_text("\n".join([
        "name=script-test",
        "connector.class=io.debezium.connector.postgresql.PostgresConnector",
        "topic.prefix=script",
        "plugin.name=pgoutput",
        "database.hostname=127.0.0.1",
        "database.port=%d" % db.pg.port,
        "database.user=%s" % db.pg.superuser,
        "database.dbname=%s" % db.name,
        "slot.name=%s" % db.slot,
        "publication.name=%s" % db.publication,
        "publication.autocreate.mode=filtered",
        "table.include.list=public\\\\.outbox",
        "snapshot.mode=no_data",
        "transforms=outbox",
        "transforms.outbox.type=io.debezium.transforms.outbox.EventRouter",
    ]) + "\n")
    run = tmp_path / "run"
    out = subprocess.run([SCRIPT, "start", str(run), str(conn)], capture_output=True,
                         text=True, timeout=300)
    pids = []
    try:
        assert out.returncode == 0, out.stderr
        for path in (run / "connect.pid", run / "kafka" / "node1" / "kafka.pid"):
            pids.append(int(path.read_text()))
        assert all(pid_alive(p) for p in pids)
        rest = [line.split("=", 1)[1] for line in out.stdout.splitlines()
                if line.startswith("rest=")][0]
        assert rest.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(rest + "/connectors/script-test/status", timeout=10) as r:
            status = json.loads(r.read())
        assert status["connector"]["state"] == "RUNNING"
        assert [t["state"] for t in status["tasks"]] == ["RUNNING"]
        assert "ran connector script-test in" in out.stderr
    finally:
        stop = subprocess.run([SCRIPT, "stop", str(run)], capture_output=True, text=True,
                              timeout=120)
    assert stop.returncode == 0, stop.stderr
    assert "connect (pid" in stop.stderr and "kafka (pid" in stop.stderr
    assert not any(pid_alive(p) for p in pids)
    assert not (run / "connect.pid").exists()
