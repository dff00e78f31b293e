/*
 * A temporary file of argument lists (the commands a file's records become),
 * written while the input is validated and read back once it is all valid,
 * so that nothing of a bad file is ever sent and the input is parsed only
 * once, however large (stdin included). The file is unlinked at creation:
 * it disappears with the process whatever happens. Not a general queue.
 */
#ifndef REFUNDS_PSP_LOAD_SPOOL_H
#define REFUNDS_PSP_LOAD_SPOOL_H

#include <stddef.h>

#include "read.h"
#include "refunds/arena.h"
#include "refunds/status.h"

struct rf_spool;

/*
 * Creates an empty spool in $TMPDIR (else /tmp). NULL with UNAVAILABLE in err
 * when the file cannot be made.
 */
struct rf_spool *rf_spool_create(struct rf_error *err);

/* Closes (and so removes) the spool; NULL is a no-op. */
void rf_spool_destroy(struct rf_spool *s);

/* Appends one argument list (binary safe). UNAVAILABLE when the disk write fails. */
enum rf_code rf_spool_put(struct rf_spool *s, int argc, const char *const *argv,
                          const size_t *argvlen, struct rf_error *err);

/* Flushes what was put and starts reading from the first list. */
enum rf_code rf_spool_rewind(struct rf_spool *s, struct rf_error *err);

/*
 * Reads the next list into arena a (*argv, *argvlen and the bytes, each
 * argument also NUL-terminated). RF_READ_END after the last; RF_READ_ERROR
 * (UNAVAILABLE, or DATA_LOSS for a damaged spool) otherwise.
 */
enum rf_read rf_spool_get(struct rf_spool *s, struct rf_arena *a, int *argc, const char ***argv,
                          size_t **argvlen, struct rf_error *err);

/* Bytes put so far. */
size_t rf_spool_size(const struct rf_spool *s);

#endif
