"""Differential tests: Debezium 3.6.1.Final (Kafka Connect standalone, its
PostgreSQL connector and io.debezium.transforms.outbox.EventRouter) and
tidewater read the same outbox table with the same connector configuration
(each with its own slot and publication) and must write the same records:
topic, partition, key, value, headers and timestamp, with Connect schemas
compared through JsonConverter (schemas.enable=true on both sides).

How the two sides run: debezium_side.py. One Connect worker runs every
configuration (one connector each) for the whole module: the JVM starts once.
What is known to differ is listed, with the reason, in
docs/debezium-differences.md; every normalization below names its entry.
"""
import datetime
import json
import os
import urllib.request
import uuid

import psycopg2
import pytest

import debezium_side
from debezium_side import Sides, slots_active
from helpers import wait_for
from kafkacheck import consume, topics

DDL = """
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    aggregatetype varchar(255) NOT NULL,
    aggregateid varchar(255) NOT NULL,
    type varchar(255) NOT NULL,
    payload jsonb,
    payload2 jsonb,
    payload_obj jsonb,
    created_at timestamp,
    schema_version int,
    tracingspancontext text,
    key2 text,
    part int,
    -- DEFAULTs (D5): constants and computed ones (Debezium's placeholders),
    -- and some of types Debezium reads none of (bytea, arrays, timetz,
    -- money, name, "char", oid).
    c_int2 smallint, c_int4 int, c_int8 bigint DEFAULT 9223372036854775807,
    c_float4 real DEFAULT 2.5,
    c_float8 double precision DEFAULT -1.5, c_num numeric(12,3) DEFAULT 1.5,
    c_numv numeric DEFAULT -2.25,
    c_bool boolean DEFAULT true, c_text text DEFAULT 'it is', c_varchar varchar(20) DEFAULT 'v',
    c_char char(3) DEFAULT 'ab', c_bytea bytea DEFAULT '\\x01ff',
    c_uuid uuid DEFAULT gen_random_uuid(), c_json json DEFAULT '{"a": [1, 2]}',
    c_jsonb jsonb DEFAULT '{}', c_date date DEFAULT '2024-02-29',
    c_time time DEFAULT '12:34:56.789', c_timetz timetz DEFAULT '12:00:00+01',
    c_ts timestamp DEFAULT now(), c_ts3 timestamp(3) DEFAULT '2024-02-29 12:34:56.789',
    c_tstz timestamptz DEFAULT CURRENT_TIMESTAMP,
    c_interval interval DEFAULT '1 day 02:00:00.5', c_enum mood DEFAULT 'happy',
    c_arr int[] DEFAULT '{1,2}', c_tarr text[], c_notnull int NOT NULL DEFAULT 7,
    x_money money DEFAULT 1.5, x_bit1 bit(1) DEFAULT B'1', x_bits bit(10) DEFAULT B'1010000001',
    x_varbit varbit(16) DEFAULT B'110', x_point point,
    x_inet inet, x_cidr cidr, x_macaddr macaddr, x_macaddr8 macaddr8, x_int4range int4range,
    x_int8range int8range, x_numrange numrange, x_tsrange tsrange, x_tstzrange tstzrange,
    x_daterange daterange, x_xml xml DEFAULT '<d/>', x_oid oid DEFAULT 1, x_name name DEFAULT 'n',
    x_qchar "char" DEFAULT 'q', x_time3 time(3) DEFAULT LOCALTIME,
    x_tstz3 timestamptz(3) DEFAULT '2024-02-29 12:34:56.789+01', x_timetz6 timetz(6),
    x_num0 numeric(5,0) DEFAULT 42, x_bpchar bpchar DEFAULT 'b',
    x_tsvector tsvector, x_numarr numeric(5,2)[], x_tstzarr timestamptz[], x_datearr date[],
    x_uuidarr uuid[], x_jsonbarr jsonb[], x_byteaarr bytea[], x_float8arr float8[],
    x_boolarr boolean[], x_intervalarr interval[], x_timetzarr timetz[]
);
-- Captured plain tables (no transform): Debezium's change-event envelope.
CREATE TABLE plain (
    id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), qty bigint, ok boolean,
    f8 double precision, ts timestamp, d date, data jsonb, u uuid, b bytea, tags text[],
    big text
);
CREATE TABLE plain_full (v text, n int, w int);
ALTER TABLE plain_full REPLICA IDENTITY FULL;
-- A serial key: its DEFAULT nextval(...) is the placeholder 0 (D5).
CREATE TABLE plain_idx (id serial PRIMARY KEY, code text NOT NULL, note text);
CREATE UNIQUE INDEX plain_idx_code ON plain_idx (code);
ALTER TABLE plain_idx REPLICA IDENTITY USING INDEX plain_idx_code;
CREATE TABLE plain_types (
    id int PRIMARY KEY,
    c_int2 smallint, c_int4 int, c_int8 bigint, c_float4 real, c_float8 double precision,
    c_num numeric(12,3) DEFAULT 0.5, c_numv numeric, c_bool boolean, c_text text,
    c_varchar varchar(20), c_char char(3), c_bytea bytea, c_uuid uuid, c_json json, c_jsonb jsonb,
    c_date date DEFAULT CURRENT_DATE, c_time time, c_timetz timetz,
    c_ts timestamp DEFAULT '2000-01-01 00:00:01', c_ts3 timestamp(3), c_tstz timestamptz,
    c_interval interval DEFAULT '-1 mons', c_enum mood, c_arr int[], c_tarr text[],
    c_notnull int NOT NULL DEFAULT 7,
    -- Non-finite defaults (D5), a one-bit varbit.
    n_f8 double precision DEFAULT 'NaN', n_f4 real DEFAULT '-Infinity',
    n_dp date DEFAULT 'infinity', n_dm date DEFAULT '-infinity', n_vb varbit(4) DEFAULT B'1'
);
-- NOT NULL columns without DEFAULTs, left out of a DELETE's key-only
-- before-image: each converter's own zero value (D17).
CREATE TABLE plain_nn (
    id int PRIMARY KEY,
    z_int2 smallint NOT NULL, z_int4 int NOT NULL, z_int8 bigint NOT NULL, z_f4 real NOT NULL,
    z_f8 double precision NOT NULL, z_num numeric(12,3) NOT NULL, z_numv numeric NOT NULL,
    z_num0 numeric(5,0) NOT NULL, z_bool boolean NOT NULL, z_text text NOT NULL,
    z_vc varchar(5) NOT NULL, z_char char(3) NOT NULL, z_bpchar bpchar NOT NULL,
    z_bytea bytea NOT NULL, z_uuid uuid NOT NULL, z_json json NOT NULL, z_jsonb jsonb NOT NULL,
    z_date date NOT NULL, z_time time NOT NULL, z_time3 time(3) NOT NULL,
    z_timetz timetz NOT NULL, z_ts timestamp NOT NULL, z_ts3 timestamp(3) NOT NULL,
    z_tstz timestamptz NOT NULL, z_interval interval NOT NULL, z_enum mood NOT NULL,
    z_arr int[] NOT NULL, z_tarr text[] NOT NULL, z_money money NOT NULL,
    z_bit1 bit(1) NOT NULL, z_bits bit(10) NOT NULL, z_varbit varbit(8) NOT NULL,
    z_point point NOT NULL, z_inet inet NOT NULL, z_cidr cidr NOT NULL,
    z_mac macaddr NOT NULL, z_mac8 macaddr8 NOT NULL, z_range int4range NOT NULL,
    z_tsrange tstzrange NOT NULL, z_xml xml NOT NULL, z_oid oid NOT NULL,
    z_qchar "char" NOT NULL, z_tsvector tsvector NOT NULL
);
-- Values Debezium holds as strings after conversion, under
-- column.truncate.to.4.chars (configuration plaintrunc: string modes), and
-- domains under column.propagate.source.type (p_*).
CREATE DOMAIN dnum AS numeric(7,2);
CREATE DOMAIN dvc AS varchar(10);
CREATE DOMAIN dtext AS text;
CREATE DOMAIN dtstz AS timestamptz(3);
CREATE DOMAIN dint AS int;
CREATE TABLE plain_trunc (
    id int PRIMARY KEY,
    t_tstz timestamptz, t_tstz3 timestamptz(3), t_timetz timetz, t_interval interval,
    t_num numeric(12,3), t_numv numeric, t_num0 numeric(5,0), t_money money, t_bytea bytea,
    t_date date, t_time time, t_ts timestamp, t_inet inet, t_cidr cidr, t_mac macaddr,
    t_range int4range, t_tsrange tstzrange, t_xml xml, t_enum mood, t_bits bit(8),
    t_point point, t_jsonb jsonb, t_tarr text[], t_emoji text, t_vc4 varchar(4),
    d_num dnum, d_vc dvc, d_text dtext, d_tstz dtstz,
    p_num dnum, p_vc dvc, p_text dtext, p_tstz dtstz, p_int dint, p_num2 numeric(7,2)
);
-- A key whose column order is not the table's.
CREATE TABLE plain_end (id int, k text, PRIMARY KEY (k, id));
-- Types Debezium has no mapping for (include.unknown.datatypes, D20),
-- and hstore (hstore.handling.mode, D21).
CREATE EXTENSION hstore;
CREATE TABLE plain_unknown (
    id int PRIMARY KEY, name text, b box, c circle, l line, s lseg, p path, pc path,
    g polygon, lsn pg_lsn, tq tsquery, ivs interval[], bs box[], ms money[], pts point[],
    h hstore, lsns pg_lsn[], hs hstore[]
);
-- A publication a user narrowed (PostgreSQL 15): a row filter and a
-- column list, used as it is (publication.autocreate.mode=disabled).
CREATE TABLE pf_rows (id int PRIMARY KEY, name text, qty int NOT NULL);
ALTER TABLE pf_rows REPLICA IDENTITY FULL;
CREATE TABLE pf_cols (id int PRIMARY KEY, name text, secret text, age int);
CREATE PUBLICATION dbz_pubfilter FOR TABLE pf_rows WHERE (qty > 0),
    pf_cols (id, name, age), plain_end;
CREATE PUBLICATION tw_pubfilter FOR TABLE pf_rows WHERE (qty > 0),
    pf_cols (id, name, age), plain_end;
-- Unchanged TOASTed values of every kind Debezium has a placeholder for.
CREATE TABLE plain_toast (
    id int PRIMARY KEY, v int, n numeric, j json, jb jsonb, b bytea, ia int[], ba bigint[],
    da date[], ta text[], ua uuid[], bya bytea[], ja jsonb[], fa float8[]
);
"""

