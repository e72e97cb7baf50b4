/*
 * cmd_tail.h — `tidewater tail CONFIG`: stream the slot and print each
 * committed change as a JSON line, without Kafka.
 */
#ifndef TW_CMD_TAIL_H
#define TW_CMD_TAIL_H

/* Returns the process exit status. */
int tw_cmd_tail(int argc, char **argv);

#endif /* TW_CMD_TAIL_H */
