/*
 * Redis access for one thread, on Debian's hiredis 0.14: a connection made
 * from a URL that (re)connects by itself, pipelines of binary-safe commands,
 * and Lua scripts run with EVALSHA. The provider cache's layout (which keys,
 * which fields) is not here but in refunds/psp.h.
 *
 * URLs: `redis://[[user]:password@]host[:port][/db]` (port 6379, db 0 by
 * default; an IPv6 host in brackets; user and password percent-decoded) and
 * `unix:///path/to/redis.sock`. There is no TLS (`rediss://`): hiredis 0.14
 * has none.
 *
 * Errors: a connection that fails, is closed by the server or does not
 * answer within the command timeout gives UNAVAILABLE with the message
 * "could not reach Redis at <address>" and hiredis's reason in err->detail;
 * the connection is then dropped and the next use reconnects. Nothing is
 * resent by itself: after UNAVAILABLE the caller does not know which of the
 * commands sent ran, and decides. An error reply to one command (wrong type,
 * out of memory, a script error) is that command's reply, of type
 * REDIS_REPLY_ERROR, not a failure of the pipeline.
 *
 * Scripts: a `struct rf_cache_script` holds the Lua source; its SHA-1 is
 * computed at first use and commands go out as EVALSHA. When Redis answers
 * NOSCRIPT (it restarted, or SCRIPT FLUSH ran) the script is loaded and the
 * commands that got NOSCRIPT, which did not run, are sent once more.
 *
 * Replies are registered on the caller's arena (freeReplyObject runs at its
 * reset or destroy). A struct rf_cache belongs to one thread.
 */
#ifndef REFUNDS_CACHE_H
#define REFUNDS_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "refunds/arena.h"
#include "refunds/status.h"

/* What a Redis URL says. Strings are NUL-terminated; "" where the URL has none. */
struct rf_cache_url {
    bool is_unix;
    char host[256];     /* TCP: the host, without the brackets of an IPv6 address */
    int port;           /* TCP: 6379 unless given */
    char path[108];     /* unix: the socket's path */
    char user[128];     /* ACL user; "" for the default user */
    char password[256]; /* "" for none (then no AUTH is sent) */
    int db;             /* SELECTed after connecting when not 0 */
};

/*
 * Parses url into *out. INVALID_ARGUMENT ("invalid Redis URL: <reason>") when
 * it is not one of the forms above; the message never repeats the URL, which
 * may hold a password.
 */
enum rf_code rf_cache_url_parse(const char *url, struct rf_cache_url *out, struct rf_error *err);

struct rf_cache;

/*
 * Creates an unconnected handle for url (see rf_cache_url_parse, whose error
 * it returns as NULL with err filled). connect_timeout_ms bounds connecting;
 * command_timeout_ms bounds each wait for the server to read or answer. The
 * caller owns the handle (rf_cache_destroy).
 */
struct rf_cache *rf_cache_create(const char *url, int connect_timeout_ms, int command_timeout_ms,
                                 struct rf_error *err);

/* Closes the connection and frees the handle; NULL is a no-op. */
void rf_cache_destroy(struct rf_cache *c);

/* "127.0.0.1:6379", "[::1]:6379" or the socket's path: for messages. Owned by c. */
const char *rf_cache_address(const struct rf_cache *c);

/* Connects (AUTH and SELECT included) if not connected. UNAVAILABLE when that fails. */
enum rf_code rf_cache_ensure(struct rf_cache *c, struct rf_error *err);

/* Drops the connection; the next use reconnects. */
void rf_cache_disconnect(struct rf_cache *c);

/* A Lua script; define one per script as a static with RF_CACHE_SCRIPT_INIT. */
struct rf_cache_script {
    const char *source;
    char sha1[41]; /* lower-case hex, computed from source at first use */
};

#define RF_CACHE_SCRIPT_INIT(src)                                                                  \
    {                                                                                              \
        .source = (src)                                                                            \
    }

struct rf_cache_pipeline;

/*
 * Starts a pipeline of commands on c, allocated in arena a, which will also
 * hold the replies. Nothing is sent until rf_cache_pipeline_run.
 */
struct rf_cache_pipeline *rf_cache_pipeline_begin(struct rf_cache *c, struct rf_arena *a);

/*
 * Appends one command: argc arguments (the command name first), each argv[i]
 * of argvlen[i] bytes, binary safe. The argument bytes are not copied: they
 * must stay valid until rf_cache_pipeline_run returns (the arena is the usual
 * place for them); the two arrays themselves are copied.
 */