TYPED = ["c_int2", "c_int4", "c_int8", "c_float4", "c_float8", "c_num", "c_numv", "c_bool",
         "c_text", "c_varchar", "c_char", "c_bytea", "c_uuid", "c_json", "c_jsonb", "c_date",
         "c_time", "c_timetz", "c_ts", "c_ts3", "c_tstz", "c_interval", "c_enum", "c_arr",
         "c_tarr", "c_notnull"]
# More built-in types, placed only by the "types" and mode configurations.
EXTRA = ["x_money", "x_bit1", "x_bits", "x_varbit", "x_point", "x_inet", "x_cidr", "x_macaddr",
         "x_macaddr8", "x_int4range", "x_int8range", "x_numrange", "x_tsrange", "x_tstzrange",
         "x_daterange", "x_xml", "x_oid", "x_name", "x_qchar", "x_time3", "x_tstz3",
         "x_timetz6", "x_num0", "x_bpchar", "x_tsvector", "x_numarr", "x_tstzarr",
         "x_datearr", "x_uuidarr", "x_jsonbarr", "x_byteaarr", "x_float8arr", "x_boolarr",
         "x_intervalarr", "x_timetzarr"]
EXTRA_VALUES = ("'-1234.56', B'1', B'1010000001', B'110', '(1.5,-2.25)', '192.168.0.1/24', "
                "'10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', '[1,10)', "
                "'(,5]', '[1.5,2.5]', '[2024-01-01 00:00,2024-01-02 00:00)', "
                "'[2024-01-01 00:00+00,2024-01-02 00:00+00)', '[2024-01-01,2024-02-01)', "
                "'<a>x</a>', 4294967295, 'nm', 'q', '12:34:56.789', "
                "'2024-02-29 12:34:56.7+00', '01:02:03.000004-07', 12345, 'bp', "
                "'a:1 b:2', '{1.5,NULL,-999.99}', '{\"2024-02-29 12:34:56.789+01\",NULL}', "
                "'{2024-02-29,NULL}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', "
                "ARRAY['{\"a\": 1}'::jsonb, NULL], ARRAY['\\x00ff'::bytea], '{1.5,NaN,NULL}', "
                "'{t,f,NULL}', '{\"1 day\",\"-1 mons\"}', '{10:11:12+05:30}'")
# Extremes: every third typed row.
TYPED_EXTREMES = ("-32768, 2147483647, -9223372036854775808, 'NaN', 'Infinity', "
                  "-999999999.999, 'NaN', false, '', 'xxxxxxxxxxxxxxxxxxxx', '', ''::bytea, "
                  "'00000000-0000-0000-0000-000000000000', 'null', '[]', '0001-01-01', "
                  "'24:00:00', '00:00:00+15:59', '1900-01-01 00:00:00', "
                  "'2262-04-11 23:47:16.854', '1970-01-01 00:00:00+00', "
                  "'-178000000 years', 'happy', '{}', '{NULL}', 0")
EXTRA_EXTREMES = ("'-92233720368547758.08', B'0', B'0000000000', B'', '(0,-0)', '::1', "
                  "'::/0', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', 'empty', "
                  "'[-9223372036854775808,9223372036854775807)', '(,)', "
                  "'[-infinity,infinity]', 'empty', '[2024-01-01,infinity)', '', 0, '', '', "
                  "'00:00:00', '2000-01-01 00:00:00+00', '23:59:59.999999-15:59', -99999, "
                  "' ', '', '{}', '{}', '{}', '{}', '{}', '{}', '{Infinity,-Infinity}', '{}', "
                  "'{}', '{}'")
