/*
 * refunds.v1.Tracking: the shop's website or app (service role) asks, with
 * the customer's tracking token, where their refund is; and the service's
 * method table. The token is checked (tracking_token.c), the case and its
 * refunds are read (case_store.c, refund_store.c) and the view is built
 * (tracking_view.c). A token that is malformed, tampered with, expired or of
 * a case that does not exist is NOT_FOUND, with one message, after the same
 * work: the same two reads and one rendering, so that neither the answer nor
 * its time tells which. The case cache is not used, for the same reason.
 * Bound with a struct rf_tracking_state (tracking.h).
 */
#include <string.h>

#include "case_store.h"
#include "refund_store.h"
#include "refunds/arena.h"
#include "refunds/pb.h"
#include "refunds/validate.h"
#include "services.h"
#include "tracking.h"
#include "tracking_view.h"

/*
 * Read instead of the token's case when the token is not valid: a UUID no case
 * has (case ids are UUIDv7, which this is not), so the reads cost what a real
 * case's do and find nothing.
 */
#define NO_SUCH_CASE "00000000-0000-0000-0000-000000000000"

/* The one answer to every token that does not lead to a case. */
#define NOT_FOUND_MESSAGE "no refund request matches this tracking token"

/* A case as OpenCase would make it, rendered when there is no real case: the same work. */
static Refunds__V1__Case *decoy_case(struct rf_arena *a, int64_t now_us)
{
    Refunds__V1__Case *c = rf_pb_new(a, &refunds__v1__case__descriptor);
    Refunds__V1__Customer *cu = rf_pb_new(a, &refunds__v1__customer__descriptor);
    Refunds__V1__Money *m = rf_pb_new(a, &refunds__v1__money__descriptor);

    cu->preferred_language = "en";
    m->currency = "EUR";
    c->state = REFUNDS__V1__CASE_STATE__CASE_STATE_OPEN;
    c->customer = cu;
    c->requested_amount = m;
    c->amount_paid = m;
    c->acknowledge_time = rf_pb_timestamp(a, now_us);
    c->create_time = c->acknowledge_time;
    c->update_time = c->acknowledge_time;
    return c;
}

RF_HANDLER(get_customer_refund_status, Refunds__V1__GetCustomerRefundStatusRequest,
           Refunds__V1__CustomerRefundStatus)
{
    const struct rf_tracking_state *st = call->service;
    struct rf_ctx *ctx = &call->ctx;
    char id[RF_UUID_TEXT_LEN + 1];
    bool valid = rf_tracking_token_verify(st->key, in->tracking_token, ctx->now_us, id);
    const char *read_id = valid ? id : NO_SUCH_CASE;
    const struct rf_tracking_options opt = {
        .templates = st->templates,
        .arrival = st->arrival,
        .support_contact = st->support_contact,
        .language = in->language,
    };
    struct rf_case_row row;
    struct rf_refund_row *refunds = NULL;
    size_t n = 0;
    bool found;
    enum rf_code code, refunds_code;

    /* Both reads run whatever the token and the first read's answer. */
    code = rf_case_store_get(ctx, read_id, false, &row);
    refunds_code = rf_refund_store_list(ctx, read_id, NULL, &refunds, &n);
    if (code != RF_OK && code != RF_NOT_FOUND)
        return code;
    if (refunds_code != RF_OK)
        return refunds_code;
    found = code == RF_OK;
    if (found)
        call->resource = row.pb->name;
    code = rf_tracking_view(&opt, found ? row.pb : decoy_case(ctx->arena, ctx->now_us), refunds,
                            found ? n : 0, ctx->arena, out, &ctx->err);
    if (code != RF_OK)
        return code;
    if (!found) {
        /* Nothing of what was looked for stays in the error: the log line is alike too. */
        rf_error_clear(&ctx->err);
        return rf_fail(&ctx->err, RF_NOT_FOUND, NOT_FOUND_MESSAGE);
    }
    return RF_OK;
}

static void
validate_get_customer_refund_status(const Refunds__V1__GetCustomerRefundStatusRequest *in,
                                    int64_t now_us, struct rf_error *err)
{
    (void)now_us;
    /* Only its absence is told apart: whatever else is wrong with a token is NOT_FOUND. */
    if (in->tracking_token[0] == '\0')
        rf_violation_add(err, "tracking_token", "is required: the case's tracking_token");
    if (in->language[0] != '\0' && !rf_language_tag_valid(in->language))
        rf_violation_add(err, "language", "must be a BCP 47 language tag such as en, es or de-AT");
}

RF_VALIDATOR(validate_get_customer_refund_status, Refunds__V1__GetCustomerRefundStatusRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "GetCustomerRefundStatus",
        .input = &refunds__v1__get_customer_refund_status_request__descriptor,
        .output = &refunds__v1__customer_refund_status__descriptor,
        .validate = validate_get_customer_refund_status_entry,
        .handler = get_customer_refund_status_entry,
        .roles = RF_ROLE_SERVICE,
    },
};

RF_METHOD_PART(rf_tracking_methods, methods);
