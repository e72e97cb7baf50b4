/*
 * client_keys.h — Kafka's Java client settings, as Kafka Connect and
 * Debezium configurations write them under producer.*, turned into the
 * librdkafka settings that mean the same.
 */
#ifndef TW_CLIENT_KEYS_H
#define TW_CLIENT_KEYS_H

#include "util/common.h"
#include "config/props.h"

/* Rewrites in place the keys of client (without their prefix, which
 * messages show: "producer."):
 *   sasl.jaas.config (PLAIN or SCRAM login module)  -> sasl.username, sasl.password
 *   ssl.truststore.location + ssl.truststore.type=PEM -> ssl.ca.location
 *   ssl.truststore.certificates                      -> ssl.ca.pem
 *   ssl.keystore.location + ssl.keystore.type=PEM    -> ssl.certificate.location
 *                                                       and ssl.key.location
 *   ssl.keystore.type=PKCS12                          (librdkafka's own format)
 *   ssl.keystore.certificate.chain / ssl.keystore.key -> ssl.certificate.pem / ssl.key.pem
 *   ssl.endpoint.identification.algorithm= (empty)    -> none
 * A Java-only form librdkafka cannot read (a JKS store, another JAAS login
 * module) is an error naming the key and what to use instead. Values are
 * never quoted in messages. */
tw_err_t tw_client_keys_from_java(tw_props_t *client, const char *prefix, char *errstr,
                                  size_t errstr_size);

#endif /* TW_CLIENT_KEYS_H */
