"""scripts/dev-registry answers like Confluent Schema Registry: the same
paths, shapes, status codes, error codes and messages (see the script's
docstring for where each was checked), and Avro compatibility decisions by
the specification's schema-resolution rules."""
import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest
import requests

from registry import DevRegistry, quote

V1 = "application/vnd.schemaregistry.v1+json"

REC = {"type": "record", "name": "Order", "namespace": "shop",
       "fields": [{"name": "id", "type": "int"}]}
REC_CANONICAL = ('{"type":"record","name":"Order","namespace":"shop",'
                 '"fields":[{"name":"id","type":"int"}]}')


def rec(*fields, **top):
    """REC with these fields after "id" (or instead of it: id=None)."""
    s = copy.deepcopy(REC)
    if top.pop("id", True) is None:
        s["fields"] = []
    s["fields"] += list(fields)
    s.update(top)
    return s


def field(name, type_, **extra):
    return dict({"name": name, "type": type_}, **extra)


@pytest.fixture
def reg(registry_script, tmp_path):
    r = DevRegistry(registry_script, tmp_path / "reg").start()
    yield r
    assert r.stop() == 0, r.log_text()


def register(reg, subject, schema, **extra):
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return reg.request("POST", "/subjects/%s/versions" % quote(subject),
                       dict({"schema": text}, **extra))


def check(reg, subject, schema, version="latest", verbose=False):
    path = "/compatibility/subjects/%s/versions" % quote(subject)
    if version is not None:
        path += "/" + version
    if verbose:
        path += "?verbose=true"
    return reg.request("POST", path, {"schema": json.dumps(schema)})


def set_level(reg, subject, level):
    path = "/config" if subject is None else "/config/" + quote(subject)
    assert reg.request("PUT", path, {"compatibility": level}) == (200, {"compatibility": level})


def openssl_cert(tmp_path, name, cn="127.0.0.1"):
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    cert, key = str(tmp_path / (name + ".pem")), str(tmp_path / (name + ".key"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


# ------------------------------------------------------------ registration

def test_root_types_and_media_type(reg):
    r = requests.get(reg.url + "/")
    assert (r.status_code, r.json()) == (200, {})
    assert r.headers["Content-Type"] == V1
    assert reg.request("GET", "/schemas/types") == (200, ["AVRO"])
    assert reg.request("GET", "/subjects") == (200, [])


def test_same_schema_same_id_across_subjects_and_whitespace(reg):
    assert register(reg, "t-value", REC) == (200, {"id": 1})
    # Other whitespace and key order, other subject: the same schema.
    shuffled = ('{ "fields" : [ {"type": "int", "name": "id"} ],\n'
                '  "namespace": "shop", "name": "Order", "type": "record" }')
    assert register(reg, "u-value", shuffled) == (200, {"id": 1})
    # Re-registering in a subject returns the id without a new version.
    assert register(reg, "t-value", json.dumps(REC, indent=4)) == (200, {"id": 1})
    assert reg.request("GET", "/subjects/t-value/versions") == (200, [1])
    assert reg.request("GET", "/subjects/u-value/versions") == (200, [1])
    # The registry keeps and serves Java Avro's canonical string.
    assert reg.request("GET", "/schemas/ids/1") == (200, {"schema": REC_CANONICAL})
    assert reg.request("GET", "/subjects") == (200, ["t-value", "u-value"])
    assert reg.request("GET", "/schemas/ids/1/versions") == (
        200, [{"subject": "t-value", "version": 1}, {"subject": "u-value", "version": 1}])
    assert reg.request("GET", "/schemas/ids/1/subjects") == (200, ["t-value", "u-value"])
    # A new schema gets the next id; a primitive is a schema too.
    assert register(reg, "t-value", rec(field("b", "int", default=0))) == (200, {"id": 2})
    assert register(reg, "k", {"type": "string"}) == (200, {"id": 3})
    assert register(reg, "k2", '"string"') == (200, {"id": 3})
    assert reg.request("GET", "/schemas/ids/3") == (200, {"schema": '"string"'})


def test_canonical_form_is_java_avros(reg):
    schema = {
        "fields": [
            {"type": {"type": "record", "name": "Line",
                      "fields": [{"name": "sku", "type": "string"}]},
             "name": "line", "doc": "d"},
            {"name": "again", "type": "shop.Line"},
            {"name": "kind", "type": {"type": "enum", "name": "Kind", "namespace": "x",
                                      "symbols": ["A", "B"], "default": "A"}},
            {"name": "kind2", "type": "x.Kind", "order": "descending"},
            {"name": "ts", "type": {"logicalType": "timestamp-millis", "type": "long"}},
            {"name": "j", "default": None,
             "type": ["null", {"type": "string", "connect.name": "io.debezium.data.Json"}]},
        ],
        "connect.name": "shop.Order", "name": "Order", "type": "record",
        "namespace": "shop", "doc": "top", "aliases": ["Purchase", "old.Order"]}
    status, body = register(reg, "c", schema)
    assert status == 200
    assert reg.request("GET", "/schemas/ids/%d" % body["id"])[1]["schema"] == (
        '{"type":"record","name":"Order","namespace":"shop","doc":"top","fields":['
        '{"name":"line","type":{"type":"record","name":"Line","fields":'
        '[{"name":"sku","type":"string"}]},"doc":"d"},'
        '{"name":"again","type":"Line"},'
        '{"name":"kind","type":{"type":"enum","name":"Kind","namespace":"x",'
        '"symbols":["A","B"],"default":"A"}},'
        '{"name":"kind2","type":"x.Kind","order":"descending"},'
        '{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},'
        '{"name":"j","type":["null",{"type":"string","connect.name":"io.debezium.data.Json"}],'
        '"default":null}],"connect.name":"shop.Order","aliases":["Purchase","old.Order"]}')
    # Identity is the canonical string: another doc is another schema.
    assert register(reg, "c2", rec(doc="another")) == (200, {"id": body["id"] + 1})


def test_recursive_schema(reg):
    node = {"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"], "default": None}]}
    assert register(reg, "list", node) == (200, {"id": 1})
    grown = copy.deepcopy(node)
    grown["fields"].append({"name": "w", "type": "long", "default": 0})
    set_level(reg, "list", "FULL_TRANSITIVE")
    assert check(reg, "list", grown) == (200, {"is_compatible": True})
    assert register(reg, "list", grown) == (200, {"id": 2})


