/*
 * The Stripe mapper (see stripe.h). Field by field from Stripe's refund
 * object: id, status, pending_reason, failure_reason, amount, currency (lower
 * case at Stripe), charge and payment_intent (ids, or expanded objects with
 * an id), created, and destination_details: its type, and the reference,
 * reference_status and reference_type of the sub-object named by that type
 * (destination_details.card for cards, whose type says pending, refund or
 * reversal; a reversal carries no reference at all). Members may be absent as
 * well as null; members not named here are ignored.
 */
#include <ctype.h>
#include <string.h>

#include "refunds/money.h"
#include "refunds/timeutil.h"
#include "stripe.h"

/* Where errors are reported: the path prefix of the refund object's members. */
struct walk {
    struct rf_arena *a;
    struct rf_error *err;
    const char *prefix; /* "" or "data.object." */
};

static enum rf_code bad(struct walk *w, const char *field, const char *reason)
{
    return rf_fail(w->err, RF_INVALID_ARGUMENT, "%s%s: %s", w->prefix, field, reason);
}

/*
 * Reads member key of obj as text: absent or null gives "", a string is
 * checked and copied; anything else is an error. path names the member in
 * messages.
 */
static enum rf_code text(struct walk *w, json_t *obj, const char *key, const char *path,
                         const char **out)
{
    json_t *v = obj != NULL ? json_object_get(obj, key) : NULL;
    const char *why;

    *out = "";
    if (v == NULL || json_is_null(v))
        return RF_OK;
    if (!json_is_string(v))
        return bad(w, path, "must be a string or null");
    if (strlen(json_string_value(v)) != json_string_length(v))
        return bad(w, path, "contains a NUL character");
    if ((why = rf_psp_text_problem(json_string_value(v), RF_PSP_TEXT_MAX)) != NULL)
        return bad(w, path, why);
    *out = rf_arena_strdup(w->a, json_string_value(v));
    return RF_OK;
}

/* An id that may be expanded into an object with an "id" (charge, payment_intent). */
static enum rf_code id_or_object(struct walk *w, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);

    if (json_is_object(v)) {
        char path[64];

        snprintf(path, sizeof path, "%s.id", key);
        if (text(w, v, "id", path, out) != RF_OK)
            return w->err->code;
        return RF_OK;
    }
    return text(w, obj, key, key, out);
}

/* A Unix time in seconds (Stripe's created) as microseconds. */
static enum rf_code unix_time(struct walk *w, json_t *obj, const char *key, int64_t *us)
{
    json_t *v = json_object_get(obj, key);
    json_int_t t;

    if (!json_is_integer(v))
        return bad(w, key, "must be a Unix time in seconds");
    t = json_integer_value(v);
    if (t <= 0 || t > RF_TIME_MAX_US / RF_USEC_PER_SEC)
        return bad(w, key, "must be a Unix time in seconds from 1970 to 9999");
    *us = (int64_t)t * RF_USEC_PER_SEC;
    return RF_OK;
}

/* Stripe's refund statuses; reversed and not_cleared are ours, not Stripe's. */
static enum rf_code status(struct walk *w, json_t *obj, enum rf_psp_status *out)
{
    static const char *const names[] = {"pending", "requires_action", "succeeded", "failed",
                                        "canceled"};
    json_t *v = json_object_get(obj, "status");

    if (json_is_string(v)) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcmp(json_string_value(v), names[i]) == 0)
                return rf_psp_status_parse(names[i], out) ? RF_OK : RF_INTERNAL;
        }
    }
    return bad(w, "status", "must be one of pending, requires_action, succeeded, failed, canceled");
}

static enum rf_code money(struct walk *w, json_t *obj, struct rf_psp_record *out)
{
    json_t *amount = json_object_get(obj, "amount");
    json_t *cur = json_object_get(obj, "currency");
    const char *c;

    if (!json_is_integer(amount) || json_integer_value(amount) <= 0)
        return bad(w, "amount", "must be a positive integer");
    if (json_integer_value(amount) > RF_MONEY_MAX_MINOR)
        return bad(w, "amount", "is larger than 10^15");
    out->amount_minor = (int64_t)json_integer_value(amount);
    if (!json_is_string(cur) || json_string_length(cur) != 3)
        return bad(w, "currency", "must be a three-letter ISO 4217 code");
    c = json_string_value(cur);
    for (int i = 0; i < 3; i++) {
        if (!isalpha((unsigned char)c[i]))
            return bad(w, "currency", "must be a three-letter ISO 4217 code");
        out->currency[i] = (char)toupper((unsigned char)c[i]);
    }
    out->currency[3] = '\0';
    if (!rf_currency_valid(out->currency))
        return bad(w, "currency", "is not an active ISO 4217 currency");
    return RF_OK;
}

/* destination_details: the type and the reference of the sub-object of that type. */
static enum rf_code destination(struct walk *w, json_t *obj, struct rf_psp_record *out)
{
    json_t *dd = json_object_get(obj, "destination_details");
    json_t *sub;
    const char *status_text, *card_type;
    char path[128];
    size_t n;