# Infinities: dates, timestamps, numeric (one typed row).
TYPED_INFINITIES = (TYPED_EXTREMES.replace("'0001-01-01'", "'infinity'")
                    .replace("'1900-01-01 00:00:00'", "'infinity'")
                    .replace("'2262-04-11 23:47:16.854'", "'-infinity'")
                    .replace("'1970-01-01 00:00:00+00'", "'infinity'")
                    .replace("'NaN', 'Infinity', -999999999.999, 'NaN'",
                             "'-Infinity', 'Infinity', -999999999.999, 'Infinity'"))
# The other signs (a later row).
TYPED_NEG_INFINITIES = (TYPED_EXTREMES.replace("'0001-01-01'", "'-infinity'")
                        .replace("'1900-01-01 00:00:00'", "'-infinity'")
                        .replace("'2262-04-11 23:47:16.854'", "'infinity'")
                        .replace("'1970-01-01 00:00:00+00'", "'-infinity'")
                        .replace("-999999999.999, 'NaN'", "-999999999.999, '-Infinity'"))
assert TYPED_NEG_INFINITIES.count("infinity") == 4
# Not in arrays: D22.
EXTRA_INFINITIES = EXTRA_EXTREMES.replace("'2000-01-01 00:00:00+00'", "'-infinity'")
assert TYPED_INFINITIES.count("infinity") == 4
assert EXTRA_INFINITIES.count("infinity") == EXTRA_EXTREMES.count("infinity") + 1
# Columns Debezium leaves out of its records (D20): inserted, not placed.
DBZ_DROPPED = ["x_intervalarr"]
# Only the "types" configuration places x_name: D19.
MODE_EXTRA = [c for c in EXTRA if c not in ["x_name"] + DBZ_DROPPED]
TYPED_VALUES = ("32767, -2147483648, 9223372036854775807, 1.5, -2.25e-300, 123456789.125, "
                "-0.000000001234, true, 'tëxt \"q\" \\\\ \n', 'vc', 'ab', '\\x00ff10'::bytea, "
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"j\": [1, 2]}', "
                "'{\"b\": {\"c\": null}}', '2024-02-29', '23:59:59.999999', '10:11:12+05:30', "
                "'2024-02-29 12:34:56.789012', '1999-12-31 23:59:59.999', "
                "'2024-02-29 12:34:56.789+01', '1 year 2 mons 3 days 04:05:06.7', 'sad', "
                "'{1,NULL,3}', '{\"a,b\",c}', -1")

# Each configuration runs in Debezium and in tidewater; keys are the
# EventRouter's (transforms.outbox.*). Topics differ per configuration
# (route.topic.replacement) so one broker per side holds them all.
VARIANTS = {
    "defaults": {
        "table.fields.additional.placement": "type:header:eventType",
    },
    "envelope": {
        "route.topic.replacement": "env.${routedByValue}",
        "table.fields.additional.placement": ",".join(
            ["type:envelope:eventType", "aggregateid:envelope"] +
            ["%s:envelope" % c for c in TYPED]),
        "table.field.event.schema.version": "schema_version",
    },
    "headers": {
        "route.topic.replacement": "hdr.${routedByValue}",
        "table.fields.additional.placement": ",".join(
            ["type:header:eventType"] + ["%s:header" % c for c in TYPED + ["x_money"]]),
        "table.field.event.timestamp": "created_at",
        "tracing.span.context.field": "tracingspancontext",
    },
    "custom": {
        "route.by.field": "type",
        "route.topic.regex": "(?<routedByValue>[A-Za-z]+)",
        "route.topic.replacement": "cust.${routedByValue}.events",
        "table.field.event.key": "key2",
        "table.field.event.id": "c_uuid",
        "table.field.event.payload": "payload2",
        "route.tombstone.on.empty.payload": "true",
        "table.fields.additional.placement": "part:partition,aggregatetype:header:agg",
        "table.op.invalid.behavior": "error",
        # Debezium 3.6's name for table.fields.additional.error.on.missing.
        "table.field.additional.missing": "error",
    },
    "expand": {
        "route.topic.replacement": "exp.${routedByValue}",
        "table.expand.json.payload": "true",
        "table.field.event.payload": "payload_obj",
        "route.tombstone.on.empty.payload": "true",
        "table.fields.additional.placement": "type:header:eventType",
    },
    "expandnull": {
        "route.topic.replacement": "nul.${routedByValue}",
        "table.expand.json.payload": "true",
        "table.field.event.payload": "payload_obj",
        "table.json.payload.null.behavior": "optional_bytes",
        # No schema version here: D6 (docs/debezium-differences.md).
        "table.fields.additional.placement": "type:envelope:eventType",
    },
}
# Built-in types beyond the first corpus, in envelopes (Debezium's default
# modes), and every type-mode option of Debezium's connector: each runs the
# typed columns through both, with these connector settings.
MODES = {
    "types": {},
    "modes_a": {"decimal.handling.mode": "double", "time.precision.mode": "connect",
                "binary.handling.mode": "base64", "interval.handling.mode": "string"},
    "modes_b": {"decimal.handling.mode": "string",
                "time.precision.mode": "adaptive_time_microseconds",
                "binary.handling.mode": "hex"},
    "modes_c": {"time.precision.mode": "microseconds",
                "binary.handling.mode": "base64-url-safe", "money.fraction.digits": "3"},
    "modes_d": {"time.precision.mode": "isostring"},
    "modes_e": {"time.precision.mode": "nanoseconds", "decimal.handling.mode": "string",
                "interval.handling.mode": "string"},
}
for _m in MODES:
    VARIANTS[_m] = {
        "route.topic.replacement": _m + ".${routedByValue}",
        "table.fields.additional.placement": ",".join(
            ["type:envelope:eventType"] +
            ["%s:envelope" % c for c in TYPED + (
                [c for c in EXTRA if c not in DBZ_DROPPED] if _m == "types" else MODE_EXTRA)]),
        "table.field.event.schema.version": "schema_version",
    }
# Column filters and mappers on the outbox table: Debezium applies them
# before its EventRouter, so a placed header is masked or hashed, the
# payload truncated, the key hashed, an envelope field carries its source
# type (connector settings, beside the transform's).
VARIANTS["outboxcols"] = {
    "route.topic.replacement": "cols.${routedByValue}",
    "table.fields.additional.placement": "type:header:eventType,c_text:header,"
                                         "c_varchar:header,c_uuid:header,c_char:envelope,"
                                         "c_num:envelope,c_int4:envelope",
    "table.field.event.schema.version": "schema_version",
}
OUTBOX_CONNECTOR = {"outboxcols": {
    "column.exclude.list": "public\\.outbox\\.c_int2",
    "column.mask.with.5.chars": "public\\.outbox\\.c_text,public\\.outbox\\.c_int4",
    "column.mask.hash.SHA-256.with.salt.CzQMA0cB5K": "public\\.outbox\\.aggregateid,"
                                                     "public\\.outbox\\.c_varchar",
    "column.truncate.to.3.chars": "public\\.outbox\\.payload,public\\.outbox\\.c_char,"
                                  "public\\.outbox\\.c_uuid",
    "column.propagate.source.type": "public\\.outbox\\.c_num",
}}
TOPIC_PREFIX = {"defaults": "outbox.event.", "outboxcols": "cols.", "envelope": "env.", "headers": "hdr.",
                "custom": "cust.", "expand": "exp.", "nulls": "nul."}