@pytest.mark.parametrize("schema,details", [
    ("{not json", "Invalid schema"),
    ({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}, "Nope"),
    ({"type": "record", "name": "R"}, "fields"),
    ({"type": "enum", "name": "E", "symbols": ["A", "A"]}, "Duplicate"),
    ({"type": "record", "name": "1R", "fields": []}, "1R"),
    ({"type": "fixed", "name": "F"}, "size"),
    (rec(field("a", "int", default="x")), 'Invalid default for field a: "x" not a "int"'),
    (rec(field("a", ["null", "int"], default="x")), "Invalid default for field a"),
    (rec(field("a", {"type": "array", "items": "long"}, default=[1, "2"])), "Invalid default"),
])
def test_invalid_schema_is_42201(reg, schema, details):
    status, body = register(reg, "bad", schema)
    assert (status, body["error_code"]) == (422, 42201), body
    assert body["message"].startswith("Invalid schema")
    assert details in body["message"]
    assert reg.request("GET", "/subjects") == (200, [])


def test_valid_defaults_are_accepted(reg):
    ok = rec(field("a", ["null", "int"], default=None), field("b", ["int", "null"], default=3),
             field("c", "double", default=1), field("d", {"type": "map", "values": "int"},
                                                       default={"x": 1}),
             field("e", "long", default=2 ** 40), field("f", "bytes", default="\u00ff"),
             field("g", {"type": "record", "name": "In", "fields": [
                 field("x", "int", default=1), field("y", "string")]}, default={"y": "s"}))
    assert register(reg, "ok", ok)[0] == 200


def test_registration_errors(reg):
    assert register(reg, "s", "") == (422, {"error_code": 42201, "message": "Empty schema"})
    assert register(reg, "s", REC, schemaType="PROTOBUF") == (
        422, {"error_code": 42201, "message": "Invalid schema type PROTOBUF"})
    status, body = register(reg, "s", REC, references=[{"name": "x", "subject": "y",
                                                         "version": 1}])
    assert (status, body["error_code"]) == (422, 42201)
    assert register(reg, "s", REC, schemaType="AVRO", references=[]) == (200, {"id": 1})
    assert register(reg, "__GLOBAL", REC) == (
        422, {"error_code": 42208, "message": "The specified subject '__GLOBAL' is not a valid."})
    assert register(reg, "s", rec(field("b", "int", default=0)), version=5)[1][
        "error_code"] == 42201
    assert register(reg, "s", rec(field("b", "int", default=0)), version=2) == (200, {"id": 2})


