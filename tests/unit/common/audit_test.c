/*
 * Unit tests of the audit chain hash (services/common/audit.c): a known-answer
 * vector computed outside C, the dependence on every field and on the previous
 * hash, and the framing that keeps neighbouring fields apart.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/audit.h"
#include "refunds/encode.h"

static struct rf_audit_event first_event(void)
{
    return (struct rf_audit_event){
        .case_id = "0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        .seq = 1,
        .occurred_us = 1795341600123456LL,
        .actor = "alice@example.com",
        .actor_role = "agent",
        .method = "OpenCase",
        .old_state = "",
        .new_state = "OPEN",
        .request_id = "req-1",
    };
}

static const char *hex(const uint8_t d[RF_SHA256_LEN])
{
    static char out[2 * RF_SHA256_LEN + 1];

    rf_hex_encode(d, RF_SHA256_LEN, out);
    return out;
}

Test(audit, genesis_is_32_zero_bytes)
{
    static const uint8_t zero[RF_SHA256_LEN];

    cr_assert_arr_eq(rf_audit_genesis, zero, RF_SHA256_LEN);
}

/*
 * Computed independently with Python's hashlib (the format of audit.h):
 *
 *   import hashlib
 *   def ns(b): return str(len(b)).encode() + b":" + b + b","
 *   def chain(prev, fields):
 *       h = hashlib.sha256(prev)
 *       for x in [b"refunds.audit.v1"] + fields: h.update(ns(x))
 *       return h.digest()
 *   h1 = chain(bytes(32), [b"0190f5c2-3a4b-7c8d-9e0f-123456789abc", b"1",
 *                          b"1795341600123456", b"alice@example.com", b"agent",
 *                          b"OpenCase", b"", b"OPEN", b"req-1"])
 *   h2 = chain(h1, [b"0190f5c2-3a4b-7c8d-9e0f-123456789abc", b"2", b"-1", b"bob",
 *                   b"approver", b"DecideCase", b"PENDING_APPROVAL", b"APPROVED",
 *                   b"req-2"])
 *   print(h1.hex(), h2.hex())
 */
Test(audit, chain_hash_matches_an_independent_computation)
{
    struct rf_audit_event ev = first_event();
    uint8_t h1[RF_SHA256_LEN], h2[RF_SHA256_LEN];

    rf_audit_chain_hash(rf_audit_genesis, &ev, h1);
    cr_assert_str_eq(hex(h1), "e828cea39f98f2f97881b3e5f9ca70280c9cc88eb8e2602e2e4c5ebc08b149dc");

    ev.seq = 2;
    ev.occurred_us = -1;
    ev.actor = "bob";
    ev.actor_role = "approver";
    ev.method = "DecideCase";
    ev.old_state = "PENDING_APPROVAL";
    ev.new_state = "APPROVED";
    ev.request_id = "req-2";
    rf_audit_chain_hash(h1, &ev, h2);
    cr_assert_str_eq(hex(h2), "c1ef019464bfb1a6e6ab38f461a96924f70bf00954dabf82d888ba2733d9277f");
}

Test(audit, chain_hash_is_deterministic)
{
    struct rf_audit_event ev = first_event();
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    rf_audit_chain_hash(rf_audit_genesis, &ev, a);
    rf_audit_chain_hash(rf_audit_genesis, &ev, b);
    cr_assert_arr_eq(a, b, RF_SHA256_LEN);
}

Test(audit, chain_hash_changes_when_any_field_changes)
{
    struct rf_audit_event base = first_event();
    uint8_t want[RF_SHA256_LEN];

    rf_audit_chain_hash(rf_audit_genesis, &base, want);
    for (int field = 0; field < 9; field++) {
        struct rf_audit_event ev = first_event();
        uint8_t got[RF_SHA256_LEN];

        switch (field) {
        case 0:
            ev.case_id = "0190f5c2-3a4b-7c8d-9e0f-123456789abd";
            break;
        case 1:
            ev.seq = 2;
            break;
        case 2:
            ev.occurred_us += 1;
            break;
        case 3:
            ev.actor = "mallory@example.com";
            break;
        case 4:
            ev.actor_role = "admin";
            break;
        case 5:
            ev.method = "WithdrawCase";
            break;
        case 6:
            ev.old_state = "OPEN";
            break;
        case 7:
            ev.new_state = "WITHDRAWN";
            break;
        case 8:
            ev.request_id = "req-2";
            break;
        }
        rf_audit_chain_hash(rf_audit_genesis, &ev, got);
        cr_assert_arr_neq(got, want, RF_SHA256_LEN, "changing field %d kept the hash", field);
    }
}

