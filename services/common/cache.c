/*
 * Redis access for one thread (see include/refunds/cache.h): URL parsing,
 * connection upkeep on hiredis's blocking API, pipelines and EVALSHA with the
 * NOSCRIPT retry. What keys mean is the business of refunds/psp.h and of the
 * callers; this file only moves commands and replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "refunds/cache.h"
#include "refunds/encode.h"

#define DEFAULT_PORT 6379

struct rf_cache {
    struct rf_cache_url url;
    char address[300];
    int connect_timeout_ms;
    int command_timeout_ms;
    redisContext *ctx;
    /* Pipelines sent whose replies are not read yet, oldest first. */
    struct rf_cache_pipeline *head, *tail;
};

/* One queued command: the full argument list as it goes out. */
struct cmd {
    int argc;
    const char **argv;
    size_t *argvlen;
    const char *formatted; /* or the command as RESP bytes (argc 0) */
    size_t formatted_len;
    struct rf_cache_script *script; /* NULL for a plain command */
};

/* Queues one command on the connection's output buffer. */
static int append(redisContext *ctx, const struct cmd *cmd)
{
    if (cmd->formatted != NULL)
        return redisAppendFormattedCommand(ctx, cmd->formatted, cmd->formatted_len);
    return redisAppendCommandArgv(ctx, cmd->argc, cmd->argv, cmd->argvlen);
}

enum pipeline_state { P_OPEN, P_SENT, P_DONE };

struct rf_cache_pipeline {
    struct rf_cache *c;
    struct rf_arena *a;
    struct cmd *cmds;
    size_t n, cap;
    enum pipeline_state state;
    enum rf_code code;              /* P_DONE: RF_OK, or why the replies were lost */
    redisReply **replies;           /* P_DONE: one per command */
    struct rf_cache_pipeline *next; /* in the cache's queue while P_SENT */
};

static enum rf_code bad_url(struct rf_error *err, const char *reason)
{
    return rf_fail(err, RF_INVALID_ARGUMENT, "invalid Redis URL: %s", reason);
}

/* Percent-decodes the n bytes at s into out (cap bytes with the NUL); false if malformed, %00 or
 * too long. */
static bool pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];

        if (c == '%') {
            char hex[3];
            uint8_t byte;

            if (i + 2 >= n)
                return false;
            memcpy(hex, s + i + 1, 2);
            hex[2] = '\0';
            if (!rf_hex_decode(hex, &byte, 1) || byte == 0)
                return false;
            c = byte;
            i += 2;
        }
        if (o + 1 >= cap)
            return false;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return true;
}

/* Reads a decimal number of the n bytes at s into *v, in [min, max]. */
static bool parse_number(const char *s, size_t n, long min, long max, int *v)
{
    long x = 0;

    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    if (x < min || x > max)
        return false;
    *v = (int)x;
    return true;
}

static bool host_chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == '@')
            return false;
    }
    return n > 0;
}

/* Parses "host[:port]" or "[v6][:port]" of n bytes. */
static enum rf_code parse_hostport(const char *s, size_t n, struct rf_cache_url *out,
                                   struct rf_error *err)
{
    const char *host = s, *port = NULL;
    size_t hlen = n, plen = 0;

    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);

        if (close == NULL)
            return bad_url(err, "an IPv6 address has no closing bracket");
        host = s + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < s + n) {
            if (close[1] != ':')
                return bad_url(err, "text after the IPv6 address");
            port = close + 2;
            plen = (size_t)(s + n - port);
        }
    } else {
        const char *colon = memchr(s, ':', n);

        if (colon != NULL) {
            if (memchr(colon + 1, ':', (size_t)(s + n - colon - 1)) != NULL)
                return bad_url(err, "an IPv6 address must be in brackets");
            hlen = (size_t)(colon - s);
            port = colon + 1;
            plen = (size_t)(s + n - port);
        }
    }
    if (hlen == 0)
        return bad_url(err, "no host");
    if (hlen >= sizeof out->host || !host_chars_ok(host, hlen))
        return bad_url(err, "the host is not a host name or address");
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    out->port = DEFAULT_PORT;
    if (port != NULL && !parse_number(port, plen, 1, 65535, &out->port))
        return bad_url(err, "the port must be a number from 1 to 65535");
    return RF_OK;
}

