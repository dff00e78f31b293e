/*
 * The pure verifier of a case's audit chain (see audit_verify.h). Every
 * event is checked against the stored hash of the one before it, so a fault
 * is found where it is, not at the end; the search for another event with a
 * matching hash (what tells a reordering from a modification) runs at most
 * once, at the first fault, which keeps the whole verification linear.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_verify.h"

static enum rf_audit_fault found(struct rf_audit_finding *out, enum rf_audit_fault fault, int seq,
                                 int other_seq, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static enum rf_audit_fault found(struct rf_audit_finding *out, enum rf_audit_fault fault, int seq,
                                 int other_seq, const char *fmt, ...)
{
    va_list ap;

    out->fault = fault;
    out->seq = seq;
    out->other_seq = other_seq;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return fault;
}

/* The seq of a stored event other than rows[self] whose stored hash is h; 0 when none. */
static int other_with_hash(const struct rf_audit_row *rows, size_t n, size_t self,
                           const uint8_t h[RF_SHA256_LEN])
{
    for (size_t i = 0; i < n; i++) {
        if (i != self && memcmp(rows[i].hash, h, RF_SHA256_LEN) == 0)
            return rows[i].ev.seq;
    }
    return 0;
}

/* Event rows[i] does not chain from the stored hash before it: how so. */
static void broken_link(const struct rf_audit_row *rows, size_t n, size_t i,
                        struct rf_audit_finding *out)
{
    const struct rf_audit_row *r = &rows[i];
    int other = other_with_hash(rows, n, i, r->prev_hash);
    uint8_t self[RF_SHA256_LEN];

    if (other != 0) {
        found(out, RF_AUDIT_REORDERED, r->ev.seq, other,
              "event %d chains from event %d, not from the event before it: events were "
              "reordered",
              r->ev.seq, other);
        return;
    }
    /* Intact itself, so what it chained from was replaced: the event before it was rewritten. */
    rf_audit_chain_hash(r->prev_hash, &r->ev, self);
    if (i > 0 && memcmp(self, r->hash, RF_SHA256_LEN) == 0)
        found(out, RF_AUDIT_MODIFIED, rows[i - 1].ev.seq, 0,
              "event %d was rewritten: event %d chains from another event %d", rows[i - 1].ev.seq,
              r->ev.seq, rows[i - 1].ev.seq);
    else
        found(out, RF_AUDIT_MODIFIED, r->ev.seq, 0,
              "event %d does not chain from the event before it: it was changed", r->ev.seq);
}

void rf_audit_verify_chain(const struct rf_audit_row *rows, size_t n, int head_seq,
                           const uint8_t head[RF_SHA256_LEN], struct rf_audit_finding *out)
{
    const uint8_t *prev = rf_audit_genesis;
    int expect = 1;

    found(out, RF_AUDIT_OK, 0, 0, "the chain verifies");
    for (size_t i = 0; i < n; i++, expect++) {
        const struct rf_audit_row *r = &rows[i];
        uint8_t computed[RF_SHA256_LEN];
        int other;

        if (r->ev.seq > expect) {
            if (r->ev.seq == expect + 1)
                found(out, RF_AUDIT_REMOVED, expect, 0, "event %d is missing", expect);
            else
                found(out, RF_AUDIT_REMOVED, expect, 0, "events %d to %d are missing", expect,
                      r->ev.seq - 1);
            return;
        }
        if (r->ev.seq < expect) {
            found(out, RF_AUDIT_REORDERED, r->ev.seq, 0,
                  "event %d is stored out of order, after event %d", r->ev.seq, expect - 1);
            return;
        }
        if (memcmp(r->prev_hash, prev, RF_SHA256_LEN) != 0) {
            broken_link(rows, n, i, out);
            return;
        }
        rf_audit_chain_hash(prev, &r->ev, computed);
        if (memcmp(computed, r->hash, RF_SHA256_LEN) != 0) {
            other = other_with_hash(rows, n, i, computed);
            if (other != 0)
                found(out, RF_AUDIT_REORDERED, r->ev.seq, other,
                      "event %d hashes to the hash stored for event %d: hashes were swapped",
                      r->ev.seq, other);
            else
                found(out, RF_AUDIT_MODIFIED, r->ev.seq, 0,
                      "event %d does not hash to its stored hash: it was changed", r->ev.seq);
            return;
        }
        prev = r->hash;
    }
    /* expect is now one past the last event (1 for a case without events). */
    if (head_seq >= expect) {
        if (expect == 1)
            found(out, RF_AUDIT_REMOVED, 1, 0,
                  "the case's head is event %d but none of its events is stored", head_seq);
        else
            found(out, RF_AUDIT_REMOVED, expect, 0,
                  "the case's head is event %d but its chain ends at event %d: events at the "
                  "end were removed",
                  head_seq, expect - 1);
    } else if (head_seq < expect - 1) {
        found(out, RF_AUDIT_MODIFIED, head_seq + 1, 0,
              "event %d is past the case's head (event %d): the head was moved back or events "
              "were added",
              head_seq + 1, head_seq);
    } else if (head_seq > 0 && memcmp(head, prev, RF_SHA256_LEN) != 0) {
        found(out, RF_AUDIT_MODIFIED, head_seq, 0,
              "the case's head does not match its last event, event %d", head_seq);
    }
}

enum rf_audit_fault rf_audit_verify_head(bool case_exists, const uint8_t *stored,
                                         const uint8_t recorded[RF_SHA256_LEN])
{
    if (!case_exists)
        return RF_AUDIT_REMOVED_CASE;
    if (stored == NULL)
        return RF_AUDIT_REMOVED;
    return memcmp(stored, recorded, RF_SHA256_LEN) == 0 ? RF_AUDIT_OK : RF_AUDIT_MODIFIED;
}
