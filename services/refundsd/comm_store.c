/*
 * SQL of the outbox and of accepted alternatives (see comm_store.h), and the
 * conversion of their rows into refunds.v1 messages.
 */
#include <stdio.h>
#include <string.h>

#include "comm_store.h"
#include "refunds/names.h"
#include "refunds/pb.h"

/* Columns of every message read, in this order (see enum col); BODY is body or ''. */
#define COMM_COLUMNS(BODY)                                                                         \
    "m.id, m.case_id, m.seq, m.channel, m.recipient, m.subject, " BODY ", m.language,"             \
    " m.situation, m.template_version, m.status, m.failure_reason, m.provider_message_id,"         \
    " m.store_credit_minor, m.store_credit_valid_until, m.exchange_product, m.repair_product,"     \
    " m.voucher_minor, m.offer_valid_until, m.created_at, m.created_by, m.status_at,"              \
    " coalesce(m.status_by, ''), c.currency"
#define WITH_BODY    COMM_COLUMNS("m.body, m.html_body")
#define WITHOUT_BODY COMM_COLUMNS("'', ''")

enum col {
    M_ID,
    M_CASE,
    M_SEQ,
    M_CHANNEL,
    M_RECIPIENT,
    M_SUBJECT,
    M_BODY,
    M_HTML,
    M_LANG,
    M_SITUATION,
    M_VERSION,
    M_STATUS,
    M_FAILURE,
    M_PROVIDER_ID,
    M_CREDIT,
    M_CREDIT_UNTIL,
    M_EXCHANGE,
    M_REPAIR,
    M_VOUCHER,
    M_OFFER_UNTIL,
    M_CREATED,
    M_CREATED_BY,
    M_STATUS_AT,
    M_STATUS_BY,
    M_CURRENCY,
};

/* The next message of the case, counted on the case's row, and its audit event. */
static const struct rf_stmt record = {
    "comm_record", RF_CASE_CHANGE_UPDATE
    ", communication_count = communication_count + 1" RF_CASE_CHANGE_WHERE
    " RETURNING id, state, communication_count),"
    " m AS (INSERT INTO communications (id, case_id, seq, channel, recipient, subject, body,"
    " html_body, language, situation, template_version, status, store_credit_minor,"
    " store_credit_valid_until, exchange_product, repair_product, voucher_minor,"
    " offer_valid_until, created_at, created_by, status_at, status_by)"
    " SELECT $14, u.id, u.communication_count, $15, $16, $17, $18, $19, $20, $21, $22, $23,"
    " $24, $25::timestamptz, $26, $27, $28, $29::timestamptz, $3, $4,"
    " CASE WHEN $23 = 'QUEUED' THEN NULL ELSE $3::timestamptz END,"
    " CASE WHEN $23 = 'QUEUED' THEN NULL ELSE $4 END FROM u)" RF_AUDIT_INSERT_FROM_U};

static const struct rf_stmt get = {
    "comm_get", "SELECT " WITH_BODY " FROM communications m JOIN cases c ON c.id = m.case_id"
                " WHERE m.case_id = $1 AND m.seq = $2"};

static const struct rf_stmt of_case = {
    "comm_of_case", "SELECT " WITHOUT_BODY " FROM communications m JOIN cases c ON c.id = m.case_id"
                    " WHERE m.case_id = $1 ORDER BY m.seq"};

/* The queue: one status, oldest first; channel and case are optional ($4, $5 NULL). */
static const struct rf_stmt outbox = {
    "comm_outbox",
    "SELECT " WITH_BODY " FROM communications m JOIN cases c ON c.id = m.case_id"
    " WHERE m.status = $1 AND (m.created_at, m.id) > ($2::timestamptz, $3::uuid)"
    " AND ($4::text IS NULL OR m.channel = $4) AND ($5::uuid IS NULL OR m.case_id = $5)"
    " ORDER BY m.created_at, m.id LIMIT $6"};

static const struct rf_stmt set_status = {
    "comm_set_status", RF_CASE_CHANGE_UPDATE RF_CASE_CHANGE_WHERE
    " RETURNING id, state),"
    " m AS (UPDATE communications SET status = $15, failure_reason = $16,"
    " provider_message_id = CASE WHEN $17 = '' THEN provider_message_id ELSE $17 END,"
    " status_at = $3, status_by = $4 FROM u WHERE communications.id = $14"
    " AND communications.case_id = u.id)" RF_AUDIT_INSERT_FROM_U};

