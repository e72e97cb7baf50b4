/*
 * cmd_check.h — `tidewater check CONFIG`: validate the configuration and try
 * every dependency without changing anything; one line per check.
 */
#ifndef TW_CMD_CHECK_H
#define TW_CMD_CHECK_H

int tw_cmd_check(int argc, char **argv);

#endif /* TW_CMD_CHECK_H */