def test_request_bodies_and_media_types(reg):
    url = reg.url + "/subjects/m/versions"
    body = json.dumps({"schema": json.dumps(REC)})
    for ctype in (V1, "application/vnd.schemaregistry+json", "application/json",
                  "application/json; charset=utf-8", "application/octet-stream", None):
        headers = {"Content-Type": ctype} if ctype else {}
        r = requests.post(url, data=body.encode(), headers=headers)
        if ctype is None:
            assert "Content-Type" not in r.request.headers
        assert (r.status_code, r.json()) == (200, {"id": 1}), ctype
    for ctype in ("application/x-www-form-urlencoded", "text/plain"):
        r = requests.post(url, data=body, headers={"Content-Type": ctype})
        assert (r.status_code, r.json()) == (
            415, {"error_code": 415, "message": "HTTP 415 Unsupported Media Type"})
    for accept, produced in ((None, V1), ("*/*", V1), ("application/json", "application/json"),
                             ("application/vnd.schemaregistry+json",
                              "application/vnd.schemaregistry+json"),
                             ("application/vnd.schemaregistry.v1+json, "
                              "application/vnd.schemaregistry+json, application/json", V1),
                             ("application/json;q=1, application/vnd.schemaregistry.v1+json;"
                              "q=0.1", "application/json")):
        r = requests.get(reg.url + "/subjects", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.headers["Content-Type"] == produced, accept
    r = requests.get(reg.url + "/subjects", headers={"Accept": "text/html"})
    assert (r.status_code, r.json()) == (406, {"error_code": 406,
                                               "message": "HTTP 406 Not Acceptable"})
    # Bad bodies: rest-utils' JSON mappers answer 400, a missing body 422.
    status, out = reg.request("POST", "/subjects/m/versions", "{nope")
    assert (status, out["error_code"]) == (400, 400)
    status, out = reg.request("POST", "/subjects/m/versions", [1, 2])
    assert (status, out["error_code"]) == (400, 400)
    status, out = reg.request("POST", "/subjects/m/versions", b"")
    assert (status, out["error_code"]) == (422, 422)


def test_unknown_paths_and_methods(reg):
    not_found = (404, {"error_code": 404, "message": "HTTP 404 Not Found"})
    assert reg.request("GET", "/nothing/here") == not_found
    assert reg.request("GET", "/schemas/ids/abc") == not_found
    assert reg.request("GET", "/schemas/ids/99999999999") == not_found
    assert reg.request("GET", "/subjects/a/b/c/d/e") == not_found
    r = requests.patch(reg.url + "/subjects")
    assert (r.status_code, r.json()) == (405, {"error_code": 405,
                                               "message": "HTTP 405 Method Not Allowed"})
    r = requests.get(reg.url + "/subjects/x")  # only POST and DELETE there
    assert r.status_code == 405 and r.headers["Allow"] == "DELETE, POST"
    assert requests.head(reg.url + "/subjects").status_code == 200
    assert reg.request("GET", "/mode") == (200, {"mode": "READWRITE"})
    assert reg.request("GET", "/contexts") == (200, ["."])


# ------------------------------------------------------------ reading

def test_lookup(reg):
    register(reg, "t-value", REC)
    status, body = reg.request("POST", "/subjects/t-value",
                               {"schema": json.dumps(REC, indent=2)})
    assert (status, body) == (200, {"subject": "t-value", "version": 1, "id": 1,
                                    "schema": REC_CANONICAL})
    assert reg.request("POST", "/subjects/nope", {"schema": json.dumps(REC)}) == (
        404, {"error_code": 40401, "message": "Subject 'nope' not found."})
    assert reg.request("POST", "/subjects/t-value",
                       {"schema": json.dumps(rec(field("z", "int")))}) == (
        404, {"error_code": 40403, "message": "Schema not found"})
    status, body = reg.request("POST", "/subjects/t-value", {"schema": "{bad"})
    assert (status, body["error_code"]) == (422, 42201)


def test_versions(reg):
    v2 = rec(field("b", "int", default=0))
    register(reg, "t-value", REC)
    register(reg, "t-value", v2)
    assert reg.request("GET", "/subjects/t-value/versions") == (200, [1, 2])
    for version, expect in (("1", 1), ("2", 2), ("latest", 2), ("-1", 2), ("LATEST", 2)):
        status, body = reg.request("GET", "/subjects/t-value/versions/" + version)
        assert status == 200
        assert body == {"subject": "t-value", "version": expect, "id": expect,
                        "schema": reg.request("GET", "/schemas/ids/%d" % expect)[1]["schema"]}
    r = requests.get(reg.url + "/subjects/t-value/versions/1/schema")
    assert (r.status_code, r.text) == (200, REC_CANONICAL)
    assert reg.request("GET", "/subjects/t-value/versions/1/referencedby") == (200, [])
    assert reg.request("GET", "/schemas/ids/1/schema") == (200, REC)
    assert reg.request("GET", "/subjects/t-value/versions/7") == (
        404, {"error_code": 40402, "message": "Version 7 not found."})
    assert reg.request("GET", "/subjects/nope/versions") == (
        404, {"error_code": 40401, "message": "Subject 'nope' not found."})
    assert reg.request("GET", "/subjects/nope/versions/latest") == (
        404, {"error_code": 40401, "message": "Subject 'nope' not found."})
    allowed = 'Allowed values are between [1, 2^31-1] and the string "latest"'
    for bad, shown in (("x", "x"), ("0", "0"), ("-2", "-2"), ("1.5", "1.5")):
        assert reg.request("GET", "/subjects/t-value/versions/" + bad) == (
            422, {"error_code": 42202, "message": "The specified version '%s' is not a valid "
                  "version id. %s" % (shown, allowed)})
    assert reg.request("GET", "/schemas/ids/99") == (
        404, {"error_code": 40403, "message": "Schema 99 not found"})
    assert reg.request("GET", "/schemas/ids/99/versions") == (
        404, {"error_code": 40403, "message": "Schema not found"})
    status, body = reg.request("GET", "/schemas")
    assert status == 200 and [(s["subject"], s["version"]) for s in body] == [
        ("t-value", 1), ("t-value", 2)]
    assert len(reg.request("GET", "/schemas?latestOnly=true")[1]) == 1


def test_delete_subject_and_versions(reg):
    v2 = rec(field("b", "int", default=0))
    register(reg, "d", REC)
    register(reg, "d", v2)
    assert reg.request("DELETE", "/subjects/d/versions/2") == (200, 2)
    assert reg.request("GET", "/subjects/d/versions") == (200, [1])
    assert reg.request("GET", "/subjects/d/versions?deleted=true") == (200, [1, 2])
    assert reg.request("GET", "/subjects/d/versions/2") == (
        404, {"error_code": 40402, "message": "Version 2 not found."})
    assert reg.request("GET", "/subjects/d/versions/2?deleted=true")[1]["id"] == 2
    assert reg.request("DELETE", "/subjects/d/versions/2") == (
        404, {"error_code": 40406, "message": "Subject 'd' Version 2 was soft deleted."
              "Set permanent=true to delete permanently"})
    assert reg.request("DELETE", "/subjects/d/versions/1?permanent=true") == (
        404, {"error_code": 40407, "message": "Subject 'd' Version 1 was not deleted first "
              "before being permanently deleted"})
    assert reg.request("DELETE", "/subjects/d/versions/2?permanent=true") == (200, 2)
    assert reg.request("GET", "/subjects/d/versions?deleted=true") == (200, [1])
    assert reg.request("GET", "/schemas/ids/2")[1]["error_code"] == 40403
    assert reg.request("DELETE", "/subjects/d/versions/9")[1]["error_code"] == 40402

    assert reg.request("DELETE", "/subjects/d?permanent=true") == (
        404, {"error_code": 40405, "message": "Subject 'd' was not deleted first before being "
              "permanently deleted"})
    assert reg.request("DELETE", "/subjects/d") == (200, [1])
    assert reg.request("GET", "/subjects") == (200, [])
    assert reg.request("GET", "/subjects?deleted=true") == (200, ["d"])
    assert reg.request("GET", "/subjects?deletedOnly=true") == (200, ["d"])
    assert reg.request("GET", "/subjects/d/versions")[1]["error_code"] == 40401
    assert reg.request("GET", "/schemas/ids/1")[0] == 200  # still readable by id
    assert reg.request("DELETE", "/subjects/d") == (
        404, {"error_code": 40404, "message": "Subject 'd' was soft deleted."
              "Set permanent=true to delete permanently"})
    # Registering again continues the version numbers, with the same id.
    assert register(reg, "d", REC) == (200, {"id": 1})
    assert reg.request("GET", "/subjects/d/versions?deleted=true") == (200, [2])
    assert reg.request("DELETE", "/subjects/d") == (200, [2])
    assert reg.request("DELETE", "/subjects/d?permanent=true") == (200, [2])
    assert reg.request("GET", "/subjects?deleted=true") == (200, [])
    assert reg.request("GET", "/schemas/ids/1") == (
        404, {"error_code": 40403, "message": "Schema 1 not found"})
    assert reg.request("DELETE", "/subjects/d") == (
        404, {"error_code": 40401, "message": "Subject 'd' not found."})
    assert register(reg, "e", REC) == (200, {"id": 1})


def test_url_encoded_subjects(reg):
    subjects = ["a/b.c-value", "ns:weird.name-key", "with space", "pct%41", "a+b", "ünï-value"]
    for s in subjects:
        assert register(reg, s, REC) == (200, {"id": 1}), s
        status, body = reg.request("GET", "/subjects/%s/versions/latest" % quote(s))
        assert (status, body["subject"]) == (200, s)
        assert reg.request("GET", "/config/%s?defaultToGlobal=true" % quote(s)) == (
            200, {"compatibilityLevel": "BACKWARD"})
    assert reg.request("GET", "/subjects") == (200, sorted(subjects))
    # A literal '+' in the path is a plus, not a space.
    assert reg.request("GET", "/subjects/a+b/versions") == (200, [1])
    assert reg.stats()["by_route"]["POST /subjects/{s}/versions"] == len(subjects)


# ------------------------------------------------------------ compatibility

ENUM = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}
FIX = {"type": "fixed", "name": "Hash", "size": 4}


