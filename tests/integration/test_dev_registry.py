"""The registry stand-in answers with Confluent's shapes and error codes, and
decides compatibility by the Avro resolution rules."""
import json
import subprocess

import pytest

from registry import DevRegistry

REC = {"type": "record", "name": "Order", "namespace": "shop",
       "fields": [{"name": "id", "type": "int"}]}


def with_field(field):
    s = json.loads(json.dumps(REC))
    s["fields"].append(field)
    return s


@pytest.fixture
def reg(registry_script, tmp_path):
    r = DevRegistry(registry_script, tmp_path).start()
    yield r
    r.stop()


def register(reg, subject, schema):
    return reg.request("POST", "/subjects/%s/versions" % subject,
                       {"schema": json.dumps(schema)})


def test_register_lookup_and_fetch(reg):
    assert register(reg, "t-value", REC) == (200, {"id": 1})
    # Same schema, other whitespace, other subject: same id, no new version.
    spaced = json.dumps(REC, indent=4)
    assert reg.request("POST", "/subjects/u-value/versions", {"schema": spaced}) == (200, {"id": 1})
    assert register(reg, "t-value", REC) == (200, {"id": 1})
    assert reg.request("GET", "/subjects/t-value/versions") == (200, [1])
    status, body = reg.request("POST", "/subjects/t-value", {"schema": json.dumps(REC)})
    assert status == 200 and body["id"] == 1 and body["version"] == 1
    assert body["subject"] == "t-value"
    assert reg.schema(1) == REC
    status, body = reg.request("GET", "/subjects/t-value/versions/latest")
    assert (status, body["version"], body["id"]) == (200, 1, 1)
    assert reg.request("GET", "/subjects")[1] == ["t-value", "u-value"]
    assert reg.request("GET", "/schemas/ids/1/versions")[1] == [
        {"subject": "t-value", "version": 1}, {"subject": "u-value", "version": 1}]


def test_error_codes(reg):
    assert reg.request("GET", "/subjects/nope/versions") == (
        404, {"error_code": 40401, "message": "Subject 'nope' not found."})
    register(reg, "t-value", REC)
    assert reg.request("GET", "/subjects/t-value/versions/7")[1]["error_code"] == 40402
    assert reg.request("GET", "/subjects/t-value/versions/x")[1]["error_code"] == 42202
    assert reg.request("POST", "/subjects/t-value",
                       {"schema": json.dumps(with_field({"name": "z", "type": "int"}))}) == (
        404, {"error_code": 40403, "message": "Schema not found"})
    assert reg.request("GET", "/schemas/ids/99")[1]["error_code"] == 40403
    status, body = reg.request("POST", "/subjects/t-value/versions", {"schema": "{not avro"})
    assert (status, body["error_code"]) == (422, 42201)
    assert reg.request("PUT", "/config", {"compatibility": "SOMETIMES"})[1]["error_code"] == 42203
    assert reg.request("GET", "/config/t-value")[1]["error_code"] == 40408
    assert reg.request("GET", "/nothing/here") == (
        404, {"error_code": 404, "message": "HTTP 404 Not Found"})


@pytest.mark.parametrize("level,new,ok", [
    ("BACKWARD", with_field({"name": "b", "type": "int", "default": 0}), True),
    ("BACKWARD", with_field({"name": "b", "type": "int"}), False),
    ("BACKWARD", {**REC, "fields": [{"name": "id", "type": "long"}]}, True),
    ("FORWARD", {**REC, "fields": [{"name": "id", "type": "long"}]}, False),
    ("FULL", with_field({"name": "b", "type": ["null", "int"], "default": None}), True),
    ("NONE", {"type": "string"}, True),
])
def test_compatibility_levels(reg, level, new, ok):
    reg.request("PUT", "/config/t-value", {"compatibility": level})
    register(reg, "t-value", REC)
    assert reg.request("POST", "/compatibility/subjects/t-value/versions/latest",
                       {"schema": json.dumps(new)})[1]["is_compatible"] is ok
    status, body = register(reg, "t-value", new)
    if ok:
        assert status == 200
    else:
        assert status == 409 and body["error_code"] == 409
        assert "incompatible with an earlier schema" in body["message"]


def test_backward_transitive_checks_every_version(reg):
    reg.request("PUT", "/config/t-value", {"compatibility": "BACKWARD_TRANSITIVE"})
    v2 = with_field({"name": "b", "type": "int", "default": 0})
    assert register(reg, "t-value", REC)[0] == 200
    assert register(reg, "t-value", v2)[0] == 200
    # Dropping "id" is fine against v2's default-less readers? No: a reader
    # field without default ("b" has one, "id" is gone) — remove the default.
    v3 = {**REC, "fields": [{"name": "b", "type": "int"}]}
    status, body = register(reg, "t-value", v3)
    assert status == 409, body  # v1 data has no "b"


def test_enum_symbol_removed_is_incompatible(reg):
    e1 = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}
    e2 = {"type": "enum", "name": "Color", "symbols": ["RED"]}
    register(reg, "c", e1)
    assert register(reg, "c", e2)[0] == 409


def test_hooks_and_stats(reg):
    reg.reject_next("t-value")
    status, body = register(reg, "t-value", REC)
    assert (status, body["error_code"]) == (409, 409)
    assert register(reg, "t-value", REC)[0] == 200
    reg.fail_next(2)
    assert register(reg, "t-value", REC)[1]["error_code"] == 50001
    assert register(reg, "t-value", REC)[0] == 500
    assert register(reg, "t-value", REC)[0] == 200
    stats = reg.stats()
    assert stats["by_route"]["POST /subjects/{s}/versions"] == 3
    assert stats["requests"] == 5


def test_url_encoded_subject(reg):
    assert register(reg, "a%2Fb.c-value", REC)[0] == 200
    assert reg.request("GET", "/subjects")[1] == ["a/b.c-value"]


def test_basic_auth(registry_script, tmp_path):
    with DevRegistry(registry_script, tmp_path, basic_auth="alice:s3cret") as r:
        assert register(r, "t", REC)[0] == 200
        r.basic_auth = "alice:wrong"
        assert register(r, "t", REC) == (401, {"error_code": 401, "message": "Unauthorized"})


def test_tls(registry_script, tmp_path):
    cert, key = str(tmp_path / "c.pem"), str(tmp_path / "k.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    with DevRegistry(registry_script, tmp_path, tls=(cert, key)) as r:
        assert r.url.startswith("https://")
        out = subprocess.run(["curl", "-s", "--cacert", cert, r.url + "/subjects"],
                             capture_output=True, text=True)
        assert out.stdout == "[]"


def test_restart_keeps_ids(reg):
    register(reg, "t-value", REC)
    reg.restart()
    assert register(reg, "t-value", REC) == (200, {"id": 1})
    assert register(reg, "u-value", {"type": "string"}) == (200, {"id": 2})


def test_confluent_python_client_talks_to_it(reg):
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    client = SchemaRegistryClient({"url": reg.url})
    sid = client.register_schema("py-value", Schema(json.dumps(REC), "AVRO"))
    assert sid == 1
    assert json.loads(client.get_schema(sid).schema_str) == REC
    latest = client.get_latest_version("py-value")
    assert (latest.schema_id, latest.version) == (1, 1)
