/*
 * Unit tests of the audit chain's verifier (services/refundsd/audit_verify.c):
 * one table of ways to tamper with a valid five-event chain (change a field,
 * a link or a hash, remove events from the start, middle or end, swap hashes
 * or whole events, move the head), each with the fault and the event the
 * verifier must name; what the chain alone cannot see (a chain cut short with
 * its head moved back, a chain rewritten from some event on) is in the table
 * too, as a reminder of what checkpoints are for. Then the judgement of a
 * checkpoint's recorded head, and the fault values against the proto enum.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "audit_verify.h"
#include "refunds/pb.h"
#include "refunds/v1/reconciliation.pb-c.h"

#define N_EVENTS 5
#define CASE_ID  "0190f5c2-3a4b-7c8d-9e0f-123456789abc"

struct chain {
    struct rf_audit_row rows[N_EVENTS];
    size_t n;
    int head_seq;
    uint8_t head[RF_SHA256_LEN];
};

static const char *const methods[N_EVENTS] = {"OpenCase", "AddInteraction", "EscalateCase",
                                              "DecideCase", "RecordRefundIssued"};
static const char *const states[N_EVENTS + 1] = {
    "", "OPEN", "OPEN", "PENDING_APPROVAL", "APPROVED", "REFUND_IN_PROGRESS"};

/* Recomputes every hash and link from rows[from] on, and the head, as an honest writer would. */
static void rehash(struct chain *c, size_t from)
{
    for (size_t i = from; i < c->n; i++) {
        const uint8_t *prev = i == 0 ? rf_audit_genesis : c->rows[i - 1].hash;

        memcpy(c->rows[i].prev_hash, prev, RF_SHA256_LEN);
        rf_audit_chain_hash(prev, &c->rows[i].ev, c->rows[i].hash);
    }
    c->head_seq = c->n > 0 ? c->rows[c->n - 1].ev.seq : 0;
    memcpy(c->head, c->n > 0 ? c->rows[c->n - 1].hash : rf_audit_genesis, RF_SHA256_LEN);
}

static void valid_chain(struct chain *c)
{
    memset(c, 0, sizeof *c);
    c->n = N_EVENTS;
    for (int i = 0; i < N_EVENTS; i++) {
        c->rows[i].ev = (struct rf_audit_event){
            .case_id = CASE_ID,
            .seq = i + 1,
            .occurred_us = 1795341600000000LL + i * 1000000LL,
            .actor = i == 3 ? "carol" : "alice",
            .actor_role = i == 3 ? "approver" : "agent",
            .method = methods[i],
            .old_state = states[i],
            .new_state = states[i + 1],
            .request_id = "req",
        };
    }
    rehash(c, 0);
}

/* Removes rows[i], closing the gap in the array (not in the numbers). */
static void remove_row(struct chain *c, size_t i)
{
    memmove(&c->rows[i], &c->rows[i + 1], (c->n - i - 1) * sizeof c->rows[0]);
    c->n--;
}

static void swap_bytes(uint8_t *a, uint8_t *b)
{
    uint8_t t[RF_SHA256_LEN];

    memcpy(t, a, RF_SHA256_LEN);
    memcpy(a, b, RF_SHA256_LEN);
    memcpy(b, t, RF_SHA256_LEN);
}