@pytest.mark.parametrize("level,old,new,ok", [
    # BACKWARD: the new schema reads data written with the latest one.
    ("BACKWARD", REC, rec(field("b", "int", default=0)), True),
    ("BACKWARD", REC, rec(field("b", "int")), False),
    ("BACKWARD", rec(field("b", "int")), REC, True),
    ("BACKWARD", REC, rec(field("id", "long"), id=None), True),
    ("BACKWARD", REC, rec(field("id", "float"), id=None), True),
    ("BACKWARD", REC, rec(field("id", "double"), id=None), True),
    ("BACKWARD", rec(field("id", "long"), id=None), rec(field("id", "double"), id=None), True),
    ("BACKWARD", rec(field("id", "float"), id=None), rec(field("id", "double"), id=None), True),
    ("BACKWARD", rec(field("id", "long"), id=None), REC, False),
    ("BACKWARD", rec(field("id", "double"), id=None), rec(field("id", "float"), id=None), False),
    ("BACKWARD", REC, rec(field("id", "string"), id=None), False),
    ("BACKWARD", {"type": "string"}, {"type": "bytes"}, True),
    ("BACKWARD", {"type": "bytes"}, {"type": "string"}, True),
    ("BACKWARD", ENUM, dict(ENUM, symbols=["RED"]), False),
    ("BACKWARD", ENUM, dict(ENUM, symbols=["RED", "GREEN", "BLUE"]), True),
    ("BACKWARD", ENUM, dict(ENUM, symbols=["RED", "OTHER"], default="OTHER"), True),
    ("BACKWARD", REC, rec(field("ident", "int", aliases=["id"]), id=None), True),
    ("BACKWARD", REC, rec(field("ident", "int"), id=None), False),
    ("BACKWARD", REC, rec(field("id", ["null", "int"]), id=None), True),
    ("BACKWARD", rec(field("id", ["null", "int"]), id=None), REC, False),
    ("BACKWARD", rec(field("u", ["int", "string"])), rec(field("u", ["string", "int", "null"])),
     True),
    ("BACKWARD", REC, dict(REC, name="Purchase"), False),
    ("BACKWARD", REC, dict(REC, name="Purchase", aliases=["Order"]), True),
    ("BACKWARD", REC, dict(REC, namespace="other"), True),  # Java compares short names
    ("BACKWARD", FIX, dict(FIX, size=8), False),
    ("BACKWARD", {"type": "array", "items": "int"}, {"type": "array", "items": "long"}, True),
    ("BACKWARD", {"type": "map", "values": "long"}, {"type": "map", "values": "int"}, False),
    ("BACKWARD", REC, {"type": "string"}, False),
    # FORWARD: the latest schema reads data written with the new one.
    ("FORWARD", REC, rec(field("b", "int")), True),
    ("FORWARD", REC, rec(field("id", "long"), id=None), False),
    ("FORWARD", rec(field("b", "int")), REC, False),
    ("FORWARD", rec(field("b", "int", default=0)), REC, True),
    ("FORWARD", ENUM, dict(ENUM, symbols=["RED", "GREEN", "BLUE"]), False),
    ("FORWARD", ENUM, dict(ENUM, symbols=["RED"]), True),
    # FULL: both.
    ("FULL", REC, rec(field("b", ["null", "int"], default=None)), True),
    ("FULL", REC, rec(field("b", "int")), False),
    ("FULL", rec(field("b", "int", default=0)), REC, True),
    ("FULL", REC, rec(field("id", "long"), id=None), False),
    # NONE: anything goes.
    ("NONE", REC, {"type": "string"}, True),
])
def test_compatibility_levels(reg, level, old, new, ok):
    set_level(reg, "t-value", level)
    assert register(reg, "t-value", old) == (200, {"id": 1})
    assert check(reg, "t-value", new) == (200, {"is_compatible": ok})
    status, body = register(reg, "t-value", new)
    if ok:
        assert (status, body) == (200, {"id": 2})
        assert reg.request("GET", "/subjects/t-value/versions") == (200, [1, 2])
    else:
        assert status == 409 and body["error_code"] == 40901, body
        assert body["message"].startswith(
            'Schema being registered is incompatible with an earlier schema for subject '
            '"t-value", details: [{errorType:')
        assert body["message"].endswith(
            "{validateFields: 'false', compatibility: '%s'}]" % level)
        assert reg.request("GET", "/subjects/t-value/versions") == (200, [1])


