/*
 * UnwrapOracle: Debezium's own io.debezium.transforms.ExtractNewRecordState
 * run on the cases of tests/integration/unwrap_cases.json, so
 * test_unwrap_diff.py can compare tidewater's unwrap.c with it record by
 * record. Prints one JSON line per event: emitted, topic, key and value as
 * JsonConverter writes them (schemas.enable=true and Connect's default
 * replace.null.with.default=true, which tidewater's converter follows: a
 * null field with a schema default is written as the default), and the
 * headers as SimpleHeaderConverter writes them.
 *
 * Usage: java -cp <classes>:<debezium lib>/* UnwrapOracle unwrap_cases.json
 */
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.debezium.transforms.ExtractNewRecordState;

public class UnwrapOracle {
    static final String TOPIC = "srv.public.customers";
    static final ObjectMapper M = new ObjectMapper();

    static final Schema KEY = SchemaBuilder.struct().name("srv.public.customers.Key")
            .field("id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("srv.public.customers.Value").optional()
            .field("id", Schema.INT32_SCHEMA)
            .field("first_name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("email", SchemaBuilder.string().optional().defaultValue("none@example.com").build())
            .field("region", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", SchemaBuilder.string().optional().name("io.debezium.data.Enum").version(1)
                    .parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")
                    .defaultValue("false").build())
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("xmin", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    static final Schema TXN = SchemaBuilder.struct().optional().name("event.block").version(1)
            .field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA)
            .field("data_collection_order", Schema.INT64_SCHEMA)
            .build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("srv.public.customers.Envelope").version(2)
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("transaction", TXN)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    static Struct row(JsonNode r) {
        if (r == null || r.isNull())
            return null;
        Struct s = new Struct(ROW);
        s.put("id", r.get("id").asInt());
        for (String f : new String[] { "first_name", "email", "region" })
            s.put(f, r.get(f).isNull() ? null : r.get(f).asText());
        return s;
    }

    static Struct source() {
        return new Struct(SOURCE).put("version", "3.6.1.Final").put("connector", "postgresql")
                .put("name", "srv").put("ts_ms", 1559033904863L).put("snapshot", "false")
                .put("db", "postgres").put("sequence", "[\"24023119\",\"24023128\"]")
                .put("ts_us", 1559033904863123L).put("ts_ns", 1559033904863123000L)
                .put("schema", "public").put("table", "customers").put("txId", 555L)
                .put("lsn", 24023128L).put("xmin", null);
    }

    /* A tombstone right after a delete gets the delete's headers object, as
     * Debezium's EventDispatcher makes it (record.newRecord(..., record.headers())):
     * what a transform adds to the delete's headers shows on the tombstone. */
    static SourceRecord record(JsonNode ev, SourceRecord previous) {
        ConnectHeaders headers = new ConnectHeaders();
        if (ev.has("tombstone") && previous != null && previous.value() instanceof Struct
                && "d".equals(((Struct) previous.value()).getString("op")))
            headers = (ConnectHeaders) previous.headers();
        JsonNode hs = ev.get("headers");
        if (hs != null) {
            Iterator<Map.Entry<String, JsonNode>> it = hs.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> h = it.next();
                if (h.getValue().isArray()) {
                    List<String> names = new ArrayList<>();
                    h.getValue().forEach(n -> names.add(n.asText()));
                    headers.add(h.getKey(), names, SchemaBuilder.array(Schema.STRING_SCHEMA).build());
                } else {
                    headers.addString(h.getKey(), h.getValue().asText());
                }
            }
        }
        if (ev.has("tombstone")) {
            Struct key = new Struct(KEY).put("id", ev.get("key").asInt());
            return new SourceRecord(null, null, TOPIC, null, KEY, key, null, null, 1559033904900L, headers);
        }
        Struct before = row(ev.get("before"));
        Struct after = row(ev.get("after"));
        Struct env = new Struct(ENVELOPE).put("before", before).put("after", after)
                .put("source", source()).put("op", ev.get("op").asText())
                .put("ts_ms", 1559033904900L).put("ts_us", 1559033904900111L)
                .put("ts_ns", 1559033904900111222L);
        if (ev.has("txn"))
            env.put("transaction", new Struct(TXN).put("id", "555:24023128").put("total_order", 3L)
                    .put("data_collection_order", 2L));
        Struct keyRow = after != null ? after : before;
        Struct key = keyRow == null ? null : new Struct(KEY).put("id", keyRow.getInt32("id"));
        return new SourceRecord(null, null, TOPIC, null, key == null ? null : KEY, key, ENVELOPE, env,
                1559033904900L, headers);
    }

    static JsonNode encode(JsonConverter c, String topic, Schema schema, Object value) throws Exception {
        byte[] b = c.fromConnectData(topic, schema, value);
        return b == null ? null : M.readTree(b);
    }

    public static void main(String[] args) throws Exception {
        JsonNode doc = M.readTree(new File(args[0]));
        Map<String, String> conv = new HashMap<>();
        conv.put("schemas.enable", "true");
        JsonConverter keys = new JsonConverter();
        keys.configure(conv, true);
        JsonConverter values = new JsonConverter();
        values.configure(conv, false);
        SimpleHeaderConverter hc = new SimpleHeaderConverter();
        hc.configure(new HashMap<>());
        for (JsonNode c : doc.get("cases")) {
            Map<String, String> options = new HashMap<>();
            c.get("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
            ExtractNewRecordState<SourceRecord> smt = new ExtractNewRecordState<>();
            smt.configure(options);
            SourceRecord previous = null;
            for (JsonNode ev : c.get("events")) {
                SourceRecord in = record(ev, previous);
                previous = in;
                SourceRecord out = smt.apply(in);
                ObjectNode line = M.createObjectNode();
                line.put("case", c.get("name").asText());
                line.put("emitted", out != null);
                if (out != null) {
                    line.put("topic", out.topic());
                    line.set("key", encode(keys, out.topic(), out.keySchema(), out.key()));
                    line.set("value", encode(values, out.topic(), out.valueSchema(), out.value()));
                    ArrayNode hl = line.putArray("headers");
                    for (Header h : out.headers()) {
                        byte[] b = hc.fromConnectHeader(out.topic(), h.key(), h.schema(), h.value());
                        ArrayNode pair = hl.addArray();
                        pair.add(h.key());
                        if (b == null)
                            pair.addNull();
                        else
                            pair.add(new String(b, StandardCharsets.UTF_8));
                    }
                }
                System.out.println(M.writeValueAsString(line));
            }
            smt.close();
        }
    }
}
