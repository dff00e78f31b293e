/*
 * Unit tests of the $n -> pgbench rewriting (deploy/bench/pgbench_sql.c):
 * parameters become :pn variables or the text bound to them, whatever
 * follows them (a cast, a comma, the end); quoted text is left alone; and
 * every statement of refundsd's stores comes out as a command pgbench can
 * run: no $n left, and no ':name' inside a literal (a ':' then a letter,
 * digit or '_'), which pgbench would take for a variable even there; a ':'
 * followed by anything else is text to pgbench. Running pgbench is
 * deploy/bench/run's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pgbench_sql.h"
#include "store_statements.h"

static void check(const char *sql, const char *const *binds, size_t n, const char *want)
{
    char *got = rf_pgbench_sql(sql, binds, n);

    cr_assert_str_eq(got, want, "from %s", sql);
    free(got);
}

Test(pgbench_sql, parameters_become_pgbench_variables)
{
    check("SELECT 1 FROM t WHERE a = $1 AND b = $2", NULL, 0,
          "SELECT 1 FROM t WHERE a = :p1 AND b = :p2");
}

Test(pgbench_sql, a_parameter_of_two_digits_is_one_variable)
{
    check("VALUES ($1, $10, $31)", NULL, 0, "VALUES (:p1, :p10, :p31)");
}

Test(pgbench_sql, a_cast_after_a_parameter_stays)
{
    check("$10::bytea, $14::timestamptz", NULL, 0, ":p10::bytea, :p14::timestamptz");
}

Test(pgbench_sql, a_parameter_at_the_end_is_rewritten)
{
    check("LIMIT $3", NULL, 0, "LIMIT :p3");
}

Test(pgbench_sql, a_bound_parameter_becomes_its_text_everywhere_it_is_used)
{
    const char *binds[3] = {"now()", NULL, ":k"};

    check("VALUES ($1, $2, $3, $1)", binds, 3, "VALUES (now(), :p2, :k, now())");
}

Test(pgbench_sql, a_bind_beyond_the_given_ones_is_not_read)
{
    const char *binds[1] = {"x"};

    check("$1 $2", binds, 1, "x :p2");
}

Test(pgbench_sql, dollars_inside_literals_and_identifiers_stay)
{
    check("SELECT '$1', \"$2\", $3", NULL, 0, "SELECT '$1', \"$2\", :p3");
    /* A doubled quote does not end the literal. */
    check("SELECT 'it''s $1', $2", NULL, 0, "SELECT 'it''s $1', :p2");
}

Test(pgbench_sql, a_dollar_without_a_digit_stays)
{
    check("SELECT $a, $", NULL, 0, "SELECT $a, $");
}

Test(pgbench_sql, every_store_statement_becomes_a_command_pgbench_can_run)
{
    const struct rf_stmt *st;

    for (size_t i = 0; (st = rf_store_statement_at(i)) != NULL; i++) {
        char *got = rf_pgbench_sql(st->sql, NULL, 0);
        bool quoted = false;

        for (const char *p = got; *p != '\0'; p++) {
            if (*p == '\'')
                quoted = !quoted;
            else if (!quoted)
                cr_assert(*p != '$' || p[1] < '0' || p[1] > '9', "%s: %s", st->name, p);
            else /* pgbench takes :name for a variable even in a literal; ": " is text */
                cr_assert(*p != ':' || !(isalnum((unsigned char)p[1]) || p[1] == '_'),
                          "%s: a pgbench variable in a literal: %s", st->name, p);
        }
        free(got);
    }
}