@pytest.mark.parametrize("level,history,new,ok", [
    # Adding a required field: fine against v2 (which has it), not against v1.
    ("BACKWARD", [REC, rec(field("b", "int", default=0))], rec(field("b", "int")), True),
    ("BACKWARD_TRANSITIVE", [REC, rec(field("b", "int", default=0))], rec(field("b", "int")),
     False),
    ("BACKWARD_TRANSITIVE", [REC, rec(field("b", "int", default=0))],
     rec(field("b", "int", default=0), field("c", "string", default="")), True),
    # Symbols: v2 dropped GREEN (under NONE); reading v1's GREEN needs it back.
    ("BACKWARD", [ENUM, dict(ENUM, symbols=["RED"])], dict(ENUM, symbols=["RED", "BLUE"]), True),
    ("BACKWARD_TRANSITIVE", [ENUM, dict(ENUM, symbols=["RED"])],
     dict(ENUM, symbols=["RED", "BLUE"]), False),
    ("FORWARD", [rec(field("x", "int")), rec(field("x", "int", default=0))], REC, True),
    ("FORWARD_TRANSITIVE", [rec(field("x", "int")), rec(field("x", "int", default=0))], REC,
     False),
    ("FULL", [REC, rec(field("b", "int", default=0))], rec(field("b", "int")), True),
    ("FULL_TRANSITIVE", [REC, rec(field("b", "int", default=0))], rec(field("b", "int")), False),
    ("FULL_TRANSITIVE", [REC, rec(field("b", "int", default=0))],
     rec(field("b", "int", default=1)), True),
])
def test_transitive_levels(reg, level, history, new, ok):
    set_level(reg, "t", "NONE")
    for i, schema in enumerate(history, 1):
        assert register(reg, "t", schema) == (200, {"id": i})
    set_level(reg, "t", level)
    assert check(reg, "t", new, version=None) == (200, {"is_compatible": ok})
    status, body = register(reg, "t", new)
    assert (status == 200) is ok, body
    if not ok:
        assert "{oldSchemaVersion: 1}" in body["message"]  # the oldest one failed


def test_incompatibility_message_matches_confluents(reg):
    register(reg, "t-value", REC)
    status, body = register(reg, "t-value", rec(field("b", "int")))
    assert (status, body) == (409, {"error_code": 40901, "message":
        'Schema being registered is incompatible with an earlier schema for subject "t-value", '
        "details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' "
        "at path '/fields/1' in the new schema has no default value and is missing in the old "
        "schema', additionalInfo:'b'}, {oldSchemaVersion: 1}, {oldSchema: '%s'}, "
        "{validateFields: 'false', compatibility: 'BACKWARD'}]" % REC_CANONICAL})
    status, body = check(reg, "t-value", rec(field("id", "string"), id=None), verbose=True)
    assert (status, body["is_compatible"]) == (200, False)
    assert body["messages"][0] == (
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field "
        "in the new schema does not match with the old schema', additionalInfo:'reader type: "
        "STRING not compatible with writer type: INT'}")
    set_level(reg, "t-value", "FORWARD")
    status, body = check(reg, "t-value", rec(field("id", "string"), id=None), verbose=True)
    assert "in the old schema does not match with the new schema" in body["messages"][0]
    set_level(reg, "e", "BACKWARD")
    register(reg, "e", ENUM)
    messages = check(reg, "e", dict(ENUM, symbols=["RED"]), verbose=True)[1]["messages"]
    assert messages[0] == ("{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is "
                           "missing enum symbols '[GREEN]' at path '/symbols' in the old "
                           "schema', additionalInfo:'[GREEN]'}")


def test_incompatible_error_code_409_like_older_registries(registry_script, tmp_path):
    with DevRegistry(registry_script, tmp_path,
                     extra_args=["--incompatible-error-code", "409"]) as r:
        register(r, "t", REC)
        status, body = register(r, "t", rec(field("b", "int")))
        assert (status, body["error_code"]) == (409, 409)
        r.reject_next("t")
        assert register(r, "t", REC)[1]["error_code"] == 409