enum rf_code rf_cache_url_parse(const char *url, struct rf_cache_url *out, struct rf_error *err)
{
    const char *p, *at = NULL;
    size_t alen;

    memset(out, 0, sizeof *out);
    if (strncmp(url, "unix://", 7) == 0) {
        p = url + 7;
        if (p[0] != '/')
            return bad_url(err, "a unix:// URL needs an absolute path (unix:///path)");
        if (strlen(p) >= sizeof out->path)
            return bad_url(err, "the socket path is too long");
        out->is_unix = true;
        strcpy(out->path, p);
        return RF_OK;
    }
    if (strncmp(url, "rediss://", 9) == 0)
        return bad_url(err, "TLS (rediss://) is not supported: hiredis 0.14 has no TLS");
    if (strncmp(url, "redis://", 8) != 0)
        return bad_url(err, "the scheme must be redis:// or unix://");
    p = url + 8;
    alen = strcspn(p, "/?#");
    for (const char *q = p; q < p + alen; q++) {
        if (*q == '@')
            at = q;
    }
    if (at != NULL) {
        const char *colon = memchr(p, ':', (size_t)(at - p));

        if (colon == NULL)
            return bad_url(err, "a user name without a password (use redis://user:password@host)");
        if (!pct_decode(p, (size_t)(colon - p), out->user, sizeof out->user) ||
            !pct_decode(colon + 1, (size_t)(at - colon - 1), out->password, sizeof out->password))
            return bad_url(err, "the user or password is badly percent-encoded or too long");
        if (out->user[0] != '\0' && out->password[0] == '\0')
            return bad_url(err, "a user name without a password (use redis://user:password@host)");
        alen -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (parse_hostport(p, alen, out, err) != RF_OK)
        return err->code;
    p += alen;
    if (*p == '/') {
        size_t n = strcspn(p + 1, "?#");

        if (n > 0 && !parse_number(p + 1, n, 0, 1000000, &out->db))
            return bad_url(err, "the database after the host must be a number (redis://host/2)");
        p += 1 + n;
    }
    if (*p != '\0')
        return bad_url(err, "query parameters and fragments are not supported");
    return RF_OK;
}

struct rf_cache *rf_cache_create(const char *url, int connect_timeout_ms, int command_timeout_ms,
                                 struct rf_error *err)
{
    struct rf_cache *c = calloc(1, sizeof *c);

    if (c == NULL)
        abort();
    if (rf_cache_url_parse(url, &c->url, err) != RF_OK) {
        free(c);
        return NULL;
    }
    if (c->url.is_unix)
        snprintf(c->address, sizeof c->address, "%s", c->url.path);
    else if (strchr(c->url.host, ':') != NULL)
        snprintf(c->address, sizeof c->address, "[%s]:%d", c->url.host, c->url.port);
    else
        snprintf(c->address, sizeof c->address, "%s:%d", c->url.host, c->url.port);
    c->connect_timeout_ms = connect_timeout_ms;
    c->command_timeout_ms = command_timeout_ms;
    return c;
}

void rf_cache_disconnect(struct rf_cache *c)
{
    /* The replies of whatever was in flight are gone with the connection. */
    for (struct rf_cache_pipeline *q = c->head; q != NULL; q = q->next) {
        q->state = P_DONE;
        q->code = RF_UNAVAILABLE;
    }
    c->head = c->tail = NULL;
    if (c->ctx != NULL)
        redisFree(c->ctx);
    c->ctx = NULL;
}

void rf_cache_destroy(struct rf_cache *c)
{
    if (c == NULL)
        return;
    rf_cache_disconnect(c);
    /* The password should not outlive the handle in freed memory. */
    memset(&c->url, 0, sizeof c->url);
    free(c);
}

const char *rf_cache_address(const struct rf_cache *c)
{
    return c->address;
}

static struct timeval ms_to_tv(int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

    return tv;
}

/* Fails UNAVAILABLE for a connection-level failure during what, and drops the connection. */
static enum rf_code io_fail(struct rf_cache *c, struct rf_error *err, const char *what)
{
    int saved = errno;

