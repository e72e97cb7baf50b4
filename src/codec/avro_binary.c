/*
 * avro_binary.c — zig-zag varints, IEEE-754 little-endian floats, length-
 * prefixed bytes.
 */
#include "codec/avro_binary.h"

#include <string.h>

void tw_avro_write_confluent_header(tw_buf_t *buf, int32_t schema_id)
{
    uint32_t id = (uint32_t)schema_id;
    char header[TW_CONFLUENT_HEADER_SIZE] = {0, (char)(id >> 24), (char)(id >> 16),
                                             (char)(id >> 8), (char)id};

    tw_buf_append(buf, header, sizeof(header));
}

void tw_avro_write_long(tw_buf_t *buf, int64_t v)
{
    /* Zig-zag maps small magnitudes of either sign to small unsigned values;
     * the shift is done on unsigned to avoid undefined behaviour. */
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    char *out;

    tw_buf_reserve(buf, 10);
    out = buf->data + buf->len;
    while (z >= 0x80) {
        *out++ = (char)(z | 0x80);
        z >>= 7;
    }
    *out++ = (char)z;
    buf->len = (size_t)(out - buf->data);
    buf->data[buf->len] = '\0';
}

void tw_avro_write_boolean(tw_buf_t *buf, bool v)
{
    tw_buf_append_char(buf, v ? 1 : 0);
}

void tw_avro_write_float(tw_buf_t *buf, float v)
{
    uint32_t bits;
    char b[4];

    memcpy(&bits, &v, sizeof(bits));
    b[0] = (char)bits;
    b[1] = (char)(bits >> 8);
    b[2] = (char)(bits >> 16);
    b[3] = (char)(bits >> 24);
    tw_buf_append(buf, b, 4);
}

void tw_avro_write_double(tw_buf_t *buf, double v)
{
    uint64_t bits;
    char b[8];
    int i;

    memcpy(&bits, &v, sizeof(bits));
    for (i = 0; i < 8; i++)
        b[i] = (char)(bits >> (8 * i));
    tw_buf_append(buf, b, 8);
}

void tw_avro_write_bytes(tw_buf_t *buf, const void *data, size_t len)
{
    tw_avro_write_long(buf, (int64_t)len);
    tw_buf_append(buf, data, len);
}
