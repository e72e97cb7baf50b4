"""Round trip JSON → tidewater's json_avro → python3-avro.

tests/unit/json_avro_tool (built by `make check`) encodes a JSON payload
against a record of a schema directory; python3-avro decodes the bytes with
the self-contained schema text the catalogue generated (printed by
`--schema`). The decoded value must equal the payload with defaults filled
in. Needs no Postgres and no broker.

The tool is found like the other built binaries: $TW_JSON_AVRO_TOOL, else
$TW_BUILDDIR/tests/unit/json_avro_tool (TW_BUILDDIR defaults to the source
tree, for in-tree builds).
"""
import base64
import datetime
import decimal
import io
import json
import os
import random
import subprocess
import warnings

import pytest

import avro.io
import avro.schema

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILDDIR = os.environ.get("TW_BUILDDIR", SRCDIR)
SCHEMAS = os.path.join(SRCDIR, "schemas")
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def tool():
    path = os.environ.get("TW_JSON_AVRO_TOOL") or os.path.join(
        BUILDDIR, "tests", "unit", "json_avro_tool")
    if not os.access(path, os.X_OK):
        pytest.fail("json_avro_tool not found at %s: run `make check` (or make "
                    "tests/unit/json_avro_tool) in the build directory and set TW_BUILDDIR"
                    % path)
    return path


def schema_text(tool, schema_dir, record):
    out = subprocess.run([tool, "--schema", schema_dir, record], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def encode(tool, schema_dir, record, payload, *flags):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run([tool, *flags, schema_dir, record], input=text.encode(),
                          capture_output=True)


def roundtrip(tool, schema_dir, record, payload):
    """Encodes payload with tidewater, decodes it with python3-avro."""
    with warnings.catch_warnings():
        # python3-avro 1.11 does not know local-timestamp-*: it reads longs.
        warnings.simplefilter("ignore")
        schema = avro.schema.parse(schema_text(tool, schema_dir, record))
    out = encode(tool, schema_dir, record, payload)
    assert out.returncode == 0, out.stderr.decode()
    stream = io.BytesIO(out.stdout)
    value = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(stream))
    assert stream.read() == b"", "bytes left over after the record"
    return value


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


ADDRESS = {"street": "1 Main St", "city": "Springfield", "postalCode": "12345"}
ADDRESS_FILLED = dict(ADDRESS, country="US", region=None)


# ---- the shipped example schemas ---------------------------------------

def test_order_created_with_defaults(tool):
    payload = {
        "orderId": "123e4567-e89b-12d3-a456-426614174000",
        "customerId": 42,
        "createdAt": "2024-03-01T12:00:00.123+01:00",
        "lineItems": [{"sku": "A-1", "quantity": 2, "unitPrice": "19.99"},
                      {"sku": "B-2", "quantity": 1, "unitPrice": 5}],
        "total": "44.98",
        "shippingAddress": ADDRESS,
    }
    assert roundtrip(tool, SCHEMAS, "OrderCreated", payload) == {
        "orderId": "123e4567-e89b-12d3-a456-426614174000",
        "customerId": 42,
        "createdAt": utc(2024, 3, 1, 11, 0, 0, 123000),
        "status": "NEW",
        "lineItems": [{"sku": "A-1", "quantity": 2, "unitPrice": decimal.Decimal("19.99")},
                      {"sku": "B-2", "quantity": 1, "unitPrice": decimal.Decimal("5.00")}],
        "total": decimal.Decimal("44.98"),
        "shippingAddress": ADDRESS_FILLED,
        "note": None,
        "tags": {},
    }