TOPIC_PREFIX["expandnull"] = TOPIC_PREFIX.pop("nulls")
TRUNC_VALUES = ("'2024-02-29 12:34:56.789+01', '2024-02-29 12:34:56.7+00', '10:11:12+05:30', "
                "'1 year 2 mons 3 days 04:05:06.7', 123456789.125, -0.000000001234, -99999, "
                "'-1234.56', '\\x00ff10'::bytea, '2024-02-29', '23:59:59.999999', "
                "'2024-02-29 12:34:56.789012', '192.168.0.1/24', '10.0.0.0/8', "
                "'08:00:2b:01:02:03', '[1,10)', '[2024-01-01 00:00+00,2024-01-02 00:00+00)', "
                "'<a>x</a>', 'happy', B'10100000', '(1.5,-2.25)', '{\"b\": 1}', "
                "'{abcdef,g}', 'abc\U0001F600x', 'ab', "
                "12345.67, 'abcdefghij', 'tëxtëxt', '2024-02-29 12:34:56.789+01', "
                "12345.67, 'abcdefghij', 'tëxtëxt', '2024-02-29 12:34:56.789+01', 42, 1.5")
TRUNC_COLS = ["t_tstz", "t_tstz3", "t_timetz", "t_interval", "t_num", "t_numv", "t_num0",
              "t_money", "t_bytea", "t_date", "t_time", "t_ts", "t_inet", "t_cidr", "t_mac",
              "t_range", "t_tsrange", "t_xml", "t_enum", "t_bits", "t_point", "t_jsonb",
              "t_tarr", "t_emoji", "t_vc4", "d_num", "d_vc", "d_text", "d_tstz",
              "p_num", "p_vc", "p_text", "p_tstz", "p_int", "p_num2"]
# Configurations without transforms: change-event envelopes of plain
# tables, with Debezium's defaults and with other options.
UNWRAP = {"transforms": "unwrap",
          "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState"}
PLAIN = {"plain": {}, "plainopts": {"skipped.operations": "none",
                                    "tombstones.on.delete": "false",
                                    "message.key.columns": "public\\.plain_full:n"},
         # ExtractNewRecordState on the change events: Debezium's defaults
         # (a delete becomes a null value, its tombstone is dropped), and
         # rewrite with tombstones, added fields and headers.
         # Logical decoding messages (the only configuration capturing
         # them: the others exclude their prefixes).
         # Messages, with their transaction blocks and BEGIN/END records;
         # the connector is restarted on both sides after the corpus
         # (restart_plainmsg).
         "plainmsg": {"message.prefix.include.list": "dzm\\..*",
                      "table.include.list": "public\\.plain_end",
                      "provide.transaction.metadata": "true"},
         "unwrap": dict(UNWRAP),
         "unwrapopts": dict(UNWRAP, **{
             "transforms.unwrap.delete.tombstone.handling.mode": "rewrite-with-tombstone",
             "transforms.unwrap.add.fields": "op,table,lsn,source.ts_ms,txId:xid",
             "transforms.unwrap.add.fields.prefix": "meta_",
             "transforms.unwrap.add.headers": "op,db,schema"}),
         # The transaction block and column rules (filters, masks, hashes,
         # truncation, source types; patterns case-insensitive); a column
         # takes the first rule that names it, in Debezium's order:
         # truncate, mask, propagate, hash, hash v2 (c_varchar: propagate).
         "plaincols": {
             "provide.transaction.metadata": "true",
             "skipped.operations": "none",
             "column.exclude.list": "public\\.plain\\.big,public\\.plain_types\\.c_json,"
                                    "public\\.plain_end\\.k",
             "column.mask.with.5.chars": "public\\.plain\\.name,public\\.plain_types\\.c_int4,"
                                         "public\\.plain_types\\.c_char,public\\.plain\\.id",
             "column.mask.hash.SHA-256.with.salt.CzQMA0cB5K":
                 "public\\.plain_types\\.c_text,public\\.plain_types\\.c_varchar,"
                 "PUBLIC\\.PLAIN_IDX\\.CODE",
             "column.mask.hash.v2.MD5.with.salt.salty": "public\\.plain_full\\.v",
             "column.truncate.to.3.chars": "public\\.plain_types\\.c_tarr,"
                                           "public\\.plain_idx\\.note,"
                                           "public\\.plain_types\\.c_bytea,"
                                           "public\\.plain_types\\.c_uuid,"
                                           "public\\.plain_types\\.c_text",
             "column.propagate.source.type": "public\\.plain_types\\..*,public\\.plain\\..*",
         }}
# Columns of types Debezium has no mapping for: left out (its default),
# and written as bytes (D20); hstore as a JSON string (the default) and as
# a map (D21).
# Truncation of the strings the converters format (zoned times, string
# modes of interval, numeric, money, bytea, isostring times), and source
# types of domain columns.
PLAIN["plaintrunc"] = {
    "table.include.list": "public\\.plain_trunc,public\\.plain_end",
    "decimal.handling.mode": "string", "interval.handling.mode": "string",
    "binary.handling.mode": "base64", "time.precision.mode": "isostring",
    "column.truncate.to.4.chars": "public\\.plain_trunc\\.[td]_.*",
    "column.propagate.source.type": "public\\.plain_trunc\\.[pd]_.*",
}
# A key-only before-image's NOT NULL columns under every type mode but
# time.precision.mode=nanoseconds, where Debezium stops (D17).
NN_TABLES = {"table.include.list": "public\\.plain_nn,public\\.plain_end"}
PLAIN["nn_a"] = dict(NN_TABLES, **MODES["modes_a"])
PLAIN["nn_b"] = dict(NN_TABLES, **MODES["modes_b"])
PLAIN["nn_c"] = dict(NN_TABLES, **MODES["modes_c"])
PLAIN["nn_d"] = dict(NN_TABLES, **MODES["modes_d"])
UNKNOWN_TABLES = {"table.include.list": "public\\.plain_unknown,public\\.plain_end"}
PLAIN["unknown"] = dict(UNKNOWN_TABLES)
PLAIN["unknownincl"] = dict(UNKNOWN_TABLES, **{"include.unknown.datatypes": "true",
                                               "hstore.handling.mode": "map"})
# Transaction metadata in a connector that routes its outbox table (a
# predicate picks it) and captures plain tables: the transaction blocks of
# the change events and the BEGIN/END records count the outbox rows too,
# the deletes the router drops among them (D26).
PLAIN["mixedmeta"] = {
    "table.include.list": "public\\.outbox,public\\.plain,public\\.plain_full,"
                          "public\\.plain_end",
    "provide.transaction.metadata": "true",
    "transforms": "outbox",
    "transforms.outbox.type": "io.debezium.transforms.outbox.EventRouter",
    "transforms.outbox.route.topic.replacement": "diff_mixedmeta.ob.${routedByValue}",
    "transforms.outbox.table.fields.additional.placement": "type:header:eventType",
    "transforms.outbox.predicate": "isOutbox",
    "predicates": "isOutbox",
    "predicates.isOutbox.type": "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
    "predicates.isOutbox.pattern": "diff_mixedmeta\\.public\\.outbox",
}
# A publication with a row filter and a column list (made in DDL).
PLAIN["pubfilter"] = {"publication.autocreate.mode": "disabled",
                      "table.include.list": "public\\.pf_rows,public\\.pf_cols,public\\.plain_end"}
