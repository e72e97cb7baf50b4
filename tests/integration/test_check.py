"""`tidewater check` reports every dependency, one line each, and changes
nothing."""
import subprocess

import pytest

from conftest import OUTBOX_DDL, outbox_config
from pgcluster import free_port


def check(tidewater_bin, cfg):
    res = subprocess.run([tidewater_bin, "check", cfg], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=120)
    lines = {}
    for line in res.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("ok", "FAIL"):
            lines.setdefault(parts[1], []).append((parts[0], parts[2]))
    return res.returncode, lines, res.stdout


def test_all_good(db, broker, registry, tidewater_bin, tmp_path):
    db.sql(OUTBOX_DDL)
    rc, lines, out = check(tidewater_bin, outbox_config(db, broker, registry, tmp_path))
    assert rc == 0, out
    for what in ("config", "postgres", "wal_level", "privilege", "publication", "slot",
                 "outbox", "replication", "kafka", "registry"):
        assert all(s == "ok" for s, _ in lines[what]), out
    assert "all checks passed" in out
    # Nothing was created.
    assert db.pg.sql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s",
                     (db.slot,))[0][0] == 0
    assert db.sql("SELECT count(*) FROM pg_publication")[0][0] == 0


def test_each_broken_dependency_has_a_line(db, broker, registry, tidewater_bin, tmp_path):
    db.sql("CREATE TABLE outbox (id uuid PRIMARY KEY, aggregateid text, type text, "
           "payload jsonb)")
    cfg = outbox_config(db, broker, registry, tmp_path,
                        bootstrap_servers="127.0.0.1:%d" % free_port(),
                        value_converter_schema_registry_url="http://127.0.0.1:%d" % free_port(),
                        value_converter_schema_registry_connect_timeout_ms="500",
                        publication_autocreate_mode="disabled")
    rc, lines, out = check(tidewater_bin, cfg)
    assert rc == 1
    assert lines["outbox"][0][0] == "FAIL" and 'no column "aggregatetype"' in lines["outbox"][0][1]
    assert lines["publication"][0][0] == "FAIL"
    assert "publication.autocreate.mode=disabled" in lines["publication"][0][1]
    assert lines["kafka"][0][0] == "FAIL" and "check bootstrap.servers" in lines["kafka"][0][1]
    reg = dict(lines["registry"])
    assert "FAIL" in reg and "value.converter.schema.registry.url" in reg["FAIL"]
    assert lines["postgres"][0][0] == "ok"


def test_postgres_unreachable_and_registry_auth(db, broker, registry_script, tidewater_bin,
                                                tmp_path):
    from registry import DevRegistry
    with DevRegistry(registry_script, tmp_path, basic_auth="u:right") as reg:
        cfg = outbox_config(db, broker, reg, tmp_path, database_port=free_port(),
                            value_converter_basic_auth_user_info="u:wrong")
        rc, lines, out = check(tidewater_bin, cfg)
    assert rc == 1
    assert lines["postgres"][0][0] == "FAIL" and "cannot reach PostgreSQL" in lines["postgres"][0][1]
    reg_lines = dict(lines["registry"])
    assert "refused the credentials" in reg_lines["FAIL"]
    assert "wrong" not in out


def test_exactly_once_check_does_not_initialize_transactions(db, broker, registry,
                                                             tidewater_bin, tmp_path):
    """Initializing Kafka transactions fences every other process with the
    same transactional.id, so `check` must not do it: with exactly-once on
    and Kafka unreachable, the pipeline line passes (no transactional
    start-up attempted) and only the kafka line fails, quickly."""
    import time
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, exactly_once_support="required",
                        offset_storage_topic="tw-offsets",
                        bootstrap_servers="127.0.0.1:%d" % free_port())
    t0 = time.time()
    rc, lines, out = check(tidewater_bin, cfg)
    assert time.time() - t0 < 30, out
    assert rc == 1, out
    assert lines["pipeline"][0][0] == "ok", out
    assert lines["exactly-once"][0][0] == "ok", out
    assert "transactional.id tidewater-test-%s" % db.name in lines["exactly-once"][0][1]
    assert lines["kafka"][0][0] == "FAIL", out


