/*
 * offsets.c — a small JSON document, replaced atomically.
 *
 *   {"slot": "debezium", "commit_lsn": "0/16B3748", "end_lsn": "0/16B3780",
 *    "commit_ts_us": 1732284000000000, "system_id": "7301234567890123456",
 *    "timeline": 1, "database": "orders", "database_oid": 16384}
 */
#include "progress/offsets.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

/* The identity fields, all optional (files from older versions lack them). */
static tw_err_t load_origin(json_t *root, const char *path, tw_offset_origin_t *origin,
                            char *errstr, size_t errstr_size)
{
    json_t *sysid = json_object_get(root, "system_id");
    json_t *tli = json_object_get(root, "timeline");
    json_t *db = json_object_get(root, "database");
    json_t *oid = json_object_get(root, "database_oid");

    if ((sysid && !json_is_string(sysid)) || (tli && !json_is_integer(tli)) ||
        (db && !json_is_string(db)) || (oid && !json_is_integer(oid)))
        return tw_errf(TW_ERR_IO, errstr, errstr_size,
                       "offsets file %s is malformed (system_id, timeline, database or "
                       "database_oid of the wrong type); fix or remove it",
                       path);
    if (sysid)
        snprintf(origin->system_id, sizeof(origin->system_id), "%s", json_string_value(sysid));
    if (tli)
        origin->timeline = (uint32_t)json_integer_value(tli);
    if (db)
        snprintf(origin->database, sizeof(origin->database), "%s", json_string_value(db));
    if (oid)
        origin->database_oid = (uint32_t)json_integer_value(oid);
    return TW_OK;
}

tw_err_t tw_offsets_load(const char *path, const char *slot_name, tw_offset_t *offset,
                         tw_offset_origin_t *origin, bool *found, char *errstr,
                         size_t errstr_size)
{
    json_error_t jerr;
    json_t *root;
    const char *slot = NULL, *commit = NULL, *end = NULL;
    json_int_t ts = 0, txn_ts = -1;
    tw_offset_origin_t scratch;
    tw_err_t err = TW_OK;

    if (origin == NULL)
        origin = &scratch;
    memset(offset, 0, sizeof(*offset));
    memset(origin, 0, sizeof(*origin));
    *found = false;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return TW_OK;
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return tw_errf(TW_ERR_IO, errstr, errstr_size,
                       "offsets file %s is unreadable (%s); fix or remove it (removing it "
                       "replays from the slot's position, which may duplicate records)",
                       path, jerr.text);
    /* txn_commit_ts_us is missing in files of older versions. */
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s:s, s?:I, s?:I}", "slot", &slot,
                       "commit_lsn", &commit, "end_lsn", &end, "commit_ts_us", &ts,
                       "txn_commit_ts_us", &txn_ts) != 0 ||
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
        err = load_origin(root, path, origin, errstr, errstr_size);
        snprintf(origin->slot, sizeof(origin->slot), "%s", slot);
        offset->commit_ts = ts;
        offset->txn_commit_ts = txn_ts >= 0 ? txn_ts : ts;
        *found = err == TW_OK;
    }
    json_decref(root);
    if (err) {
        memset(offset, 0, sizeof(*offset));
        memset(origin, 0, sizeof(*origin));
    }
    return err;
}

static char *dir_of(const char *path)
{
    char *copy = tw_strdup(path);
    char *dir = tw_strdup(dirname(copy));
    free(copy);
    return dir;
}

static tw_err_t fsync_dir(const char *dir, const char *path, char *errstr, size_t errstr_size)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    tw_err_t err = TW_OK;

    if (fd < 0 || fsync(fd) != 0)
        err = tw_errf(TW_ERR_IO, errstr, errstr_size, "syncing the directory of %s: %s", path,
                      strerror(errno));
    if (fd >= 0)
        close(fd);
    return err;
}

