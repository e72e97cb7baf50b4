/*
 * offsets.c — a small JSON document, replaced atomically.
 *
 *   {"slot": "debezium", "commit_lsn": "0/16B3748", "end_lsn": "0/16B3780",
 *    "commit_ts_us": 1732284000000000}
 */
#include "offsets.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

tw_err_t tw_offsets_load(const char *path, const char *slot_name, tw_offset_t *offset,
                         bool *found, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root;
    const char *slot = NULL, *commit = NULL, *end = NULL;
    json_int_t ts = 0;
    tw_err_t err = TW_OK;

    memset(offset, 0, sizeof(*offset));
    *found = false;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return TW_OK;
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return tw_errf(TW_ERR_IO, errstr, errstr_size,
                       "offsets file %s is unreadable (%s); fix or remove it (removing it "
                       "replays from the slot's position, which may duplicate records)",
                       path, jerr.text);
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s:s, s?:I}", "slot", &slot, "commit_lsn",
                       &commit, "end_lsn", &end, "commit_ts_us", &ts) != 0 ||
        !tw_lsn_parse(commit, &offset->commit_lsn) || !tw_lsn_parse(end, &offset->end_lsn)) {
        err = tw_errf(TW_ERR_IO, errstr, errstr_size,
                      "offsets file %s is malformed (%s); fix or remove it", path,
                      jerr.text[0] ? jerr.text : "bad LSN");
    } else if (strcmp(slot, slot_name) != 0) {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "offsets file %s belongs to slot \"%s\", not \"%s\": give each connector "
                      "its own offset.storage.file.filename",
                      path, slot, slot_name);
    } else {
        offset->commit_ts = ts;
        *found = true;
    }
    json_decref(root);
    return err;
}

static tw_err_t fsync_dir_of(const char *path, char *errstr, size_t errstr_size)
{
    char *copy = tw_strdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    tw_err_t err = TW_OK;

    if (fd < 0 || fsync(fd) != 0)
        err = tw_errf(TW_ERR_IO, errstr, errstr_size, "syncing the directory of %s: %s", path,
                      strerror(errno));
    if (fd >= 0)
        close(fd);
    free(copy);
    return err;
}

tw_err_t tw_offsets_store(const char *path, const char *slot_name, const tw_offset_t *offset,
                          char *errstr, size_t errstr_size)
{
    tw_buf_t tmp = TW_BUF_INIT, doc = TW_BUF_INIT;
    tw_err_t err = TW_OK;
    int fd = -1;

    tw_buf_printf(&tmp, "%s.tmp", path);
    tw_buf_append_str(&doc, "{\"slot\": ");
    tw_buf_append_json_string(&doc, slot_name, strlen(slot_name));
    tw_buf_printf(&doc,
                  ", \"commit_lsn\": \"" TW_LSN_FMT "\", \"end_lsn\": \"" TW_LSN_FMT
                  "\", \"commit_ts_us\": %lld}\n",
                  TW_LSN_ARGS(offset->commit_lsn), TW_LSN_ARGS(offset->end_lsn),
                  (long long)offset->commit_ts);
    fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, doc.data, doc.len) != (ssize_t)doc.len || fsync(fd) != 0) {
        err = tw_errf(TW_ERR_IO, errstr, errstr_size, "writing offsets file %s: %s", tmp.data,
                      strerror(errno));
        goto cleanup;
    }
    close(fd);
    fd = -1;
    if (rename(tmp.data, path) != 0) {
        err = tw_errf(TW_ERR_IO, errstr, errstr_size, "renaming %s to %s: %s", tmp.data, path,
                      strerror(errno));
        goto cleanup;
    }
    err = fsync_dir_of(path, errstr, errstr_size);
cleanup:
    if (fd >= 0)
        close(fd);
    if (err)
        unlink(tmp.data);
    tw_buf_free(&tmp);
    tw_buf_free(&doc);
    return err;
}