void rf_cache_pipeline_add(struct rf_cache_pipeline *p, int argc, const char *const *argv,
                           const size_t *argvlen);

/*
 * Appends EVALSHA of script s with nkeys keys: argv holds the keys, then the
 * arguments (argc in all). Same lifetime rule as rf_cache_pipeline_add.
 */
void rf_cache_pipeline_add_script(struct rf_cache_pipeline *p, struct rf_cache_script *s, int nkeys,
                                  int argc, const char *const *argv, const size_t *argvlen);

/*
 * Formats EVALSHA of script s with nkeys keys (argv: the keys, then the
 * arguments, argc in all) as the bytes Redis reads (RESP), in arena a; *len
 * gets their length. For callers that build commands long before they send
 * them, such as a spool: rf_cache_pipeline_add_formatted sends them as they
 * are, with no more work per command.
 */
char *rf_cache_format_script(struct rf_arena *a, struct rf_cache_script *s, int nkeys, int argc,
                             const char *const *argv, const size_t *argvlen, size_t *len);

/*
 * The parts of a command assembled from pieces formatted at different times
 * (a script call carrying many records, each formatted while a file is
 * read): rf_cache_format_bulks formats argv as RESP bulk strings with no
 * array header, in arena a (*len gets their length); the head of EVALSHA
 * of s with nkeys keys and argc keys and arguments in all, which must follow
 * it as bulk strings, is written by rf_cache_format_script_head at out (at
 * least RF_CACHE_SCRIPT_HEAD_MAX bytes), which returns its length.
 */
#define RF_CACHE_SCRIPT_HEAD_MAX 128
char *rf_cache_format_bulks(struct rf_arena *a, int argc, const char *const *argv,
                            const size_t *argvlen, size_t *len);
size_t rf_cache_format_script_head(struct rf_cache_script *s, int nkeys, int argc, char *out);

/*
 * Appends a command already formatted (rf_cache_format_script, or any
 * single RESP command); s, when not NULL, is the script it calls, for the
 * NOSCRIPT retry. The bytes are not copied: same lifetime rule as
 * rf_cache_pipeline_add.
 */
void rf_cache_pipeline_add_formatted(struct rf_cache_pipeline *p, struct rf_cache_script *s,
                                     const char *cmd, size_t len);

/* How many commands the pipeline holds. */
size_t rf_cache_pipeline_count(const struct rf_cache_pipeline *p);

/*
 * Connects if needed, sends every command in one write, then reads one reply
 * per command: on RF_OK, (*replies)[i] is the reply of the i-th command (an
 * array in the pipeline's arena; replies registered on it). Commands that got
 * NOSCRIPT are sent once more after SCRIPT LOAD, after every command already
 * sent, in their order. UNAVAILABLE when the connection fails on the way
 * (*replies is then not set); INTERNAL when a SCRIPT LOAD is refused. An
 * empty pipeline sends nothing and succeeds. rf_cache_pipeline_send followed
 * by rf_cache_pipeline_receive.
 */
enum rf_code rf_cache_pipeline_run(struct rf_cache_pipeline *p, redisReply ***replies,
                                   struct rf_error *err);

/*
 * The two halves of rf_cache_pipeline_run, so that a caller can keep several
 * pipelines in flight and Redis busy while it prepares the next: send writes
 * the commands (connecting if needed) without reading; receive reads the
 * replies (those of pipelines sent before it first) with the same results and
 * NOSCRIPT retry as run. Each pipeline is sent once and received once; a sent
 * pipeline's arena must not be reset before it is received. When the
 * connection fails, every pipeline in flight is lost: each receive gives
 * UNAVAILABLE.
 */
enum rf_code rf_cache_pipeline_send(struct rf_cache_pipeline *p, struct rf_error *err);
enum rf_code rf_cache_pipeline_receive(struct rf_cache_pipeline *p, redisReply ***replies,
                                       struct rf_error *err);

/* One command in its own round trip: a pipeline of one. *reply lives on arena a. */
enum rf_code rf_cache_command(struct rf_cache *c, struct rf_arena *a, struct rf_error *err,
                              redisReply **reply, int argc, const char *const *argv,
                              const size_t *argvlen);

/* True when r is an error reply; when prefix is not NULL, one starting with prefix ("NOSCRIPT"). */
bool rf_cache_reply_is_error(const redisReply *r, const char *prefix);

#endif