tw_err_t tw_offsets_replace_file(const char *path, const char *what, const char *data,
                                 size_t len, char *errstr, size_t errstr_size)
{
    tw_buf_t tmp = TW_BUF_INIT;
    char *dir = dir_of(path);
    tw_err_t err = TW_OK;
    bool created = false;
    int fd = -1;

    /* A unique name created with O_EXCL (mkstemp): a symlink or file
     * planted at a predictable name is never followed or truncated. */
    tw_buf_printf(&tmp, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        err = tw_errf(TW_ERR_IO, errstr, errstr_size,
                      "cannot create a temporary file next to %s %s: %s", what, path,
                      strerror(errno));
        goto cleanup;
    }
    created = true;
    if (fchmod(fd, 0600) != 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
        err = tw_errf(TW_ERR_IO, errstr, errstr_size, "writing %s %s: %s", what, tmp.data,
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
    created = false;
    err = fsync_dir(dir, path, errstr, errstr_size);
cleanup:
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp.data);
    free(dir);
    tw_buf_free(&tmp);
    return err;
}

tw_err_t tw_offsets_store(const char *path, const tw_offset_origin_t *origin,
                          const tw_offset_t *offset, char *errstr, size_t errstr_size)
{
    tw_buf_t doc = TW_BUF_INIT;
    tw_err_t err;

    tw_buf_append_str(&doc, "{\"slot\": ");
    tw_buf_append_json_string(&doc, origin->slot, strlen(origin->slot));
    tw_buf_printf(&doc,
                  ", \"commit_lsn\": \"" TW_LSN_FMT "\", \"end_lsn\": \"" TW_LSN_FMT
                  "\", \"commit_ts_us\": %lld, \"txn_commit_ts_us\": %lld",
                  TW_LSN_ARGS(offset->commit_lsn), TW_LSN_ARGS(offset->end_lsn),
                  (long long)offset->commit_ts, (long long)offset->txn_commit_ts);
    if (origin->system_id[0]) {
        tw_buf_append_str(&doc, ", \"system_id\": ");
        tw_buf_append_json_string(&doc, origin->system_id, strlen(origin->system_id));
        tw_buf_printf(&doc, ", \"timeline\": %u, \"database\": ", (unsigned)origin->timeline);
        tw_buf_append_json_string(&doc, origin->database, strlen(origin->database));
        tw_buf_printf(&doc, ", \"database_oid\": %u", (unsigned)origin->database_oid);
    }
    tw_buf_append_str(&doc, "}\n");
    err = tw_offsets_replace_file(path, "offsets file", doc.data, doc.len, errstr, errstr_size);
    tw_buf_free(&doc);
    return err;
}

tw_err_t tw_offsets_make_dir(const char *path, char *errstr, size_t errstr_size)
{
    char *dir = dir_of(path);
    tw_err_t err = TW_OK;
    struct stat st;
    size_t i, n = strlen(dir);

    /* Each missing component, from the root down. */
    for (i = 1; i <= n && err == TW_OK; i++) {
        if (dir[i] != '/' && dir[i] != '\0')
            continue;
        dir[i] = '\0';
        if (stat(dir, &st) != 0) {
            if (errno != ENOENT || mkdir(dir, 0700) != 0)
                err = tw_errf(TW_ERR_IO, errstr, errstr_size,
                              "cannot create state directory %s for offsets file %s: %s; "
                              "create it (owned by the user tidewater runs as, mode 0700), "
                              "or set state.dir or offset.storage.file.filename to a "
                              "writable place",
                              dir, path, strerror(errno));
        } else if (!S_ISDIR(st.st_mode)) {
            err = tw_errf(TW_ERR_IO, errstr, errstr_size,
                          "%s is not a directory, so offsets file %s cannot be kept there; set "
                          "state.dir or offset.storage.file.filename",
                          dir, path);
        }
        if (i < n)
            dir[i] = '/';
    }
    free(dir);
    return err;
}