def test_order_created_everything_given(tool):
    payload = {
        "orderId": "00000000-0000-0000-0000-000000000000",
        "customerId": -9223372036854775808,
        "createdAt": 0,
        "status": "CANCELLED",
        "lineItems": [],
        "total": "@TOTAL@",
        "shippingAddress": dict(ADDRESS, country="NO", region="Oslo"),
        "note": "Leave at the door ✓",
        "tags": {"channel": "web", "ünïcode": "ok"},
    }
    # A JSON number literal a double cannot hold (Python's float would round it).
    text = json.dumps(payload).replace('"@TOTAL@"', "-99999999999999.99")
    value = roundtrip(tool, SCHEMAS, "OrderCreated", text)
    assert value["customerId"] == -9223372036854775808
    assert value["createdAt"] == utc(1970, 1, 1)
    assert value["status"] == "CANCELLED"
    assert value["lineItems"] == []
    # Exact: the literal digits, not a double's approximation.
    assert value["total"] == decimal.Decimal("-99999999999999.99")
    assert value["shippingAddress"] == dict(ADDRESS, country="NO", region="Oslo")
    assert value["note"] == "Leave at the door ✓"
    assert value["tags"] == {"channel": "web", "ünïcode": "ok"}


def test_order_shipped_defaults_from_other_files(tool):
    payload = {"orderId": "123e4567-e89b-12d3-a456-426614174000",
               "shippedAt": "2024-03-02T08:30:00Z", "carrier": "UPS", "deliverTo": ADDRESS}
    assert roundtrip(tool, SCHEMAS, "OrderShipped", payload) == {
        "orderId": "123e4567-e89b-12d3-a456-426614174000",
        "shippedAt": utc(2024, 3, 2, 8, 30),
        "carrier": "UPS",
        "trackingNumber": None,
        "status": "SHIPPED",
        "deliverTo": ADDRESS_FILLED,
        "shippingCost": decimal.Decimal("0.00"),  # the "\u0000"*8 default
    }


def test_customer_registered(tool):
    payload = {"customerId": 1, "email": "a@example.com", "displayName": "Ann",
               "birthDate": "2000-02-29", "registeredAt": "2024-01-01T00:00:00.000001Z",
               "billingAddress": ADDRESS, "shippingAddresses": [ADDRESS, ADDRESS]}
    assert roundtrip(tool, SCHEMAS, "CustomerRegistered", payload) == {
        "customerId": 1, "email": "a@example.com", "displayName": "Ann",
        "birthDate": datetime.date(2000, 2, 29),
        "registeredAt": utc(2024, 1, 1, 0, 0, 0, 1),
        "billingAddress": ADDRESS_FILLED,
        "shippingAddresses": [ADDRESS_FILLED, ADDRESS_FILLED],
        "marketingOptIn": False,
    }


@pytest.mark.parametrize("payload,message", [
    ({"customerId": 1, "displayName": "d", "registeredAt": 0, "billingAddress": ADDRESS},
     '$: missing required field "email"'),
    ({"customerId": "1", "email": "e", "displayName": "d", "registeredAt": 0,
      "billingAddress": ADDRESS},
     '$.customerId: expected long, got string "1"'),
    ({"customerId": 1, "email": "e", "displayName": "d", "registeredAt": 0,
      "billingAddress": {"street": "s", "city": "c"}},
     '$.billingAddress: missing required field "postalCode"'),
    ({"customerId": 1, "email": "e", "displayName": "d", "registeredAt": 0,
      "billingAddress": ADDRESS, "shippingAddresses": [ADDRESS, dict(ADDRESS, region=7)]},
     "$.shippingAddresses[1].region: expected union [null, string], got number 7"),
    ({"customerId": 1, "email": "e", "displayName": "d", "registeredAt": 0,
      "billingAddress": ADDRESS, "birthDate": "2001-02-29"},
     '$.birthDate: invalid date "2001-02-29" (expected YYYY-MM-DD)'),
])
def test_errors_name_the_path(tool, payload, message):
    out = encode(tool, SCHEMAS, "CustomerRegistered", payload)
    assert out.returncode == 1
    assert out.stdout == b""
    assert out.stderr.decode().splitlines()[0] == message


