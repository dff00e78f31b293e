/*
 * Who is calling: bearer tokens from a tokens file, one "token subject role"
 * per line ('#' at the start of a line or after white space starts a comment). Tokens are kept only
 * as SHA-256 digests, looked up by digest, and never logged. Loaded once at start; the table is
 * then read-only and shared by all threads.
 */
#ifndef REFUNDS_AUTH_H
#define REFUNDS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "refunds/roles.h"
#include "refunds/status.h"

#define RF_TOKEN_MIN_LEN 16

struct rf_auth;

/*
 * Reads the tokens file at path. Fails with INVALID_ARGUMENT naming the line
 * for a malformed line, an unknown role, a short or repeated token; with
 * NOT_FOUND when the file cannot be read.
 */
enum rf_code rf_auth_load(const char *path, struct rf_auth **out, struct rf_error *err);

void rf_auth_destroy(struct rf_auth *auth);

/* Number of tokens loaded. */
size_t rf_auth_count(const struct rf_auth *auth);

/*
 * Finds the caller of an "authorization" header value ("Bearer <token>", the
 * scheme in any case). UNAUTHENTICATED when the value is missing (NULL),
 * malformed or not a known token. actor->subject lives as long as auth.
 */
enum rf_code rf_auth_identify(const struct rf_auth *auth, const char *header, size_t len,
                              struct rf_actor *actor, struct rf_error *err);

#endif