static void intact(struct chain *c)
{
    (void)c;
}
static void actor_of_3_changed(struct chain *c)
{
    c->rows[2].ev.actor = "mallory";
}
static void time_of_1_changed(struct chain *c)
{
    c->rows[0].ev.occurred_us += 1;
}
static void state_of_5_changed(struct chain *c)
{
    c->rows[4].ev.new_state = "CLOSED";
}
static void event_3_removed(struct chain *c)
{
    remove_row(c, 2);
}
static void events_2_and_3_removed(struct chain *c)
{
    remove_row(c, 1);
    remove_row(c, 1);
}
static void event_1_removed(struct chain *c)
{
    remove_row(c, 0);
}
static void last_event_removed(struct chain *c)
{
    remove_row(c, N_EVENTS - 1);
}
static void last_event_removed_and_head_moved_back(struct chain *c)
{
    remove_row(c, N_EVENTS - 1);
    c->head_seq = N_EVENTS - 1;
    memcpy(c->head, c->rows[N_EVENTS - 2].hash, RF_SHA256_LEN);
}
static void hashes_of_2_and_3_swapped(struct chain *c)
{
    swap_bytes(c->rows[1].hash, c->rows[2].hash);
}
static void events_2_and_3_swapped(struct chain *c)
{
    struct rf_audit_row t = c->rows[1];

    c->rows[1] = c->rows[2];
    c->rows[2] = t;
    c->rows[1].ev.seq = 2;
    c->rows[2].ev.seq = 3;
}
static void event_3_removed_and_the_rest_renumbered(struct chain *c)
{
    remove_row(c, 2);
    c->rows[2].ev.seq = 3;
    c->rows[3].ev.seq = 4;
    c->head_seq = 4;
    memcpy(c->head, c->rows[3].hash, RF_SHA256_LEN);
}
static void link_of_1_changed(struct chain *c)
{
    c->rows[0].prev_hash[7] ^= 1;
}
static void link_of_4_changed(struct chain *c)
{
    c->rows[3].prev_hash[0] ^= 0x80;
}
static void hash_of_5_changed(struct chain *c)
{
    c->rows[4].hash[31] ^= 1;
}
static void event_3_rewritten_with_its_hash(struct chain *c)
{
    c->rows[2].ev.actor = "mallory";
    rf_audit_chain_hash(c->rows[1].hash, &c->rows[2].ev, c->rows[2].hash);
}
static void chain_rewritten_from_event_3(struct chain *c)
{
    c->rows[2].ev.actor = "mallory";
    rehash(c, 2);
}
static void head_hash_changed(struct chain *c)
{
    c->head[0] ^= 1;
}
static void head_moved_back(struct chain *c)
{
    c->head_seq = 4;
    memcpy(c->head, c->rows[3].hash, RF_SHA256_LEN);
}
static void head_past_the_last_event(struct chain *c)
{
    c->head_seq = 6;
}
static void every_event_removed(struct chain *c)
{
    c->n = 0;
}
static void no_events_and_no_head(struct chain *c)
{
    c->n = 0;
    c->head_seq = 0;
    memset(c->head, 0, RF_SHA256_LEN);
}

static const struct {
    const char *what;
    void (*tamper)(struct chain *);
    enum rf_audit_fault fault;
    int seq, other_seq;
    const char *says; /* a fragment of the message */
} cases[] = {
    {"intact", intact, RF_AUDIT_OK, 0, 0, "verifies"},
    {"actor of 3 changed", actor_of_3_changed, RF_AUDIT_MODIFIED, 3, 0, "was changed"},
    {"time of 1 changed", time_of_1_changed, RF_AUDIT_MODIFIED, 1, 0, "event 1"},
    {"state of 5 changed", state_of_5_changed, RF_AUDIT_MODIFIED, 5, 0, "event 5"},
    {"event 3 removed", event_3_removed, RF_AUDIT_REMOVED, 3, 0, "event 3 is missing"},
    {"events 2 and 3 removed", events_2_and_3_removed, RF_AUDIT_REMOVED, 2, 0,
     "events 2 to 3 are missing"},
    {"event 1 removed", event_1_removed, RF_AUDIT_REMOVED, 1, 0, "event 1 is missing"},
    {"last event removed", last_event_removed, RF_AUDIT_REMOVED, 5, 0, "ends at event 4"},
    {"last event removed and head moved back", last_event_removed_and_head_moved_back, RF_AUDIT_OK,
     0, 0, "verifies"},
    {"hashes of 2 and 3 swapped", hashes_of_2_and_3_swapped, RF_AUDIT_REORDERED, 2, 3,
     "hash stored for event 3"},
    {"events 2 and 3 swapped", events_2_and_3_swapped, RF_AUDIT_REORDERED, 2, 3,
     "chains from event 3"},
    {"event 3 removed and the rest renumbered", event_3_removed_and_the_rest_renumbered,
     RF_AUDIT_MODIFIED, 3, 0, "event 3"},
    {"link of 1 changed", link_of_1_changed, RF_AUDIT_MODIFIED, 1, 0, "does not chain"},
    {"link of 4 changed", link_of_4_changed, RF_AUDIT_MODIFIED, 4, 0, "does not chain"},
    {"hash of 5 changed", hash_of_5_changed, RF_AUDIT_MODIFIED, 5, 0, "its stored hash"},
    {"event 3 rewritten with its hash", event_3_rewritten_with_its_hash, RF_AUDIT_MODIFIED, 3, 0,
     "event 3 was rewritten"},
    {"chain rewritten from event 3", chain_rewritten_from_event_3, RF_AUDIT_OK, 0, 0, "verifies"},
    {"head hash changed", head_hash_changed, RF_AUDIT_MODIFIED, 5, 0, "head does not match"},
    {"head moved back", head_moved_back, RF_AUDIT_MODIFIED, 5, 0, "past the case's head"},
    {"head past the last event", head_past_the_last_event, RF_AUDIT_REMOVED, 6, 0,
     "events at the end were removed"},
    {"every event removed", every_event_removed, RF_AUDIT_REMOVED, 1, 0, "none of its events"},
    {"no events and no head", no_events_and_no_head, RF_AUDIT_OK, 0, 0, "verifies"},
};