static const struct rf_stmt latest_offer = {
    "comm_latest_offer",
    "SELECT " WITH_BODY " FROM communications m JOIN cases c ON c.id = m.case_id"
    " WHERE m.case_id = $1 AND m.offer_valid_until IS NOT NULL AND m.status <> 'FAILED'"
    " ORDER BY m.seq DESC LIMIT 1"};

static const struct rf_stmt accept = {
    "comm_accept", RF_CASE_CHANGE_UPDATE RF_CASE_CHANGE_WHERE
    " RETURNING id, state),"
    " a AS (INSERT INTO accepted_alternatives (case_id, communication_id, alternative,"
    " amount_minor, product, spend_until, accepted_at, accepted_by, note)"
    " SELECT u.id, $14, $15, $16, $17, $18::timestamptz, $3, $4, $19 FROM "
    "u)" RF_AUDIT_INSERT_FROM_U};

static const struct rf_stmt accepted = {
    "comm_accepted",
    "SELECT a.alternative, a.amount_minor, a.product, a.spend_until, a.accepted_at,"
    " a.accepted_by, a.note, m.seq, c.currency FROM accepted_alternatives a"
    " JOIN communications m ON m.id = a.communication_id JOIN cases c ON c.id = a.case_id"
    " WHERE a.case_id = $1"};

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    return rf_db_text_copy(ctx->arena, res, row, col);
}

static Refunds__V1__Money *money(struct rf_arena *a, int64_t minor, const char *currency)
{
    Refunds__V1__Money *m = rf_pb_new(a, &refunds__v1__money__descriptor);

    m->amount_minor = minor;
    m->currency = (char *)currency;
    return m;
}

/* One AlternativeOffer message; amount and product where the kind has them. */
static Refunds__V1__AlternativeOffer *offer_pb(struct rf_arena *a, Refunds__V1__Alternative kind,
                                               int64_t minor, const char *currency,
                                               const char *product, int64_t spend_until_us)
{
    Refunds__V1__AlternativeOffer *o = rf_pb_new(a, &refunds__v1__alternative_offer__descriptor);

    o->alternative = kind;
    if (minor > 0)
        o->amount = money(a, minor, currency);
    o->product = (char *)(product != NULL ? product : "");
    if (spend_until_us != 0)
        o->spend_until = rf_pb_timestamp(a, spend_until_us);
    return o;
}

void rf_comm_offer_to_pb(struct rf_arena *a, const struct rf_comm_offer *o,
                         Refunds__V1__Communication *m)
{
    m->n_offers = 0;
    if (o->valid_until_us == 0)
        return;
    m->offer_valid_until = rf_pb_timestamp(a, o->valid_until_us);
    m->offers = rf_arena_calloc(a, 4, sizeof *m->offers);
    if (o->store_credit)
        m->offers[m->n_offers++] =
            offer_pb(a, REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT, o->store_credit_minor,
                     o->currency, NULL, o->store_credit_valid_until_us);
    if (o->exchange)
        m->offers[m->n_offers++] = offer_pb(a, REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE, 0,
                                            o->currency, o->exchange_product, 0);
    if (o->repair)
        m->offers[m->n_offers++] = offer_pb(a, REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR, 0,
                                            o->currency, o->repair_product, 0);
    if (o->voucher)
        m->offers[m->n_offers++] =
            offer_pb(a, REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_DISCOUNT_VOUCHER, o->voucher_minor,
                     o->currency, NULL, 0);
}

/* The row's offer, as struct and as AlternativeOffer messages of its pb. */
static void offer_from_row(struct rf_ctx *ctx, const PGresult *res, int row, struct rf_comm_row *r)
{
    struct rf_comm_offer *o = &r->offer;

    memset(o, 0, sizeof *o);
    o->currency = text(ctx, res, row, M_CURRENCY);
    o->exchange_product = "";
    o->repair_product = "";
    if (!rf_db_is_null(res, row, M_OFFER_UNTIL)) {
        o->valid_until_us = rf_db_time(res, row, M_OFFER_UNTIL);
        if ((o->store_credit = !rf_db_is_null(res, row, M_CREDIT))) {
            o->store_credit_minor = rf_db_int(res, row, M_CREDIT);
            o->store_credit_valid_until_us = rf_db_time(res, row, M_CREDIT_UNTIL);
        }
        if ((o->exchange = !rf_db_is_null(res, row, M_EXCHANGE)))
            o->exchange_product = text(ctx, res, row, M_EXCHANGE);
        if ((o->repair = !rf_db_is_null(res, row, M_REPAIR)))
            o->repair_product = text(ctx, res, row, M_REPAIR);
        if ((o->voucher = !rf_db_is_null(res, row, M_VOUCHER)))
            o->voucher_minor = rf_db_int(res, row, M_VOUCHER);
    }
    rf_comm_offer_to_pb(ctx->arena, o, r->pb);
}