    if (c->ctx != NULL && c->ctx->err == REDIS_ERR_IO && (saved == EAGAIN || saved == EWOULDBLOCK))
        rf_error_detail(err, "%s: no answer within %d ms", what, c->command_timeout_ms);
    else
        rf_error_detail(err, "%s: %s", what,
                        c->ctx != NULL && c->ctx->errstr[0] ? c->ctx->errstr : "connection lost");
    rf_cache_disconnect(c);
    return rf_fail(err, RF_UNAVAILABLE, "could not reach Redis at %s", c->address);
}

/* Sends one command on the fresh connection and checks its reply is not an error. */
static enum rf_code setup_command(struct rf_cache *c, struct rf_error *err, const char *what,
                                  int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(c->ctx, argc, argv, NULL);

    if (r == NULL)
        return io_fail(c, err, what);
    if (r->type == REDIS_REPLY_ERROR) {
        rf_error_detail(err, "%s: %s", what, r->str);
        freeReplyObject(r);
        rf_cache_disconnect(c);
        return rf_fail(err, RF_UNAVAILABLE, "could not %s on Redis at %s", what, c->address);
    }
    freeReplyObject(r);
    return RF_OK;
}

enum rf_code rf_cache_ensure(struct rf_cache *c, struct rf_error *err)
{
    struct timeval ctv = ms_to_tv(c->connect_timeout_ms);

    if (c->ctx != NULL && c->ctx->err == 0)
        return RF_OK;
    rf_cache_disconnect(c);
    c->ctx = c->url.is_unix ? redisConnectUnixWithTimeout(c->url.path, ctv)
                            : redisConnectWithTimeout(c->url.host, c->url.port, ctv);
    if (c->ctx == NULL)
        abort();
    if (c->ctx->err != 0)
        return io_fail(c, err, "connect");
    if (redisSetTimeout(c->ctx, ms_to_tv(c->command_timeout_ms)) != REDIS_OK)
        return io_fail(c, err, "set timeout");
    if (!c->url.is_unix)
        redisEnableKeepAlive(c->ctx);
    if (c->url.password[0] != '\0') {
        const char *argv[3] = {"AUTH", c->url.user, c->url.password};

        if (c->url.user[0] == '\0')
            argv[1] = c->url.password;
        if (setup_command(c, err, "authenticate", c->url.user[0] == '\0' ? 2 : 3, argv) != RF_OK)
            return err->code;
    }
    if (c->url.db != 0) {
        char db[16];
        const char *argv[2] = {"SELECT", db};

        snprintf(db, sizeof db, "%d", c->url.db);
        if (setup_command(c, err, "select the database", 2, argv) != RF_OK)
            return err->code;
    }
    return RF_OK;
}

/* Computes s->sha1 from its source once. */
static void script_hash(struct rf_cache_script *s)
{
    unsigned char md[20];
    unsigned int len = 0;

    if (s->sha1[0] != '\0')
        return;
    if (EVP_Digest(s->source, strlen(s->source), md, &len, EVP_sha1(), NULL) != 1 || len != 20)
        abort();
    rf_hex_encode(md, sizeof md, s->sha1);
}

struct rf_cache_pipeline *rf_cache_pipeline_begin(struct rf_cache *c, struct rf_arena *a)
{
    struct rf_cache_pipeline *p = rf_arena_calloc(a, 1, sizeof *p);

    p->c = c;
    p->a = a;
    return p;
}

static struct cmd *push(struct rf_cache_pipeline *p, int argc)
{
    struct cmd *cmd;

    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct cmd *grown = rf_arena_alloc(p->a, cap * sizeof *grown);

        if (p->n > 0)
            memcpy(grown, p->cmds, p->n * sizeof *grown);
        p->cmds = grown;
        p->cap = cap;
    }
    cmd = &p->cmds[p->n++];
    cmd->argc = argc;
    cmd->argv = argc ? rf_arena_alloc(p->a, (size_t)argc * sizeof *cmd->argv) : NULL;
    cmd->argvlen = argc ? rf_arena_alloc(p->a, (size_t)argc * sizeof *cmd->argvlen) : NULL;
    cmd->formatted = NULL;
    cmd->formatted_len = 0;
    cmd->script = NULL;
    return cmd;
}

void rf_cache_pipeline_add(struct rf_cache_pipeline *p, int argc, const char *const *argv,
                           const size_t *argvlen)
{
    struct cmd *cmd = push(p, argc);

    memcpy(cmd->argv, argv, (size_t)argc * sizeof *argv);
    memcpy(cmd->argvlen, argvlen, (size_t)argc * sizeof *argvlen);
}

