/*
 * Environment helpers for unit tests of configuration readers: clearing
 * every variable with a prefix, so that a test starts from the defaults
 * whatever the developer's shell exports, and setting one with an assertion.
 * Header-only, for tests; Criterion runs each test in its own process, so
 * what a test changes here does not leak into the next.
 */
#ifndef REFUNDS_TEST_ENV_H
#define REFUNDS_TEST_ENV_H

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

extern char **environ;

/* Unsets every environment variable whose name starts with prefix. */
static inline void test_clear_env(const char *prefix)
{
    size_t plen = strlen(prefix);
    char name[128];

    for (size_t i = 0; environ[i] != NULL;) {
        size_t n = strcspn(environ[i], "=");

        if (strncmp(environ[i], prefix, plen) != 0 || n >= sizeof name) {
            i++;
            continue;
        }
        memcpy(name, environ[i], n);
        name[n] = '\0';
        cr_assert_eq(unsetenv(name), 0); /* environ shifts: look at index i again */
    }
}

/* Sets name to value, failing the test if that is impossible. */
static inline void test_set_env(const char *name, const char *value)
{
    cr_assert_eq(setenv(name, value, 1), 0);
}

#endif