static void from_row(struct rf_ctx *ctx, const PGresult *res, int row, struct rf_comm_row *r)
{
    Refunds__V1__Communication *m = rf_pb_new(ctx->arena, &refunds__v1__communication__descriptor);

    snprintf(r->id, sizeof r->id, "%s", rf_db_text(res, row, M_ID));
    snprintf(r->case_id, sizeof r->case_id, "%s", rf_db_text(res, row, M_CASE));
    r->seq = (int)rf_db_int(res, row, M_SEQ);
    r->pb = m;
    m->name = rf_arena_printf(ctx->arena, "cases/%s/communications/%d", r->case_id, r->seq);
    m->channel = rf_pb_enum_of_short(&refunds__v1__communication_channel__descriptor,
                                     rf_db_text(res, row, M_CHANNEL));
    m->recipient = text(ctx, res, row, M_RECIPIENT);
    m->subject = text(ctx, res, row, M_SUBJECT);
    m->body = text(ctx, res, row, M_BODY);
    m->html_body = text(ctx, res, row, M_HTML);
    m->language = text(ctx, res, row, M_LANG);
    m->situation = text(ctx, res, row, M_SITUATION);
    m->template_version = (int32_t)rf_db_int(res, row, M_VERSION);
    m->status = rf_pb_enum_of_short(&refunds__v1__communication_status__descriptor,
                                    rf_db_text(res, row, M_STATUS));
    m->failure_reason = text(ctx, res, row, M_FAILURE);
    m->provider_message_id = text(ctx, res, row, M_PROVIDER_ID);
    m->create_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, M_CREATED));
    m->created_by = text(ctx, res, row, M_CREATED_BY);
    if (!rf_db_is_null(res, row, M_STATUS_AT))
        m->status_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, M_STATUS_AT));
    m->status_by = text(ctx, res, row, M_STATUS_BY);
    offer_from_row(ctx, res, row, r);
}

/* Appends the offer's columns $24-$29 (NULL for what is not offered). */
static void offer_params(struct rf_ctx *ctx, struct rf_params *p, const struct rf_comm_offer *o)
{
    bool any = o != NULL && o->valid_until_us != 0; /* set exactly when something is offered */

    if (any && o->store_credit) {
        rf_param_int(p, ctx->arena, o->store_credit_minor);
        rf_param_time(p, ctx->arena, o->store_credit_valid_until_us);
    } else {
        rf_param_text(p, NULL);
        rf_param_text(p, NULL);
    }
    rf_param_text(p, any && o->exchange ? o->exchange_product : NULL);
    rf_param_text(p, any && o->repair ? o->repair_product : NULL);
    if (any && o->voucher)
        rf_param_int(p, ctx->arena, o->voucher_minor);
    else
        rf_param_text(p, NULL);
    if (any)
        rf_param_time(p, ctx->arena, o->valid_until_us);
    else
        rf_param_text(p, NULL);
}

enum rf_code rf_comm_store_record(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const struct rf_comm_new *m, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, m->id); /* $14 */
    rf_param_text(&p, m->channel);
    rf_param_text(&p, m->recipient);
    rf_param_text(&p, m->msg->subject);
    rf_param_text(&p, m->msg->body);
    rf_param_text(&p, m->msg->html_body); /* $19 */
    rf_param_text(&p, m->msg->lang);
    rf_param_text(&p, m->msg->situation);
    rf_param_int(&p, ctx->arena, m->msg->version);
    rf_param_text(&p, m->sent ? "SENT" : "QUEUED"); /* $23 */
    offer_params(ctx, &p, m->offer);                /* $24-$29 */
    return rf_case_run_change(ctx, &record, &p, applied);
}

enum rf_code rf_comm_store_get(struct rf_ctx *ctx, const char *case_id, int seq,
                               struct rf_comm_row *out)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    rf_param_int(&p, ctx->arena, seq);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &get, &p, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 0)
        return rf_fail(&ctx->err, RF_NOT_FOUND,
                       "message \"cases/%s/communications/%d\" does not exist", case_id, seq);
    from_row(ctx, res, 0, out);
    return RF_OK;
}

