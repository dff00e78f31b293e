/*
 * Transactions with on-commit hooks (see include/refunds/ctx.h).
 */
#include "refunds/ctx.h"

struct rf_hook {
    void (*fn)(void *arg);
    void *arg;
    struct rf_hook *next;
};

void rf_ctx_on_commit(struct rf_ctx *ctx, void (*fn)(void *arg), void *arg)
{
    struct rf_hook *h = rf_arena_alloc(ctx->arena, sizeof *h);

    h->fn = fn;
    h->arg = arg;
    h->next = ctx->hooks;
    ctx->hooks = h;
}

enum rf_code rf_ctx_begin(struct rf_ctx *ctx)
{
    ctx->hooks = NULL;
    return rf_db_begin(ctx->db, &ctx->err);
}

/* Runs the hooks oldest first: they were pushed on the front of the list. */
static void run_hooks(struct rf_hook *h)
{
    struct rf_hook *oldest_first = NULL;

    while (h != NULL) {
        struct rf_hook *next = h->next;

        h->next = oldest_first;
        oldest_first = h;
        h = next;
    }
    for (h = oldest_first; h != NULL; h = h->next)
        h->fn(h->arg);
}

void rf_ctx_committed(struct rf_ctx *ctx)
{
    struct rf_hook *hooks = ctx->hooks;

    ctx->hooks = NULL;
    run_hooks(hooks);
}

enum rf_code rf_ctx_commit(struct rf_ctx *ctx)
{
    enum rf_code code = rf_db_commit(ctx->db, &ctx->err);

    if (code == RF_OK)
        rf_ctx_committed(ctx);
    else
        ctx->hooks = NULL;
    return code;
}

void rf_ctx_rollback(struct rf_ctx *ctx)
{
    ctx->hooks = NULL;
    rf_db_rollback(ctx->db);
}
