/*
 * Bearer-token authentication and the role names (see auth.h). The
 * method-to-roles table is in the method tables (cases.c, health.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "refunds/crypto.h"
#include "refunds/validate.h"
#include "refunds/xalloc.h"

struct entry {
    uint8_t digest[RF_SHA256_LEN];
    char *subject;
    unsigned role;
};

struct rf_auth {
    struct entry *entries; /* sorted by digest */
    size_t n;
};

static int cmp_entry(const void *a, const void *b)
{
    return memcmp(((const struct entry *)a)->digest, ((const struct entry *)b)->digest,
                  RF_SHA256_LEN);
}

void rf_auth_destroy(struct rf_auth *auth)
{
    if (auth == NULL)
        return;
    for (size_t i = 0; i < auth->n; i++)
        free(auth->entries[i].subject);
    free(auth->entries);
    free(auth);
}

size_t rf_auth_count(const struct rf_auth *auth)
{
    return auth->n;
}

static bool token_chars_ok(const char *t)
{
    for (; *t != '\0'; t++) {
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return false;
    }
    return true;
}

/* Cuts line at a comment: a '#' at its start or after white space (a token may contain '#'). */
static void strip_comment(char *line)
{
    for (char *p = line; *p != '\0'; p++) {
        if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

/* Parses one non-comment line into e; the error names the line. */
static enum rf_code parse_line(char *line, int lineno, struct entry *e, struct rf_error *err)
{
    char *save = NULL;
    char *token = strtok_r(line, " \t", &save);
    char *subject = strtok_r(NULL, " \t", &save);
    char *role = strtok_r(NULL, " \t", &save);

    if (token == NULL || subject == NULL || role == NULL || strtok_r(NULL, " \t", &save) != NULL)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "tokens file line %d: expected \"token subject role\"", lineno);
    if (strlen(token) < RF_TOKEN_MIN_LEN || !token_chars_ok(token))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "tokens file line %d: a token must be at least %d printable characters",
                       lineno, RF_TOKEN_MIN_LEN);
    if (!rf_subject_valid(subject))
        return rf_fail(
            err, RF_INVALID_ARGUMENT,
            "tokens file line %d: subject must be 1-128 characters of letters, digits and ._@:+-",
            lineno);
    e->role = rf_role_parse(role);
    if (e->role == 0)
        return rf_fail(
            err, RF_INVALID_ARGUMENT,
            "tokens file line %d: role must be service, agent, approver, senior_approver, "
            "finance or admin",
            lineno);
    rf_sha256(token, strlen(token), e->digest);
    e->subject = rf_xstrdup(subject);
    return RF_OK;
}

enum rf_code rf_auth_load(const char *path, struct rf_auth **out, struct rf_error *err)
{
    FILE *f = fopen(path, "r");
    struct rf_auth *auth;
    char *line = NULL;
    size_t line_cap = 0, cap = 16;
    int lineno = 0;
    enum rf_code code = RF_OK;

    if (f == NULL)
        return rf_fail(err, RF_NOT_FOUND, "could not open tokens file \"%s\": %s", path,
                       strerror(errno));
    auth = rf_xcalloc(1, sizeof *auth);
    auth->entries = rf_xmalloc(cap * sizeof *auth->entries);
    while (code == RF_OK && getline(&line, &line_cap, f) != -1) {
        char *p = line;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        strip_comment(line);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            continue;
        if (auth->n == cap) {
            cap *= 2;
            auth->entries = rf_xrealloc(auth->entries, cap * sizeof *auth->entries);
        }
        code = parse_line(p, lineno, &auth->entries[auth->n], err);
        if (code == RF_OK)
            auth->n++;
    }
    free(line);
    fclose(f);
    if (code == RF_OK) {
        qsort(auth->entries, auth->n, sizeof *auth->entries, cmp_entry);
        for (size_t i = 1; i < auth->n; i++) {
            if (memcmp(auth->entries[i - 1].digest, auth->entries[i].digest, RF_SHA256_LEN) == 0)
                code = rf_fail(err, RF_INVALID_ARGUMENT,
                               "tokens file gives the same token twice (subjects %s and %s)",
                               auth->entries[i - 1].subject, auth->entries[i].subject);
        }
    }
    if (code == RF_OK && auth->n == 0)
        code = rf_fail(err, RF_INVALID_ARGUMENT, "tokens file \"%s\" has no tokens", path);
    if (code != RF_OK) {
        rf_auth_destroy(auth);
        return code;
    }
    *out = auth;
    return RF_OK;
}

enum rf_code rf_auth_identify(const struct rf_auth *auth, const char *header, size_t len,
                              struct rf_actor *actor, struct rf_error *err)
{
    struct entry key;
    const struct entry *found;
    size_t skip = 7;

    if (header == NULL)
        return rf_fail(err, RF_UNAUTHENTICATED,
                       "missing credentials: send \"authorization: Bearer <token>\" metadata");
    if (len <= skip || strncasecmp(header, "bearer ", skip) != 0)
        return rf_fail(err, RF_UNAUTHENTICATED,
                       "the authorization metadata must be \"Bearer <token>\"");
    while (skip < len && header[skip] == ' ')
        skip++;
    rf_sha256(header + skip, len - skip, key.digest);
    found = bsearch(&key, auth->entries, auth->n, sizeof *auth->entries, cmp_entry);
    if (found == NULL)
        return rf_fail(err, RF_UNAUTHENTICATED, "the bearer token is not valid");
    actor->subject = found->subject;
    actor->role = found->role;
    return RF_OK;
}
