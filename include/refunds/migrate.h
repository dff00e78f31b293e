/*
 * Schema migrations: the SQL files of deploy/migrations, embedded in the
 * binary at build time, applied in order, each in its own transaction,
 * recorded in schema_migrations, under an advisory lock so that two
 * migrators never interleave.
 */
#ifndef REFUNDS_MIGRATE_H
#define REFUNDS_MIGRATE_H

#include "refunds/db.h"

struct rf_migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated from deploy/migrations (see cmake/embed_migrations.cmake). */
extern const struct rf_migration rf_migrations[];
extern const int rf_migrations_count;

/* The highest version this binary knows. */
int rf_migrate_latest(void);

/*
 * Applies the migrations the database lacks and stores how many in *applied.
 * Refuses (FAILED_PRECONDITION) a database that has a migration this binary
 * does not know, or whose recorded checksum differs from the embedded SQL.
 */
enum rf_code rf_migrate_apply(struct rf_db *db, struct rf_error *err, int *applied);

/* Stores the database's schema version in *version (0 when never migrated). */
enum rf_code rf_migrate_version(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                                int *version);

#endif
