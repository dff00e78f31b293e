/*
 * Unit tests of the unit-of-work context (services/common/ctx.c): on-commit
 * hooks run once, oldest first, after a commit, and are dropped by a rollback
 * or a commit that fails. The database is one nobody listens on (port 1), so
 * that a commit fails at once without a server.
 */
#include <criterion/criterion.h>

#include "refunds/ctx.h"

static struct rf_ctx ctx;
static char order[16];
static int ran;

static void setup(void)
{
    ctx = (struct rf_ctx){0};
    ctx.arena = rf_arena_create(0);
    ctx.db = rf_db_create("host=127.0.0.1 port=1", "ctx-test", 1000);
    rf_error_clear(&ctx.err);
    ran = 0;
    order[0] = '\0';
}

static void teardown(void)
{
    rf_db_destroy(ctx.db);
    rf_arena_destroy(ctx.arena);
}

static void hook(void *arg)
{
    order[ran++] = *(const char *)arg;
    order[ran] = '\0';
}

TestSuite(ctx, .init = setup, .fini = teardown);

Test(ctx, committed_runs_the_hooks_once_oldest_first)
{
    rf_ctx_on_commit(&ctx, hook, "a");
    rf_ctx_on_commit(&ctx, hook, "b");
    rf_ctx_on_commit(&ctx, hook, "c");
    rf_ctx_committed(&ctx);
    cr_assert_str_eq(order, "abc");
    rf_ctx_committed(&ctx);
    cr_assert_str_eq(order, "abc", "the hooks ran again");
}

Test(ctx, a_rollback_drops_the_hooks)
{
    rf_ctx_on_commit(&ctx, hook, "a");
    rf_ctx_rollback(&ctx);
    rf_ctx_committed(&ctx);
    cr_assert_eq(ran, 0);
}

Test(ctx, a_commit_that_fails_runs_no_hook_and_forgets_them)
{
    rf_ctx_on_commit(&ctx, hook, "a");
    cr_assert_eq(rf_ctx_commit(&ctx), RF_UNAVAILABLE, "%s", ctx.err.message);
    cr_assert_eq(ran, 0);
    rf_ctx_committed(&ctx);
    cr_assert_eq(ran, 0);
}

Test(ctx, begin_forgets_hooks_left_from_before)
{
    rf_ctx_on_commit(&ctx, hook, "a");
    cr_assert_eq(rf_ctx_begin(&ctx), RF_UNAVAILABLE);
    rf_ctx_committed(&ctx);
    cr_assert_eq(ran, 0);
}
