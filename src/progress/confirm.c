/*
 * confirm.c — the delivery rule (see confirm.h).
 */
#include "progress/confirm.h"

tw_lsn_t tw_confirm_position(const tw_confirm_state_t *state)
{
    tw_lsn_t position = state->settled ? state->received : state->delivered;

    /* A checkpoint from elsewhere, or a position not yet seen on this
     * connection, must never reach the server. */
    return TW_MIN(position, state->received);
}

bool tw_confirm_txn_done(tw_lsn_t commit_lsn, tw_lsn_t position)
{
    return commit_lsn < position;
}

bool tw_confirm_message_done(tw_lsn_t lsn, tw_lsn_t position)
{
    return lsn != 0 && lsn <= position;
}
