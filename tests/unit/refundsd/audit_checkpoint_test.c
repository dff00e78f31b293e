/*
 * Unit tests of audit checkpoints (services/refundsd/audit_checkpoint.c): a
 * known-answer vector computed outside C from docs/audit.md's definition, a
 * sealed checkpoint that verifies, and one table of ways to tamper with a
 * checkpoint (its heads, its fields, its link, its signature, a missing
 * predecessor), each with the fault it must give.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "audit_checkpoint.h"
#include "refunds/encode.h"

static uint8_t key[RF_KEY_LEN];
static struct rf_audit_head heads[2];
static struct rf_audit_checkpoint ck;
static uint8_t pred[RF_SHA256_LEN];

static void setup(void)
{
    memset(key, 0x44, sizeof key);
    heads[0] = (struct rf_audit_head){.case_id = "0190f5c2-3a4b-7c8d-9e0f-123456789abc", .seq = 3};
    heads[1] = (struct rf_audit_head){.case_id = "0190f5c2-3a4b-7c8d-9e0f-123456789abd", .seq = 1};
    memset(heads[0].hash, 0x11, RF_SHA256_LEN);
    memset(heads[1].hash, 0x22, RF_SHA256_LEN);
    memset(&ck, 0, sizeof ck);
    ck.id = 7;
    ck.taken_us = 1795341600123456LL;
    memset(pred, 0x33, sizeof pred);
    memcpy(ck.prev_hash, pred, RF_SHA256_LEN);
    rf_audit_checkpoint_seal(key, &ck, heads, 2);
}

TestSuite(audit_checkpoint, .init = setup);

static const char *hex(const uint8_t d[RF_SHA256_LEN])
{
    static char out[4][2 * RF_SHA256_LEN + 1];
    static int next;
    char *o = out[next++ % 4];

    rf_hex_encode(d, RF_SHA256_LEN, o);
    return o;
}

/*
 * Computed with Python's hashlib and hmac (docs/audit.md's definition):
 *
 *   def ns(b): return str(len(b)).encode() + b":" + b + b","
 *   h = hashlib.sha256(ns(b"refunds.audit.heads.v1"))
 *   for c, s, x in [(b"0190f5c2-3a4b-7c8d-9e0f-123456789abc", b"3", b"\x11" * 32),
 *                   (b"0190f5c2-3a4b-7c8d-9e0f-123456789abd", b"1", b"\x22" * 32)]:
 *       h.update(ns(c) + ns(s) + ns(x))
 *   heads = h.digest()
 *   k = hashlib.sha256()
 *   for f in [b"refunds.audit.checkpoint.v1", b"7", b"1795341600123456", b"2",
 *             b"\x33" * 32, heads]:
 *       k.update(ns(f))
 *   sig = hmac.new(b"\x44" * 32, k.digest(), hashlib.sha256).digest()
 */
Test(audit_checkpoint, seal_matches_an_independent_computation)
{
    cr_assert_eq(ck.n_heads, 2);
    cr_assert_str_eq(hex(ck.heads_hash),
                     "67c609899626351c805e73b8690b64ddbdc2cee264ff83d20eab9ef6c5859c7c");
    cr_assert_str_eq(hex(ck.hash),
                     "530f21857da779b8c792f202b402aa5e689967ac13e0b7dde8d426ade9d4875d");
    cr_assert_str_eq(hex(ck.signature),
                     "ef053d98d3eb7653c8f44749bd8d3498d284ee0ac1f1a3f18d97073d7f9aba25");
}

Test(audit_checkpoint, a_sealed_checkpoint_verifies)
{
    char why[200];

    cr_assert_eq(rf_audit_checkpoint_check(key, &ck, pred, heads, 2, why, sizeof why), RF_AUDIT_OK,
                 "%s", why);
}

Test(audit_checkpoint, the_first_checkpoint_chains_from_zeros_and_needs_no_predecessor)
{
    char why[200];

    ck.id = 1;
    memset(ck.prev_hash, 0, RF_SHA256_LEN);
    rf_audit_checkpoint_seal(key, &ck, heads, 2);
    cr_assert_eq(rf_audit_checkpoint_check(key, &ck, NULL, heads, 2, why, sizeof why), RF_AUDIT_OK,
                 "%s", why);
    ck.prev_hash[3] = 1;
    rf_audit_checkpoint_seal(key, &ck, heads, 2);
    cr_assert_eq(rf_audit_checkpoint_check(key, &ck, NULL, heads, 2, why, sizeof why),
                 RF_AUDIT_MODIFIED);
    cr_assert(strstr(why, "genesis") != NULL, "%s", why);
}