static enum rf_code rows_of(struct rf_ctx *ctx, const struct rf_stmt *stmt,
                            const struct rf_params *p, struct rf_comm_row **out, size_t *n)
{
    PGresult *res;
    enum rf_code code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, stmt, p, &res);
    int rows;

    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++)
        from_row(ctx, res, r, &(*out)[r]);
    return RF_OK;
}

enum rf_code rf_comm_store_outbox(struct rf_ctx *ctx, const struct rf_outbox_filter *f,
                                  struct rf_comm_row **out, size_t *n)
{
    struct rf_params p;

    rf_params_init(&p);
    rf_param_text(&p, f->status);
    rf_param_keyset_after(&p, ctx->arena, f->after_us, f->after_id);
    rf_param_text(&p, f->channel);
    rf_param_text(&p, f->case_id);
    rf_param_int(&p, ctx->arena, f->limit);
    return rows_of(ctx, &outbox, &p, out, n);
}

enum rf_code rf_comm_store_set_status(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                      const struct rf_comm_row *row, const char *status,
                                      const char *failure_reason, const char *provider_message_id,
                                      bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, row->id); /* $14 */
    rf_param_text(&p, status);
    rf_param_text(&p, failure_reason);
    rf_param_text(&p, provider_message_id);
    return rf_case_run_change(ctx, &set_status, &p, applied);
}

enum rf_code rf_comm_store_latest_offer(struct rf_ctx *ctx, const char *case_id,
                                        struct rf_comm_row *out, bool *found)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &latest_offer, &p, &res);
    if (code != RF_OK)
        return code;
    *found = PQntuples(res) == 1;
    if (*found)
        from_row(ctx, res, 0, out);
    return RF_OK;
}

enum rf_code rf_comm_store_accept(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const struct rf_comm_acceptance *acc, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, acc->offered_in->id); /* $14 */
    rf_param_text(
        &p, rf_pb_enum_short_name(&refunds__v1__alternative__descriptor, (int)acc->alternative));
    if (acc->amount_minor > 0)
        rf_param_int(&p, ctx->arena, acc->amount_minor);
    else
        rf_param_text(&p, NULL);
    rf_param_text(&p, acc->product);
    if (acc->spend_until_us != 0)
        rf_param_time(&p, ctx->arena, acc->spend_until_us);
    else
        rf_param_text(&p, NULL);
    rf_param_text(&p, acc->note); /* $19 */
    return rf_case_run_change(ctx, &accept, &p, applied);
}

enum rf_code rf_comm_store_fill_case(struct rf_ctx *ctx, const char *case_id, Refunds__V1__Case *c)
{
    struct rf_params p;
    struct rf_comm_row *rows;
    PGresult *res;
    size_t n = 0;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rows_of(ctx, &of_case, &p, &rows, &n);
    if (code != RF_OK)
        return code;
    c->n_communications = n;
    c->communications = rf_arena_calloc(ctx->arena, n + 1, sizeof *c->communications);
    for (size_t i = 0; i < n; i++)
        c->communications[i] = rows[i].pb;
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &accepted, &p, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 1) {
        Refunds__V1__AcceptedAlternative *acc =
            rf_pb_new(ctx->arena, &refunds__v1__accepted_alternative__descriptor);
        const char *currency = text(ctx, res, 0, 8);

        acc->offer = offer_pb(
            ctx->arena,
            rf_pb_enum_of_short(&refunds__v1__alternative__descriptor, rf_db_text(res, 0, 0)),
            rf_db_is_null(res, 0, 1) ? 0 : rf_db_int(res, 0, 1), currency,
            rf_db_is_null(res, 0, 2) ? NULL : text(ctx, res, 0, 2),
            rf_db_is_null(res, 0, 3) ? 0 : rf_db_time(res, 0, 3));
        acc->accept_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, 0, 4));
        acc->accepted_by = text(ctx, res, 0, 5);
        acc->note = text(ctx, res, 0, 6);
        acc->communication =
            rf_arena_printf(ctx->arena, "%s/communications/%s", c->name, rf_db_text(res, 0, 7));
        c->accepted_alternative = acc;
    }
    return RF_OK;
}

const struct rf_stmt *const *rf_comm_store_statements(void)
{
    static const struct rf_stmt *const all[] = {
        &record, &get, &of_case, &outbox, &set_status, &latest_offer, &accept, &accepted, NULL};

    return all;
}