    if (dd == NULL || json_is_null(dd))
        return RF_OK;
    if (!json_is_object(dd))
        return bad(w, "destination_details", "must be an object or null");
    if (text(w, dd, "type", "destination_details.type", &out->destination_type) != RF_OK)
        return w->err->code;
    if (out->destination_type[0] == '\0')
        return RF_OK;
    sub = json_object_get(dd, out->destination_type);
    if (sub == NULL || json_is_null(sub))
        return RF_OK;
    /* The path is built once per object, its last part per member: snprintf per member showed. */
    n = (size_t)snprintf(path, sizeof path - 32, "destination_details.%s", out->destination_type);
    if (n >= sizeof path - 32)
        n = sizeof path - 33;
    if (!json_is_object(sub))
        return bad(w, path, "must be an object or null");
    path[n++] = '.';
#define SUB(key, dst)                                                                              \
    do {                                                                                           \
        memcpy(path + n, key, sizeof key);                                                         \
        if (text(w, sub, key, path, dst) != RF_OK)                                                 \
            return w->err->code;                                                                   \
    } while (0)
    SUB("reference", &out->reference);
    SUB("reference_type", &out->reference_type);
    SUB("reference_status", &status_text);
    if (!rf_psp_ref_status_parse(status_text, &out->reference_status))
        return bad(w, path, "must be pending, available, unavailable or null");
    if (strcmp(out->destination_type, "card") == 0) {
        SUB("type", &card_type);
        if (card_type[0] != '\0' && strcmp(card_type, "pending") != 0 &&
            strcmp(card_type, "refund") != 0 && strcmp(card_type, "reversal") != 0)
            return bad(w, path, "must be pending, refund, reversal or null");
        out->card_refund_type = card_type;
    }
#undef SUB
    return RF_OK;
}

/* Maps a refund object; updated_us is when it was observed. */
static enum rf_code refund(struct walk *w, json_t *obj, const struct rf_stripe_context *ctx,
                           int64_t updated_us, struct rf_psp_record *out)
{
    json_t *kind = json_object_get(obj, "object");
    const char *charge, *intent;

    memset(out, 0, sizeof *out);
    out->provider = ctx->provider;
    out->source = ctx->source;
    out->updated_at_us = updated_us;
    if (kind != NULL && !(json_is_string(kind) && strcmp(json_string_value(kind), "refund") == 0))
        return bad(w, "object", "must be \"refund\" or \"event\"");
    if (text(w, obj, "id", "id", &out->provider_refund_id) != RF_OK)
        return w->err->code;
    if (out->provider_refund_id[0] == '\0')
        return bad(w, "id", "must be a non-empty string");
    if (status(w, obj, &out->status) != RF_OK || money(w, obj, out) != RF_OK ||
        unix_time(w, obj, "created", &out->created_at_us) != RF_OK ||
        text(w, obj, "pending_reason", "pending_reason", &out->pending_reason) != RF_OK ||
        text(w, obj, "failure_reason", "failure_reason", &out->failure_reason) != RF_OK ||
        id_or_object(w, obj, "charge", &charge) != RF_OK ||
        id_or_object(w, obj, "payment_intent", &intent) != RF_OK)
        return w->err->code;
    out->payment_ref = intent[0] != '\0' ? intent : charge;
    out->reference = out->reference_type = out->destination_type = out->card_refund_type = "";
    return destination(w, obj, out);
}

static bool is_refund_event(const char *type)
{
    return strcmp(type, "refund.created") == 0 || strcmp(type, "refund.updated") == 0 ||
           strcmp(type, "refund.failed") == 0;
}

enum rf_code rf_stripe_map(struct rf_arena *a, json_t *obj, const struct rf_stripe_context *ctx,
                           struct rf_psp_record *out, bool *skipped, struct rf_error *err)
{
    struct walk w = {.a = a, .err = err, .prefix = ""};
    json_t *kind = json_object_get(obj, "object");
    json_t *type, *data;
    int64_t created;

    *skipped = false;
    if (!json_is_object(obj))
        return bad(&w, "object", "must be a JSON object");
    if (!json_is_string(kind) || strcmp(json_string_value(kind), "event") != 0)
        return refund(&w, obj, ctx, ctx->taken_at_us, out);
    type = json_object_get(obj, "type");
    if (!json_is_string(type))
        return bad(&w, "type", "must be the event's type");
    if (!is_refund_event(json_string_value(type))) {
        *skipped = true;
        return RF_OK;
    }
    if (unix_time(&w, obj, "created", &created) != RF_OK)
        return err->code;
    data = json_object_get(obj, "data");
    if (!json_is_object(data) || !json_is_object(json_object_get(data, "object")))
        return bad(&w, "data.object", "must be the refund object");
    w.prefix = "data.object.";
    return refund(&w, json_object_get(data, "object"), ctx, created, out);
}
