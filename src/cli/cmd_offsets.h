/*
 * cmd_offsets.h — `tidewater offsets show CONFIG` and `tidewater offsets
 * reset CONFIG --yes`: the operator's view of the checkpoint (position,
 * the server, database and slot it came from, the slot's state), and the
 * only way to discard it — as Kafka Connect's offsets API (KIP-875) does
 * for a stopped connector.
 */
#ifndef TW_CMD_OFFSETS_H
#define TW_CMD_OFFSETS_H

int tw_cmd_offsets(int argc, char **argv);

#endif /* TW_CMD_OFFSETS_H */
