/*
 * Applies the embedded SQL migrations (see include/refunds/migrate.h). This
 * file is storage code: its SQL is the schema_migrations bookkeeping only.
 * All pending migrations run in one transaction under an advisory lock, so a
 * database is never left half-migrated and two migrators never interleave.
 */
#include <stdlib.h>
#include <string.h>

#include "refunds/crypto.h"
#include "refunds/encode.h"
#include "refunds/migrate.h"

/* Arbitrary, fixed key of the advisory lock held while migrating. */
#define MIGRATE_LOCK_KEY "7402511736"

static const struct rf_stmt select_applied = {
    "migrate_select_applied", "SELECT version, checksum FROM schema_migrations ORDER BY version"};
static const struct rf_stmt insert_applied = {
    "migrate_insert_applied",
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"};
static const struct rf_stmt table_exists = {"migrate_table_exists",
                                            "SELECT to_regclass('schema_migrations') IS NOT NULL"};
static const struct rf_stmt max_version = {
    "migrate_max_version", "SELECT coalesce(max(version), 0) FROM schema_migrations"};

int rf_migrate_latest(void)
{
    return rf_migrations_count == 0 ? 0 : rf_migrations[rf_migrations_count - 1].version;
}

static void checksum(const char *sql, char out[2 * RF_SHA256_LEN + 1])
{
    uint8_t h[RF_SHA256_LEN];

    rf_sha256(sql, strlen(sql), h);
    rf_hex_encode(h, sizeof h, out);
}

static const struct rf_migration *find(int version)
{
    for (int i = 0; i < rf_migrations_count; i++) {
        if (rf_migrations[i].version == version)
            return &rf_migrations[i];
    }
    return NULL;
}

static enum rf_code apply_locked(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                                 int *applied)
{
    PGresult *res;
    enum rf_code code;
    bool *done = rf_arena_calloc(a, (size_t)rf_migrations_count + 1, sizeof *done);

    code = rf_db_exec_script(db, err,
                             "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ");"
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version integer PRIMARY KEY, name text NOT NULL,"
                             " checksum text NOT NULL,"
                             " applied_at timestamptz NOT NULL DEFAULT now())");
    if (code != RF_OK)
        return code;
    code = rf_db_exec(db, a, err, &select_applied, NULL, &res);
    if (code != RF_OK)
        return code;
    for (int row = 0; row < PQntuples(res); row++) {
        int version = (int)rf_db_int(res, row, 0);
        const struct rf_migration *m = find(version);
        char sum[2 * RF_SHA256_LEN + 1];

        if (m == NULL)
            return rf_fail(err, RF_FAILED_PRECONDITION,
                           "the database has migration %d, which this binary does not know: "
                           "run a newer release",
                           version);
        checksum(m->sql, sum);
        if (strcmp(sum, rf_db_text(res, row, 1)) != 0)
            return rf_fail(err, RF_FAILED_PRECONDITION,
                           "migration %s was changed after it was applied", m->name);
        done[m - rf_migrations] = true;
    }
    for (int i = 0; i < rf_migrations_count; i++) {
        const struct rf_migration *m = &rf_migrations[i];
        struct rf_params p;
        char sum[2 * RF_SHA256_LEN + 1];

        if (done[i])
            continue;
        code = rf_db_exec_script(db, err, m->sql);
        if (code != RF_OK) {
            char detail[RF_ERROR_DETAIL_MAX];

            memcpy(detail, err->detail, sizeof detail);
            rf_error_detail(err, "migration %s: %s", m->name, detail);
            return rf_fail(err, code == RF_UNAVAILABLE ? code : RF_INTERNAL,
                           "could not apply migration %s", m->name);
        }
        checksum(m->sql, sum);
        rf_params_init(&p);
        rf_param_int(&p, a, m->version);
        rf_param_text(&p, m->name);
        rf_param_text(&p, sum);
        code = rf_db_exec(db, a, err, &insert_applied, &p, NULL);
        if (code != RF_OK)
            return code;
        (*applied)++;
    }
    return RF_OK;
}

enum rf_code rf_migrate_apply(struct rf_db *db, struct rf_error *err, int *applied)
{
    struct rf_arena *a = rf_arena_create(0);
    enum rf_code code;

    *applied = 0;
    code = rf_db_begin(db, err);
    if (code == RF_OK)
        code = apply_locked(db, a, err, applied);
    if (code == RF_OK)
        code = rf_db_commit(db, err);
    else
        rf_db_rollback(db);
    if (code != RF_OK)
        *applied = 0;
    rf_arena_destroy(a);
    return code;
}

enum rf_code rf_migrate_version(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                                int *version)
{
    PGresult *res;
    enum rf_code code = rf_db_exec(db, a, err, &table_exists, NULL, &res);

    if (code != RF_OK)
        return code;
    if (strcmp(rf_db_text(res, 0, 0), "t") != 0) {
        *version = 0;
        return RF_OK;
    }
    code = rf_db_exec(db, a, err, &max_version, NULL, &res);
    if (code != RF_OK)
        return code;
    *version = (int)rf_db_int(res, 0, 0);
    return RF_OK;
}
