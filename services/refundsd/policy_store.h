/*
 * SQL of the stored guidelines (table policies, migration 0007): read a
 * version or the current one, list the versions, and store a new one. A
 * version is never edited (a trigger refuses it); version 1 is the default
 * the migration installs. The documents are stored as the server's parser
 * checked them (policy.h); this file neither parses nor judges them. Every
 * function takes a struct rf_ctx, so a tool or a worker can read the
 * policies as refundsd does.
 */
#ifndef REFUNDS_POLICY_STORE_H
#define REFUNDS_POLICY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/ctx.h"

/* One stored version; strings in the context's arena. */
struct rf_policy_row {
    int64_t version;
    const char *document; /* the JSON text as PostgreSQL prints the jsonb; NULL in lists */
    const char *author;
    int64_t created_us;
    const char *note;
    bool current; /* the latest version */
};

/*
 * Reads version (0: the current one) into *out. NOT_FOUND naming the version
 * when there is no such version.
 */
enum rf_code rf_policy_store_get(struct rf_ctx *ctx, int64_t version, struct rf_policy_row *out);

/* The current (latest) version's number into *version. */
enum rf_code rf_policy_store_current(struct rf_ctx *ctx, int64_t *version);

/*
 * Lists up to limit versions older than before (0: from the newest), newest
 * first, without their documents, into *rows (an arena array of *n).
 */
enum rf_code rf_policy_store_list(struct rf_ctx *ctx, int64_t before, int limit,
                                  struct rf_policy_row **rows, size_t *n);

/*
 * Stores document (canonical JSON text, already checked) as the next version,
 * by ctx's actor at ctx's time with note, inside the caller's transaction;
 * concurrent stores are serialised (an advisory lock held to the end of the
 * transaction), so versions have no gaps. FAILED_PRECONDITION when base (not
 * 0) is no longer the current version, or when document means the same as the
 * current one (nothing would change). Fills *out with the new version.
 */
enum rf_code rf_policy_store_insert(struct rf_ctx *ctx, const char *document, const char *note,
                                    int64_t base, struct rf_policy_row *out);

/* Every statement of policy_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_policy_store_statements(void);

#endif