Test(audit_verify, each_kind_of_tampering_is_named_with_its_event)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct chain c;
        struct rf_audit_finding f;

        valid_chain(&c);
        cases[i].tamper(&c);
        rf_audit_verify_chain(c.rows, c.n, c.head_seq, c.head, &f);
        cr_expect_eq(f.fault, cases[i].fault, "%s: fault %d, want %d (%s)", cases[i].what, f.fault,
                     cases[i].fault, f.message);
        cr_expect_eq(f.seq, cases[i].seq, "%s: seq %d, want %d (%s)", cases[i].what, f.seq,
                     cases[i].seq, f.message);
        cr_expect_eq(f.other_seq, cases[i].other_seq, "%s: other seq %d", cases[i].what,
                     f.other_seq);
        cr_expect(strstr(f.message, cases[i].says) != NULL, "%s: \"%s\" lacks \"%s\"",
                  cases[i].what, f.message, cases[i].says);
    }
}

Test(audit_verify, the_first_fault_is_the_one_reported)
{
    struct chain c;
    struct rf_audit_finding f;

    valid_chain(&c);
    c.rows[3].ev.actor = "mallory";
    c.rows[1].ev.method = "DecideCase";
    remove_row(&c, 4);
    rf_audit_verify_chain(c.rows, c.n, c.head_seq, c.head, &f);
    cr_assert_eq(f.fault, RF_AUDIT_MODIFIED);
    cr_assert_eq(f.seq, 2, "%s", f.message);
}

Test(audit_verify, a_long_chain_verifies_and_a_change_at_its_end_is_found)
{
    enum { LONG = 20000 };
    struct rf_audit_row *rows = calloc(LONG, sizeof *rows);
    struct rf_audit_finding f;

    cr_assert_not_null(rows);
    for (int i = 0; i < LONG; i++) {
        rows[i].ev = (struct rf_audit_event){CASE_ID,          i + 1,  i,      "alice", "agent",
                                             "AddInteraction", "OPEN", "OPEN", "r"};
        memcpy(rows[i].prev_hash, i == 0 ? rf_audit_genesis : rows[i - 1].hash, RF_SHA256_LEN);
        rf_audit_chain_hash(rows[i].prev_hash, &rows[i].ev, rows[i].hash);
    }
    rf_audit_verify_chain(rows, LONG, LONG, rows[LONG - 1].hash, &f);
    cr_assert_eq(f.fault, RF_AUDIT_OK, "%s", f.message);
    rows[LONG - 2].ev.request_id = "r2";
    rf_audit_verify_chain(rows, LONG, LONG, rows[LONG - 1].hash, &f);
    cr_assert_eq(f.fault, RF_AUDIT_MODIFIED);
    cr_assert_eq(f.seq, LONG - 1);
    free(rows);
}

Test(audit_verify, a_recorded_head_is_judged_against_the_store)
{
    uint8_t recorded[RF_SHA256_LEN], other[RF_SHA256_LEN];

    memset(recorded, 0x11, sizeof recorded);
    memcpy(other, recorded, sizeof other);
    other[5] ^= 1;
    cr_assert_eq(rf_audit_verify_head(true, recorded, recorded), RF_AUDIT_OK);
    cr_assert_eq(rf_audit_verify_head(true, other, recorded), RF_AUDIT_MODIFIED);
    cr_assert_eq(rf_audit_verify_head(true, NULL, recorded), RF_AUDIT_REMOVED);
    cr_assert_eq(rf_audit_verify_head(false, NULL, recorded), RF_AUDIT_REMOVED_CASE);
    cr_assert_eq(rf_audit_verify_head(false, recorded, recorded), RF_AUDIT_REMOVED_CASE);
}

Test(audit_verify, fault_values_are_those_of_the_proto_enum)
{
    static const struct {
        enum rf_audit_fault fault;
        const char *name;
    } names[] = {
        {RF_AUDIT_MODIFIED, "MODIFIED"},           {RF_AUDIT_REMOVED, "REMOVED"},
        {RF_AUDIT_REORDERED, "REORDERED"},         {RF_AUDIT_REMOVED_CASE, "REMOVED_CASE"},
        {RF_AUDIT_BAD_SIGNATURE, "BAD_SIGNATURE"},
    };
    const ProtobufCEnumDescriptor *d = &refunds__v1__audit_fault_kind__descriptor;

    cr_assert_eq(d->n_values, sizeof names / sizeof names[0] + 1);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *got = rf_pb_enum_short_name(d, (int)names[i].fault);

        cr_assert_not_null(got, "%s has no value %d", names[i].name, names[i].fault);
        cr_assert_str_eq(got, names[i].name);
    }
}
