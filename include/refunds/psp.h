/*
 * The payment provider's view of a refund, normalised across providers, and
 * its layout in the Redis cache that refunds-psp-load writes and the
 * reconciler reads (docs/provider-cache.md). Pure: names, keys, the checks of
 * a record and its encoding as hash fields, both ways. No I/O here: the
 * commands that write the layout (and its newer-wins rule) are the loader's
 * (workers/psp_load/writer.c); reading it is the reconciler's.
 *
 * Keys, without hash tags so that Redis Cluster spreads them:
 *   psp:<provider>:refund:<provider_refund_id>   hash, the fields below
 *   psp:<provider>:created:<yyyy-mm-dd>          sorted set of refund ids by created_at
 *                                                (Unix seconds), per UTC day
 *   psp:<provider>:snapshot                      hash: taken_at, loaded_at, records
 *
 * Times in the hash are RFC 3339 in UTC with exactly six fraction digits
 * ("2026-11-22T10:00:00.000000Z"), so that comparing two as bytes compares
 * the times; 0 (never) is stored as "".
 */
#ifndef REFUNDS_PSP_H
#define REFUNDS_PSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/arena.h"

/* Fields of the record hash, and the longest text field in bytes. */
#define RF_PSP_FIELDS     15
#define RF_PSP_TEXT_MAX   255
#define RF_PSP_SOURCE_MAX 1024
/* Bytes of a time as the hash stores it, without the NUL. */
#define RF_PSP_TIME_LEN 27
/* The longest provider name. */
#define RF_PSP_PROVIDER_MAX 32

enum rf_psp_status {
    RF_PSP_PENDING,
    RF_PSP_REQUIRES_ACTION,
    RF_PSP_SUCCEEDED,
    RF_PSP_FAILED,
    RF_PSP_CANCELED,
    RF_PSP_REVERSED,    /* bounced back after it had succeeded */
    RF_PSP_NOT_CLEARED, /* the provider could not clear it to the customer's account */
};

/* Whether the provider has a transfer reference (ARN) for the customer's bank. */
enum rf_psp_ref_status {
    RF_PSP_REF_NONE, /* "": the provider's record carries no reference information at all */
    RF_PSP_REF_PENDING,
    RF_PSP_REF_AVAILABLE,
    RF_PSP_REF_UNAVAILABLE,
};

/*
 * One provider refund. Strings are never NULL ("" when absent) and are owned
 * by whoever filled the record (an arena, in this code base).
 */
struct rf_psp_record {
    const char *provider;           /* a slug: "stripe", "adyen" */
    const char *provider_refund_id; /* the provider's id of the refund */
    enum rf_psp_status status;
    const char *pending_reason; /* why it is pending (Stripe's pending_reason) */
    const char *failure_reason; /* why it failed */
    int64_t amount_minor;       /* > 0, minor units of currency */
    char currency[4];           /* ISO 4217, upper case */
    const char *payment_ref;    /* the charge or payment the refund belongs to */
    const char *reference;      /* ARN or equivalent; may be empty */
    const char *reference_type; /* e.g. "acquirer_reference_number" */
    enum rf_psp_ref_status reference_status;
    const char *destination_type; /* e.g. "card" (Stripe destination_details.type) */
    const char *card_refund_type; /* Stripe destination_details.card.type: pending, refund, reversal
                                   */
    int64_t created_at_us;        /* when the provider created the refund */
    int64_t updated_at_us;        /* when this state was observed */
    int64_t succeeded_at_us;      /* when it was first seen succeeded; 0 if never */
    const char *source;           /* where it came from: "file:line" or "file:[index]" */
};

/* "succeeded" for RF_PSP_SUCCEEDED; "unknown" for a value out of range. */
const char *rf_psp_status_name(enum rf_psp_status s);

/* Parses a status name (exactly as rf_psp_status_name writes it); false for anything else. */
bool rf_psp_status_parse(const char *s, enum rf_psp_status *out);

/* "" for RF_PSP_REF_NONE, else "pending", "available", "unavailable". */
const char *rf_psp_ref_status_name(enum rf_psp_ref_status s);

/* Parses "", "pending", "available" or "unavailable"; false for anything else. */
bool rf_psp_ref_status_parse(const char *s, enum rf_psp_ref_status *out);

/* The record hash's key, in arena a. */
char *rf_psp_key_refund(struct rf_arena *a, const char *provider, const char *provider_refund_id);

/* The key of the day index holding created_at_us (its UTC day), in arena a. */
char *rf_psp_key_created(struct rf_arena *a, const char *provider, int64_t created_at_us);

/* The snapshot hash's key, in arena a. */
char *rf_psp_key_snapshot(struct rf_arena *a, const char *provider);

/*
 * Writes us as the hash stores times: RFC 3339, UTC, six fraction digits,
 * RF_PSP_TIME_LEN bytes and a NUL (size must be more than that). Returns the
 * length written; a time outside RF_TIME_MIN_US..RF_TIME_MAX_US gives "" and 0.
 */
int rf_psp_time_format(int64_t us, char *buf, size_t size);

/* v in decimal ("-12", "4999"), in arena a: the integers of keys and fields, without printf. */
char *rf_psp_decimal(struct rf_arena *a, int64_t v);

/*
 * Why text cannot be a text field of at most max bytes (not well-formed
 * UTF-8, a control character, too long), or NULL when it can. The reason is a
 * static string ("is longer than 255 bytes").
 */
const char *rf_psp_text_problem(const char *s, size_t max);

/*
 * Checks every field of r against the layout's rules (provider a slug, an id,
 * text fields, amount in (0, RF_MONEY_MAX_MINOR], an active currency, times
 * within years 1970 to 9999, updated_at set). On failure stores the field's
 * name (as in the hash: "amount_minor") and a static reason ("must be
 * positive") and returns false.
 */
bool rf_psp_record_check(const struct rf_psp_record *r, const char **field, const char **reason);

/* The hash's field names, in the order rf_psp_record_encode writes them. */
extern const char *const rf_psp_field_names[RF_PSP_FIELDS];

/*
 * Encodes r as hash field/value pairs: argv[2i] is rf_psp_field_names[i] and
 * argv[2i + 1] its value, argvlen their lengths (so that they go to HSET as
 * they are). Values are in arena a. Returns 2 * RF_PSP_FIELDS. Does not check
 * r (rf_psp_record_check does).
 */
size_t rf_psp_record_encode(struct rf_arena *a, const struct rf_psp_record *r,
                            const char *argv[2 * RF_PSP_FIELDS], size_t argvlen[2 * RF_PSP_FIELDS]);

/*
 * Decodes the n items of an HGETALL reply (field, value, field, value...),
 * each items[i] of lens[i] bytes, into *out, with provider and id from the
 * key. Strings are copied into arena a. Unknown fields are ignored; missing
 * text fields are "", a missing succeeded_at is 0. Refuses (false, with the
 * field's name and a static reason) a missing status, amount_minor, currency,
 * created_at or updated_at, a value that does not parse, a NUL byte, an odd
 * n, and anything rf_psp_record_check refuses.
 */
bool rf_psp_record_decode(struct rf_arena *a, const char *provider, const char *id, size_t n,
                          const char *const *items, const size_t *lens, struct rf_psp_record *out,
                          const char **field, const char **reason);

/*
 * A transfer reference's kind as banks and customers name it: providers spell it
 * out ("acquirer_reference_number" -> "ARN", "retrieval_reference_number" ->
 * "RRN", "system_trace_audit_number" -> "STAN"); any other kind as it is, "" as
 * "reference". Never NULL.
 */
const char *rf_psp_reference_type_short(const char *type);

#endif