def test_compatibility_endpoint(reg):
    set_level(reg, "t", "BACKWARD_TRANSITIVE")
    v2 = rec(field("b", "int", default=0))
    required_b = rec(field("b", "int"))
    # No subject: compatible against "latest", 40402 against a numbered version.
    assert check(reg, "t", REC) == (200, {"is_compatible": True})
    assert check(reg, "t", REC, version="1") == (
        404, {"error_code": 40402, "message": "Version 1 not found."})
    register(reg, "t", REC)
    register(reg, "t", v2)
    # One version at a time, even when the level is transitive.
    assert check(reg, "t", required_b, version="2") == (200, {"is_compatible": True})
    assert check(reg, "t", required_b, version="latest") == (200, {"is_compatible": True})
    assert check(reg, "t", required_b, version="1") == (200, {"is_compatible": False})
    # All versions, as a registration would.
    assert check(reg, "t", required_b, version=None) == (200, {"is_compatible": False})
    assert check(reg, "t", v2, verbose=True) == (200, {"is_compatible": True, "messages": []})
    assert check(reg, "t", REC, version="x")[1]["error_code"] == 42202
    assert check(reg, "t", REC, version="9")[1]["error_code"] == 40402
    status, body = reg.request("POST", "/compatibility/subjects/t/versions/latest",
                               {"schema": "{bad"})
    assert (status, body["error_code"]) == (422, 42201)
    status, body = reg.request("POST", "/compatibility/subjects/t/versions/latest?verbose=true",
                               {"schema": "{bad"})
    assert status == 200 and body["is_compatible"] is False
    assert body["messages"][0].startswith("Invalid schema")
    set_level(reg, "t", "NONE")
    assert check(reg, "t", {"type": "string"}) == (200, {"is_compatible": True})


# ------------------------------------------------------------ config

def test_config(reg):
    assert reg.request("GET", "/config") == (200, {"compatibilityLevel": "BACKWARD"})
    assert reg.request("PUT", "/config", {"compatibility": "full"}) == (
        200, {"compatibility": "FULL"})
    assert reg.request("GET", "/config") == (200, {"compatibilityLevel": "FULL"})
    invalid = (422, {"error_code": 42203, "message": "Invalid compatibility level. Valid values "
                     "are none, backward, forward, full, backward_transitive, "
                     "forward_transitive, and full_transitive"})
    assert reg.request("PUT", "/config", {"compatibility": "SOMETIMES"}) == invalid
    assert reg.request("PUT", "/config/t", {"compatibility": "SOMETIMES"}) == invalid
    assert reg.request("GET", "/config/t") == (
        404, {"error_code": 40408,
              "message": "Subject 't' does not have subject-level compatibility configured"})
    assert reg.request("GET", "/config/t?defaultToGlobal=true") == (
        200, {"compatibilityLevel": "FULL"})
    set_level(reg, "t", "NONE")
    assert reg.request("GET", "/config/t") == (200, {"compatibilityLevel": "NONE"})
    # The subject's level wins over the global one.
    register(reg, "t", REC)
    assert register(reg, "t", {"type": "string"}) == (200, {"id": 2})
    register(reg, "u", REC)
    assert register(reg, "u", {"type": "string"})[0] == 409
    assert reg.request("DELETE", "/config/t") == (200, {"compatibilityLevel": "NONE"})
    assert reg.request("DELETE", "/config/t") == (
        404, {"error_code": 40401, "message": "Subject 't' not found."})
    assert reg.request("DELETE", "/config") == (200, {"compatibilityLevel": "FULL"})
    assert reg.request("GET", "/config") == (200, {"compatibilityLevel": "BACKWARD"})


def test_initial_level_option(registry_script, tmp_path):
    with DevRegistry(registry_script, tmp_path, extra_args=["--compatibility", "none"]) as r:
        assert r.request("GET", "/config") == (200, {"compatibilityLevel": "NONE"})
        register(r, "t", REC)
        assert register(r, "t", {"type": "string"}) == (200, {"id": 2})


# ------------------------------------------------------------ test hooks

def test_reject_next(reg):
    reg.reject_next("t-value")
    status, body = register(reg, "u-value", REC)  # another subject: unaffected
    assert status == 200
    status, body = register(reg, "t-value", REC)
    assert (status, body["error_code"]) == (409, 40901)
    assert body["message"].startswith('Schema being registered is incompatible with an '
                                      'earlier schema for subject "t-value", details: [')
    assert register(reg, "t-value", REC) == (200, {"id": 1})  # only once
    reg.reject_next("t-value")  # also when the schema is already registered there
    assert register(reg, "t-value", REC)[0] == 409
    assert reg.request("GET", "/subjects/t-value/versions") == (200, [1])


def test_fail_next_and_stats(reg):
    reg.reset_stats()
    reg.fail_next(2)
    assert reg.request("GET", "/subjects") == (
        500, {"error_code": 50001, "message": "Injected failure (dev-registry /_test/fail-next)"})
    assert register(reg, "t", REC)[0] == 500
    assert register(reg, "t", REC) == (200, {"id": 1})
    reg.fail_next(1, status=503, error_code=50003, message="leader unknown")
    assert reg.request("GET", "/schemas/ids/1") == (
        503, {"error_code": 50003, "message": "leader unknown"})
    assert reg.request("GET", "/schemas/ids/1")[0] == 200
    reg.request("GET", "/nope")
    stats = reg.stats()
    assert stats == {"requests": 6, "injected_failures": 3, "by_route": {
        "GET /subjects": 1, "POST /subjects/{s}/versions": 2, "GET /schemas/ids/{id}": 2,
        "GET (unknown path)": 1}}
    reg.reset_stats()
    assert reg.stats() == {"requests": 0, "injected_failures": 0, "by_route": {}}
    assert reg.request("POST", "/_test/nope", {}) == (
        404, {"error_code": 404, "message": "HTTP 404 Not Found"})


