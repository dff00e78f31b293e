/*
 * Unit tests of the writer's pure part (workers/psp_load/writer.c): the keys
 * and arguments a record's script call is made of. The scripts themselves
 * run in Redis and are tested by tests/integration/test_psp_load.py.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/timeutil.h"
#include "writer.h"

/* A valid record of provider and id, with empty text fields and the given times. */
static struct rf_psp_record record(const char *provider, const char *id, int64_t created_us,
                                   const char *source)
{
    struct rf_psp_record r = {
        .provider = provider,
        .provider_refund_id = id,
        .status = RF_PSP_SUCCEEDED,
        .pending_reason = "",
        .failure_reason = "",
        .amount_minor = 4999,
        .currency = "EUR",
        .payment_ref = "",
        .reference = "",
        .reference_type = "",
        .destination_type = "",
        .card_refund_type = "",
        .created_at_us = created_us,
        .updated_at_us = 1795341600LL * RF_USEC_PER_SEC, /* 2026-11-22T10:00:00Z */
        .source = source,
    };
    return r;
}

Test(writer, a_record_becomes_two_keys_its_id_its_day_score_and_its_values)
{
    struct rf_arena *a = rf_arena_create(0);
    /* 2026-11-21T14:02:47.5Z (Python: 1795269767 is 14:02:47). */
    struct rf_psp_record r =
        record("adyen", "8826179011234561", 1795269767LL * RF_USEC_PER_SEC + 500000, "batch.csv:2");
    const char **argv;
    size_t *argvlen;
    int argc = rf_psp_writer_args(a, &r, &argv, &argvlen);

    cr_assert_eq(argc, 4 + RF_PSP_FIELDS);
    cr_assert_str_eq(argv[0], "psp:adyen:refund:8826179011234561");
    cr_assert_str_eq(argv[1], "psp:adyen:created:2026-11-21");
    cr_assert_str_eq(argv[2], "8826179011234561");
    cr_assert_str_eq(argv[3], "1795269767", "the index scores whole seconds");
    cr_assert_str_eq(argv[4], "succeeded", "then the values in rf_psp_field_names order");
    cr_assert_str_eq(rf_psp_field_names[11], "created_at");
    cr_assert_str_eq(argv[4 + 11], "2026-11-21T14:02:47.500000Z");
    cr_assert_str_eq(argv[4 + 14], "batch.csv:2");
    for (int i = 0; i < argc; i++)
        cr_assert_eq(argvlen[i], strlen(argv[i]), "argument %d", i);
    rf_arena_destroy(a);
}

Test(writer, a_record_is_formatted_as_its_two_keys_then_its_arguments)
{
    struct rf_arena *a = rf_arena_create(0);
    struct rf_psp_record r = record("acme", "r1", 1795341600LL * RF_USEC_PER_SEC, "g.csv:2");
    struct rf_psp_writer_record rec;
    static const char keys[] =
        "$18\r\npsp:acme:refund:r1\r\n$27\r\npsp:acme:created:2026-11-22\r\n";
    static const char args_head[] = "$2\r\nr1\r\n$10\r\n1795341600\r\n$9\r\nsucceeded\r\n";

    rf_psp_writer_encode(a, &r, &rec);
    cr_assert_eq(rec.keys_len, sizeof keys - 1, "%.*s", (int)rec.keys_len, rec.keys);
    cr_assert(memcmp(rec.keys, keys, sizeof keys - 1) == 0, "%.*s", (int)rec.keys_len, rec.keys);
    cr_assert(memcmp(rec.args, args_head, sizeof args_head - 1) == 0, "%.*s", (int)rec.args_len,
              rec.args);
    cr_assert(memcmp(rec.args + rec.args_len - 9, "g.csv:2\r\n", 9) == 0, "%.*s", (int)rec.args_len,
              rec.args);
    rf_arena_destroy(a);
}

Test(writer, a_call_of_two_records_is_evalsha_of_both_keys_then_both_records_arguments)
{
    struct rf_arena *a = rf_arena_create(0);
    struct rf_psp_record r1 = record("acme", "r1", 1795341600LL * RF_USEC_PER_SEC, "g.csv:2");
    struct rf_psp_record r2 = record("acme", "r2", 1795341600LL * RF_USEC_PER_SEC, "g.csv:3");
    struct rf_psp_writer_record recs[2];
    size_t len, at;
    const char *cmd;
    /* 3 + 2 * (2 keys + 17 arguments) = 41 elements; 4 keys. */
    static const char head[] = "*41\r\n$7\r\nEVALSHA\r\n$40\r\n";
    static const char nkeys[] = "\r\n$1\r\n4\r\n";

    rf_psp_writer_encode(a, &r1, &recs[0]);
    rf_psp_writer_encode(a, &r2, &recs[1]);
    cmd = rf_psp_writer_call(a, 2, recs, &len);
    cr_assert(memcmp(cmd, head, sizeof head - 1) == 0, "%.*s", (int)len, cmd);
    at = sizeof head - 1 + 40;
    cr_assert(memcmp(cmd + at, nkeys, sizeof nkeys - 1) == 0, "%.*s", (int)len, cmd);
    at += sizeof nkeys - 1;
    cr_assert(memcmp(cmd + at, recs[0].keys, recs[0].keys_len) == 0, "first the keys of r1");
    at += recs[0].keys_len;
    cr_assert(memcmp(cmd + at, recs[1].keys, recs[1].keys_len) == 0, "then those of r2");
    at += recs[1].keys_len;
    cr_assert(memcmp(cmd + at, recs[0].args, recs[0].args_len) == 0, "then r1's arguments");
    at += recs[0].args_len;
    cr_assert(memcmp(cmd + at, recs[1].args, recs[1].args_len) == 0, "then r2's");
    at += recs[1].args_len;
    cr_assert_eq(at, len, "and nothing more");
    rf_arena_destroy(a);
}
