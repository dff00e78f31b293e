/*
 * Unit tests of the Redis access layer's pure parts (services/common/cache.c):
 * URL parsing (TCP, IPv6, unix sockets, credentials, databases, refusals that
 * never echo a password), the address used in messages, error replies, and
 * the UNAVAILABLE contract on a socket that does not exist, and how replies
 * are read (built in the pipeline's arena, every RESP type, a reply cut
 * short) from a peer on a unix socket that answers with fixed bytes. No Redis
 * server is needed; tests/integration/test_psp_load.py covers the real one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "refunds/cache.h"

static struct rf_cache_url parse_ok(const char *url)
{
    struct rf_cache_url u;
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_eq(rf_cache_url_parse(url, &u, &err), RF_OK, "%s: %s", url, err.message);
    return u;
}

Test(cache_url, a_plain_tcp_url_has_the_defaults)
{
    struct rf_cache_url u = parse_ok("redis://127.0.0.1");

    cr_assert_not(u.is_unix);
    cr_assert_str_eq(u.host, "127.0.0.1");
    cr_assert_eq(u.port, 6379);
    cr_assert_eq(u.db, 0);
    cr_assert_str_eq(u.user, "");
    cr_assert_str_eq(u.password, "");
}

Test(cache_url, port_password_and_database_are_read)
{
    struct rf_cache_url u = parse_ok("redis://:s3cret@cache.internal:6380/2");

    cr_assert_str_eq(u.host, "cache.internal");
    cr_assert_eq(u.port, 6380);
    cr_assert_eq(u.db, 2);
    cr_assert_str_eq(u.user, "");
    cr_assert_str_eq(u.password, "s3cret");
}

Test(cache_url, user_and_password_are_percent_decoded)
{
    struct rf_cache_url u = parse_ok("redis://loader:p%40ss%3Aw%2Frd@h:1/0");

    cr_assert_str_eq(u.user, "loader");
    cr_assert_str_eq(u.password, "p@ss:w/rd");
    cr_assert_str_eq(u.host, "h");
    cr_assert_eq(u.port, 1);
}

Test(cache_url, an_ipv6_address_is_given_in_brackets)
{
    struct rf_cache_url u = parse_ok("redis://[::1]:7000/3");

    cr_assert_str_eq(u.host, "::1");
    cr_assert_eq(u.port, 7000);
    cr_assert_eq(u.db, 3);
    u = parse_ok("redis://[fe80::1]");
    cr_assert_eq(u.port, 6379);
}

Test(cache_url, a_trailing_slash_selects_database_zero)
{
    struct rf_cache_url u = parse_ok("redis://localhost:6379/");

    cr_assert_eq(u.db, 0);
}

Test(cache_url, a_unix_socket_url_gives_the_path)
{
    struct rf_cache_url u = parse_ok("unix:///run/redis/redis-server.sock");

    cr_assert(u.is_unix);
    cr_assert_str_eq(u.path, "/run/redis/redis-server.sock");
}

Test(cache_url, malformed_urls_are_refused_with_a_reason)
{
    static const char *const bad[] = {
        "",
        "http://localhost",
        "rediss://localhost",
        "redis://",
        "redis://:6379",
        "redis://host:0",
        "redis://host:65536",
        "redis://host:abc",
        "redis://host:",
        "redis://host/x",
        "redis://host/1/2",
        "redis://host?db=1",
        "redis://host#frag",
        "redis://::1:6379",
        "redis://[::1",
        "redis://[::1]x",
        "redis://user@host",
        "redis://user:@host",
        "redis://:pa%zzss@host",
        "redis://:pa%00ss@host",
        "redis://ho st",
        "unix://relative/path",
        "unix://",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_cache_url u;
        struct rf_error err;

        rf_error_clear(&err);
        cr_assert_eq(rf_cache_url_parse(bad[i], &u, &err), RF_INVALID_ARGUMENT, "\"%s\"", bad[i]);
        cr_assert(strncmp(err.message, "invalid Redis URL: ", 19) == 0, "%s", err.message);
    }
}

Test(cache_url, a_refusal_never_repeats_the_password)
{
    static const char *const bad[] = {"redis://:topsecret@host:abc", "redis://u:topsecret@",
                                      "redis://:topsecret@host/x"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_cache_url u;
        struct rf_error err;

        rf_error_clear(&err);
        cr_assert_eq(rf_cache_url_parse(bad[i], &u, &err), RF_INVALID_ARGUMENT);
        cr_assert_null(strstr(err.message, "topsecret"), "%s", err.message);
        cr_assert_null(strstr(err.detail, "topsecret"), "%s", err.detail);
    }
}

Test(cache, the_address_in_messages_names_host_and_port)
{
    static const struct {
        const char *url, *address;
    } want[] = {
        {"redis://127.0.0.1", "127.0.0.1:6379"},
        {"redis://:pw@cache:6380/1", "cache:6380"},
        {"redis://[::1]:7000", "[::1]:7000"},
        {"unix:///run/redis.sock", "/run/redis.sock"},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct rf_error err;
        struct rf_cache *c = rf_cache_create(want[i].url, 100, 100, &err);

        cr_assert_not_null(c, "%s", want[i].url);
        cr_assert_str_eq(rf_cache_address(c), want[i].address);
        rf_cache_destroy(c);
    }
}

Test(cache, create_refuses_a_bad_url)
{
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_null(rf_cache_create("localhost:6379", 100, 100, &err));
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
}

Test(cache, a_server_that_cannot_be_reached_is_unavailable)
{
    struct rf_error err;
    struct rf_cache *c = rf_cache_create("unix:///nonexistent/refunds-test.sock", 100, 100, &err);
    struct rf_arena *a = rf_arena_create(0);
    const char *argv[] = {"PING"};
    size_t argvlen[] = {4};
    redisReply *r = NULL;

    rf_error_clear(&err);
    cr_assert_eq(rf_cache_command(c, a, &err, &r, 1, argv, argvlen), RF_UNAVAILABLE);
    cr_assert_str_eq(err.message, "could not reach Redis at /nonexistent/refunds-test.sock");
    cr_assert(strncmp(err.detail, "connect: ", 9) == 0, "%s", err.detail);
    cr_assert_null(r);
    rf_arena_destroy(a);
    rf_cache_destroy(c);
}

Test(cache, an_empty_pipeline_succeeds_without_connecting)
{
    struct rf_error err;
    struct rf_cache *c = rf_cache_create("unix:///nonexistent/refunds-test.sock", 100, 100, &err);
    struct rf_arena *a = rf_arena_create(0);
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(c, a);
    redisReply **replies = NULL;

    rf_error_clear(&err);
    cr_assert_eq(rf_cache_pipeline_count(p), 0);
    cr_assert_eq(rf_cache_pipeline_run(p, &replies, &err), RF_OK);
    cr_assert_not_null(replies);
    rf_arena_destroy(a);
    rf_cache_destroy(c);
}

Test(cache, pipelines_count_what_they_hold)
{
    static struct rf_cache_script s = RF_CACHE_SCRIPT_INIT("return 1");
    struct rf_error err;
    struct rf_cache *c = rf_cache_create("redis://127.0.0.1", 100, 100, &err);
    struct rf_arena *a = rf_arena_create(0);
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(c, a);
    const char *argv[] = {"GET", "k"};
    size_t argvlen[] = {3, 1};

    for (int i = 0; i < 100; i++)
        rf_cache_pipeline_add(p, 2, argv, argvlen);
    rf_cache_pipeline_add_script(p, &s, 1, 1, argv + 1, argvlen + 1);
    cr_assert_eq(rf_cache_pipeline_count(p), 101);
    /* SHA-1 of "return 1" (Python: hashlib.sha1(b"return 1").hexdigest()). */
    cr_assert_str_eq(s.sha1, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    rf_arena_destroy(a);
    rf_cache_destroy(c);
}

