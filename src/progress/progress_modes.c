/*
 * progress_modes.c — picks the progress mode the configuration asks for.
 * Kept apart from progress.c so that the generic code never names a mode:
 * pipeline → progress_modes → progress_file / progress_ktxn → progress.
 */
#include "progress/progress.h"

#include "progress/progress_file.h"
#include "progress/progress_ktxn.h"

tw_err_t tw_progress_new(const tw_config_t *cfg, tw_progress_sink_t sink, tw_delivery_t *delivery,
                         tw_failure_t *failure, tw_progress_t **out, char *errstr,
                         size_t errstr_size)
{
    if (cfg->exactly_once) {
        *out = tw_progress_ktxn_new(cfg, sink, delivery, failure);
        return TW_OK;
    }
    return tw_progress_file_new(cfg, sink, delivery, failure, out, errstr, errstr_size);
}
