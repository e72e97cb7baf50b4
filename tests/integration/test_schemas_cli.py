"""`tidewater schemas check` and `tidewater schemas asyncapi`: the schema
owners' tooling for contract-first event schemas.

The AsyncAPI documents are validated by the AsyncAPI parser (the official
JSON Schema of the document's version, the parser's semantic rules, and the
Avro payload schemas through its Avro schema parser), installed from the npm
registry into _build/asyncapi-validator once and reused afterwards."""
import copy
import json
import os
import re
import shutil
import subprocess
import sys

import avro.schema
import pytest
import requests

from conftest import SRCDIR, write_properties
from helpers import with_fields, write_schemas
from pgcluster import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(SRCDIR, "schemas")
FIXTURES = os.path.join(SRCDIR, "tests", "fixtures", "avsc")
VALIDATOR_SRC = os.path.join(HERE, "asyncapi")
VALIDATOR_DIR = os.path.join(SRCDIR, "_build", "asyncapi-validator")
V1_JSON = "application/vnd.schemaregistry.v1+json"

# The repository's example schemas: event records, and records only used
# inside them.
REPO_EVENTS = {"CustomerRegistered": "com.example.events.CustomerRegistered",
               "OrderCreated": "com.example.events.OrderCreated",
               "OrderShipped": "com.example.events.OrderShipped"}
REPO_NESTED = {"com.example.events.Address", "com.example.events.LineItem"}


def tidewater(binary, *args, timeout=120):
    return subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def record_lines(stdout):
    """{full name: (file, status)} from `schemas check` output."""
    out = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[2].startswith("OK"):
            out[parts[0]] = (parts[1], parts[2])
    return out


# ------------------------------------------------------------ schemas check

def test_check_repo_schemas(tidewater_bin):
    res = tidewater(tidewater_bin, "schemas", "check", SCHEMAS)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = record_lines(res.stdout)
    assert set(lines) == set(REPO_EVENTS.values()) | REPO_NESTED, res.stdout
    for name, (path, status) in lines.items():
        assert status.startswith("OK"), res.stdout
        assert os.path.basename(path).endswith(".avsc")
    assert lines["com.example.events.LineItem"][0].endswith("OrderCreated.avsc")
    assert "used by com.example.events.OrderCreated" in lines["com.example.events.LineItem"][1]
    assert "5 records, 3 event records: all valid" in res.stdout


@pytest.mark.parametrize("case,file,what", [
    ("bad_json", "b_broken.avsc", "invalid JSON"),
    ("unknown_type", "order.avsc", 'unknown type "Customer"'),
    ("duplicate", "b.avsc", 'duplicate type name "com.acme.Address"'),
])
def test_check_bad_directories(tidewater_bin, case, file, what):
    res = tidewater(tidewater_bin, "schemas", "check", os.path.join(FIXTURES, case))
    assert res.returncode == 2, res.stdout + res.stderr
    assert file in res.stderr and what in res.stderr, res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize("args,message", [
    ([], "usage: tidewater schemas check"),
    (["a", "b"], "usage: tidewater schemas check"),
    (["--strategy", "topic", "--registry", "http://127.0.0.1:1", SCHEMAS], "needs --topic"),
    (["--strategy", "subject", SCHEMAS], "not one of record, topic-record, topic"),
    (["--topic", "t", SCHEMAS], "need --registry"),
    (["/nonexistent/schemas-dir"], "/nonexistent/schemas-dir"),
])
def test_check_usage_errors(tidewater_bin, args, message):
    res = tidewater(tidewater_bin, "schemas", "check", *args)
    assert res.returncode == 2, res.stdout + res.stderr
    assert message in res.stderr


def test_schemas_dispatch(tidewater_bin):
    assert "schemas check DIR" in tidewater(tidewater_bin, "--help").stdout
    res = tidewater(tidewater_bin, "schemas")
    assert res.returncode == 2 and "tidewater schemas asyncapi" in res.stderr
    res = tidewater(tidewater_bin, "schemas", "lint")
    assert res.returncode == 2 and 'unknown command "lint"' in res.stderr
    for sub in ("check", "asyncapi"):
        res = tidewater(tidewater_bin, "schemas", sub, "--help")
        assert res.returncode == 0 and res.stdout.startswith("usage: tidewater schemas " + sub)


# ------------------------------------------------------------ with a registry