Test(cache, error_replies_are_recognised_by_prefix)
{
    redisReply err_reply = {
        .type = REDIS_REPLY_ERROR, .str = "NOSCRIPT No matching script", .len = 27};
    redisReply ok = {.type = REDIS_REPLY_STATUS, .str = "OK", .len = 2};

    cr_assert(rf_cache_reply_is_error(&err_reply, NULL));
    cr_assert(rf_cache_reply_is_error(&err_reply, "NOSCRIPT"));
    cr_assert_not(rf_cache_reply_is_error(&err_reply, "WRONGTYPE"));
    cr_assert_not(rf_cache_reply_is_error(&ok, NULL));
    cr_assert_not(rf_cache_reply_is_error(NULL, NULL));
}

Test(cache, a_script_call_is_formatted_as_the_bytes_redis_reads)
{
    static struct rf_cache_script s = RF_CACHE_SCRIPT_INIT("return 1");
    struct rf_arena *a = rf_arena_create(0);
    const char *argv[] = {"k", "", "a\r\nb"};
    size_t argvlen[] = {1, 0, 4};
    size_t len = 0;
    const char *cmd = rf_cache_format_script(a, &s, 1, 3, argv, argvlen, &len);
    /* RESP of EVALSHA <sha1 of "return 1"> 1 k "" "a\r\nb", written out by hand. */
    static const char want[] =
        "*6\r\n$7\r\nEVALSHA\r\n$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db"
        "\r\n$1\r\n1\r\n$1\r\nk\r\n$0\r\n\r\n$4\r\na\r\nb\r\n";

    cr_assert_eq(len, sizeof want - 1);
    cr_assert(memcmp(cmd, want, len) == 0, "%.*s", (int)len, cmd);
    rf_arena_destroy(a);
}