for _v in PLAIN:
    VARIANTS[_v] = None
    TOPIC_PREFIX[_v] = "diff_%s." % _v
TOPIC_PREFIX.update({m: m + "." for m in MODES})
# TW_DIFF_VARIANTS=a,b runs only those configurations (a full run takes
# minutes of two cores).
if os.environ.get("TW_DIFF_VARIANTS"):
    _only = os.environ["TW_DIFF_VARIANTS"].split(",")
    VARIANTS = {k: v for k, v in VARIANTS.items() if k in _only}

PAYLOADS = [
    {"orderId": 1, "total": "12.50", "customer": {"id": 7, "name": "Ann", "tags": ["a", "b"]},
     "lines": [{"sku": "A-1", "qty": 2, "price": 9.99}, {"sku": "B-2", "qty": 1, "price": 0.5}]},
    {"empty": [], "nothing": None, "obj": {}, "deep": {"a": {"b": {"c": [1, 2, 3]}}}},
    {"i": 1, "neg": -1, "i32max": 2147483647, "i32min": -2147483648, "over32": 2147483648,
     "i64max": 9223372036854775807, "i64min": -9223372036854775808, "f": 1.5,
     "tiny": 1e-7, "zero": 0, "negzero": -0.0, "ratio": 0.1},
    {"unicode": "żółw \u2603 \U0001F600", "esc": "quote \" backslash \\ nl \n tab \t",
     "bool": True, "no": False},
    {"lines": [{"sku": "C", "qty": 1}, {"sku": "D", "qty": 3}], "flag": None},
    [],
    [{"x": 1}, {"x": 2}],
    "just a string",
    42,
    {},
]


def _tracing(i):
    return ("traceparent=00-%032x-%016x-01\ntracestate=tw=%d\n" % (i + 1, i + 1, i)
            if i % 3 == 0 else None)


def corpus(conn):
    """Writes the corpus; returns the number of transactions."""
    cur = conn.cursor()
    n = 0
    ts0 = datetime.datetime(2023, 11, 14, 22, 13, 20, 123456)

    def insert(i, aggtype, payload, typed=True, **cols):
        cols.setdefault("aggregateid", "agg-%d" % (i % 4))
        cols.setdefault("type", ("OrderCreated", "OrderPaid", "CustomerMoved")[i % 3])
        cols.setdefault("key2", "k2-%d" % (i % 5))
        names = ["id", "aggregatetype", "payload", "payload_obj", "created_at",
                 "schema_version", "tracingspancontext", "part"] + list(cols)
        vals = [str(uuid.UUID(int=i + 1)), aggtype,
                json.dumps(payload) if payload is not None else None,
                json.dumps(payload) if isinstance(payload, dict) else None,
                ts0 + datetime.timedelta(seconds=i, microseconds=i * 1001),
                (i % 3) + 1, _tracing(i), i % 4] + list(cols.values())
        values = {"extremes": TYPED_EXTREMES + ", " + EXTRA_EXTREMES,
                  "infinities": TYPED_INFINITIES + ", " + EXTRA_INFINITIES,
                  "-infinities": TYPED_NEG_INFINITIES + ", " + EXTRA_EXTREMES}.get(
                      typed, TYPED_VALUES + ", " + EXTRA_VALUES)
        sql = "INSERT INTO outbox (%s%s) VALUES (%s%s)" % (
            ", ".join(names), (", " + ", ".join(TYPED + EXTRA)) if typed else "",
            ", ".join(["%s"] * len(vals)), (", " + values) if typed else "")
        cur.execute(sql, vals)

    i = 0
    # One transaction per payload, alternating aggregates; typed columns set
    # on even rows (every other one to extremes: NaN, empty values, range
    # ends; one to infinities), NULL (or their default) on odd rows.
    for p in PAYLOADS:
        insert(i, ("Order", "Customer")[i % 2], p,
               typed=("infinities" if i == 6 else "-infinities" if i == 10
                      else "extremes" if i % 4 == 2 else i % 2 == 0),
               payload2=json.dumps(p) if i % 2 else None)
        conn.commit()
        n += 1
        i += 1
    # A transaction of several rows, then the usual insert-then-delete.
    for p in PAYLOADS[:3]:
        insert(i, "Order", p, payload2=json.dumps({"n": i}))
        i += 1
    cur.execute("DELETE FROM outbox")
    conn.commit()
    n += 1
    # Empty payloads: SQL NULL and (for the custom payload column) JSON null.
    insert(i, "Order", None, typed=False, payload2=None)
    i += 1
    insert(i, "Order", None, typed=False, payload2="null")
    i += 1
    conn.commit()
    n += 1
    # NULL keys (the custom configuration's key column); an explicit NULL
    # in columns with a DEFAULT (JsonConverter writes the default; a
    # header holds the default's text, c_num's in `headers` too).
    insert(i, "Order", {"k": None}, typed=False, key2=None, payload2='{"k": null}',
           c_text=None, c_enum=None, c_bool=None, x_num0=None, c_num=None, c_numv=None,
           c_date=None,
           c_ts=None, c_tstz=None, c_interval=None, c_uuid=None, c_float4=None, x_bit1=None,
           x_tstz3=None, c_bytea=None, x_bits=None)
    i += 1
    conn.commit()
    n += 1
    # An UPDATE (invalid operation: dropped with a warning or an error log).
    insert(i, "Customer", {"v": 1}, payload2=json.dumps({"v": 1}))
    i += 1
    conn.commit()
    cur.execute("UPDATE outbox SET payload = '{\"v\": 2}' WHERE id = %s", (str(uuid.UUID(int=i)),))
    conn.commit()
    n += 2
    # Outbox rows and plain tables in one transaction (mixedmeta, D26): an
    # outbox insert between plain changes, an outbox delete the router
    # drops, a plain key change (two events), then the outbox again.
    cur.execute("INSERT INTO plain (id, name) VALUES (100, 'mixed')")
    insert(i, "Order", {"mixed": 1}, typed=False)
    i += 1
    cur.execute("INSERT INTO plain_full VALUES ('m', 100)")
    cur.execute("DELETE FROM outbox WHERE id = %s", (str(uuid.UUID(int=i)),))
    cur.execute("UPDATE plain SET id = 101 WHERE id = 100")
    insert(i, "Customer", {"mixed": 2}, typed=False)
    i += 1
    cur.execute("DELETE FROM plain WHERE id = 101")
    conn.commit()
    n += 1
    return n, i


END_ID = 10 ** 6
# More than 12 pairs (Java's HashMap grows), keys sharing a hash ("Aa",
# "BB"), NULL values, quotes, backslashes, non-ASCII and an empty key.
HSTORE = ", ".join(['"k%d"=>"v%d"' % (i, i) for i in range(14)] +
                   ['"Aa"=>"x"', '"BB"=>NULL', r'"q\"uo\\te"=>"b\\s \"x\""',
                    '"\u00fc\U0001F600"=>"\u00e9"', '""=>"empty key"'])


