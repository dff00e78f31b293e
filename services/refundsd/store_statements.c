/*
 * The statement registry (see store_statements.h): a table of the stores'
 * statement lists. A new *_store.c adds one line here; its statements stay in
 * its own file. Lookups walk the lists: they are for tools and tests, which
 * look up a handful of statements, not for a call's hot path.
 */
#include <string.h>

#include "audit_verify_store.h"
#include "case_store.h"
#include "comm_store.h"
#include "evaluation_store.h"
#include "followup_store.h"
#include "idempotency.h"
#include "policy_store.h"
#include "recon_store.h"
#include "refund_store.h"
#include "report_store.h"
#include "satisfaction_store.h"
#include "store_statements.h"

/* Each store's NULL-terminated list of statements. */
static const struct rf_stmt *const *(*const stores[])(void) = {
    rf_audit_store_statements,        rf_audit_verify_statements,
    rf_case_store_statements,         rf_db_statements,
    rf_comm_store_statements,         rf_evaluation_store_statements,
    rf_followup_store_statements,     rf_idempotency_statements,
    rf_policy_store_statements,       rf_recon_store_statements,
    rf_refund_store_statements,       rf_report_store_statements,
    rf_satisfaction_store_statements,
};

const struct rf_stmt *rf_store_statement_at(size_t i)
{
    for (size_t s = 0; s < sizeof stores / sizeof stores[0]; s++) {
        const struct rf_stmt *const *list = stores[s]();

        for (; *list != NULL; list++) {
            if (i-- == 0)
                return *list;
        }
    }
    return NULL;
}

const struct rf_stmt *rf_store_statement(const char *name)
{
    const struct rf_stmt *st;

    for (size_t i = 0; (st = rf_store_statement_at(i)) != NULL; i++) {
        if (strcmp(st->name, name) == 0)
            return st;
    }
    return NULL;
}
