/*
 * The VerifyAuditChain request (see audit_request.h). Token layout before
 * base64url: version byte 1, phase byte, 8-byte range fingerprint, 8-byte
 * after_us, 36 bytes of after_id text (zeros for none), 8-byte
 * after_checkpoint, then the five totals, 8 bytes each; integers big-endian.
 */
#include <stdio.h>
#include <string.h>

#include "audit_request.h"
#include "field_check.h"
#include "page_token.h"
#include "refunds/encode.h"
#include "refunds/names.h"
#include "refunds/pb.h"

#define TOKEN_VERSION 1
#define TOKEN_INTS    5
#define TOKEN_BYTES   (2 + RF_PAGE_FINGERPRINT_LEN + 8 + RF_UUID_TEXT_LEN + 8 + 8 * TOKEN_INTS)

void rf_validate_verify_audit_chain(const Refunds__V1__VerifyAuditChainRequest *in, int64_t now_us,
                                    struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];
    int64_t start = 0, end = 0;
    bool start_ok = in->start_time != NULL && rf_pb_timestamp_us(in->start_time, &start);
    bool end_ok = in->end_time != NULL && rf_pb_timestamp_us(in->end_time, &end);

    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    if (in->start_time != NULL && !start_ok)
        rf_violation_add(err, "start_time", "must be a valid Timestamp (years 1 to 9999)");
    if (in->end_time != NULL && !end_ok)
        rf_violation_add(err, "end_time", "must be a valid Timestamp (years 1 to 9999)");
    if (start_ok && end_ok && end <= start)
        rf_violation_add(err, "end_time", "must be after start_time");
    if (in->case_[0] == '\0')
        return;
    if (!rf_name_parse(in->case_, "cases", id))
        rf_violation_add(err, "case", "must be cases/{id} with the id OpenCase returned");
    if (in->start_time != NULL || in->end_time != NULL)
        rf_violation_add(err, "case",
                         "give either a case or a time range (start_time, end_time), not both");
    if (in->page_token[0] != '\0')
        rf_violation_add(err, "page_token", "is only for a time range: one case is one page");
}

void rf_audit_request_range(const Refunds__V1__VerifyAuditChainRequest *in,
                            struct rf_audit_range *out)
{
    memset(out, 0, sizeof *out);
    out->has_start = in->start_time != NULL && rf_pb_timestamp_us(in->start_time, &out->start_us);
    out->has_end = in->end_time != NULL && rf_pb_timestamp_us(in->end_time, &out->end_us);
}

static void fingerprint(const struct rf_audit_range *range, uint8_t out[RF_PAGE_FINGERPRINT_LEN])
{
    char start[32] = "", end[32] = "";
    const char *parts[] = {"VerifyAuditChain", start, end};

    if (range->has_start)
        snprintf(start, sizeof start, "%lld", (long long)range->start_us);
    if (range->has_end)
        snprintf(end, sizeof end, "%lld", (long long)range->end_us);
    rf_page_fingerprint(parts, 3, out);
}

static uint8_t *put_int(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    return p + 8;
}

static const uint8_t *get_int(const uint8_t *p, int64_t *v)
{
    uint64_t u = 0;

    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    *v = (int64_t)u;
    return p + 8;
}

char *rf_audit_token_encode(struct rf_arena *a, const struct rf_audit_range *range,
                            const struct rf_audit_cursor *cursor)
{
    const struct rf_audit_totals *t = &cursor->totals;
    uint8_t b[TOKEN_BYTES], *p = b;
    char *out = rf_arena_alloc(a, rf_base64url_len(sizeof b) + 1);

    *p++ = TOKEN_VERSION;
    *p++ = (uint8_t)cursor->phase;
    fingerprint(range, p);
    p = put_int(p + RF_PAGE_FINGERPRINT_LEN, cursor->after_us);
    memset(p, 0, RF_UUID_TEXT_LEN);
    memcpy(p, cursor->after_id, strnlen(cursor->after_id, RF_UUID_TEXT_LEN));
    p = put_int(p + RF_UUID_TEXT_LEN, cursor->after_checkpoint);
    p = put_int(p, t->cases);
    p = put_int(p, t->events);
    p = put_int(p, t->checkpoints);
    p = put_int(p, t->heads);
    put_int(p, t->faults);
    rf_base64url_encode(b, sizeof b, out);
    return out;
}

bool rf_audit_token_decode(const char *token, const struct rf_audit_range *range,
                           struct rf_audit_cursor *cursor)
{
    uint8_t b[TOKEN_BYTES + 1], want[RF_PAGE_FINGERPRINT_LEN];
    static const uint8_t no_id[RF_UUID_TEXT_LEN];
    struct rf_audit_totals *t = &cursor->totals;
    const uint8_t *p = b + 2 + RF_PAGE_FINGERPRINT_LEN;
    int64_t checkpoint;
    size_t n;

    memset(cursor, 0, sizeof *cursor);
    if (token[0] == '\0')
        return true;
    fingerprint(range, want);
    if (!rf_base64url_decode(token, b, sizeof b, &n) || n != TOKEN_BYTES || b[0] != TOKEN_VERSION ||
        b[1] > RF_AUDIT_PHASE_CHECKPOINTS || memcmp(b + 2, want, sizeof want) != 0)
        return false;
    cursor->phase = (enum rf_audit_phase)b[1];
    p = get_int(p, &cursor->after_us);
    if (memcmp(p, no_id, RF_UUID_TEXT_LEN) != 0) {
        memcpy(cursor->after_id, p, RF_UUID_TEXT_LEN);
        cursor->after_id[RF_UUID_TEXT_LEN] = '\0';
        if (!rf_uuid_valid(cursor->after_id))
            return false;
    }
    p = get_int(p + RF_UUID_TEXT_LEN, &checkpoint);
    cursor->after_checkpoint = (long long)checkpoint;
    p = get_int(p, &t->cases);
    p = get_int(p, &t->events);
    p = get_int(p, &t->checkpoints);
    p = get_int(p, &t->heads);
    get_int(p, &t->faults);
    return checkpoint >= 0 && t->cases >= 0 && t->events >= 0 && t->checkpoints >= 0 &&
           t->heads >= 0 && t->faults >= 0;
}