void rf_cache_pipeline_add_script(struct rf_cache_pipeline *p, struct rf_cache_script *s, int nkeys,
                                  int argc, const char *const *argv, const size_t *argvlen)
{
    struct cmd *cmd = push(p, argc + 3);
    char *n = rf_arena_printf(p->a, "%d", nkeys);

    script_hash(s);
    cmd->script = s;
    cmd->argv[0] = "EVALSHA";
    cmd->argvlen[0] = 7;
    cmd->argv[1] = s->sha1;
    cmd->argvlen[1] = 40;
    cmd->argv[2] = n;
    cmd->argvlen[2] = strlen(n);
    memcpy(cmd->argv + 3, argv, (size_t)argc * sizeof *argv);
    memcpy(cmd->argvlen + 3, argvlen, (size_t)argc * sizeof *argvlen);
}

void rf_cache_pipeline_add_formatted(struct rf_cache_pipeline *p, struct rf_cache_script *s,
                                     const char *cmd, size_t len)
{
    struct cmd *c = push(p, 0);

    c->formatted = cmd;
    c->formatted_len = len;
    c->script = s;
}

/* Writes n in decimal at p; returns the end. */
static char *put_decimal(char *p, size_t n)
{
    char digits[24];
    int k = 0;

    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (k > 0)
        *p++ = digits[--k];
    return p;
}

