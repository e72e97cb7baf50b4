"""Bad input and broken dependencies: each must fail with a message that
names the problem and the fix, and exit non-zero."""
import os
import subprocess
import time

import pytest

from helpers import slot_active, wait_for
from pgcluster import PgCluster, free_port


def run_tail(tidewater_bin, cfg, timeout=60):
    return subprocess.run([tidewater_bin, "tail", cfg], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


def assert_fails_with(res, *fragments, code=1):
    assert res.returncode == code, (res.returncode, res.stderr)
    for fragment in fragments:
        assert fragment in res.stderr, "%r not in stderr:\n%s" % (fragment, res.stderr)
    assert res.stdout == ""


@pytest.fixture(scope="module")
def replica_pg(tmp_path_factory):
    """A cluster with wal_level=replica: logical decoding is impossible."""
    cluster = PgCluster(str(tmp_path_factory.mktemp("pg-replica")),
                        settings={"wal_level": "replica"}).init().start()
    yield cluster
    cluster.destroy()


def test_wal_level_not_logical(replica_pg, tidewater_bin, tmp_path):
    cfg = tmp_path / "c.properties"
    cfg.write_text("topic.prefix=t\ndatabase.hostname=127.0.0.1\ndatabase.port=%d\n"
                   "database.user=postgres\ndatabase.dbname=postgres\n" % replica_pg.port)
    assert_fails_with(run_tail(tidewater_bin, str(cfg)), "wal_level=replica",
                      "wal_level=logical", "restart PostgreSQL")


def test_user_without_replication_privilege(db, tidewater_bin):
    db.pg.sql("DO $$BEGIN CREATE ROLE norepl LOGIN; EXCEPTION WHEN duplicate_object THEN "
              "NULL; END$$")
    cfg = db.config(database_user="norepl")
    assert_fails_with(run_tail(tidewater_bin, cfg), 'user "norepl" lacks the REPLICATION',
                      'ALTER ROLE "norepl" WITH REPLICATION')


@pytest.fixture
def password_user(pg):
    """A role that must authenticate with a password over TCP."""
    hba = os.path.join(pg.datadir, "pg_hba.conf")
    with open(hba) as f:
        content = f.read()
    line = ("host all pwuser 127.0.0.1/32 scram-sha-256\n"
            "host replication pwuser 127.0.0.1/32 scram-sha-256\n")
    if line not in content:
        with open(hba, "w") as f:
            f.write(line + content)
    pg.sql("DO $$BEGIN CREATE ROLE pwuser LOGIN REPLICATION SUPERUSER; EXCEPTION WHEN "
           "duplicate_object THEN NULL; END$$")
    pg.sql("SET password_encryption = 'scram-sha-256'; ALTER ROLE pwuser PASSWORD 'right-one'")
    pg.sql("SELECT pg_reload_conf()")
    time.sleep(0.3)
    return "pwuser"


def test_wrong_password(db, tidewater_bin, password_user):
    cfg = db.config(database_user=password_user, database_password="Wr0ngPassw0rd-xyz")
    res = run_tail(tidewater_bin, cfg)
    assert_fails_with(res, "rejected the credentials", "database.password")
    assert "Wr0ngPassw0rd-xyz" not in res.stderr


def test_right_password_from_env_works_and_is_not_logged(db, tidewater_bin, password_user):
    cfg = db.config(database_user=password_user, database_password="${env:TW_TEST_PGPASS}",
                    log_level="debug")
    env = dict(os.environ, TW_TEST_PGPASS="right-one")
    res = subprocess.run([tidewater_bin, "tail", "--endpos", db.insert_lsn(), cfg], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "right-one" not in res.stderr


def test_unreachable_host(db, tidewater_bin):
    cfg = db.config(database_port=free_port(), database_connect_timeout_ms=2000)
    assert_fails_with(run_tail(tidewater_bin, cfg), "cannot reach PostgreSQL",
                      "database.hostname", "Connection refused")


def test_missing_database(db, tidewater_bin):
    cfg = db.config(database_dbname="no_such_db")
    assert_fails_with(run_tail(tidewater_bin, cfg), "database does not exist",
                      "database.dbname")


def test_publication_missing_with_autocreate_disabled(db, tidewater_bin):
    cfg = db.config(publication_autocreate_mode="disabled")
    assert_fails_with(run_tail(tidewater_bin, cfg),
                      'publication "%s" does not exist' % db.publication,
                      "publication.autocreate.mode")


def test_filtered_mode_with_no_matching_table(db, tidewater_bin):
    cfg = db.config(publication_autocreate_mode="filtered", table_include_list="public.nope")
    assert_fails_with(run_tail(tidewater_bin, cfg), "no table matches", "public.nope")


def test_filtered_mode_cannot_narrow_a_for_all_tables_publication(db, tidewater_bin):
    db.sql("CREATE TABLE narrow_me (id int PRIMARY KEY)")
    db.sql('CREATE PUBLICATION "%s" FOR ALL TABLES' % db.publication)
    cfg = db.config(publication_autocreate_mode="filtered", table_include_list="public.narrow_me")
    assert_fails_with(run_tail(tidewater_bin, cfg),
                      'publication "%s" is FOR ALL TABLES' % db.publication, "cannot narrow",
                      "use all_tables")


def test_creating_the_publication_without_the_privilege(db, tidewater_bin):
    db.pg.sql("DO $$BEGIN CREATE ROLE replonly LOGIN REPLICATION; EXCEPTION WHEN "
              "duplicate_object THEN NULL; END$$")
    cfg = db.config(database_user="replonly", publication_autocreate_mode="all_tables")
    assert_fails_with(run_tail(tidewater_bin, cfg),
                      'cannot create or alter publication "%s"' % db.publication,
                      "FOR ALL TABLES needs a superuser", "publication.autocreate.mode=disabled")


def test_slot_already_active_in_another_process(db, tidewater_bin):
    cfg = db.config()
    first = subprocess.Popen([tidewater_bin, "tail", cfg], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: slot_active(db) or first.poll() is not None, 30,
                 "the first tail to activate the slot")
        assert first.poll() is None, first.stderr.read()
        assert_fails_with(run_tail(tidewater_bin, cfg), 'replication slot "%s"' % db.slot,
                          "already in use", "slot.name")
    finally:
        first.terminate()
        assert first.wait(timeout=30) == 0


def test_slot_of_another_plugin(db, tidewater_bin):
    db.sql("SELECT pg_create_logical_replication_slot(%s, 'test_decoding')", (db.slot,))
    assert_fails_with(run_tail(tidewater_bin, db.config()), 'uses plugin "test_decoding"',
                      "slot.name")


def test_unknown_config_key_names_it_and_suggests(db, tidewater_bin):
    cfg = db.config(database_hostnme="x")
    assert_fails_with(run_tail(tidewater_bin, cfg), 'unknown config key "database.hostnme"',
                      'did you mean "database.hostname"?', code=2)


def test_unset_env_variable(db, tidewater_bin):
    cfg = db.config(database_password="${env:TW_SURELY_UNSET_VARIABLE}")
    assert_fails_with(run_tail(tidewater_bin, cfg), "TW_SURELY_UNSET_VARIABLE is not set",
                      code=2)


def test_missing_config_file(tidewater_bin, tmp_path):
    assert_fails_with(run_tail(tidewater_bin, str(tmp_path / "nope.properties")),
                      "cannot open", "nope.properties", code=2)


def test_sigterm_stops_cleanly(db, tidewater_bin):
    proc = subprocess.Popen([tidewater_bin, "tail", db.config()], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wait_for(lambda: slot_active(db), 30, "the slot active")
    proc.terminate()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "SIGTERM received" in err


def test_help_and_version(tidewater_bin):
    res = subprocess.run([tidewater_bin, "--version"], stdout=subprocess.PIPE, text=True)
    assert res.returncode == 0 and res.stdout.startswith("tidewater ")
    res = subprocess.run([tidewater_bin, "--help"], stdout=subprocess.PIPE, text=True)
    assert res.returncode == 0 and "tail CONFIG" in res.stdout
    res = subprocess.run([tidewater_bin, "tail", "--help"], stdout=subprocess.PIPE, text=True)
    assert res.returncode == 0 and "--ack" in res.stdout
    res = subprocess.run([tidewater_bin, "frobnicate"], stderr=subprocess.PIPE, text=True)
    assert res.returncode == 2 and "unknown command" in res.stderr
