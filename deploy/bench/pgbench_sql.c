/*
 * The $n -> pgbench rewriting of pgbench_sql.h. It copies sql while tracking
 * whether it is inside a quoted literal or identifier, where a '$' is text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgbench_sql.h"

/* A growing string; aborts when out of memory. */
struct buf {
    char *s;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;

        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->s, cap);
        if (p == NULL)
            abort();
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

char *rf_pgbench_sql(const char *sql, const char *const *binds, size_t n_binds)
{
    struct buf b = {0};
    char quote = 0; /* the quote we are inside, or 0 */
    const char *p = sql;

    put(&b, "", 0);
    while (*p != '\0') {
        if (quote != 0) {
            /* A doubled quote inside ('it''s') closes and reopens: the toggle handles it. */
            if (*p == quote)
                quote = 0;
            put(&b, p++, 1);
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            put(&b, p++, 1);
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            char var[32];
            size_t n = 0;

            for (p++; *p >= '0' && *p <= '9'; p++)
                n = n * 10 + (size_t)(*p - '0');
            if (n >= 1 && n <= n_binds && binds[n - 1] != NULL) {
                put(&b, binds[n - 1], strlen(binds[n - 1]));
            } else {
                snprintf(var, sizeof var, ":p%zu", n);
                put(&b, var, strlen(var));
            }
        } else {
            put(&b, p++, 1);
        }
    }
    return b.s;
}