def test_unverified_tls_to_a_remote_host_is_warned(db, broker, registry, tidewater_bin,
                                                   tmp_path):
    """database.sslmode defaults to prefer (no certificate check, silent
    plaintext fallback): for a host that is not local, check and run say so,
    naming the key and verify-full. A hosts-file name for 127.0.0.1 stands
    in for a remote server (the rule goes by name, not by address)."""
    import socket
    db.sql(OUTBOX_DDL)
    remote = next((n for n in ("vm", "runsc", socket.gethostname())
                   if n != "localhost" and _resolves_to_loopback(n)), None)
    assert remote, "no name other than localhost resolves to 127.0.0.1 here"
    rc, lines, out = check(tidewater_bin, outbox_config(db, broker, registry, tmp_path,
                                                        database_hostname=remote,
                                                        database_sslmode="disable"))
    warn = [line for line in out.splitlines() if line.startswith("WARN")]
    assert len(warn) == 1, out
    assert "tls" in warn[0] and "database.sslmode=disable" in warn[0]
    assert "verify-full" in warn[0] and remote in warn[0]
    assert rc == 0, out  # a warning, not a failure
    for host, mode in (("127.0.0.1", "prefer"), ("localhost", "require"),
                       (remote, "verify-full")):
        cfg = outbox_config(db, broker, registry, tmp_path, database_hostname=host,
                            database_sslmode=mode)
        out = check(tidewater_bin, cfg)[2]
        assert "WARN" not in out, (host, mode, out)


def _resolves_to_loopback(name):
    import socket
    try:
        return socket.gethostbyname(name) == "127.0.0.1"
    except OSError:
        return False


def test_registry_over_https_with_an_untrusted_ca_or_wrong_password(db, broker, registry_script,
                                                                    tidewater_bin, tmp_path):
    """The registry over TLS with basic auth (dev-registry --tls-cert
    --basic-auth): the right CA and password pass; a CA that did not sign
    its certificate, or a wrong password, fail naming the problem, and no
    password is printed."""
    from registry import DevRegistry
    from tlscerts import CertAuthority
    ca = CertAuthority(tmp_path / "ca")
    other = CertAuthority(tmp_path / "other-ca", name="some other CA")
    server = ca.issue("registry", ["127.0.0.1"])
    db.sql(OUTBOX_DDL)
    with DevRegistry(registry_script, tmp_path, tls=(server.cert, server.key),
                     basic_auth="app:s3cret-right") as reg:
        def run_check(cafile, password):
            return check(tidewater_bin, outbox_config(
                db, broker, reg, tmp_path,
                key_converter_schema_registry_ssl_ca_location=cafile,
                value_converter_schema_registry_ssl_ca_location=cafile,
                key_converter_basic_auth_user_info="app:" + password,
                value_converter_basic_auth_user_info="app:" + password))
        rc, lines, out = run_check(ca.cert, "s3cret-right")
        assert rc == 0, out
        rc, lines, out = run_check(other.cert, "s3cret-right")
        assert rc == 1, out
        fail = dict(lines["registry"])["FAIL"]
        assert "certificate" in fail and "ssl.ca.location" in fail, out
        assert "s3cret" not in out
        rc, lines, out = run_check(ca.cert, "s3cret-wrong")
        assert rc == 1, out
        assert "refused the credentials" in dict(lines["registry"])["FAIL"], out
        assert "s3cret" not in out


@pytest.mark.parametrize("command", [["run"], ["check"], ["tail"], ["schemas", "asyncapi"],
                                     ["offsets", "show"]])
def test_bad_column_rule_stops_every_command_at_load(tidewater_bin, tmp_path, command):
    """Column rules belong to the transforms, above the config module, yet
    every command that loads a connector file refuses a bad one before it
    connects anywhere (nothing listens on the configured port)."""
    cfg = tmp_path / "connector.properties"
    cfg.write_text("topic.prefix=t\ndatabase.user=u\ndatabase.dbname=d\n"
                   "database.hostname=127.0.0.1\ndatabase.port=%d\n"
                   "bootstrap.servers=127.0.0.1:%d\nstate.dir=%s\n"
                   "column.truncate.to.0.chars=public\\.t\\.c\n"
                   % (free_port(), free_port(), tmp_path))
    res = subprocess.run([tidewater_bin] + command + [str(cfg)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=60)
    assert res.returncode in (1, 2), res.stdout
    assert ("column.truncate.to.0.chars: the number of characters must be a positive "
            "integer") in res.stdout
    assert "connect" not in res.stdout.lower(), res.stdout