THING_V1 = {"type": "record", "name": "com.acme.shop.Thing", "doc": "v1",
            "fields": [{"name": "id", "type": "long"},
                       {"name": "label", "type": "string"}]}


def register(registry, subject, schema, level=None):
    if level:
        r = requests.put("%s/config/%s" % (registry.url, subject), json={"compatibility": level},
                         headers={"Content-Type": V1_JSON}, timeout=10)
        assert r.status_code == 200, r.text
    r = requests.post("%s/subjects/%s/versions" % (registry.url, subject),
                      json={"schema": json.dumps(schema)}, headers={"Content-Type": V1_JSON},
                      timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["id"]


def registry_messages(registry, subject, schema):
    """What the registry itself says about schema under subject."""
    r = requests.post("%s/compatibility/subjects/%s/versions/latest?verbose=true"
                      % (registry.url, subject), json={"schema": json.dumps(schema)},
                      headers={"Content-Type": V1_JSON}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_check_registry_new_subjects(tidewater_bin, registry):
    res = tidewater(tidewater_bin, "schemas", "check", SCHEMAS, "--registry", registry.url)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = record_lines(res.stdout)
    for name in REPO_EVENTS.values():
        assert lines[name][1] == 'OK  new subject "%s"' % name, res.stdout
    for name in REPO_NESTED:
        assert "not an event record" in lines[name][1]
    assert "all valid and accepted by the registry" in res.stdout
    # Asking registers nothing.
    assert requests.get(registry.url + "/subjects", timeout=10).json() == []


def test_check_registry_backward_transitive_added_required_field(tidewater_bin, registry,
                                                                  tmp_path):
    subject = THING_V1["name"]
    register(registry, subject, THING_V1, level="BACKWARD_TRANSITIVE")
    v2 = with_fields(THING_V1, THING_V1["fields"] + [{"name": "weight", "type": "int"}])
    res = tidewater(tidewater_bin, "schemas", "check", write_schemas(tmp_path / "v2", v2),
                    "--registry", registry.url)
    assert res.returncode == 1, res.stdout + res.stderr
    status = record_lines(res.stdout)[subject][1]
    assert status.startswith('OK  INCOMPATIBLE with subject "%s": ' % subject), res.stdout
    answer = registry_messages(registry, subject, v2)
    assert answer["is_compatible"] is False
    for message in answer["messages"]:
        assert message in status
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in status and "weight" in status
    assert "BACKWARD_TRANSITIVE" in status


def test_check_registry_forward_transitive_removed_required_field(tidewater_bin, registry,
                                                                  tmp_path):
    subject = THING_V1["name"]
    register(registry, subject, THING_V1, level="FORWARD_TRANSITIVE")
    v2 = with_fields(THING_V1, THING_V1["fields"][:1])  # "label" removed
    res = tidewater(tidewater_bin, "schemas", "check", write_schemas(tmp_path / "v2", v2),
                    "--registry", registry.url)
    assert res.returncode == 1, res.stdout + res.stderr
    status = record_lines(res.stdout)[subject][1]
    assert "INCOMPATIBLE" in status and "label" in status and "FORWARD_TRANSITIVE" in status


def test_check_registry_compatible_field_with_default(tidewater_bin, registry, tmp_path):
    subject = THING_V1["name"]
    register(registry, subject, THING_V1, level="BACKWARD_TRANSITIVE")
    v2 = with_fields(THING_V1, THING_V1["fields"] + [
        {"name": "weight", "type": "int", "default": 0},
        {"name": "note", "type": ["null", "string"], "default": None}])
    res = tidewater(tidewater_bin, "schemas", "check", write_schemas(tmp_path / "v2", v2),
                    "--registry", registry.url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert record_lines(res.stdout)[subject][1] == 'OK  compatible with subject "%s"' % subject


def test_check_registry_transitive_checks_every_version(tidewater_bin, registry, tmp_path):
    subject = THING_V1["name"]
    register(registry, subject, THING_V1, level="BACKWARD_TRANSITIVE")
    register(registry, subject, with_fields(THING_V1, THING_V1["fields"][:1]))
    # Compatible with v2 (which has no label), not with v1 (label: string).
    v3 = with_fields(THING_V1, THING_V1["fields"][:1] +
                     [{"name": "label", "type": "long", "default": 0}])
    res = tidewater(tidewater_bin, "schemas", "check", write_schemas(tmp_path / "v3", v3),
                    "--registry", registry.url)
    assert res.returncode == 1 and "INCOMPATIBLE" in res.stdout, res.stdout


def test_check_registry_topic_strategies(tidewater_bin, registry, tmp_path):
    other = {"type": "record", "name": "com.acme.shop.Other",
             "fields": [{"name": "x", "type": "string"}]}
    directory = write_schemas(tmp_path / "d", THING_V1, other)
    res = tidewater(tidewater_bin, "schemas", "check", directory, "--registry", registry.url,
                    "--strategy", "topic-record", "--topic", "orders")
    assert res.returncode == 0, res.stdout + res.stderr
    lines = record_lines(res.stdout)
    assert lines["com.acme.shop.Thing"][1] == 'OK  new subject "orders-com.acme.shop.Thing"'
    assert lines["com.acme.shop.Other"][1] == 'OK  new subject "orders-com.acme.shop.Other"'

    # TopicNameStrategy: both records go to orders-value, where Thing is.
    register(registry, "orders-value", THING_V1)
    res = tidewater(tidewater_bin, "schemas", "check", directory, "--registry", registry.url,
                    "--strategy", "topic", "--topic", "orders")
    assert res.returncode == 1, res.stdout + res.stderr
    lines = record_lines(res.stdout)
    assert lines["com.acme.shop.Thing"][1] == 'OK  compatible with subject "orders-value"'
    assert lines["com.acme.shop.Other"][1].startswith(
        'OK  INCOMPATIBLE with subject "orders-value": ')
    assert 'share subject "orders-value"' in res.stdout


def test_check_registry_unreachable(tidewater_bin):
    url = "http://127.0.0.1:%d" % free_port()
    res = tidewater(tidewater_bin, "schemas", "check", SCHEMAS, "--registry", url)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "cannot use the schema registry at %s" % url in res.stderr
    assert "new subject" not in res.stdout


def test_check_registry_url_credentials_not_shown(tidewater_bin):
    url = "http://someone:s3cret@127.0.0.1:%d" % free_port()
    res = tidewater(tidewater_bin, "schemas", "check", SCHEMAS, "--registry", url)
    assert res.returncode == 1
    assert "s3cret" not in res.stderr + res.stdout
    assert "http://127.0.0.1:" in res.stderr


# ------------------------------------------------------------ AsyncAPI validator

NETWORK_ERRORS = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|"
                            r"ENETUNREACH|EHOSTUNREACH|network (request|connectivity)|"
                            r"request to \S+ failed", re.I)


@pytest.fixture(scope="session")
def asyncapi_validate():
    """validate(path) -> (returncode, [diagnostics]) using the AsyncAPI parser."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed to validate AsyncAPI documents: run "
                    "scripts/install-deps (Debian packages nodejs, npm)")
    with open(os.path.join(VALIDATOR_SRC, "package.json")) as f:
        wanted = f.read()
    stamp = os.path.join(VALIDATOR_DIR, ".installed")
    installed = None
    if os.path.exists(stamp):
        with open(stamp) as f:
            installed = f.read()
    if installed != wanted or not os.path.isdir(
            os.path.join(VALIDATOR_DIR, "node_modules", "@asyncapi", "parser")):
        os.makedirs(VALIDATOR_DIR, exist_ok=True)
        if os.path.exists(stamp):
            os.unlink(stamp)
        with open(os.path.join(VALIDATOR_DIR, "package.json"), "w") as f:
            f.write(wanted)
        res = subprocess.run([npm, "install", "--prefix", VALIDATOR_DIR, "--no-package-lock",
                              "--no-audit", "--no-fund", "--loglevel=error"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=600, cwd=VALIDATOR_DIR)
        if res.returncode != 0:
            if NETWORK_ERRORS.search(res.stdout):
                reason = ("AsyncAPI validation SKIPPED: the npm registry is unreachable, so "
                          "@asyncapi/parser could not be installed:\n" + res.stdout[-2000:])
                print("\n" + "!" * 72 + "\n" + reason + "\n" + "!" * 72, file=sys.__stderr__)
                pytest.skip(reason)
            pytest.fail("npm install of the AsyncAPI validator failed:\n" + res.stdout[-4000:])
        with open(stamp, "w") as f:
            f.write(wanted)

    def validate(path):
        env = dict(os.environ, NODE_PATH=os.path.join(VALIDATOR_DIR, "node_modules"))
        res = subprocess.run([node, os.path.join(VALIDATOR_SRC, "validate.js"), str(path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=120, env=env)
        diagnostics = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
        return res.returncode, diagnostics, res.stderr

    return validate


def assert_valid(validate, path):
    rc, diagnostics, stderr = validate(path)
    errors = [d for d in diagnostics if d["severity"] in ("error", "warning")]
    assert rc == 0 and not errors, json.dumps(diagnostics, indent=1) + stderr
    assert {"code": "parsed", "version": "3.0.0"}.items() <= next(
        d for d in diagnostics if d.get("code") == "parsed").items()


# ------------------------------------------------------------ schemas asyncapi

def connector_file(tmp_path, name="connector.properties", **overrides):
    props = {
        "name": "shop-orders",
        "topic.prefix": "shop",
        "database.hostname": "127.0.0.1",
        "database.user": "app",
        "database.dbname": "shop",
        "slot.name": "shop",
        "publication.name": "shop",
        "bootstrap.servers": "127.0.0.1:9092",
        "transforms": "outbox",
        "transforms.outbox.type": "io.debezium.transforms.outbox.EventRouter",
        "transforms.outbox.payload.schema.dir": SCHEMAS,
        "key.converter": "io.confluent.connect.avro.AvroConverter",
        "key.converter.schema.registry.url": "http://127.0.0.1:8081",
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": "http://127.0.0.1:8081",
    }
    return write_properties(str(tmp_path / name), props, overrides)


def asyncapi(binary, config, tmp_path):
    out = tmp_path / "asyncapi.json"
    res = tidewater(binary, "schemas", "asyncapi", config, "-o", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("wrote %s: AsyncAPI 3.0.0" % out)
    with open(str(out)) as f:
        return out, json.load(f)


def deref(doc, ref):
    node = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def collect_named(schema, out, namespace=""):
    """Full names of the named types an Avro schema defines."""
    if isinstance(schema, list):
        for branch in schema:
            collect_named(branch, out, namespace)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in ("record", "enum", "fixed"):
            name = schema["name"]
            if "." not in name:
                ns = schema.get("namespace", namespace)
                name = "%s.%s" % (ns, name) if ns else name
            out.add(name)
            namespace = name.rsplit(".", 1)[0] if "." in name else ""
            for field in schema.get("fields", []):
                collect_named(field["type"], out, namespace)
        elif kind == "array":
            collect_named(schema["items"], out, namespace)
        elif kind == "map":
            collect_named(schema["values"], out, namespace)


def test_asyncapi_default_routing(tidewater_bin, tmp_path, asyncapi_validate):
    path, doc = asyncapi(tidewater_bin, connector_file(tmp_path), tmp_path)
    assert_valid(asyncapi_validate, path)

    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == "shop-orders"
    assert doc["servers"]["kafka"]["host"] == "127.0.0.1:9092"
    assert doc["servers"]["kafka"]["protocol"] == "kafka"
    assert doc["servers"]["kafka"]["bindings"]["kafka"]["schemaRegistryUrl"] == \
        "http://127.0.0.1:8081"
    (channel_id, channel), = doc["channels"].items()
    assert channel["address"] == "outbox.event.{routedByValue}"
    assert set(channel["parameters"]) == {"routedByValue"}
    assert "`aggregatetype`" in channel["parameters"]["routedByValue"]["description"]
    assert "route.by.field" in channel["parameters"]["routedByValue"]["description"]

    (op_id, op), = doc["operations"].items()
    assert op["action"] == "send"
    assert op["channel"] == {"$ref": "#/channels/%s" % channel_id}
    assert len(op["messages"]) == len(REPO_EVENTS)

    # One message per event type, and nothing else.
    messages = doc["components"]["messages"]
    assert {m["name"] for m in messages.values()} == set(REPO_EVENTS)
    assert {deref(doc, deref(doc, r["$ref"])["$ref"])["name"] for r in op["messages"]} == \
        set(REPO_EVENTS)
    for event_type, fullname in REPO_EVENTS.items():
        m = messages[event_type]
        assert m["title"] == fullname
        assert m["payload"]["schemaFormat"] == "application/vnd.apache.avro+json;version=1.9.0"
        schema = m["payload"]["schema"]
        assert "%s.%s" % (schema["namespace"], schema["name"]) == fullname
        assert m["headers"]["properties"]["id"]["type"] == "string"
        assert m["headers"]["required"] == ["id"]
        kafka = m["bindings"]["kafka"]
        assert kafka["key"]["type"] == "string" and "`aggregateid`" in kafka["key"]["description"]
        assert kafka["schemaIdLocation"] == "payload"
        assert kafka["schemaIdPayloadEncoding"] == "confluent"
        assert kafka["bindingVersion"] == "0.5.0"
        assert "subject `outbox.event.{routedByValue}-value`" in m["description"]
    # Every record of the catalogue appears, the nested ones inside payloads.
    named = set()
    for m in messages.values():
        collect_named(m["payload"]["schema"], named)
    assert set(REPO_EVENTS.values()) | REPO_NESTED <= named


def test_asyncapi_payload_is_the_registered_schema(tidewater_bin, tmp_path, registry):
    """The payload schemas (names split for AsyncAPI) are the schemas tidewater
    registers: registered as the record subjects, `schemas check` finds every
    event record compatible, and FULL compatibility holds both ways."""
    _, doc = asyncapi(tidewater_bin, connector_file(tmp_path), tmp_path)
    for event_type, fullname in REPO_EVENTS.items():
        payload = doc["components"]["messages"][event_type]["payload"]["schema"]
        assert avro.schema.parse(json.dumps(payload)).fullname == fullname
        register(registry, fullname, payload, level="FULL_TRANSITIVE")
    res = tidewater(tidewater_bin, "schemas", "check", SCHEMAS, "--registry", registry.url)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = record_lines(res.stdout)
    for fullname in REPO_EVENTS.values():
        assert lines[fullname][1] == 'OK  compatible with subject "%s"' % fullname


def test_asyncapi_custom_routing(tidewater_bin, tmp_path, asyncapi_validate):
    config = connector_file(tmp_path, transforms_outbox_route_topic_replacement=
                            "orders.${routedByValue}.v1")
    path, doc = asyncapi(tidewater_bin, config, tmp_path)
    assert_valid(asyncapi_validate, path)
    (channel,) = doc["channels"].values()
    assert channel["address"] == "orders.{routedByValue}.v1"
    assert set(channel["parameters"]) == {"routedByValue"}

    config = connector_file(
        tmp_path, "c2.properties",
        transforms_outbox_route_by_field="category",
        transforms_outbox_route_topic_regex="(?<area>[a-z]+)_(v[0-9]+)",
        transforms_outbox_route_topic_replacement="events.${area}.$2",
        value_converter_value_subject_name_strategy=
        "io.confluent.kafka.serializers.subject.RecordNameStrategy")
    path, doc = asyncapi(tidewater_bin, config, tmp_path)
    assert_valid(asyncapi_validate, path)
    (channel,) = doc["channels"].values()
    assert channel["address"] == "events.{area}.{group2}"
    params = channel["parameters"]
    assert set(params) == {"area", "group2"}
    assert "Capture group `area`" in params["area"]["description"]
    assert "Capture group 2 " in params["group2"]["description"]
    for p in params.values():
        assert "`(?<area>[a-z]+)_(v[0-9]+)`" in p["description"]
        assert "`category`" in p["description"]
        assert "does not match is itself the topic name" in p["description"]
    m = doc["components"]["messages"]["OrderCreated"]
    assert "subject `com.example.events.OrderCreated`" in m["description"]
    assert m["bindings"]["kafka"]["schemaLookupStrategy"].endswith("RecordNameStrategy")


def test_asyncapi_mapping_and_header_placement(tidewater_bin, tmp_path, asyncapi_validate):
    config = connector_file(
        tmp_path,
        transforms_outbox_payload_schema_mapping="order-created:com.example.events.OrderCreated,"
                                                 "order-placed:com.example.events.OrderCreated",
        transforms_outbox_table_fields_additional_placement="type:header:eventType,"
                                                            "tenant:header")
    path, doc = asyncapi(tidewater_bin, config, tmp_path)
    assert_valid(asyncapi_validate, path)
    messages = doc["components"]["messages"]
    # One message per record: a record is not described twice.
    assert set(messages) == {"order-created", "CustomerRegistered", "OrderShipped"}
    m = messages["order-created"]
    assert m["name"] == "order-created"
    assert "`order-created`, `order-placed`" in m["description"]
    headers = m["headers"]["properties"]
    assert "`type`" in headers["eventType"]["description"]
    assert "`tenant`" in headers["tenant"]["description"]


def test_asyncapi_two_transforms(tidewater_bin, tmp_path, asyncapi_validate):
    other = write_schemas(tmp_path / "crm", {
        "type": "record", "name": "com.acme.crm.OrderCreated",
        "fields": [{"name": "id", "type": "long"}]})
    config = connector_file(
        tmp_path, transforms="outbox,crm",
        transforms_crm_type="io.debezium.transforms.outbox.EventRouter",
        transforms_crm_payload_schema_dir=other,
        transforms_crm_route_topic_replacement="crm.${routedByValue}")
    path, doc = asyncapi(tidewater_bin, config, tmp_path)
    assert_valid(asyncapi_validate, path)
    assert {c["address"] for c in doc["channels"].values()} == \
        {"outbox.event.{routedByValue}", "crm.{routedByValue}"}
    names = sorted(m["title"] for m in doc["components"]["messages"].values())
    assert names == sorted(list(REPO_EVENTS.values()) + ["com.acme.crm.OrderCreated"])


def test_asyncapi_validator_rejects_broken_documents(tidewater_bin, tmp_path,
                                                     asyncapi_validate):
    """The validation above can fail: a reference to a missing message, an
    invalid Avro payload and an action AsyncAPI 3 does not have are each
    reported."""
    path, doc = asyncapi(tidewater_bin, connector_file(tmp_path), tmp_path)
    broken = []
    d = copy.deepcopy(doc)
    (channel,) = d["channels"].values()
    channel["messages"]["OrderCreated"]["$ref"] = "#/components/messages/NoSuchMessage"
    broken.append(d)
    d = copy.deepcopy(doc)
    d["components"]["messages"]["OrderCreated"]["payload"]["schema"]["fields"][0]["type"] = \
        "no such type"
    broken.append(d)
    d = copy.deepcopy(doc)
    d["operations"][list(d["operations"])[0]]["action"] = "publish"
    broken.append(d)
    for i, d in enumerate(broken):
        p = tmp_path / ("broken%d.json" % i)
        with open(str(p), "w") as f:
            json.dump(d, f)
        rc, diagnostics, _ = asyncapi_validate(p)
        assert rc == 1 and any(x["severity"] == "error" for x in diagnostics), (i, diagnostics)


def test_asyncapi_stdout_and_errors(tidewater_bin, tmp_path):
    res = tidewater(tidewater_bin, "schemas", "asyncapi", connector_file(tmp_path))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["asyncapi"] == "3.0.0"
    assert res.stderr == ""

    res = tidewater(tidewater_bin, "schemas", "asyncapi",
                    connector_file(tmp_path, transforms_outbox_payload_schema_dir=None))
    assert res.returncode == 2 and res.stdout == ""
    assert "no outbox transform" in res.stderr and "payload.schema.dir" in res.stderr

    res = tidewater(tidewater_bin, "schemas", "asyncapi", connector_file(
        tmp_path, transforms_outbox_payload_schema_mapping="x:com.example.events.Nope"))
    assert res.returncode == 2 and "com.example.events.Nope" in res.stderr

    res = tidewater(tidewater_bin, "schemas", "asyncapi", connector_file(
        tmp_path, transforms_outbox_payload_schema_dir=os.path.join(FIXTURES, "bad_json")))
    assert res.returncode == 2 and "b_broken.avsc" in res.stderr

    res = tidewater(tidewater_bin, "schemas", "asyncapi", connector_file(
        tmp_path, transforms_outbox_route_topic_replacement="x.${nogroup}"))
    assert res.returncode == 2 and "route.topic.replacement" in res.stderr

    res = tidewater(tidewater_bin, "schemas", "asyncapi", str(tmp_path / "missing.properties"))
    assert res.returncode == 2

    res = tidewater(tidewater_bin, "schemas", "asyncapi", connector_file(tmp_path), "-o",
                    str(tmp_path / "no" / "such" / "dir" / "out.json"))
    assert res.returncode == 1 and "cannot write" in res.stderr


def test_asyncapi_registry_credentials_not_written(tidewater_bin, tmp_path):
    config = connector_file(
        tmp_path, value_converter_schema_registry_url="https://u:topsecret@registry.example:8081",
        value_converter_basic_auth_credentials_source="URL")
    res = tidewater(tidewater_bin, "schemas", "asyncapi", config)
    assert res.returncode == 0, res.stderr
    assert "topsecret" not in res.stdout
    doc = json.loads(res.stdout)
    assert doc["servers"]["kafka"]["bindings"]["kafka"]["schemaRegistryUrl"] == \
        "https://registry.example:8081"