def test_fail_next_after_and_clear(reg):
    reg.fail_next(1, status=404, error_code=40403, message="gone", after=2)
    assert reg.request("GET", "/subjects")[0] == 200
    assert reg.request("GET", "/subjects")[0] == 200
    assert reg.request("GET", "/subjects") == (404, {"error_code": 40403, "message": "gone"})
    assert reg.request("GET", "/subjects")[0] == 200
    reg.fail_next(3)
    reg.fail_next(0)  # clears what is pending
    assert reg.request("GET", "/subjects")[0] == 200


def test_delay(reg):
    reg.delay(600)
    started = time.monotonic()
    assert reg.request("GET", "/subjects")[0] == 200
    assert time.monotonic() - started >= 0.6
    reg.delay(0)
    started = time.monotonic()
    reg.request("GET", "/subjects")
    assert time.monotonic() - started < 0.6


def test_concurrent_registrations_share_one_id(reg):
    results = []

    def worker(i):
        results.append(register(reg, "s%d" % i, REC))

    reg.delay(50)  # requests overlap
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(200, {"id": 1})] * 32
    assert len(reg.request("GET", "/subjects")[1]) == 32


# ------------------------------------------------------------ security

def test_basic_auth(registry_script, tmp_path):
    with DevRegistry(registry_script, tmp_path, basic_auth="alice:s3:cret") as r:
        unauthorized = (401, {"error_code": 401, "message": "Unauthorized"})
        assert r.request("GET", "/subjects", auth=False) == unauthorized
        resp = requests.get(r.url + "/subjects")
        assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Basic ")
        assert requests.get(r.url + "/", auth=("alice", "wrong")).status_code == 401
        assert requests.get(r.url + "/", auth=("bob", "s3:cret")).status_code == 401
        assert requests.get(r.url + "/", auth=("alice", "s3:cret")).status_code == 200
        assert register(r, "t", REC) == (200, {"id": 1})
        assert r.request("GET", "/_test/stats", auth=False) == unauthorized
        # A rejected request with a body does not break the kept-alive connection.
        with requests.Session() as s:
            assert s.post(r.url + "/subjects/t/versions",
                          json={"schema": json.dumps(REC)}).status_code == 401
            assert s.get(r.url + "/subjects", auth=("alice", "s3:cret")).json() == ["t"]
        log = r.log_text()
    assert "GET /subjects 401" in log
    assert "s3:cret" not in log and "Authorization" not in log and "YWxpY2" not in log


def test_tls(registry_script, tmp_path):
    cert, key = openssl_cert(tmp_path, "server")
    with DevRegistry(registry_script, tmp_path / "a", tls=(cert, key)) as r:
        assert r.url.startswith("https://127.0.0.1:")
        assert register(r, "t", REC) == (200, {"id": 1})
        assert requests.get(r.url + "/subjects", verify=cert).json() == ["t"]
        with pytest.raises(requests.exceptions.RequestException):
            requests.get(r.url.replace("https:", "http:") + "/subjects", timeout=5)
        assert requests.get(r.url + "/subjects", verify=cert).status_code == 200


def test_tls_client_certificates(registry_script, tmp_path):
    cert, key = openssl_cert(tmp_path, "server")
    client_cert, client_key = openssl_cert(tmp_path, "client", cn="tidewater")
    other_cert, other_key = openssl_cert(tmp_path, "other", cn="stranger")
    tls = {"cert": cert, "key": key, "client_ca": client_cert,
           "client_cert": client_cert, "client_key": client_key}
    with DevRegistry(registry_script, tmp_path, tls=tls, basic_auth="u:p") as r:
        assert register(r, "t", REC) == (200, {"id": 1})
        ok = requests.get(r.url + "/subjects", verify=cert, cert=(client_cert, client_key),
                          auth=("u", "p"))
        assert ok.json() == ["t"]
        for presented in (None, (other_cert, other_key)):
            with pytest.raises(requests.exceptions.RequestException):
                requests.get(r.url + "/subjects", verify=cert, cert=presented, auth=("u", "p"),
                             timeout=5)
        assert r.proc.poll() is None


# ------------------------------------------------------------ process

def test_restart_with_data_file_keeps_ids(registry_script, tmp_path):
    data = tmp_path / "state" / "registry-state.json"
    data.parent.mkdir()
    r = DevRegistry(registry_script, tmp_path / "work", data_file=data).start()
    try:
        url = r.url
        assert register(r, "a", REC) == (200, {"id": 1})
        assert register(r, "b", {"type": "string"}) == (200, {"id": 2})
        set_level(r, None, "FULL")
        set_level(r, "a", "NONE")
        assert r.request("DELETE", "/subjects/b") == (200, [1])
        assert r.restart().url == url
        assert register(r, "c", json.dumps(REC, indent=1)) == (200, {"id": 1})
        assert r.request("GET", "/subjects") == (200, ["a", "c"])
        assert r.request("GET", "/subjects?deleted=true") == (200, ["a", "b", "c"])
        assert r.request("GET", "/schemas/ids/2") == (200, {"schema": '"string"'})
        assert r.request("GET", "/config") == (200, {"compatibilityLevel": "FULL"})
        assert r.request("GET", "/config/a") == (200, {"compatibilityLevel": "NONE"})
        assert register(r, "d", {"type": "long"}) == (200, {"id": 3})
        assert register(r, "a", {"type": "long"}) == (200, {"id": 3})
        assert r.request("GET", "/subjects/a/versions") == (200, [1, 2])
    finally:
        assert r.stop() == 0
    assert os.listdir(data.parent) == ["registry-state.json"]  # no temporary files left
    state = json.loads(data.read_text())
    assert state["schemas"]["1"] == REC_CANONICAL
    # Without a data file a restart forgets everything.
    with DevRegistry(registry_script, tmp_path / "mem", data_file=False) as m:
        register(m, "x", {"type": "long"})
        m.restart()
        assert register(m, "y", REC) == (200, {"id": 1})