def test_unknown_fields_fail(tool):
    payload = {"customerId": 1, "email": "e", "displayName": "d", "registeredAt": 0,
               "billingAddress": dict(ADDRESS, floor=3)}
    assert encode(tool, SCHEMAS, "CustomerRegistered", payload).returncode == 0
    out = encode(tool, SCHEMAS, "CustomerRegistered", payload, "--unknown-fields=fail")
    assert out.returncode == 1
    assert out.stderr.decode().splitlines()[0] == \
        "$.billingAddress.floor: unknown field (unknown.fields=fail)"


# ---- every type, one field at a time -----------------------------------

def one_field_dir(tmp_path, type_json, extra=()):
    """A schema directory with record T { v: type_json } (and extra files)."""
    d = tmp_path / "schemas"
    d.mkdir(exist_ok=True)
    (d / "T.avsc").write_text(json.dumps(
        {"type": "record", "name": "T", "namespace": "t",
         "fields": [{"name": "v", "type": type_json}]}))
    for i, text in enumerate(extra):
        (d / ("x%d.avsc" % i)).write_text(json.dumps(text))
    return str(d)


FIXED4_DECIMAL = {"type": "fixed", "name": "Amount", "size": 4, "logicalType": "decimal",
                  "precision": 9, "scale": 2}
COLOR = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}
POINT = {"type": "record", "name": "Point",
         "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int", "default": -1}]}