/* Writes a RESP bulk string. */
static char *put_bulk(char *p, const char *s, size_t n)
{
    *p++ = '$';
    p = put_decimal(p, n);
    *p++ = '\r';
    *p++ = '\n';
    memcpy(p, s, n);
    p += n;
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

size_t rf_cache_format_script_head(struct rf_cache_script *s, int nkeys, int argc, char *out)
{
    char nk[24], *p = out;

    script_hash(s);
    *p++ = '*';
    p = put_decimal(p, (size_t)argc + 3);
    *p++ = '\r';
    *p++ = '\n';
    p = put_bulk(p, "EVALSHA", 7);
    p = put_bulk(p, s->sha1, 40);
    p = put_bulk(p, nk, (size_t)(put_decimal(nk, (size_t)nkeys) - nk));
    return (size_t)(p - out);
}

/* Bytes that argc bulk strings of argvlen take at most. */
static size_t bulks_size(int argc, const size_t *argvlen)
{
    size_t total = 0;

    for (int i = 0; i < argc; i++)
        total += argvlen[i] + 32;
    return total;
}

/* Writes argc bulk strings at p; returns the end. */
static char *put_bulks(char *p, int argc, const char *const *argv, const size_t *argvlen)
{
    for (int i = 0; i < argc; i++)
        p = put_bulk(p, argv[i], argvlen[i]);
    return p;
}

char *rf_cache_format_bulks(struct rf_arena *a, int argc, const char *const *argv,
                            const size_t *argvlen, size_t *len)
{
    char *out = rf_arena_alloc(a, bulks_size(argc, argvlen) + 1);

    *len = (size_t)(put_bulks(out, argc, argv, argvlen) - out);
    return out;
}

char *rf_cache_format_script(struct rf_arena *a, struct rf_cache_script *s, int nkeys, int argc,
                             const char *const *argv, const size_t *argvlen, size_t *len)
{
    char *out = rf_arena_alloc(a, RF_CACHE_SCRIPT_HEAD_MAX + bulks_size(argc, argvlen));
    size_t head = rf_cache_format_script_head(s, nkeys, argc, out);

    *len = (size_t)(put_bulks(out + head, argc, argv, argvlen) - out);
    return out;
}

size_t rf_cache_pipeline_count(const struct rf_cache_pipeline *p)
{
    return p->n;
}

bool rf_cache_reply_is_error(const redisReply *r, const char *prefix)
{
    if (r == NULL || r->type != REDIS_REPLY_ERROR)
        return false;
    return prefix == NULL || strncmp(r->str, prefix, strlen(prefix)) == 0;
}

static void free_reply(void *r)
{
    freeReplyObject(r);
}

/*
 * A pipeline's replies are built in its arena rather than with a malloc per
 * element (an HGETALL of a provider record is 31 objects, ~60,000 for a
 * reconciler batch) and go with the arena at its reset, none freed one by
 * one. The reader's functions are swapped in for the read of one reply only,
 * so that every other reply (the connection's set-up commands, freed with
 * freeReplyObject) keeps hiredis's own.
 */
static redisReply *arena_reply(const redisReadTask *task, int type)
{
    redisReply *r = rf_arena_calloc(task->privdata, 1, sizeof *r);

    r->type = type;
    if (task->parent != NULL)
        ((redisReply *)task->parent->obj)->element[task->idx] = r;
    return r;
}

static void *arena_string(const redisReadTask *task, char *str, size_t len)
{
    redisReply *r = arena_reply(task, task->type); /* a string, a status or an error */

    r->str = rf_arena_alloc(task->privdata, len + 1);
    memcpy(r->str, str, len);
    r->str[len] = '\0';
    r->len = len;
    return r;
}

static void *arena_array(const redisReadTask *task, int elements)
{
    redisReply *r = arena_reply(task, REDIS_REPLY_ARRAY);

    if (elements > 0)
        r->element = rf_arena_calloc(task->privdata, (size_t)elements, sizeof *r->element);
    r->elements = elements > 0 ? (size_t)elements : 0;
    return r;
}

static void *arena_integer(const redisReadTask *task, long long value)
{
    redisReply *r = arena_reply(task, REDIS_REPLY_INTEGER);

    r->integer = value;
    return r;
}

static void *arena_nil(const redisReadTask *task)
{
    return arena_reply(task, REDIS_REPLY_NIL);
}

static void arena_free(void *reply)
{
    (void)reply; /* freed with the arena */
}

static redisReplyObjectFunctions arena_functions = {arena_string, arena_array, arena_integer,
                                                    arena_nil, arena_free};

/*
 * Reads the next reply into arena a. After a failure the reader may hold part
 * of a reply built in a: it is let go here (the reader would free it with
 * hiredis's free at the disconnect), and the caller drops the connection.
 */
static int read_reply(redisContext *ctx, struct rf_arena *a, redisReply **out)
{
    redisReplyObjectFunctions *own = ctx->reader->fn;
    void *own_data = ctx->reader->privdata;
    void *r = NULL;
    int rc;

    ctx->reader->fn = &arena_functions;
    ctx->reader->privdata = a;
    rc = redisGetReply(ctx, &r);
    if (rc != REDIS_OK || r == NULL) {
        ctx->reader->reply = NULL;
        rc = REDIS_ERR;
    }
    ctx->reader->fn = own;
    ctx->reader->privdata = own_data;
    *out = r;
    return rc;
}

/* Sends the commands whose index is in which[0..n) and stores their replies at those indexes. */
static enum rf_code exchange(struct rf_cache_pipeline *p, const size_t *which, size_t n,
                             struct rf_error *err)
{
    redisContext *ctx = p->c->ctx;

    for (size_t i = 0; i < n; i++) {
        const struct cmd *cmd = &p->cmds[which[i]];

        if (append(ctx, cmd) != REDIS_OK)
            return io_fail(p->c, err, "queue a command");
    }
    for (size_t i = 0; i < n; i++) {
        if (read_reply(ctx, p->a, &p->replies[which[i]]) != REDIS_OK)
            return io_fail(p->c, err, "read a reply");
    }
    return RF_OK;
}

/* Loads script s (SCRIPT LOAD) and checks that Redis computed the same SHA-1. */
static enum rf_code load_script(struct rf_cache_pipeline *p, struct rf_cache_script *s,
                                struct rf_error *err)
{
    const char *argv[3] = {"SCRIPT", "LOAD", s->source};
    redisReply *r = redisCommandArgv(p->c->ctx, 3, argv, NULL);

    if (r == NULL)
        return io_fail(p->c, err, "load a script");
    rf_arena_defer(p->a, free_reply, r);
    if (r->type != REDIS_REPLY_STRING || r->len != 40 || memcmp(r->str, s->sha1, 40) != 0) {
        rf_error_detail(err, "SCRIPT LOAD: %s", r->type == REDIS_REPLY_ERROR ? r->str : "");
        return rf_fail(err, RF_INTERNAL, "Redis at %s refused a script", p->c->address);
    }
    return RF_OK;
}

enum rf_code rf_cache_pipeline_send(struct rf_cache_pipeline *p, struct rf_error *err)
{
    struct rf_cache *c = p->c;
    int done = 0;

    if (p->state != P_OPEN)
        abort(); /* a pipeline is sent once */
    p->replies = rf_arena_calloc(p->a, p->n ? p->n : 1, sizeof *p->replies);
    p->state = P_DONE;
    p->code = RF_OK;
    if (p->n == 0)
        return RF_OK;
    if (rf_cache_ensure(c, err) != RF_OK)
        return p->code = err->code;
    for (size_t i = 0; i < p->n; i++) {
        const struct cmd *cmd = &p->cmds[i];

        if (append(c->ctx, cmd) != REDIS_OK)
            return p->code = io_fail(c, err, "queue a command");
    }
    while (!done) {
        if (redisBufferWrite(c->ctx, &done) != REDIS_OK)
            return p->code = io_fail(c, err, "send commands");
    }
    p->state = P_SENT;
    p->next = NULL;
    if (c->tail != NULL)
        c->tail->next = p;
    else
        c->head = p;
    c->tail = p;
    return RF_OK;
}

/* Reads the replies of the oldest pipeline in flight. */
static enum rf_code read_oldest(struct rf_cache *c, struct rf_error *err)
{
    struct rf_cache_pipeline *q = c->head;

    for (size_t i = 0; i < q->n; i++) {
        if (read_reply(c->ctx, q->a, &q->replies[i]) != REDIS_OK)
            return io_fail(c, err, "read a reply");
    }
    c->head = q->next;
    if (c->head == NULL)
        c->tail = NULL;
    q->state = P_DONE;
    q->code = RF_OK;
    return RF_OK;
}

/* Sends again, after SCRIPT LOAD, the script calls of p that got NOSCRIPT. */
static enum rf_code retry_noscript(struct rf_cache_pipeline *p, struct rf_error *err)
{
    size_t *retry = NULL, n_retry = 0;

    for (size_t i = 0; i < p->n; i++) {
        if (p->cmds[i].script == NULL || !rf_cache_reply_is_error(p->replies[i], "NOSCRIPT"))
            continue;
        if (retry == NULL)
            retry = rf_arena_alloc(p->a, p->n * sizeof *retry);
        retry[n_retry++] = i;
    }
    if (n_retry == 0)
        return RF_OK;
    /* SCRIPT LOAD's reply would come after those of pipelines sent later: read those first (their
     * own NOSCRIPT replies are retried when they are received). */
    while (p->c->head != NULL) {
        if (read_oldest(p->c, err) != RF_OK)
            return err->code;
    }
    /* Load each script once; a pipeline rarely mixes more than a few. */
    for (size_t i = 0; i < n_retry; i++) {
        struct rf_cache_script *s = p->cmds[retry[i]].script;
        bool seen = false;

        for (size_t j = 0; j < i && !seen; j++)
            seen = p->cmds[retry[j]].script == s;
        if (!seen && load_script(p, s, err) != RF_OK)
            return err->code;
    }
    return exchange(p, retry, n_retry, err);
}

enum rf_code rf_cache_pipeline_receive(struct rf_cache_pipeline *p, redisReply ***replies,
                                       struct rf_error *err)
{
    bool failed_now = false;

    if (p->state == P_OPEN)
        abort(); /* received before it was sent */
    while (p->state == P_SENT && !failed_now)
        failed_now = read_oldest(p->c, err) != RF_OK;
    if (p->code != RF_OK) {
        if (!failed_now) {
            rf_error_detail(err, "the connection was lost before the replies were read");
            rf_fail(err, RF_UNAVAILABLE, "could not reach Redis at %s", p->c->address);
        }
        return p->code;
    }
    if (retry_noscript(p, err) != RF_OK)
        return err->code;
    *replies = p->replies;
    return RF_OK;
}

enum rf_code rf_cache_pipeline_run(struct rf_cache_pipeline *p, redisReply ***replies,
                                   struct rf_error *err)
{
    if (rf_cache_pipeline_send(p, err) != RF_OK)
        return err->code;
    return rf_cache_pipeline_receive(p, replies, err);
}

enum rf_code rf_cache_command(struct rf_cache *c, struct rf_arena *a, struct rf_error *err,
                              redisReply **reply, int argc, const char *const *argv,
                              const size_t *argvlen)
{
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(c, a);
    redisReply **replies;

    rf_cache_pipeline_add(p, argc, argv, argvlen);
    if (rf_cache_pipeline_run(p, &replies, err) != RF_OK)
        return err->code;
    *reply = replies[0];
    return RF_OK;
}
