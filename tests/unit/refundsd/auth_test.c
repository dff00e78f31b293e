/*
 * Unit tests of bearer-token authentication (services/refundsd/auth.c):
 * parsing tokens files written to temporary files (good lines, comments,
 * every kind of bad line, empty and missing files), identifying callers from
 * "authorization" values. The role names are tests/unit/common/roles_test.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "auth.h"

#define TOKEN_A "tok-agent-0123456789abcdef"
#define TOKEN_B "tok-approver-fedcba9876543210"
#define TOKEN_C "tok-service-AAAABBBBCCCCDDDD"

static char path[64];
static struct rf_auth *auth;
static struct rf_error err;

static void setup(void)
{
    path[0] = '\0';
    auth = NULL;
    rf_error_clear(&err);
}

static void teardown(void)
{
    rf_auth_destroy(auth);
    if (path[0] != '\0')
        unlink(path);
}

TestSuite(auth_load, .init = setup, .fini = teardown);
TestSuite(auth_identify, .init = setup, .fini = teardown);

/* Writes content to a new temporary file and returns its path (the test's previous one removed). */
static const char *tokens_file(const char *content)
{
    int fd;
    size_t len = strlen(content);

    if (path[0] != '\0')
        unlink(path); /* a test that loads twice: teardown removes only the last */
    strcpy(path, "/tmp/refunds-tokens-XXXXXX");
    fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp failed");
    cr_assert_eq(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

static enum rf_code load(const char *content)
{
    return rf_auth_load(tokens_file(content), &auth, &err);
}

/* Loading content fails with INVALID_ARGUMENT and a message containing needle. */
static void expect_refused(const char *content, const char *needle)
{
    cr_assert_eq(load(content), RF_INVALID_ARGUMENT, "file:\n%s", content);
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
    cr_assert_null(auth, "a refused file must not give a table");
    cr_assert(strstr(err.message, needle) != NULL, "\"%s\" lacks \"%s\"", err.message, needle);
}

static enum rf_code identify(const char *header, struct rf_actor *actor)
{
    return rf_auth_identify(auth, header, header ? strlen(header) : 0, actor, &err);
}

Test(auth_load, reads_a_good_file)
{
    cr_assert_eq(load(TOKEN_A " alice agent\n" TOKEN_B " bob@example.com approver\n" TOKEN_C
                              " svc:reconciler service\n"),
                 RF_OK, "%s", err.message);
    cr_assert_not_null(auth);
    cr_assert_eq(rf_auth_count(auth), 3);
}

Test(auth_load, skips_comments_and_blank_lines_and_accepts_tabs_and_crlf)
{
    cr_assert_eq(load("# refunds tokens\n"
                      "\n"
                      "   \n"
                      "\t# indented comment\n"
                      "  " TOKEN_A "\talice\t agent\r\n"
                      "\r\n" TOKEN_B " bob finance\n"),
                 RF_OK, "%s", err.message);
    cr_assert_eq(rf_auth_count(auth), 2);
}

Test(auth_load, a_comment_may_follow_the_role_and_a_token_may_contain_a_hash)
{
    struct rf_actor actor;

    cr_assert_eq(load(TOKEN_A " alice agent # on-call until March\n"
                              "tok#en-with-a-hash-0001 bob finance\t# shared laptop\n"),
                 RF_OK, "%s", err.message);
    cr_assert_eq(rf_auth_count(auth), 2);
    cr_assert_eq(identify("Bearer tok#en-with-a-hash-0001", &actor), RF_OK, "%s", err.message);
    cr_assert_str_eq(actor.subject, "bob");
}

Test(auth_load, reads_lines_longer_than_any_fixed_buffer)
{
    static char content[4200];
    struct rf_actor actor;
    char header[4200];

    memset(content, 'k', 3000);
    strcpy(content + 3000, " alice agent\n" TOKEN_B " bob approver\n");
    cr_assert_eq(load(content), RF_OK, "%s", err.message);
    cr_assert_eq(rf_auth_count(auth), 2, "a long line must stay one line");
    snprintf(header, sizeof header, "Bearer %.3000s", content);
    cr_assert_eq(identify(header, &actor), RF_OK, "%s", err.message);
    cr_assert_str_eq(actor.subject, "alice");
}

Test(auth_load, accepts_a_last_line_without_a_newline)
{
    cr_assert_eq(load(TOKEN_A " alice admin"), RF_OK, "%s", err.message);
    cr_assert_eq(rf_auth_count(auth), 1);
}

Test(auth_load, refuses_a_short_token_naming_the_line)
{
    /* RF_TOKEN_MIN_LEN - 1 characters. */
    expect_refused("# comment\n" TOKEN_A " alice agent\n0123456789abcde bob agent\n", "line 3");
}

Test(auth_load, accepts_a_token_of_the_minimum_length)
{
    cr_assert_eq(load("0123456789abcdef alice agent\n"), RF_OK, "%s", err.message);
}

Test(auth_load, refuses_an_unknown_role)
{
    expect_refused(TOKEN_A " alice superuser\n", "line 1");
    cr_assert(strstr(err.message, "role") != NULL, "%s", err.message);
    /* The message names every role, spelt as the file must spell it. */
    expect_refused(TOKEN_A " sam senior-approver\n", "senior_approver");
}

Test(auth_identify, a_senior_approver_is_a_role_of_its_own)
{
    struct rf_actor actor = {0};

    cr_assert_eq(load(TOKEN_A " sam senior_approver\n" TOKEN_B " sue approver\n"), RF_OK, "%s",
                 err.message);
    cr_assert_eq(identify("Bearer " TOKEN_A, &actor), RF_OK, "%s", err.message);
    cr_assert_eq(actor.role, RF_ROLE_SENIOR_APPROVER);
    cr_assert_str_eq(rf_role_name(actor.role), "senior_approver");
    cr_assert_eq(identify("Bearer " TOKEN_B, &actor), RF_OK);
    cr_assert_eq(actor.role, RF_ROLE_APPROVER);
}

Test(auth_load, refuses_a_role_in_another_case)
{
    expect_refused(TOKEN_A " alice Agent\n", "line 1");
}

Test(auth_load, refuses_a_bad_subject)
{
    expect_refused(TOKEN_A " alice/bob agent\n", "line 1");
    cr_assert(strstr(err.message, "subject") != NULL, "%s", err.message);
}

Test(auth_load, refuses_lines_with_too_few_or_too_many_fields)
{
    expect_refused(TOKEN_A " alice\n", "line 1");
    rf_error_clear(&err);
    unlink(path);
    expect_refused("\n" TOKEN_A " alice agent extra\n", "line 2");
    rf_error_clear(&err);
    unlink(path);
    expect_refused(TOKEN_A "\n", "line 1");
}

Test(auth_load, refuses_a_token_with_non_printable_characters)
{
    expect_refused("tok-\x01-0123456789abcdef alice agent\n", "line 1");
    rf_error_clear(&err);
    unlink(path);
    expect_refused("tok-\xc3\xa9-0123456789abcdef alice agent\n", "line 1");
}

Test(auth_load, refuses_a_duplicate_token)
{
    expect_refused(TOKEN_A " alice agent\n" TOKEN_B " bob approver\n" TOKEN_A " carol admin\n",
                   "same token");
}

Test(auth_load, refuses_an_empty_file)
{
    expect_refused("", "no tokens");
}

Test(auth_load, refuses_a_file_of_comments_only)
{
    expect_refused("# nothing yet\n\n", "no tokens");
}

Test(auth_load, a_missing_file_is_not_found)
{
    cr_assert_eq(rf_auth_load("/nonexistent/refunds-tokens", &auth, &err), RF_NOT_FOUND);
    cr_assert_null(auth);
    cr_assert(strstr(err.message, "/nonexistent/refunds-tokens") != NULL, "%s", err.message);
}

Test(auth_load, many_tokens_are_all_kept)
{
    char content[100 * 64];
    size_t len = 0;
    struct rf_actor actor;
    char header[64];

    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(content + len, sizeof content - len,
                                "token-number-%04d-xyz user%d agent\n", i, i);
    cr_assert_eq(load(content), RF_OK, "%s", err.message);
    cr_assert_eq(rf_auth_count(auth), 100);
    for (int i = 0; i < 100; i++) {
        char subject[16];

        snprintf(header, sizeof header, "Bearer token-number-%04d-xyz", i);
        snprintf(subject, sizeof subject, "user%d", i);
        cr_assert_eq(identify(header, &actor), RF_OK, "token %d", i);
        cr_assert_str_eq(actor.subject, subject);
    }
}

static void load_three(void)
{
    cr_assert_eq(load(TOKEN_A " alice agent\n" TOKEN_B " bob approver\n" TOKEN_C " svc service\n"),
                 RF_OK, "%s", err.message);
}

Test(auth_identify, finds_the_caller_of_a_bearer_token)
{
    struct rf_actor actor = {0};

    load_three();
    cr_assert_eq(identify("Bearer " TOKEN_B, &actor), RF_OK, "%s", err.message);
    cr_assert_str_eq(actor.subject, "bob");
    cr_assert_eq(actor.role, RF_ROLE_APPROVER);
    cr_assert_eq(identify("Bearer " TOKEN_A, &actor), RF_OK);
    cr_assert_str_eq(actor.subject, "alice");
    cr_assert_eq(actor.role, RF_ROLE_AGENT);
    cr_assert_eq(identify("Bearer " TOKEN_C, &actor), RF_OK);
    cr_assert_eq(actor.role, RF_ROLE_SERVICE);
}

Test(auth_identify, the_scheme_is_case_insensitive)
{
    struct rf_actor actor = {0};

    load_three();
    cr_assert_eq(identify("bearer " TOKEN_A, &actor), RF_OK);
    cr_assert_eq(identify("BEARER " TOKEN_A, &actor), RF_OK);
    cr_assert_eq(identify("BeArEr " TOKEN_A, &actor), RF_OK);
    cr_assert_str_eq(actor.subject, "alice");
}

Test(auth_identify, reads_only_len_bytes_of_the_header)
{
    static const char header[] = "Bearer " TOKEN_A "trailing";
    struct rf_actor actor = {0};

    load_three();
    cr_assert_eq(rf_auth_identify(auth, header, strlen("Bearer " TOKEN_A), &actor, &err), RF_OK);
    cr_assert_str_eq(actor.subject, "alice");
}

Test(auth_identify, a_missing_header_is_unauthenticated)
{
    struct rf_actor actor = {0};

    load_three();
    cr_assert_eq(identify(NULL, &actor), RF_UNAUTHENTICATED);
    cr_assert_eq(err.code, RF_UNAUTHENTICATED);
    cr_assert_null(actor.subject);
}

Test(auth_identify, another_scheme_or_a_bare_scheme_is_unauthenticated)
{
    static const char *const bad[] = {
        "Basic " TOKEN_A, TOKEN_A, "Bearer",         "Bearer ",
        "Bearer" TOKEN_A, "",      "Token " TOKEN_A, "Bearer  ",
    };

    load_three();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_actor actor = {0};

        rf_error_clear(&err);
        cr_assert_eq(identify(bad[i], &actor), RF_UNAUTHENTICATED, "\"%s\"", bad[i]);
        cr_assert_null(actor.subject, "\"%s\"", bad[i]);
    }
}

Test(auth_identify, an_unknown_token_is_unauthenticated_and_not_echoed)
{
    static const char *const bad[] = {
        "Bearer tok-unknown-0123456789abcdef",
        "Bearer " TOKEN_A "x",
        "Bearer tok-agent-0123456789abcde",
        "Bearer " TOKEN_A " ",
    };

    load_three();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_actor actor = {0};

        rf_error_clear(&err);
        cr_assert_eq(identify(bad[i], &actor), RF_UNAUTHENTICATED, "\"%s\"", bad[i]);
        cr_assert_null(actor.subject);
        cr_assert_null(strstr(err.message, "tok-"), "the token is in \"%s\"", err.message);
    }
}