Test(audit, chain_hash_depends_on_the_previous_hash)
{
    struct rf_audit_event ev = first_event();
    uint8_t prev[RF_SHA256_LEN], a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    rf_audit_chain_hash(rf_audit_genesis, &ev, a);
    memcpy(prev, rf_audit_genesis, RF_SHA256_LEN);
    prev[RF_SHA256_LEN - 1] = 1;
    rf_audit_chain_hash(prev, &ev, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
    prev[RF_SHA256_LEN - 1] = 0;
    prev[0] = 0x80;
    rf_audit_chain_hash(prev, &ev, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}

Test(audit, moving_text_between_neighbouring_fields_changes_the_hash)
{
    struct rf_audit_event x = first_event(), y = first_event();
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    x.old_state = "PENDING_";
    x.new_state = "APPROVAL";
    y.old_state = "PENDING";
    y.new_state = "_APPROVAL";
    rf_audit_chain_hash(rf_audit_genesis, &x, a);
    rf_audit_chain_hash(rf_audit_genesis, &y, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}

Test(audit, link_of_a_new_case_chains_from_the_genesis)
{
    struct rf_ctx ctx = {.now_us = 1795341600123456LL,
                         .actor = {"alice@example.com", RF_ROLE_AGENT},
                         .method = "OpenCase",
                         .request_id = "req-1"};
    struct rf_audit_event ev = first_event();
    struct rf_audit_link link;
    uint8_t want[RF_SHA256_LEN];

    rf_audit_link_next(&ctx, ev.case_id, 0, NULL, "", "OPEN", &link);
    rf_audit_chain_hash(rf_audit_genesis, &ev, want);
    cr_assert_eq(link.seq, 1);
    cr_assert_arr_eq(link.prev, rf_audit_genesis, RF_SHA256_LEN);
    cr_assert_arr_eq(link.hash, want, RF_SHA256_LEN, "%s", hex(link.hash));
    cr_assert_str_eq(link.old_state, "");
    cr_assert_str_eq(link.new_state, "OPEN");
}

Test(audit, link_of_a_later_event_chains_from_the_head_with_the_next_number)
{
    struct rf_ctx ctx = {.now_us = 1795341700000000LL,
                         .actor = {"carol", RF_ROLE_APPROVER},
                         .method = "DecideCase",
                         .request_id = "req-9"};
    uint8_t head[RF_SHA256_LEN], want[RF_SHA256_LEN];
    struct rf_audit_event ev = {
        .case_id = "0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        .seq = 4,
        .occurred_us = ctx.now_us,
        .actor = "carol",
        .actor_role = "approver",
        .method = "DecideCase",
        .old_state = "PENDING_APPROVAL",
        .new_state = "APPROVED",
        .request_id = "req-9",
    };
    struct rf_audit_link link;

    memset(head, 0xab, sizeof head);
    rf_audit_link_next(&ctx, ev.case_id, 3, head, "PENDING_APPROVAL", "APPROVED", &link);
    rf_audit_chain_hash(head, &ev, want);
    cr_assert_eq(link.seq, 4);
    cr_assert_arr_eq(link.prev, head, RF_SHA256_LEN);
    cr_assert_arr_eq(link.hash, want, RF_SHA256_LEN);
    /* A worker with no request id chains as an empty one, and its role counts. */
    ctx.request_id = NULL;
    ctx.actor.role = RF_ROLE_SERVICE;
    rf_audit_link_next(&ctx, ev.case_id, 3, head, "PENDING_APPROVAL", "APPROVED", &link);
    ev.request_id = "";
    ev.actor_role = "service";
    rf_audit_chain_hash(head, &ev, want);
    cr_assert_arr_eq(link.hash, want, RF_SHA256_LEN);
}
