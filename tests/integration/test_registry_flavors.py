"""tidewater's registry client against the registries users run, emulated by
scripts/dev-registry --flavor where they differ from Confluent: Karapace
(no unversioned compatibility route, a plain-text 404 for unrouted paths,
no compatibility messages, error_code 409 for an incompatible schema) and
Apicurio's Confluent-compatible API (under /apis/ccompat/v7, no unversioned
compatibility route)."""
import json
import subprocess
import uuid

import pytest
import requests

from conftest import OUTBOX_DDL, outbox_config
from helpers import slot_active, wait_for, with_fields, write_schemas
from kafkacheck import AvroDecoder, consume, topics
from registry import DevRegistry

FLAVORS = ["confluent", "karapace", "apicurio"]
V1_JSON = "application/vnd.schemaregistry.v1+json"

THING_V1 = {"type": "record", "name": "com.acme.shop.Thing", "doc": "v1",
            "fields": [{"name": "id", "type": "long"},
                       {"name": "label", "type": "string"}]}


@pytest.fixture(params=FLAVORS)
def flavored(request, registry_script, tmp_path):
    r = DevRegistry(registry_script, tmp_path / "registry-data", flavor=request.param)
    r.start()
    yield r
    assert r.stop() == 0, r.log_text()


def register(registry, subject, schema, level=None):
    if level:
        status, body = registry.request("PUT", "/config/" + subject, {"compatibility": level})
        assert status == 200, body
    return registry.register(subject, schema)


def schemas_check(binary, directory, url):
    res = subprocess.run([binary, "schemas", "check", directory, "--registry", url],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=120)
    lines = {}
    for line in res.stdout.splitlines():
        parts = line.split(None, 3)  # record, file, OK (valid), the registry's word
        if len(parts) == 4 and parts[0].startswith("com."):
            lines[parts[0]] = parts[3]
    return res, lines


# ------------------------------------------------------------ the stand-in itself

def test_karapace_flavor_differences(registry_script, tmp_path):
    with DevRegistry(registry_script, tmp_path / "k", flavor="karapace") as reg:
        reg.register("t-value", THING_V1)
        # No unversioned route: aiohttp's plain-text 404, no error_code.
        r = requests.post(reg.url + "/compatibility/subjects/t-value/versions",
                          json={"schema": json.dumps(THING_V1)},
                          headers={"Content-Type": V1_JSON}, timeout=10)
        assert r.status_code == 404 and r.text == "404: Not Found"
        assert r.headers["Content-Type"].startswith("text/plain")
        # The versioned route answers, without messages even when verbose.
        v2 = with_fields(THING_V1, THING_V1["fields"] + [{"name": "w", "type": "int"}])
        status, body = reg.request("POST", "/compatibility/subjects/t-value/versions/latest"
                                   "?verbose=true", {"schema": json.dumps(v2)})
        assert (status, body) == (200, {"is_compatible": False})
        # A missing subject is still 40401; an incompatible schema 409/409.
        status, body = reg.request("GET", "/subjects/nope/versions")
        assert status == 404 and body["error_code"] == 40401
        status, body = reg.request("POST", "/subjects/t-value/versions",
                                   {"schema": json.dumps(v2)})
        assert status == 409 and body["error_code"] == 409


def test_apicurio_flavor_differences(registry_script, tmp_path):
    with DevRegistry(registry_script, tmp_path / "a", flavor="apicurio") as reg:
        assert reg.url.endswith("/apis/ccompat/v7")
        reg.register("t-value", THING_V1)
        root = reg.url[:-len("/apis/ccompat/v7")]
        assert requests.get(root + "/subjects", timeout=10).status_code == 404
        assert requests.get(reg.url + "/subjects", timeout=10).json() == ["t-value"]
        status, body = reg.request("POST", "/compatibility/subjects/t-value/versions",
                                   {"schema": json.dumps(THING_V1)})
        assert status == 404 and body["error_code"] == 404
        status, body = reg.request("POST", "/compatibility/subjects/t-value/versions/1"
                                   "?verbose=true", {"schema": json.dumps(THING_V1)})
        assert (status, body) == (200, {"is_compatible": True, "messages": []})
        reg.reject_next("t-value")  # the hooks answer under the base path
        status, body = reg.request("POST", "/subjects/t-value/versions",
                                   {"schema": json.dumps(THING_V1)})
        assert status == 409 and body["error_code"] == 40901


