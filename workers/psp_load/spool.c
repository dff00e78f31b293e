/*
 * The spool (see spool.h): length-prefixed lists in an unlinked temporary
 * file behind a large stdio buffer. Each list is a 32-bit count, then per
 * argument a 32-bit length and the bytes, in host byte order: the file never
 * leaves the process that wrote it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

#define BUFFER   (1 << 20)
#define ARGS_MAX 4096

struct rf_spool {
    FILE *f;
    char *buf;
    size_t size;
    char *scratch; /* one list being written */
    size_t scratch_size;
};

static enum rf_code io_fail(struct rf_error *err, const char *what)
{
    return rf_fail(err, RF_UNAVAILABLE, "could not %s the temporary spool file: %s", what,
                   strerror(errno));
}

struct rf_spool *rf_spool_create(struct rf_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    struct rf_spool *s;
    int fd;

    snprintf(path, sizeof path, "%s/refunds-psp-load.XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        io_fail(err, "create");
        return NULL;
    }
    unlink(path);
    s = calloc(1, sizeof *s);
    if (s == NULL)
        abort();
    s->f = fdopen(fd, "w+b");
    s->buf = malloc(BUFFER);
    if (s->f == NULL || s->buf == NULL)
        abort();
    setvbuf(s->f, s->buf, _IOFBF, BUFFER);
    return s;
}

void rf_spool_destroy(struct rf_spool *s)
{
    if (s == NULL)
        return;
    fclose(s->f);
    free(s->buf);
    free(s->scratch);
    free(s);
}

enum rf_code rf_spool_put(struct rf_spool *s, int argc, const char *const *argv,
                          const size_t *argvlen, struct rf_error *err)
{
    size_t total = sizeof(uint32_t) * (1 + (size_t)argc), at = 0;
    uint32_t n = (uint32_t)argc;
    char *rec;

    for (int i = 0; i < argc; i++)
        total += argvlen[i];
    /* One fwrite per list: stdio's per-call cost dominates with ~35 small pieces. */
    if (total > s->scratch_size) {
        s->scratch = realloc(s->scratch, total);
        if (s->scratch == NULL)
            abort();
        s->scratch_size = total;
    }
    rec = s->scratch;
    memcpy(rec, &n, sizeof n);
    at += sizeof n;
    for (int i = 0; i < argc; i++) {
        uint32_t len = (uint32_t)argvlen[i];

        memcpy(rec + at, &len, sizeof len);
        at += sizeof len;
        memcpy(rec + at, argv[i], len);
        at += len;
    }
    if (fwrite(rec, total, 1, s->f) != 1)
        return io_fail(err, "write");
    s->size += total;
    return RF_OK;
}

enum rf_code rf_spool_rewind(struct rf_spool *s, struct rf_error *err)
{
    if (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0)
        return io_fail(err, "rewind");
    return RF_OK;
}

enum rf_read rf_spool_get(struct rf_spool *s, struct rf_arena *a, int *argc, const char ***argv,
                          size_t **argvlen, struct rf_error *err)
{
    uint32_t n;
    const char **v;
    size_t *l;

    if (fread(&n, sizeof n, 1, s->f) != 1) {
        if (feof(s->f))
            return RF_READ_END;
        io_fail(err, "read");
        return RF_READ_ERROR;
    }
    if (n == 0 || n > ARGS_MAX) {
        rf_fail(err, RF_DATA_LOSS, "the temporary spool file is damaged");
        return RF_READ_ERROR;
    }
    v = rf_arena_alloc(a, n * sizeof *v);
    l = rf_arena_alloc(a, n * sizeof *l);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        char *p;

        if (fread(&len, sizeof len, 1, s->f) != 1 || len > (1u << 24)) {
            rf_fail(err, RF_DATA_LOSS, "the temporary spool file is damaged");
            return RF_READ_ERROR;
        }
        p = rf_arena_alloc(a, (size_t)len + 1);
        if (len > 0 && fread(p, len, 1, s->f) != 1) {
            rf_fail(err, RF_DATA_LOSS, "the temporary spool file is damaged");
            return RF_READ_ERROR;
        }
        p[len] = '\0';
        v[i] = p;
        l[i] = len;
    }
    *argc = (int)n;
    *argv = v;
    *argvlen = l;
    return RF_READ_ITEM;
}

size_t rf_spool_size(const struct rf_spool *s)
{
    return s->size;
}
