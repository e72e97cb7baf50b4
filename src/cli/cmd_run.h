/*
 * cmd_run.h — `tidewater run CONFIG`: stream the slot into Kafka through
 * the outbox router, confirming to PostgreSQL only what Kafka acknowledged.
 */
#ifndef TW_CMD_RUN_H
#define TW_CMD_RUN_H

int tw_cmd_run(int argc, char **argv);

#endif /* TW_CMD_RUN_H */