# ------------------------------------------------------------ schemas check

def test_schemas_check_new_subject(tidewater_bin, flavored, tmp_path):
    res, lines = schemas_check(tidewater_bin, write_schemas(tmp_path / "s", THING_V1),
                               flavored.url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert lines[THING_V1["name"]] == 'new subject "%s"' % THING_V1["name"], res.stdout


def test_schemas_check_refusal_is_reported(tidewater_bin, flavored, tmp_path):
    """The bug: against Karapace this printed OK compatible."""
    subject = THING_V1["name"]
    register(flavored, subject, THING_V1)
    v2 = with_fields(THING_V1, THING_V1["fields"] + [{"name": "weight", "type": "int"}])
    res, lines = schemas_check(tidewater_bin, write_schemas(tmp_path / "v2", v2), flavored.url)
    assert res.returncode == 1, res.stdout + res.stderr
    assert lines[subject].startswith('INCOMPATIBLE with subject "%s"' % subject), res.stdout
    if flavored.flavor == "karapace":  # no messages from Karapace
        assert "(the registry gave no reason)" in lines[subject]
    else:
        assert "READER_FIELD_MISSING_DEFAULT_VALUE" in lines[subject]
    # And the registry agrees: registering it is refused.
    status, _ = flavored.request("POST", "/subjects/%s/versions" % subject,
                                 {"schema": json.dumps(v2)})
    assert status == 409


def test_schemas_check_compatible(tidewater_bin, flavored, tmp_path):
    subject = THING_V1["name"]
    register(flavored, subject, THING_V1, level="BACKWARD_TRANSITIVE")
    v2 = with_fields(THING_V1, THING_V1["fields"] + [{"name": "weight", "type": "int",
                                                      "default": 0}])
    res, lines = schemas_check(tidewater_bin, write_schemas(tmp_path / "v2", v2), flavored.url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert lines[subject] == 'compatible with subject "%s"' % subject


def test_schemas_check_transitive_checks_every_version(tidewater_bin, flavored, tmp_path):
    subject = THING_V1["name"]
    register(flavored, subject, THING_V1, level="BACKWARD_TRANSITIVE")
    register(flavored, subject, with_fields(THING_V1, THING_V1["fields"][:1]))
    # Compatible with v2 (no label), not with v1 (label: string).
    v3 = with_fields(THING_V1, THING_V1["fields"][:1] +
                     [{"name": "label", "type": "long", "default": 0}])
    res, lines = schemas_check(tidewater_bin, write_schemas(tmp_path / "v3", v3), flavored.url)
    assert res.returncode == 1 and lines[subject].startswith("INCOMPATIBLE"), res.stdout
    # The same level set globally instead of on the subject.
    flavored.request("DELETE", "/config/" + subject)
    status, _ = flavored.request("PUT", "/config", {"compatibility": "BACKWARD_TRANSITIVE"})
    assert status == 200
    res, lines = schemas_check(tidewater_bin, write_schemas(tmp_path / "v3", v3), flavored.url)
    assert res.returncode == 1 and lines[subject].startswith("INCOMPATIBLE"), res.stdout
    # Non-transitive: only the latest (v2) counts, and v3 fits it.
    flavored.request("PUT", "/config/" + subject, {"compatibility": "BACKWARD"})
    res, lines = schemas_check(tidewater_bin, write_schemas(tmp_path / "v3", v3), flavored.url)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("flavor", FLAVORS)
def test_schemas_check_unexpected_answer_is_an_error(tidewater_bin, registry_script, tmp_path,
                                                     flavor):
    """A 404 that is not 40401 (a wrong base path, a proxy, a route the
    registry lacks) at any step of the check is an ERROR, never OK."""
    with DevRegistry(registry_script, tmp_path / "r", flavor=flavor) as reg:
        subject = THING_V1["name"]
        register(reg, subject, THING_V1)
        directory = write_schemas(tmp_path / "s", THING_V1)
        reg.reset_stats()
        res, lines = schemas_check(tidewater_bin, directory, reg.url)
        assert res.returncode == 0 and lines[subject].startswith("compatible"), res.stdout
        calls = reg.stats()["requests"]
        assert calls == (3 if flavor == "confluent" else 5), reg.stats()
        # Request 0 is the ping; fail each later one in turn (two in a row,
        # so that the global level is not read instead of the subject's).
        for after in range(1, calls):
            reg.fail_next(2, status=404, error_code=40403, message="Schema not found",
                          after=after)
            res, lines = schemas_check(tidewater_bin, directory, reg.url)
            assert res.returncode == 1, (after, res.stdout + res.stderr)
            assert lines[subject].startswith('ERROR: subject "%s"' % subject), (after,
                                                                                res.stdout)
            assert "Schema not found" in lines[subject]
            reg.fail_next(0)


# ------------------------------------------------------------ tidewater run

def test_run_registers_looks_up_and_stops_on_409(db, broker, flavored, run, tmp_path):
    """The run path against each flavor: registration, lookup
    (auto.register.schemas=false) and an incompatibility refusal (409,
    error_code 40901, or 409 from Karapace) that stops the connector."""
    db.sql(OUTBOX_DDL)
    topic = "outbox.event.A"

    def insert(aggid, seq):
        db.sql("INSERT INTO outbox VALUES (%s, 'A', %s, 'E', %s)",
               (str(uuid.uuid4()), aggid, json.dumps({"seq": seq})))

    def records(expect):
        wait_for(lambda: topic in topics(broker.bootstrap_servers), what="the topic")
        msgs = consume(broker.bootstrap_servers, [topic], expect=expect)
        assert len(msgs) == expect
        return msgs

    flavored.reset_stats()
    r = run(outbox_config(db, broker, flavored, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    insert("a-1", 1)
    first = records(1)
    assert r.stop() == 0
    routes = flavored.stats()["by_route"]
    assert routes.get("POST /subjects/{s}/versions") == 2, routes  # key and value
    status, subjects = flavored.request("GET", "/subjects")
    assert sorted(subjects) == [topic + "-key", topic + "-value"]

    flavored.reset_stats()
    r = run(outbox_config(db, broker, flavored, tmp_path,
                          key_converter_auto_register_schemas="false",
                          value_converter_auto_register_schemas="false"))
    wait_for(lambda: slot_active(db), what="slot active")
    insert("a-2", 2)
    both = records(2)
    assert r.stop() == 0
    routes = flavored.stats()["by_route"]
    assert routes.get("POST /subjects/{s}") == 2, routes  # lookups of key and value
    assert "POST /subjects/{s}/versions" not in routes, routes
    dec = AvroDecoder(flavored)
    assert dec.schema_id(both[1].value()) == dec.schema_id(first[0].value())
    assert [json.loads(dec.decode(m.value()))["seq"] for m in both] == [1, 2]
    assert [dec.decode(m.key()) for m in both] == ["a-1", "a-2"]

    r = run(outbox_config(db, broker, flavored, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    flavored.reject_next(topic + "-value")
    insert("a-3", 3)
    assert r.proc.wait(timeout=30) == 1
    out = r.output()
    assert "HTTP 409" in out and "incompatible with an earlier schema" in out, out[-3000:]
    assert len(consume(broker.bootstrap_servers, [topic], expect=3, timeout=5)) == 2