Test(audit_checkpoint, no_heads_hash_alike_in_another_order_or_framing)
{
    struct rf_audit_head swapped[2] = {heads[1], heads[0]};
    uint8_t a[RF_SHA256_LEN], b[RF_SHA256_LEN];

    rf_audit_checkpoint_heads_hash(heads, 2, a);
    rf_audit_checkpoint_heads_hash(swapped, 2, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
    rf_audit_checkpoint_heads_hash(heads, 1, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
    rf_audit_checkpoint_heads_hash(NULL, 0, b);
    cr_assert_arr_neq(a, b, RF_SHA256_LEN);
}

static struct rf_audit_head stored[2];
static const uint8_t *stored_pred;
static size_t n_stored;

static void head_seq_changed(void)
{
    stored[0].seq = 2;
}
static void head_hash_changed(void)
{
    stored[1].hash[0] ^= 1;
}
static void head_removed(void)
{
    n_stored = 1;
}
static void head_removed_and_count_changed(void)
{
    n_stored = 1;
    ck.n_heads = 1;
}
static void head_replaced_and_resealed_without_the_key(void)
{
    uint8_t wrong[RF_KEY_LEN];

    memset(wrong, 0x55, sizeof wrong);
    stored[0].seq = 2;
    rf_audit_checkpoint_seal(wrong, &ck, stored, 2);
}
static void time_changed(void)
{
    ck.taken_us += 1;
}
static void stored_hash_changed(void)
{
    ck.hash[9] ^= 1;
}
static void signature_changed(void)
{
    ck.signature[0] ^= 1;
}
static void predecessor_changed(void)
{
    static uint8_t other[RF_SHA256_LEN];

    memset(other, 0x34, sizeof other);
    stored_pred = other;
}
static void predecessor_removed(void)
{
    stored_pred = NULL;
}

static const struct {
    const char *what;
    void (*tamper)(void);
    enum rf_audit_fault fault;
    const char *says;
} tamperings[] = {
    {"a head's seq changed", head_seq_changed, RF_AUDIT_MODIFIED, "not the ones it recorded"},
    {"a head's hash changed", head_hash_changed, RF_AUDIT_MODIFIED, "not the ones it recorded"},
    {"a head removed", head_removed, RF_AUDIT_MODIFIED, "recorded 2 heads but 1 are stored"},
    {"a head removed and the count changed", head_removed_and_count_changed, RF_AUDIT_MODIFIED,
     "not the ones it recorded"},
    {"a head replaced and resealed without the key", head_replaced_and_resealed_without_the_key,
     RF_AUDIT_BAD_SIGNATURE, "forged"},
    {"its time changed", time_changed, RF_AUDIT_MODIFIED, "does not hash"},
    {"its stored hash changed", stored_hash_changed, RF_AUDIT_MODIFIED, "does not hash"},
    {"its signature changed", signature_changed, RF_AUDIT_BAD_SIGNATURE, "signature"},
    {"its predecessor changed", predecessor_changed, RF_AUDIT_MODIFIED,
     "does not chain from checkpoint 6"},
    {"its predecessor removed", predecessor_removed, RF_AUDIT_REMOVED, "checkpoint 6 is missing"},
};

Test(audit_checkpoint, each_kind_of_tampering_gives_its_fault)
{
    for (size_t i = 0; i < sizeof tamperings / sizeof tamperings[0]; i++) {
        char why[200];
        enum rf_audit_fault got;

        setup();
        memcpy(stored, heads, sizeof stored);
        stored_pred = pred;
        n_stored = 2;
        tamperings[i].tamper();
        got = rf_audit_checkpoint_check(key, &ck, stored_pred, stored, n_stored, why, sizeof why);
        cr_expect_eq(got, tamperings[i].fault, "%s: fault %d, want %d (%s)", tamperings[i].what,
                     got, tamperings[i].fault, why);
        cr_expect(strstr(why, tamperings[i].says) != NULL, "%s: \"%s\" lacks \"%s\"",
                  tamperings[i].what, why, tamperings[i].says);
    }
}

Test(audit_checkpoint, another_key_does_not_verify)
{
    uint8_t other[RF_KEY_LEN];
    char why[200];

    memcpy(other, key, sizeof other);
    other[31] ^= 1;
    cr_assert_eq(rf_audit_checkpoint_check(other, &ck, pred, heads, 2, why, sizeof why),
                 RF_AUDIT_BAD_SIGNATURE);
}