CASES = [
    ("null", None, None),
    ("boolean", True, True),
    ("int", -2147483648, -2147483648),
    ("int", 2147483647, 2147483647),
    ("long", 9223372036854775807, 9223372036854775807),
    ("float", 1.5, 1.5),
    ("float", 3, 3.0),
    ("double", 0.1, 0.1),
    ("double", -1e300, -1e300),
    ("string", "", ""),
    ("string", "héllo \u0000 wörld 🌊", "héllo \u0000 wörld 🌊"),
    ("bytes", base64.b64encode(bytes(range(256))).decode(), bytes(range(256))),
    ("bytes", "", b""),
    ({"type": "fixed", "name": "Md5", "size": 16}, base64.b64encode(b"0123456789abcdef").decode(),
     b"0123456789abcdef"),
    (COLOR, "BLUE", "BLUE"),
    ({"type": "array", "items": "long"}, [1, -1, 1 << 40], [1, -1, 1 << 40]),
    ({"type": "array", "items": {"type": "array", "items": "string"}}, [["a"], [], ["b", "c"]],
     [["a"], [], ["b", "c"]]),
    ({"type": "map", "values": "double"}, {"a": 1, "b": 2.5}, {"a": 1.0, "b": 2.5}),
    (POINT, {"x": 3}, {"x": 3, "y": -1}),
    ({"type": "array", "items": POINT}, [{"x": 1, "y": 2}, {"x": 5}],
     [{"x": 1, "y": 2}, {"x": 5, "y": -1}]),
    (["null", "string"], None, None),
    (["null", "string"], "x", "x"),
    (["null", "string"], {"string": "wrapped"}, "wrapped"),
    (["int", "long"], 5, 5),
    (["int", "long"], 1 << 40, 1 << 40),
    (["null", POINT], {"x": 1}, {"x": 1, "y": -1}),
    (["null", COLOR, "string"], "GREEN", "GREEN"),
    (["null", COLOR, "string"], "PURPLE", "PURPLE"),
    (["null", COLOR, "string"], {"t.Color": "RED"}, "RED"),
    ({"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 10},
     "-1234567890123456789012345678.0123456789",
     decimal.Decimal("-1234567890123456789012345678.0123456789")),
    ({"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}, 0,
     decimal.Decimal("0.00")),
    ({"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}, -1.28,
     decimal.Decimal("-1.28")),
    (FIXED4_DECIMAL, "-9999999.99", decimal.Decimal("-9999999.99")),
    (FIXED4_DECIMAL, 12.5, decimal.Decimal("12.50")),
    ({"type": "string", "logicalType": "uuid"}, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
     "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
    ({"type": "int", "logicalType": "date"}, "1969-07-20", datetime.date(1969, 7, 20)),
    ({"type": "int", "logicalType": "date"}, "9999-12-31", datetime.date(9999, 12, 31)),
    ({"type": "int", "logicalType": "date"}, 18000, datetime.date(2019, 4, 14)),
    ({"type": "int", "logicalType": "time-millis"}, "23:59:59.999",
     datetime.time(23, 59, 59, 999000)),
    ({"type": "long", "logicalType": "time-micros"}, "12:34:56.000789",
     datetime.time(12, 34, 56, 789)),
    ({"type": "long", "logicalType": "timestamp-millis"}, "2000-01-01T00:00:00.5-05:30",
     utc(2000, 1, 1, 5, 30, 0, 500000)),
    ({"type": "long", "logicalType": "timestamp-micros"}, "1960-06-15T10:20:30.123456Z",
     utc(1960, 6, 15, 10, 20, 30, 123456)),
    ({"type": "long", "logicalType": "timestamp-micros"}, 1, utc(1970, 1, 1, 0, 0, 0, 1)),
    # python3-avro 1.11 reads local-timestamp-* as plain longs.
    ({"type": "long", "logicalType": "local-timestamp-millis"}, "2024-05-06T07:08:09.010",
     1714979289010),
    ({"type": "long", "logicalType": "local-timestamp-micros"}, "1970-01-01T00:00:01Z",
     1000000),
]


@pytest.mark.parametrize("type_json,payload,expected", CASES,
                         ids=["%d-%s" % (i, json.dumps(c[0])[:30]) for i, c in enumerate(CASES)])
def test_types_roundtrip(tool, tmp_path, type_json, payload, expected):
    value = roundtrip(tool, one_field_dir(tmp_path, type_json), "T", {"v": payload})
    assert value == {"v": expected}
    assert type(value["v"]) is type(expected)


def test_random_values(tool, tmp_path):
    """Seeded random payloads of a mixed record, each decoded back."""
    record = {"type": "record", "name": "Mixed", "fields": [
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "s", "type": "string"},
        {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 18,
                               "scale": 4}},
        {"name": "f", "type": {"type": "fixed", "name": "F", "size": 8, "logicalType": "decimal",
                               "precision": 18, "scale": 0}},
        {"name": "o", "type": ["null", "long", "string"], "default": None},
        {"name": "a", "type": {"type": "array", "items": "int"}, "default": []},
    ]}
    d = tmp_path / "mixed"
    d.mkdir()
    (d / "Mixed.avsc").write_text(json.dumps(record))
    rng = random.Random(20240301)
    alphabet = "abcXYZ019 é€🌊\"\\\n"
    for _ in range(40):
        unscaled = rng.randint(-10**18 + 1, 10**18 - 1)
        whole = rng.randint(-10**18 + 1, 10**18 - 1)
        payload = {
            "i": rng.randint(-2**31, 2**31 - 1),
            "l": rng.randint(-2**63, 2**63 - 1),
            "s": "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))),
            "d": str(decimal.Decimal(unscaled).scaleb(-4)),
            "f": whole,
        }
        expected = dict(payload, d=decimal.Decimal(unscaled).scaleb(-4),
                        f=decimal.Decimal(whole), o=None, a=[])
        if rng.random() < 0.5:
            payload["o"] = expected["o"] = rng.choice([rng.randint(-2**63, 2**63 - 1), "text"])
        if rng.random() < 0.5:
            payload["a"] = expected["a"] = [rng.randint(-100, 100) for _ in range(rng.randint(0, 5))]
        assert roundtrip(tool, str(d), "Mixed", payload) == expected


def test_decimal_number_literal_is_exact(tool, tmp_path):
    """A JSON number is read from its digits, not through a double."""
    d = one_field_dir(tmp_path, {"type": "bytes", "logicalType": "decimal", "precision": 30,
                                 "scale": 2})
    value = roundtrip(tool, d, "T", '{"v": 1234567890123456789012345.67}')
    assert value == {"v": decimal.Decimal("1234567890123456789012345.67")}