Test(cache, a_formatted_command_counts_as_one)
{
    struct rf_error err;
    struct rf_cache *c = rf_cache_create("redis://127.0.0.1", 100, 100, &err);
    struct rf_arena *a = rf_arena_create(0);
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(c, a);

    rf_cache_pipeline_add_formatted(p, NULL, "*1\r\n$4\r\nPING\r\n", 14);
    cr_assert_eq(rf_cache_pipeline_count(p), 1);
    rf_arena_destroy(a);
    rf_cache_destroy(c);
}

/* A peer that accepts one connection, reads once, writes its bytes and closes. */
struct peer {
    int listen_fd;
    const char *answer;
    size_t answer_len;
    char url[128];
    char path[96];
    pthread_t thread;
};

static void *peer_run(void *arg)
{
    struct peer *p = arg;
    int fd = accept(p->listen_fd, NULL, NULL);
    char buf[4096];

    if (fd >= 0) {
        if (read(fd, buf, sizeof buf) > 0 && write(fd, p->answer, p->answer_len) < 0)
            perror("peer write");
        close(fd);
    }
    return NULL;
}

static void peer_start(struct peer *p, const char *answer, size_t len)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    snprintf(p->path, sizeof p->path, "/tmp/refunds-cache-test-%d.sock", (int)getpid());
    unlink(p->path);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p->path);
    snprintf(p->url, sizeof p->url, "unix://%s", p->path);
    p->answer = answer;
    p->answer_len = len;
    p->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    cr_assert(p->listen_fd >= 0);
    cr_assert_eq(bind(p->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(p->listen_fd, 1), 0);
    cr_assert_eq(pthread_create(&p->thread, NULL, peer_run, p), 0);
}

static void peer_stop(struct peer *p)
{
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    unlink(p->path);
}

/* Runs n HGETALLs against a peer that answers answer[0..len) and closes; their replies in *r. */
static enum rf_code run_against(const char *answer, size_t len, int n, struct rf_arena *a,
                                redisReply ***r, struct rf_error *err)
{
    struct peer peer;
    struct rf_cache *c;
    struct rf_cache_pipeline *p;
    const char *argv[] = {"HGETALL", "k"};
    size_t argvlen[] = {7, 1};
    enum rf_code code;

    peer_start(&peer, answer, len);
    c = rf_cache_create(peer.url, 1000, 1000, err);
    cr_assert_not_null(c, "%s", err->message);
    p = rf_cache_pipeline_begin(c, a);
    for (int i = 0; i < n; i++)
        rf_cache_pipeline_add(p, 2, argv, argvlen);
    rf_error_clear(err);
    code = rf_cache_pipeline_run(p, r, err);
    peer_stop(&peer);
    rf_cache_destroy(c); /* the replies stay: they live in the arena */
    return code;
}

Test(cache_replies, every_type_is_read_into_the_pipelines_arena)
{
    /* An array of a string, an integer, a nil and an empty array; a status; an error. */
    static const char answer[] = "*4\r\n$3\r\na\0b\r\n:-42\r\n$-1\r\n*0\r\n+OK\r\n-ERR no\r\n";
    struct rf_arena *a = rf_arena_create(0);
    struct rf_error err;
    redisReply **r = NULL;

    cr_assert_eq(run_against(answer, sizeof answer - 1, 3, a, &r, &err), RF_OK, "%s %s",
                 err.message, err.detail);
    cr_assert_eq(r[0]->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(r[0]->elements, 4);
    cr_assert_eq(r[0]->element[0]->type, REDIS_REPLY_STRING);
    cr_assert_eq(r[0]->element[0]->len, 3);
    cr_assert(memcmp(r[0]->element[0]->str, "a\0b", 4) == 0, "a NUL inside, one after");
    cr_assert_eq(r[0]->element[1]->type, REDIS_REPLY_INTEGER);
    cr_assert_eq(r[0]->element[1]->integer, -42);
    cr_assert_eq(r[0]->element[2]->type, REDIS_REPLY_NIL);
    cr_assert_eq(r[0]->element[3]->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(r[0]->element[3]->elements, 0);
    cr_assert_eq(r[1]->type, REDIS_REPLY_STATUS);
    cr_assert_str_eq(r[1]->str, "OK");
    cr_assert(rf_cache_reply_is_error(r[2], "ERR no"));
    /* The replies go with the arena (the sanitizer build would report a leak or a bad free). */
    rf_arena_destroy(a);
}

Test(cache_replies, a_reply_cut_short_is_unavailable_and_the_connection_dropped)
{
    /* Two of the array's three elements, then the peer closes. */
    static const char answer[] = "*3\r\n$6\r\nstatus\r\n$9\r\nsucceeded\r\n";
    struct rf_arena *a = rf_arena_create(0);
    struct rf_error err;
    redisReply **r = NULL;

    /* The part read was built in the arena: dropping the connection must not free it. */
    cr_assert_eq(run_against(answer, sizeof answer - 1, 1, a, &r, &err), RF_UNAVAILABLE);
    cr_assert(strncmp(err.detail, "read a reply: ", 14) == 0, "%s", err.detail);
    rf_arena_destroy(a);
}
