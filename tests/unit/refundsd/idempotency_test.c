/*
 * Unit tests of the request fingerprint of idempotency keys
 * (services/refundsd/idempotency.c): equal inputs give equal fingerprints,
 * any difference in subject, method or request bytes gives another, and the
 * format is pinned by a vector computed outside C (stored fingerprints must
 * stay comparable across releases). The claim itself needs PostgreSQL.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "idempotency.h"
#include "refunds/encode.h"

#define METHOD "/refunds.v1.RefundCases/OpenCase"

static const uint8_t request[] = {0x0a, 0x05, 'r', 'e', 'q', '-', '1', 0x00, 0xff};

static void fp(const char *subject, const char *method, const uint8_t *req, size_t len,
               uint8_t out[RF_SHA256_LEN])
{
    rf_idempotency_fingerprint(subject, method, req, len, out);
}

Test(idempotency, equal_inputs_give_equal_fingerprints)
{
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];
    uint8_t copy[sizeof request];

    memcpy(copy, request, sizeof copy);
    fp("alice", METHOD, request, sizeof request, a);
    fp("alice", METHOD, copy, sizeof copy, b);
    cr_assert_arr_eq(a, b, RF_SHA256_LEN);
}

/*
 * Computed independently with Python's hashlib:
 *
 *   import hashlib
 *   def ns(b): return str(len(b)).encode() + b":" + b + b","
 *   h = hashlib.sha256()
 *   for x in [b"refunds.idempotency.v1", b"alice", b"/refunds.v1.RefundCases/OpenCase",
 *             b"\x0a\x05req-1\x00\xff"]:
 *       h.update(ns(x))
 *   print(h.hexdigest())
 */
Test(idempotency, fingerprint_matches_an_independent_computation)
{
    uint8_t d[RF_SHA256_LEN];
    char hex[2 * RF_SHA256_LEN + 1];

    fp("alice", METHOD, request, sizeof request, d);
    rf_hex_encode(d, RF_SHA256_LEN, hex);
    cr_assert_str_eq(hex, "becf43feaec93ebf7b457624a057aeb91eb8cedae3718046b9de7978a948b742");
}

Test(idempotency, fingerprint_differs_by_subject)
{
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    fp("alice", METHOD, request, sizeof request, a);
    fp("bob", METHOD, request, sizeof request, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
    fp("alice2", METHOD, request, sizeof request, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}

Test(idempotency, fingerprint_differs_by_method)
{
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    fp("alice", METHOD, request, sizeof request, a);
    fp("alice", "/refunds.v1.RefundCases/WithdrawCase", request, sizeof request, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}

Test(idempotency, fingerprint_differs_by_any_request_byte)
{
    uint8_t a[RF_SHA256_LEN];

    fp("alice", METHOD, request, sizeof request, a);
    for (size_t i = 0; i < sizeof request; i++) {
        uint8_t changed[sizeof request], b[RF_SHA256_LEN];

        memcpy(changed, request, sizeof changed);
        changed[i] ^= 0x01;
        fp("alice", METHOD, changed, sizeof changed, b);
        cr_assert_arr_neq(a, b, RF_SHA256_LEN, "byte %zu", i);
    }
}

Test(idempotency, fingerprint_differs_by_request_length)
{
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN], c[RF_SHA256_LEN];

    /* The last byte is 0xff and the one before it 0x00: both must count. */
    fp("alice", METHOD, request, sizeof request, a);
    fp("alice", METHOD, request, sizeof request - 1, b);
    fp("alice", METHOD, request, sizeof request - 2, c);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
    cr_assert_arr_neq(b, c, RF_SHA256_LEN);
    fp("alice", METHOD, request, 0, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}

Test(idempotency, text_moved_between_subject_and_method_changes_the_fingerprint)
{
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    fp("alice", "/x", request, sizeof request, a);
    fp("alice/", "x", request, sizeof request, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}
