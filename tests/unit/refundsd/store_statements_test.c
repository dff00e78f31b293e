/*
 * Unit tests of the statement registry (services/refundsd/store_statements.c):
 * every statement of the stores is listed once, under a unique name, and is
 * found by that name; every store of refunds_store is in it; the statements
 * built at run time (ListCases, the findings' lists, the policy report) are
 * listed too; the statements the benchmark generates its pgbench scripts from are
 * there; and every statement numbers its parameters $1..$n without a gap
 * (PostgreSQL cannot prepare a statement whose parameter it cannot type);
 * and every statement the sources define (a `struct rf_stmt` with its name
 * first) is in the registry, so a store added to neither list is caught.
 * Running the statements needs PostgreSQL: the integration tests do.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "audit_verify_store.h"
#include "refunds/audit.h"
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

/* Every *_store.c of refunds_store, as the registry must hold them. */
static const struct rf_stmt *const *(*const stores[])(void) = {
    rf_audit_store_statements,        rf_audit_verify_statements,
    rf_case_store_statements,         rf_db_statements,
    rf_comm_store_statements,         rf_evaluation_store_statements,
    rf_followup_store_statements,     rf_idempotency_statements,
    rf_policy_store_statements,       rf_recon_store_statements,
    rf_refund_store_statements,       rf_report_store_statements,
    rf_satisfaction_store_statements,
};
#define N_STORES (sizeof stores / sizeof stores[0])

static size_t count(void)
{
    size_t n = 0;

    while (rf_store_statement_at(n) != NULL)
        n++;
    return n;
}

static size_t list_length(const struct rf_stmt *const *list)
{
    size_t n = 0;

    while (list[n] != NULL)
        n++;
    return n;
}

Test(store_statements, the_registry_lists_every_statement_of_every_store_and_no_other)
{
    size_t total = 0;

    for (size_t s = 0; s < N_STORES; s++) {
        const struct rf_stmt *const *list = stores[s]();

        cr_assert_gt(list_length(list), 0, "store %zu lists no statement", s);
        for (; *list != NULL; list++) {
            cr_assert_eq(rf_store_statement((*list)->name), *list, "%s of store %zu", (*list)->name,
                         s);
            total++;
        }
    }
    cr_assert_eq(count(), total);
    cr_assert_gt(list_length(rf_case_store_statements()), 8);
    cr_assert_eq(list_length(rf_idempotency_statements()), 4);
}

Test(store_statements, the_statements_other_stores_build_at_run_time_are_listed)
{
    /* recon_store.c: 4 static, a list and an export statement per combination of 5 filters. */
    cr_assert_eq(list_length(rf_recon_store_statements()), 4 + 2 * 32);
    cr_assert_not_null(rf_store_statement("finding_list_0"));
    cr_assert_not_null(
        strstr(rf_store_statement("finding_export_31")->sql, "f.case_id = $9::uuid"));
    /* report_store.c: the grouped statements of GetPolicyReport, its first dimension alone. */
    cr_assert_not_null(rf_store_statement("policy_report_figures_1_0"));
    cr_assert_not_null(rf_store_statement("policy_report_snapshot"));
    /* A dimension twice is refused by the report, so its statements are not listed. */
    cr_assert_null(rf_store_statement("policy_report_figures_1_1"));
}

Test(store_statements, every_statement_name_is_unique)
{
    size_t n = count();

    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++)
            cr_assert_str_neq(rf_store_statement_at(i)->name, rf_store_statement_at(j)->name,
                              "statements %zu and %zu", i, j);
    }
}

Test(store_statements, every_registered_statement_is_found_by_its_name)
{
    const struct rf_stmt *st;

    for (size_t i = 0; (st = rf_store_statement_at(i)) != NULL; i++) {
        cr_assert_not_null(st->name, "statement %zu", i);
        cr_assert_not_null(st->sql, "statement %s", st->name);
        cr_assert_gt(strlen(st->sql), 0, "statement %s", st->name);
        cr_assert_eq(rf_store_statement(st->name), st, "statement %s", st->name);
    }
}

Test(store_statements, an_unknown_name_is_not_found)
{
    cr_assert_null(rf_store_statement("no_such_statement"));
    cr_assert_null(rf_store_statement(""));
    /* A prefix of a name is not the name. */
    cr_assert_null(rf_store_statement("case_get_ful"));
}