def test_process_contract(registry_script, tmp_path):
    out = subprocess.run(["/usr/bin/python3", registry_script, "--help"], capture_output=True,
                         text=True, check=True)
    for word in ("--url-file", "--data-file", "--basic-auth", "--tls-client-ca", "/_test/"):
        assert word in out.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url_file = tmp_path / "url"
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen(["/usr/bin/python3", registry_script, "--port", str(port),
                                 "--url-file", str(url_file), "--quiet"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline().strip()
            assert line == "http://127.0.0.1:%d" % port
            assert url_file.read_text().strip() == line
            assert requests.get(line + "/subjects").json() == []
            # A kept-alive idle connection does not hold up the exit.
            idle = socket.create_connection(("127.0.0.1", port))
            proc.send_signal(sig)
            assert proc.wait(timeout=10) == 0
            idle.close()
            assert proc.stderr.read() == ""  # --quiet
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    bad = subprocess.run(["/usr/bin/python3", registry_script, "--tls-key", "k"],
                         capture_output=True, text=True)
    assert bad.returncode == 2


def test_start_failure_is_reported(registry_script, tmp_path):
    r = DevRegistry(registry_script, tmp_path, tls=(str(tmp_path / "missing.pem"), None))
    with pytest.raises(RuntimeError, match="TLS set-up failed"):
        r.start()


def test_request_log(reg, registry_script, tmp_path):
    register(reg, "t-value", REC)
    reg.request("GET", "/subjects/%s/versions" % quote("a/b"))
    log = reg.log_text()
    assert "dev-registry: POST /subjects/t-value/versions 200" in log
    assert "dev-registry: GET /subjects/a%2Fb/versions 404" in log
    with DevRegistry(registry_script, tmp_path / "q", quiet=True) as q:
        register(q, "t", REC)
        assert q.log_text() == ""


# ------------------------------------------------------------ independent client

def test_confluent_kafka_schema_registry_client(reg):
    sr = pytest.importorskip("confluent_kafka.schema_registry")
    from confluent_kafka.schema_registry.error import SchemaRegistryError
    client = sr.SchemaRegistryClient({"url": reg.url})
    # (Not a '/': this client's test_compatibility() forgets to URL-encode
    # the subject, which a real registry answers with 404 as well.)
    subject = "orders:eu.v1-value"
    sid = client.register_schema(subject, sr.Schema(json.dumps(REC, indent=2), "AVRO"))
    assert sid == 1
    assert json.loads(client.get_schema(sid).schema_str) == REC
    latest = client.get_latest_version(subject)
    assert (latest.schema_id, latest.subject, latest.version) == (1, subject, 1)
    assert client.get_version(subject, 1).schema_id == 1
    assert client.lookup_schema(subject, sr.Schema(json.dumps(REC), "AVRO")).version == 1
    assert client.get_subjects() == [subject]
    assert client.get_versions(subject) == [1]
    v2 = sr.Schema(json.dumps(rec(field("b", "int", default=0))), "AVRO")
    assert client.test_compatibility(subject, v2) is True
    assert client.test_compatibility(
        subject, sr.Schema(json.dumps(rec(field("b", "int"))), "AVRO")) is False
    assert client.register_schema(subject, v2) == 2
    client.set_compatibility(subject_name=subject, level="FULL")
    assert client.get_compatibility(subject) == "FULL"
    client.set_compatibility(level="NONE")
    assert client.get_compatibility() == "NONE"
    with pytest.raises(SchemaRegistryError) as e:
        client.get_latest_version("nope")
    assert (e.value.http_status_code, e.value.error_code) == (404, 40401)
    client.set_compatibility(level="BACKWARD")
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema("strict", sr.Schema(json.dumps(REC), "AVRO"))
        client.register_schema("strict", sr.Schema(json.dumps(rec(field("c", "int"))), "AVRO"))
    assert (e.value.http_status_code, e.value.error_code) == (409, 40901)
    assert client.delete_version(subject, 2) == 2
    assert client.delete_subject(subject, permanent=True) == [1]
    assert client.get_subjects() == ["strict"]


def test_confluent_kafka_client_with_tls_and_auth(registry_script, tmp_path, monkeypatch):
    sr = pytest.importorskip("confluent_kafka.schema_registry")
    # requests lets these override the client's ssl.ca.location (Session.verify).
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    cert, key = openssl_cert(tmp_path, "server")
    with DevRegistry(registry_script, tmp_path, tls=(cert, key), basic_auth="app:pw") as r:
        client = sr.SchemaRegistryClient({"url": r.url, "ssl.ca.location": cert,
                                          "basic.auth.user.info": "app:pw"})
        assert client.register_schema("t-value", sr.Schema(json.dumps(REC), "AVRO")) == 1
        assert json.loads(client.get_schema(1).schema_str) == REC


def test_helper_quotes_like_clients():
    assert quote("a/b c:d") == urllib.parse.quote("a/b c:d", safe="") == "a%2Fb%20c%3Ad"