def plain_corpus(conn):
    """Inserts, updates (a key change among them), deletes and a TOASTed
    value left unchanged, on a table with a primary key and one with
    REPLICA IDENTITY FULL and no key."""
    cur = conn.cursor()
    cur.execute("INSERT INTO plain VALUES (1, 'one', 12.50, 9007199254740993, true, 1.5, "
                "'2024-02-29 12:34:56.789012', '2024-02-29', '{\"a\": [1, 2]}', "
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff'::bytea, '{x,\"y z\"}', "
                "NULL), (2, 'two', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                "NULL, NULL)")
    cur.execute("INSERT INTO plain_full VALUES ('a', 1), (NULL, 2)")
    conn.commit()
    cur.execute("UPDATE plain SET name = 'uno', price = -0.01 WHERE id = 1")
    cur.execute("UPDATE plain_full SET n = 3 WHERE v = 'a'")
    conn.commit()
    # A value large enough to be TOASTed out of line, then an update that
    # leaves it alone: pgoutput does not send it.
    cur.execute("UPDATE plain SET big = (SELECT string_agg(md5(g::text), '') "
                "FROM generate_series(1, 400) g) WHERE id = 2")
    conn.commit()
    cur.execute("UPDATE plain SET qty = 5 WHERE id = 2")
    conn.commit()
    cur.execute("UPDATE plain SET id = 3 WHERE id = 1")
    conn.commit()
    cur.execute("DELETE FROM plain WHERE id = 2")
    cur.execute("DELETE FROM plain_full WHERE n = 2")
    conn.commit()
    # Every type of the outbox corpus, set and NULL, through a change event.
    cur.execute("INSERT INTO plain_types (id, %s) VALUES (1, %s)" % (", ".join(TYPED), TYPED_VALUES))
    cur.execute("INSERT INTO plain_types (id) VALUES (2)")
    conn.commit()
    cur.execute("UPDATE plain_types SET c_int4 = 5, n_f8 = NULL, c_num = NULL WHERE id = 2")
    cur.execute("DELETE FROM plain_types WHERE id = 1")
    conn.commit()
    # A DELETE whose before-image holds the key only (D17).
    cur.execute("INSERT INTO plain_nn VALUES (1, 1, 2, 3, 1.5, 2.5, 1.25, 3.5, 7, true, 't', "
                "'vc', 'ch', 'bp', '\\x01'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
                "'{\"a\": 1}', '[1]', '2024-02-29', '12:34:56', '12:34:56.789', "
                "'10:11:12+05:30', '2024-02-29 12:34:56', '2024-02-29 12:34:56.789', "
                "'2024-02-29 12:34:56+01', '1 day', 'sad', '{1}', '{a}', 1.5, B'1', "
                "B'1010000001', B'110', '(1,2)', '192.168.0.1', '10.0.0.0/8', "
                "'08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', '[1,10)', "
                "'[2024-01-01 00:00+00,2024-01-02 00:00+00)', '<a/>', 5, 'q', 'a:1')")
    conn.commit()
    cur.execute("DELETE FROM plain_nn WHERE id = 1")
    conn.commit()
    # Strings formatted late, truncated (plaintrunc): set, NULL, the
    # special values, updated, deleted.
    cur.execute("INSERT INTO plain_trunc (id, %s) VALUES (1, %s)"
                % (", ".join(TRUNC_COLS), TRUNC_VALUES))
    cur.execute("INSERT INTO plain_trunc (id) VALUES (2)")
    cur.execute("INSERT INTO plain_trunc (id, t_tstz, t_interval, t_numv, t_date, t_ts, d_tstz) "
                "VALUES (3, 'infinity', '-178000000 years', 'NaN', '-infinity', 'infinity', "
                "'-infinity')")
    conn.commit()
    cur.execute("UPDATE plain_trunc SET t_num = 1, t_numv = 'Infinity' WHERE id = 1")
    cur.execute("DELETE FROM plain_trunc WHERE id = 2")
    conn.commit()
    # Values of many types large enough to be TOASTed out of line, then an
    # update that leaves them alone (D17).
    cur.execute(
        "INSERT INTO plain_toast SELECT 1, 0, "
        "translate(string_agg(md5(g::text), ''), 'abcdef', '123456')::numeric, "
        "json_build_object('k', string_agg(md5(g::text), '')), "
        "jsonb_build_object('k', string_agg(md5(g::text), '')), "
        "decode(string_agg(md5(g::text), ''), 'hex'), "
        "array_agg(hashtext(g::text)), array_agg(hashtext(g::text)::bigint << 20), "
        "array_agg(date '2000-01-01' + hashtext(g::text) % 100000), "
        "array_agg(md5(g::text)), array_agg(md5(g::text)::uuid), "
        "array_agg(decode(md5(g::text), 'hex')), array_agg(jsonb_build_object('k', md5(g::text))), "
        "array_agg(hashtext(g::text) / 7.0::float8) "
        "FROM generate_series(1, 2000) g")
    conn.commit()
    cur.execute("UPDATE plain_toast SET v = 1 WHERE id = 1")
    conn.commit()
    # REPLICA IDENTITY USING INDEX: old rows hold the index's columns.
    cur.execute("INSERT INTO plain_idx VALUES (1, 'c1', 'n1'), (2, 'c2', 'n2')")
    conn.commit()
    cur.execute("UPDATE plain_idx SET note = 'n1b' WHERE id = 1")
    cur.execute("UPDATE plain_idx SET code = 'c1b' WHERE id = 1")
    conn.commit()
    cur.execute("DELETE FROM plain_idx WHERE id = 2")
    conn.commit()
    # FULL: an unchanged TOASTed value comes from the old row.
    cur.execute("INSERT INTO plain_full SELECT string_agg(md5(g::text), ''), 10, 0 "
                "FROM generate_series(1, 400) g")
    conn.commit()
    cur.execute("UPDATE plain_full SET w = 1 WHERE n = 10")
    conn.commit()
    cur.execute("TRUNCATE plain_full")
    conn.commit()
    # Types Debezium has no mapping for: set, NULL, updated, deleted.
    cur.execute("INSERT INTO plain_unknown VALUES (1, 'one', '((0,0),(1.5,2))', '<(1,2),3>', "
                "'{1,-1,0}', '[(0,0),(1e20,1e-5)]', '[(0,0),(1,1)]', '((0,0),(1,1),(2,0))', "
                "'((0,0),(1,1),(1,0))', '16/B374D848', 'a & !b', '{\"1 day\"}', "
                "ARRAY['(1,1),(0,0)'::box, '(2.5,2),(-1,0)'], '{1.50}', '{\"(1,2)\"}', %s, "
                "'{0/0,16/B374D848}', ARRAY['\"a\"=>\"1\", \"b\"=>NULL'::hstore, NULL, ''])",
                (HSTORE,))
    cur.execute("INSERT INTO plain_unknown (id, h) VALUES (2, '')")
    cur.execute("INSERT INTO plain_unknown (id) VALUES (3)")
    conn.commit()
    # Row filter and column list: an UPDATE leaving the filter arrives as a
    # DELETE, one entering it as an INSERT; "secret" is not published.
    cur.execute("INSERT INTO pf_rows VALUES (1, 'a', 5), (2, 'b', 0)")
    cur.execute("INSERT INTO pf_cols VALUES (1, 'Ann', 'pw', 30)")
    conn.commit()
    cur.execute("UPDATE pf_rows SET qty = 0 WHERE id = 1")
    cur.execute("UPDATE pf_rows SET qty = 7 WHERE id = 2")
    conn.commit()
    cur.execute("UPDATE pf_rows SET name = 'bb' WHERE id = 2")
    cur.execute("UPDATE pf_rows SET name = 'x' WHERE id = 1")
    cur.execute("UPDATE pf_cols SET secret = 'new', age = 31 WHERE id = 1")
    conn.commit()
    cur.execute("DELETE FROM pf_cols WHERE id = 1")
    cur.execute("DELETE FROM pf_rows")
    conn.commit()
    cur.execute("UPDATE plain_unknown SET b = '(-1,-1),(-2.25,-3)', name = 'uno' WHERE id = 1")
    cur.execute("DELETE FROM plain_unknown WHERE id = 2")
    conn.commit()


MESSAGE_BYTES = bytes(range(256))


def message_corpus(conn):
    """Logical decoding messages, transactional or not, with text, binary
    and empty content; one not in a transaction written just before a
    COMMIT (it has the commit's LSN)."""
    cur = conn.cursor()
    cur.execute("SELECT pg_logical_emit_message(true, 'dzm.text', 'h\u00e9llo \"quoted\"')")
    cur.execute("SELECT pg_logical_emit_message(true, 'dzm.bin', %s)",
                (psycopg2.Binary(MESSAGE_BYTES),))
    conn.commit()
    cur.execute("SELECT pg_logical_emit_message(false, 'dzm.nontx', %s)",
                (psycopg2.Binary(b"\x00\x01 non-transactional"),))
    conn.commit()
    cur.execute("SELECT pg_logical_emit_message(true, 'dzm.empty', ''::bytea)")
    cur.execute("SELECT pg_logical_emit_message(false, 'dzm.empty', ''::text)")
    cur.execute("SELECT pg_logical_emit_message(false, 'dzm.before_commit', 'last')")
    conn.commit()


def after_restart_corpus(conn):
    """After restart_plainmsg: a transaction (its events' source.sequence
    starts with the end of the last transaction before the restart, as
    both connectors keep it in their offsets), then a message outside one."""
    cur = conn.cursor()
    cur.execute("SELECT pg_logical_emit_message(true, 'dzm.restarted', 'tx')")
    conn.commit()
    cur.execute("SELECT pg_logical_emit_message(false, 'dzm.restarted', 'nontx')")
    conn.commit()


def restart_plainmsg(pg, dbz, runners, brokers):
    """Stops and starts plainmsg on both sides once both have written its
    six message events and gone quiet."""
    topic = "diff_plainmsg.message"
    for b in brokers:
        wait_for(lambda: topic in topics(b), 90, "%s on %s" % (topic, b))
        assert len(consume(b, [topic], expect=6, timeout=90, idle=3.0)) == 6
    resumed = "Retrieved latest position from stored offset"
    before = dbz.log_text().count(resumed)
    req = urllib.request.Request("%s/connectors/dbz-plainmsg/restart?includeTasks=true"
                                 % dbz.rest_url, method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    runners["plainmsg"].stop()
    runners["plainmsg"].start()
    # The new task has read its offsets (the only connector that has any).
    wait_for(lambda: dbz.log_text().count(resumed) > before, 120,
             "Debezium's plainmsg task restarted from its offsets", interval=0.5)
    wait_for(lambda: slots_active(pg, ["dbz_plainmsg", "tw_plainmsg"]), 120,
             "plainmsg's slots active again", interval=0.2)


def end_marker(conn):
    """Last row: topic <prefix>Zend (routed by aggregatetype or by type)."""
    cur = conn.cursor()
    cur.execute("INSERT INTO plain_end VALUES (1, 'z')")
    cur.execute("INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, key2, "
                "created_at, payload2, payload_obj) VALUES (%s, 'Zend', 'end', 'Zend', '{}', 'end', "
                "'2024-01-01', '{}', '{}')",
                (str(uuid.UUID(int=END_ID)),))
    conn.commit()


def end_topic(variant):
    if variant in PLAIN:
        return "diff_%s.public.plain_end" % variant
    if variant == "custom":
        return "cust.Zend.events"
    return TOPIC_PREFIX[variant] + "Zend"


def connector_props(variant, pg, dbname, side):
    props = debezium_side.connector_props(side, variant, pg, dbname, "diff_" + variant)
    if variant == "plainmsg":
        del props["message.prefix.exclude.list"]
    if VARIANTS[variant] is None:
        props["table.include.list"] = ",".join(
            "public\\." + t
            for t in ("plain", "plain_full", "plain_idx", "plain_types", "plain_toast",
                      "plain_nn", "plain_end"))
        props.update(PLAIN[variant])
        return props
    props["transforms"] = "outbox"
    props["transforms.outbox.type"] = "io.debezium.transforms.outbox.EventRouter"
    props.update(MODES.get(variant, {}))
    props.update(OUTBOX_CONNECTOR.get(variant, {}))
    for k, v in VARIANTS[variant].items():
        props["transforms.outbox." + k] = v
    return props


def record(msg):
    """A comparable view of one Kafka record."""
    def j(b):
        return None if b is None else json.loads(b)
    hdrs = [(k, None if v is None else v.decode("utf-8", "backslashreplace"))
            for k, v in (msg.headers() or [])]
    return {"topic": msg.topic(), "partition": msg.partition(), "key": j(msg.key()),
            "value": j(msg.value()), "headers": hdrs, "timestamp": msg.timestamp()[1],
            "offset": msg.offset(),
            "raw": [None if b is None else b.decode("utf-8", "backslashreplace")
                    for b in (msg.key(), msg.value())]}


def collect(bootstrap):
    names = [t for t in topics(bootstrap) if not t.startswith("_")]
    msgs = consume(bootstrap, names, expect=1, timeout=20, idle=3.0)
    by_variant = {v: [] for v in VARIANTS}
    for m in msgs:
        r = record(m)
        if r["topic"] == "diff_plaincols.transaction":
            continue  # BEGIN/END records: test_debezium_diff_meta.py
        for v, prefix in TOPIC_PREFIX.items():
            if r["topic"].startswith(prefix):
                by_variant.setdefault(v, []).append(r)
                break
        else:
            by_variant.setdefault("?", []).append(r)
    for v in by_variant:
        by_variant[v].sort(key=record_order)
    return by_variant


def keyless(r):
    """A change event without a key (a table without a primary key, or a
    truncate): D14, its partition is the producer's random choice on both
    sides."""
    return r["key"] is None and r["topic"].startswith(tuple(TOPIC_PREFIX[v] for v in PLAIN))


def record_order(r):
    """Topic, partition, offset; keyless change events by content."""
    if not keyless(r):
        return (r["topic"], r["partition"], r["offset"], "")
    payload = dict((r["value"] or {}).get("payload") or {})
    for k in ("ts_ms", "ts_us", "ts_ns"):
        payload.pop(k, None)
    return (r["topic"], -1, 0, json.dumps(payload, sort_keys=True))



@pytest.fixture(scope="module")
def outputs(tmp_path_factory, tidewater_bin, devbroker_bin):
    base = tmp_path_factory.mktemp("dbzdiff")
    # logical_decoding_work_mem: plain_toast's row is not streamed to
    # tidewater (Debezium does not ask for streaming; D25). Each Debezium
    # connector holds several connections: 100 is too few for them all.
    sides = Sides(base, tidewater_bin, devbroker_bin,
                  pg_settings={"max_replication_slots": "60", "max_wal_senders": "60",
                               "max_connections": "300",
                               "logical_decoding_work_mem": "64MB"})
    try:
        sides.pg.create_database("diff")
        sides.pg.sql(DDL, dbname="diff")
        sides.start({v: (connector_props(v, sides.pg, "diff", "dbz"),
                         connector_props(v, sides.pg, "diff", "tw")) for v in VARIANTS},
                    slot_timeout=180)
        conn = sides.pg.connect("diff")
        conn.autocommit = False
        corpus(conn)
        plain_corpus(conn)
        message_corpus(conn)
        if "plainmsg" in VARIANTS:
            restart_plainmsg(sides.pg, sides.dbz, sides.tw,
                             (sides.kafka.bootstrap_servers, sides.broker.bootstrap_servers))
            after_restart_corpus(conn)
        end_marker(conn)
        conn.close()
        # Wait for every configuration's last record on both sides; one
        # that never arrives fails its own test below, not the module.
        sides.wait_topics([end_topic(v) for v in VARIANTS])
        out = {
            "dbz": collect(sides.kafka.bootstrap_servers),
            "tw": collect(sides.broker.bootstrap_servers),
            "dbz_log": sides.dbz.log_text(),
            "tw_logs": {v: r.output() for v, r in sides.tw.items()},
        }
        for side in ("dbz", "tw"):
            with open(str(base / ("%s-records.json" % side)), "w") as f:
                json.dump(out[side], f, indent=1, sort_keys=True)
        print("differential: Kafka %.1fs, Connect %.1fs; total start %.1fs"
              % (sides.kafka.startup_seconds, sides.dbz.startup_seconds, sides.startup))
        yield out
    finally:
        sides.stop()


# Columns only Debezium writes, per configuration (none at present).
DBZ_ONLY_COLUMNS = {}


def drop_columns(value, names):
    """The change event without the named columns (schema and rows)."""
    if not isinstance(value, dict) or not isinstance(value.get("payload"), dict):
        return value
    payload = dict(value["payload"])
    for k in ("before", "after"):
        if isinstance(payload.get(k), dict):
            payload[k] = {c: v for c, v in payload[k].items() if c not in names}
    schema = dict(value["schema"])
    schema["fields"] = [dict(f, fields=[g for g in f["fields"] if g["field"] not in names])
                        if f["field"] in ("before", "after") else f
                        for f in schema["fields"]]
    return dict(value, payload=payload, schema=schema)


MESSAGE_COLLECTION = ("io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$"
                      "LogicalDecodingMessageId@")


def normalize(rec, side, variant):
    """Applies the documented differences (docs/debezium-differences.md)."""
    r = dict(rec)
    if side == "dbz" and variant in DBZ_ONLY_COLUMNS:
        r["value"] = drop_columns(r["value"], DBZ_ONLY_COLUMNS[variant])
    r.pop("offset")
    if keyless(r):
        r["partition"] = None  # D14
    r.pop("raw", None)
    # D1: Debezium's context headers (__debezium.context.*) are not written.
    r["headers"] = [(k, v) for k, v in r["headers"] if not k.startswith("__debezium.context.")]
    # D3: tidewater copies the span context column's W3C headers; Debezium
    # only does with OpenTelemetry set up in the worker.
    if side == "tw":
        r["headers"] = [(k, v) for k, v in r["headers"] if k not in ("traceparent", "tracestate")]
    # D19: Debezium writes null for a `name` column's value.
    payload = r["value"].get("payload") if isinstance(r["value"], dict) else None
    if variant in PLAIN and isinstance(payload, dict) and "source" in payload:
        # D12: the envelope's ts_* are processing times; D13: source.version
        # names the connector's own version.
        payload = dict(payload, source=dict(payload["source"], version="-"))
        for k in ("ts_ms", "ts_us", "ts_ns"):
            if k in payload or payload.get("op") != "m":
                assert isinstance(payload[k], int)
                payload[k] = "-"
        r["value"] = dict(r["value"], payload=payload)
    # D29: each transactional message is a collection named by a Java
    # object's identity hash (random in Debezium), so END records list
    # them in an order of their own.
    if isinstance(payload, dict) and payload.get("status") == "END":
        colls = [dict(c, data_collection=MESSAGE_COLLECTION + "-")
                 if c["data_collection"].startswith(MESSAGE_COLLECTION) else c
                 for c in payload["data_collections"]]
        colls.sort(key=lambda c: (c["data_collection"], c["event_count"]))
        r["value"] = dict(r["value"], payload=dict(payload, data_collections=colls))
    if side == "tw" and isinstance(payload, dict) and payload.get("x_name") is not None:
        r["value"] = dict(r["value"], payload=dict(payload, x_name=None))
    return r


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_same_bytes(outputs, variant):
    """Keys and values byte for byte, where no documented difference is
    involved (JsonConverter's field order, number and string forms)."""
    pairs = list(zip(outputs["dbz"][variant], outputs["tw"][variant]))
    assert pairs
    compared = 0
    for a, b in pairs:
        n, m = normalize(a, "dbz", variant), normalize(b, "tw", variant)
        if (n["key"], n["value"], m["key"], m["value"]) != (a["key"], a["value"], b["key"],
                                                            b["value"]):
            continue
        assert b["raw"] == a["raw"], "%s: %s" % (variant, a["topic"])
        compared += 1
    if variant != "types" and variant not in PLAIN:  # D19; D12, D13 touch every change event
        assert compared == len(pairs)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_same_records(outputs, variant):
    dbz = [normalize(r, "dbz", variant) for r in outputs["dbz"][variant]]
    tw = [normalize(r, "tw", variant) for r in outputs["tw"][variant]]
    end = end_topic(variant)
    assert any(r["topic"] == end for r in dbz), \
        "Debezium did not reach the end of the corpus for %s:\n%s" % (
            variant, "\n".join(l for l in outputs["dbz_log"].splitlines()
                               if " ERROR " in l or "Caused by" in l)[-3000:])
    assert any(r["topic"] == end for r in tw), \
        "tidewater did not reach the end of the corpus for %s:\n%s" % (
            variant, outputs["tw_logs"][variant][-3000:])
    # D2: the default record timestamp: Debezium's processing time,
    # tidewater's commit time — both close to the commit.
    if "table.field.event.timestamp" not in (VARIANTS[variant] or {}):
        for a, b in zip(dbz, tw):
            assert abs(a.pop("timestamp") - b.pop("timestamp")) < 30000
    for i, (a, b) in enumerate(zip(dbz, tw)):
        assert b == a, "record %d of %s differs" % (i, variant)
    assert len(tw) == len(dbz)