Test(store_statements, the_list_statements_built_at_run_time_are_listed_with_their_sql)
{
    for (int mask = 0; mask < 8; mask++) {
        char name[32];
        const struct rf_stmt *st;

        snprintf(name, sizeof name, "case_list_%d", mask);
        st = rf_store_statement(name);
        cr_assert_not_null(st, "%s", name);
        cr_assert_not_null(strstr(st->sql, "ORDER BY c.created_at DESC"), "%s", name);
    }
    /* All three filters: state, customer_email and assignee, in that order, from $4. */
    cr_assert_not_null(strstr(rf_store_statement("case_list_7")->sql,
                              "c.state = $4 AND c.customer_email = $5 AND c.assignee = $6"));
}

Test(store_statements, the_statements_the_benchmark_reads_are_there)
{
    static const char *const bench[] = {
        "case_get_full",      "case_insert",       "idempotency_claim",    "idempotency_complete",
        "evaluation_history", "evaluation_record", "db_send_announcements"};

    for (size_t i = 0; i < sizeof bench / sizeof bench[0]; i++)
        cr_assert_not_null(rf_store_statement(bench[i]), "%s", bench[i]);
}

/* The highest $n of sql outside string literals, with seen[n] set for each; 0 for none. */
static int parameters(const char *sql, bool seen[RF_DB_PARAMS_MAX + 1])
{
    bool quoted = false;
    int max = 0;

    for (const char *p = sql; *p != '\0'; p++) {
        if (*p == '\'')
            quoted = !quoted;
        if (quoted || *p != '$' || p[1] < '0' || p[1] > '9')
            continue;
        int n = 0;

        for (p++; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (*p - '0');
        p--;
        cr_assert(n >= 1 && n <= RF_DB_PARAMS_MAX, "$%d in %s", n, sql);
        seen[n] = true;
        if (n > max)
            max = n;
    }
    return max;
}

Test(store_statements, every_statement_numbers_its_parameters_without_a_gap)
{
    const struct rf_stmt *st;

    for (size_t i = 0; (st = rf_store_statement_at(i)) != NULL; i++) {
        bool seen[RF_DB_PARAMS_MAX + 1] = {false};
        int max = parameters(st->sql, seen);

        for (int n = 1; n <= max; n++)
            cr_assert(seen[n], "%s uses $%d but not $%d", st->name, max, n);
    }
    /* The check itself sees parameters: case_insert binds 33 values. */
    {
        bool seen[RF_DB_PARAMS_MAX + 1] = {false};

        cr_assert_eq(parameters(rf_store_statement("case_insert")->sql, seen), 33);
    }
}

/*
 * Each statement name defined in file path, `struct rf_stmt NAME = {` then
 * its name's string literal, checked against the registry; returns how many.
 */
static int check_file_statements(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long len;
    int found = 0;

    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    text = malloc((size_t)len + 1);
    cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len, "%s", path);
    text[len] = '\0';
    fclose(f);
    for (char *p = strstr(text, "struct rf_stmt "); p != NULL;
         p = strstr(p + 1, "struct rf_stmt ")) {
        char *q = p + strlen("struct rf_stmt "), name[96];
        size_t n = 0;

        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        while (isspace((unsigned char)*q))
            q++;
        if (q[0] != '=') /* a declaration or a parameter, not a definition */
            continue;
        for (q++; isspace((unsigned char)*q) || *q == '{';)
            q++;
        if (*q != '"') /* a statement built at run time: listed by its store */
            continue;
        for (q++; *q != '"' && n + 1 < sizeof name; q++)
            name[n++] = *q;
        name[n] = '\0';
        cr_assert_not_null(rf_store_statement(name), "%s defines statement %s, not in the registry",
                           path, name);
        found++;
    }
    free(text);
    return found;
}

Test(store_statements, every_statement_the_sources_define_is_in_the_registry)
{
    /* The service's files and the shared ones it runs (db.c's, audit_store.c's); not the
     * migrator's, which runs before any of them. */
    static const char *const patterns[] = {RF_SOURCE_DIR "/services/refundsd/*.c",
                                           RF_SOURCE_DIR "/services/common/db.c",
                                           RF_SOURCE_DIR "/services/common/audit_store.c"};
    int files = 0, statements = 0;

    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        glob_t g;

        cr_assert_eq(glob(patterns[i], 0, NULL, &g), 0, "%s", patterns[i]);
        for (size_t k = 0; k < g.gl_pathc; k++, files++)
            statements += check_file_statements(g.gl_pathv[k]);
        globfree(&g);
    }
    cr_assert_gt(files, 40);
    /* The scan finds what it looks for: the fixed statements of the stores and db.c. */
    cr_assert_gt(statements, 50);
}
