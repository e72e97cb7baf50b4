"""PostgreSQL over TLS: a cluster with ssl=on and a certificate this module
makes with openssl (for the host name "localhost" only), a user who may
connect only over TLS with a password. tidewater with
database.sslmode=verify-full and database.sslrootcert must stream; a host
name the certificate does not name, or the wrong CA, must stop it with an
error naming the problem; the password never appears in its output."""
import os
import pwd
import shutil
import uuid

import pytest

from pgcluster import PgCluster
from tlscerts import CertAuthority

USER = "tw_tls"
PASSWORD = "pgpw-%s" % uuid.uuid4().hex


@pytest.fixture(scope="module")
def tls_pg(tmp_path_factory):
    base = tmp_path_factory.mktemp("pg-tls")
    ca = CertAuthority(base / "ca")
    server = ca.issue("pg-server", ["localhost"])
    other = CertAuthority(base / "other-ca", name="some other CA")
    cluster = PgCluster(str(base / "pg"), settings={
        "ssl": "on", "ssl_cert_file": "'server.crt'", "ssl_key_file": "'server.key'"}).init()
    for src, name in ((server.cert, "server.crt"), (server.key, "server.key")):
        dst = os.path.join(cluster.datadir, name)
        shutil.copy(src, dst)
        os.chmod(dst, 0o600)
        if cluster.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(dst, pw.pw_uid, pw.pw_gid)
    # USER only over TLS, with a password; everyone else as initdb left it.
    hba = os.path.join(cluster.datadir, "pg_hba.conf")
    with open(hba) as f:
        old = f.read()
    rules = []
    for net in ("127.0.0.1/32", "::1/128"):
        for db in ("all", "replication"):
            rules.append("hostnossl %s %s %s reject" % (db, USER, net))
            rules.append("hostssl %s %s %s scram-sha-256" % (db, USER, net))
    with open(hba, "w") as f:
        f.write("\n".join(rules) + "\n" + old)
    cluster.start()
    cluster.sql("CREATE ROLE %s LOGIN REPLICATION PASSWORD '%s'" % (USER, PASSWORD))
    cluster.sql("CREATE DATABASE tlsdb OWNER %s" % USER)
    conn = cluster.connect("tlsdb")
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        cur.execute("ALTER TABLE t OWNER TO %s" % USER)
    conn.close()
    cluster.ca, cluster.other_ca = ca, other
    yield cluster
    cluster.destroy()


def config(tls_pg, tmp_path, **overrides):
    props = {
        "name": "tls-" + uuid.uuid4().hex[:8],
        "topic.prefix": "tw",
        "database.hostname": "localhost",
        "database.port": str(tls_pg.port),
        "database.user": USER,
        "database.password": PASSWORD,
        "database.dbname": "tlsdb",
        "slot.name": "slot_" + uuid.uuid4().hex[:8],
        "publication.name": "pub_tls",
        "publication.autocreate.mode": "filtered",
        "table.include.list": "public.t",
        "database.sslmode": "verify-full",
        "database.sslrootcert": tls_pg.ca.cert,
    }
    props.update(overrides)
    path = tmp_path / "tls.properties"
    path.write_text("".join("%s=%s\n" % kv for kv in props.items()))
    return str(path)


def insert_lsn(tls_pg):
    return tls_pg.sql("SELECT pg_current_wal_insert_lsn()")[0][0]


def drop_slot(tls_pg, cfg):
    slot = [line.split("=", 1)[1] for line in open(cfg).read().splitlines()
            if line.startswith("slot.name=")][0]
    tls_pg.sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
               "WHERE slot_name = %s", (slot,))


def test_verify_full_streams_and_uses_tls(tls_pg, tail, tmp_path):
    cfg = config(tls_pg, tmp_path)
    try:
        first = tail(cfg, endpos=insert_lsn(tls_pg))  # creates the slot
        assert first.returncode == 0, first.stderr
        tls_pg.sql("INSERT INTO t VALUES (1, 'over tls')",
                   dbname="tlsdb")
        res = tail(cfg, endpos=insert_lsn(tls_pg))
        assert res.returncode == 0, res.stderr
        assert [e["after"]["v"] for e in res.rows("t", "c")] == ["over tls"]
        for text in (first.stdout, first.stderr, res.stdout, res.stderr):
            assert PASSWORD not in text
    finally:
        drop_slot(tls_pg, cfg)


def test_tls_is_required_for_this_user(tls_pg, tail, tmp_path):
    """The server refuses the user without TLS, so the test above did use it."""
    res = tail(config(tls_pg, tmp_path, **{"database.sslmode": "disable"}), timeout=60)
    assert res.returncode != 0
    assert "no encryption" in res.stderr, res.stderr
    assert PASSWORD not in res.stderr + res.stdout


def test_host_name_mismatch_stops_with_clear_error(tls_pg, tail, tmp_path):
    res = tail(config(tls_pg, tmp_path, **{"database.hostname": "127.0.0.1"}), timeout=60)
    assert res.returncode != 0
    assert 'does not match host name "127.0.0.1"' in res.stderr, res.stderr
    assert PASSWORD not in res.stderr + res.stdout


def test_wrong_ca_stops_with_clear_error(tls_pg, tail, tmp_path):
    res = tail(config(tls_pg, tmp_path, **{"database.sslrootcert": tls_pg.other_ca.cert}),
               timeout=60)
    assert res.returncode != 0
    assert "certificate verify failed" in res.stderr, res.stderr
    assert PASSWORD not in res.stderr + res.stdout


def test_wrong_password_is_not_logged(tls_pg, tail, tmp_path):
    wrong = "wrong-" + PASSWORD[::-1]
    res = tail(config(tls_pg, tmp_path, **{"database.password": wrong}), timeout=60)
    assert res.returncode != 0
    assert "password authentication failed" in res.stderr, res.stderr
    assert wrong not in res.stderr + res.stdout
    assert PASSWORD not in res.stderr + res.stdout
