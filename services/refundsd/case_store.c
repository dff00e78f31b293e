/*
 * SQL of the case lifecycle (see case_store.h): the statements, and the
 * conversion of their rows into refunds.v1.Case messages. Enum values are
 * stored by their short names ("PENDING_APPROVAL", "EMAIL") so that the
 * tables read well to finance and support in SQL too.
 */
#include <pthread.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store.h"
#include "comm_store.h"
#include "evaluation_store.h"
#include "refund_store.h"
#include "refunds/audit.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "tracking_token.h"

/* Columns every case read returns, in this order (see enum col). */
#define CASE_COLUMNS                                                                               \
    "c.id, c.state, c.version, c.channel, c.acknowledged_at, c.customer_name,"                     \
    " c.customer_email, c.customer_phone, c.customer_language, c.order_id, c.product_sku,"         \
    " c.product_name, c.product_category, c.purchased_at, c.currency, c.amount_paid_minor,"        \
    " c.requested_minor, c.payment_method, c.payment_provider, c.provider_payment_id,"             \
    " c.reason_code, c.reason_text, c.opened_by, c.assignee, c.evaluated_by,"                      \
    " c.escalated_by, c.withdraw_reason, c.created_at, c.updated_at, c.audit_seq,"                 \
    " c.audit_head, c.payment_label, a.state, a.escalated_by, a.escalated_at, a.due_at, a.note,"   \
    " a.decided_by, a.decided_at, a.decision, a.approved_minor, a.decision_reason,"                \
    " a.alternatives, c.customer_id, c.evaluation_count, c.policy_version, c.recommendation,"      \
    " c.tier, c.priority, a.tier, a.priority, a.policy_version, a.self_approved, a.sla_breached,"  \
    " a.alternative_offer_kind, a.alternative_offer_minor, a.alternative_offer_currency,"          \
    " a.alternative_offer_sku, e.evaluated_by, e.evaluated_at, e.result::text,"                    \
    " e.history::text"
/* The case's latest approval as "a", its latest evaluation as "e". */
#define LATEST_APPROVAL                                                                            \
    " LEFT JOIN LATERAL (SELECT * FROM approvals WHERE case_id = c.id ORDER BY id DESC"            \
    " LIMIT 1) a ON true"                                                                          \
    " LEFT JOIN evaluations e ON e.case_id = c.id AND e.seq = c.evaluation_count"

enum col {
    C_ID,
    C_STATE,
    C_VERSION,
    C_CHANNEL,
    C_ACK_AT,
    C_CUST_NAME,
    C_CUST_EMAIL,
    C_CUST_PHONE,
    C_CUST_LANG,
    C_ORDER_ID,
    C_SKU,
    C_PRODUCT_NAME,
    C_CATEGORY,
    C_PURCHASED_AT,
    C_CURRENCY,
    C_PAID,
    C_REQUESTED,
    C_PAY_METHOD,
    C_PAY_PROVIDER,
    C_PAY_ID,
    C_REASON_CODE,
    C_REASON_TEXT,
    C_OPENED_BY,
    C_ASSIGNEE,
    C_EVALUATED_BY,
    C_ESCALATED_BY,
    C_WITHDRAW_REASON,
    C_CREATED_AT,
    C_UPDATED_AT,
    C_AUDIT_SEQ,
    C_AUDIT_HEAD,
    C_PAY_LABEL,
    A_STATE,
    A_ESCALATED_BY,
    A_ESCALATED_AT,
    A_DUE_AT,
    A_NOTE,
    A_DECIDED_BY,
    A_DECIDED_AT,
    A_DECISION,
    A_APPROVED,
    A_REASON,
    A_ALTERNATIVES,
    C_CUSTOMER_ID,
    C_EVAL_COUNT,
    C_POLICY_VERSION,
    C_RECOMMENDATION,
    C_TIER,
    C_PRIORITY,
    A_TIER,
    A_PRIORITY,
    A_POLICY_VERSION,
    A_SELF_APPROVED,
    A_SLA_BREACHED,
    A_OFFER_KIND,
    A_OFFER_MINOR,
    A_OFFER_CURRENCY,
    A_OFFER_SKU,
    E_BY,
    E_AT,
    E_RESULT,
    E_HISTORY,
    I_SEQ,
    I_KIND,
    I_CHANNEL,
    I_SUMMARY,
    I_AUTHOR,
    I_CREATED_AT,
};

static const struct rf_stmt get_case = {
    "case_get", "SELECT " CASE_COLUMNS " FROM cases c" LATEST_APPROVAL " WHERE c.id = $1"};
static const struct rf_stmt get_case_full = {
    "case_get_full",
    "SELECT " CASE_COLUMNS ", i.seq, i.kind, i.channel, i.summary, i.author, i.created_at"
    " FROM cases c" LATEST_APPROVAL " LEFT JOIN interactions i ON i.case_id = c.id"
    " WHERE c.id = $1 ORDER BY i.seq"};

/*
 * The new case, its acknowledgement and its first audit event in one statement:
 * $1-$11 are the event (rf_audit_params: $1 the id, $3 the time, $4 the opener),
 * the case's fields follow from $12.
 */
static const struct rf_stmt insert_case = {
    "case_insert",
    "WITH u AS (INSERT INTO cases (id, state, version, channel, acknowledged_at, customer_name,"
    " customer_email, customer_phone, customer_language, order_id, product_sku, product_name,"
    " product_category, purchased_at, currency, amount_paid_minor, requested_minor,"
    " payment_method, payment_provider, provider_payment_id, reason_code, reason_text,"
    " opened_by, assignee, interaction_count, created_at, updated_at, audit_seq, audit_head,"
    " payment_label, customer_id)"
    " VALUES ($1, 'OPEN', 1, $12, $3, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,"
    " $24, $25, $26, $27, $28, $29, $4, $30, 1, $3, $3, $2, $11, $32, nullif($33, ''))"
    " RETURNING id),"
    " i AS (INSERT INTO interactions (case_id, seq, kind, channel, summary, author, created_at)"
    " SELECT id, 1, 'ACKNOWLEDGEMENT', $12, $31, $4, $3 FROM u)" RF_AUDIT_INSERT_FROM_U};

#define CHANGE_UPDATE RF_CASE_CHANGE_UPDATE
#define CHANGE_WHERE  RF_CASE_CHANGE_WHERE

static const struct rf_stmt add_interaction = {
    "case_add_interaction", CHANGE_UPDATE
    ", interaction_count = interaction_count + 1" CHANGE_WHERE
    " RETURNING id, state, interaction_count),"
    " i AS (INSERT INTO interactions (case_id, seq, kind, channel, summary,"
    " author, created_at)"
    " SELECT u.id, u.interaction_count, $14, $15, $16, $4, $3 FROM u)" RF_AUDIT_INSERT_FROM_U};

static const struct rf_stmt escalate = {
    "case_escalate", CHANGE_UPDATE
    ", escalated_by = $4, tier = $16" CHANGE_WHERE " RETURNING id, state),"
    " a AS (INSERT INTO approvals (case_id, state, escalated_by, escalated_at, due_at,"
    " note, tier, priority, policy_version) SELECT u.id, 'PENDING', $4, $3, $14::timestamptz,"
    " $15, $16, $17, $18 FROM u)" RF_AUDIT_INSERT_FROM_U};

/*
 * Four-eyes in SQL too: nobody who opened, evaluated (ever) or escalated the
 * case decides it; and a senior approver's case only a senior approver ($5 is
 * the caller's role). The breach is the decision after the due time.
 */
static const struct rf_stmt decide = {
    "case_decide", CHANGE_UPDATE
    ", outcome = $18, decided_at = $3, approved_minor = $15,"
    " sla_breached = $3 > (SELECT due_at FROM approvals"
    " WHERE case_id = $1 AND state = 'PENDING')" CHANGE_WHERE
    " AND opened_by <> $4 AND coalesce(evaluated_by, '') <> $4"
    " AND coalesce(escalated_by, '') <> $4"
    " AND NOT EXISTS (SELECT 1 FROM evaluations WHERE case_id = $1"
    " AND evaluated_by = $4)"
    " AND ($5 = 'senior_approver' OR NOT EXISTS (SELECT 1 FROM approvals"
    " WHERE case_id = $1 AND state = 'PENDING' AND tier = 'SENIOR_APPROVER'))"
    " RETURNING id, state),"
    " a AS (UPDATE approvals SET state = 'DECIDED', decided_by = $4,"
    " decided_at = $3, decision = $14, approved_minor = $15,"
    " decision_reason = $16, alternatives = $17::text[], sla_breached = $3 > due_at,"
    " alternative_offer_kind = $19, alternative_offer_minor = $20,"
    " alternative_offer_currency = $21, alternative_offer_sku = $22"
    " WHERE case_id = (SELECT id FROM u) AND state = 'PENDING')" RF_AUDIT_INSERT_FROM_U};

/*
 * An agent's own approval of an evaluated case: only while its latest
 * evaluation recommends APPROVE at the agent's tier (checked in C too, with
 * the amount against the limit). The approval row is decided at once, with
 * no escalation and no due time.
 */
static const struct rf_stmt self_approve = {
    "case_self_approve",
    CHANGE_UPDATE ", outcome = $14, decided_at = $3, approved_minor = $15, tier = 'AGENT',"
                  " sla_breached = NULL" CHANGE_WHERE
                  " AND recommendation = 'APPROVE' AND tier = 'AGENT' RETURNING id, state),"
                  " a AS (INSERT INTO approvals (case_id, state, decided_by, decided_at, decision,"
                  " approved_minor, decision_reason, tier, priority, policy_version, self_approved)"
                  " SELECT u.id, 'DECIDED', $4, $3, 'APPROVE', $15, $16, 'AGENT', $17, $18, true"
                  " FROM u)" RF_AUDIT_INSERT_FROM_U};

static const struct rf_stmt withdraw = {
    "case_withdraw", CHANGE_UPDATE
    ", withdraw_reason = $14, outcome = 'WITHDRAWN'" CHANGE_WHERE " RETURNING id, state),"
    " a AS (UPDATE approvals SET state = 'CANCELLED'"
    " WHERE case_id = (SELECT id FROM u) AND state = 'PENDING')" RF_AUDIT_INSERT_FROM_U};

/* The pending approvals by due time; $4: due before (infinity: all); $5: one tier or NULL. */
static const struct rf_stmt approval_queue = {
    "case_approval_queue",
    "SELECT " CASE_COLUMNS " FROM approvals a JOIN cases c ON c.id = a.case_id"
    " LEFT JOIN evaluations e ON e.case_id = c.id AND e.seq = c.evaluation_count"
    " WHERE a.state = 'PENDING' AND (a.due_at, a.case_id) > ($1::timestamptz, $2::uuid)"
    " AND a.due_at < $4::timestamptz AND ($5::text IS NULL OR a.tier = $5)"
    " ORDER BY a.due_at, a.case_id LIMIT $3"};

/*
 * ListCases has one prepared statement per combination of filters, so that
 * each gets a plan that uses its index (an "$n IS NULL OR ..." predicate
 * would not). Built once.
 */
#define LIST_FILTERS 3
static char list_sql[1 << LIST_FILTERS][4096];
static struct rf_stmt list_stmts[1 << LIST_FILTERS];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void build_list_stmts(void)
{
    static const char *const columns[LIST_FILTERS] = {"c.state", "c.customer_email", "c.assignee"};
    static char names[1 << LIST_FILTERS][24];

    for (int mask = 0; mask < 1 << LIST_FILTERS; mask++) {
        int len = snprintf(list_sql[mask], sizeof list_sql[mask],
                           "SELECT " CASE_COLUMNS " FROM cases c" LATEST_APPROVAL
                           " WHERE (c.created_at, c.id) < ($1::timestamptz, $2::uuid)");
        int param = 4;

        for (int f = 0; f < LIST_FILTERS; f++) {
            if (mask & (1 << f))
                len += snprintf(list_sql[mask] + len, sizeof list_sql[mask] - (size_t)len,
                                " AND %s = $%d", columns[f], param++);
        }
        snprintf(list_sql[mask] + len, sizeof list_sql[mask] - (size_t)len,
                 " ORDER BY c.created_at DESC, c.id DESC LIMIT $3");
        snprintf(names[mask], sizeof names[mask], "case_list_%d", mask);
        list_stmts[mask].name = names[mask];
        list_stmts[mask].sql = list_sql[mask];
    }
}

const struct rf_stmt *const *rf_case_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&get_case,
                                                &get_case_full,
                                                &insert_case,
                                                &add_interaction,
                                                &escalate,
                                                &decide,
                                                &self_approve,
                                                &withdraw,
                                                &approval_queue,
                                                &list_stmts[0],
                                                &list_stmts[1],
                                                &list_stmts[2],
                                                &list_stmts[3],
                                                &list_stmts[4],
                                                &list_stmts[5],
                                                &list_stmts[6],
                                                &list_stmts[7],
                                                NULL};

    _Static_assert(1 << LIST_FILTERS == 8, "list every ListCases statement above");
    pthread_once(&list_once, build_list_stmts);
    return all;
}

/* Sets *field to a converted enum value from a short name; 0 if the name is unknown. */
static int enum_of(const ProtobufCEnumDescriptor *desc, const char *name)
{
    int v = 0;

    if (name != NULL)
        rf_pb_enum_from_short(desc, name, &v);
    return v;
}

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return rf_arena_strdup(ctx->arena, v == NULL ? "" : v);
}

static Refunds__V1__Money *money(struct rf_ctx *ctx, long long minor, const char *currency)
{
    Refunds__V1__Money *m = rf_pb_new(ctx->arena, &refunds__v1__money__descriptor);

    m->amount_minor = minor;
    m->currency = (char *)currency;
    return m;
}

/* Parses a text[] of enum short names ("{STORE_CREDIT,EXCHANGE}") into alternatives. */
static void alternatives(struct rf_ctx *ctx, const char *array, Refunds__V1__Approval *ap)
{
    char *copy, *save = NULL, *tok;
    size_t cap;

    if (array == NULL || strlen(array) <= 2)
        return;
    copy = rf_arena_strndup(ctx->arena, array + 1, strlen(array) - 2);
    cap = 1;
    for (const char *p = copy; *p != '\0'; p++)
        cap += *p == ',';
    ap->alternatives = rf_arena_calloc(ctx->arena, cap, sizeof *ap->alternatives);
    for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        int v = enum_of(&refunds__v1__alternative__descriptor, tok);

        if (v != 0 && ap->n_alternatives < cap)
            ap->alternatives[ap->n_alternatives++] = (Refunds__V1__Alternative)v;
    }
}

static bool flag(const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return v != NULL && strcmp(v, "t") == 0;
}

/* The alternative offered instead of a refund, when the decision was one. */
static Refunds__V1__AlternativeOffer *offer(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__AlternativeOffer *o;

    if (rf_db_is_null(res, row, A_OFFER_KIND))
        return NULL;
    o = rf_pb_new(ctx->arena, &refunds__v1__alternative_offer__descriptor);
    o->alternative =
        enum_of(&refunds__v1__alternative__descriptor, rf_db_text(res, row, A_OFFER_KIND));
    if (!rf_db_is_null(res, row, A_OFFER_MINOR))
        o->amount =
            money(ctx, rf_db_int(res, row, A_OFFER_MINOR), text(ctx, res, row, A_OFFER_CURRENCY));
    o->product = text(ctx, res, row, A_OFFER_SKU);
    return o;
}

static Refunds__V1__Approval *approval(struct rf_ctx *ctx, const PGresult *res, int row,
                                       const char *currency)
{
    Refunds__V1__Approval *ap;
    bool escalated = !rf_db_is_null(res, row, A_ESCALATED_AT);
    int64_t due = 0;

    if (rf_db_is_null(res, row, A_STATE))
        return NULL;
    ap = rf_pb_new(ctx->arena, &refunds__v1__approval__descriptor);
    ap->state = enum_of(&refunds__v1__approval_state__descriptor, rf_db_text(res, row, A_STATE));
    ap->escalated_by = text(ctx, res, row, A_ESCALATED_BY);
    if (escalated) {
        ap->escalate_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, A_ESCALATED_AT));
        due = rf_db_time(res, row, A_DUE_AT);
        ap->due_time = rf_pb_timestamp(ctx->arena, due);
    }
    ap->escalation_note = text(ctx, res, row, A_NOTE);
    ap->decided_by = text(ctx, res, row, A_DECIDED_BY);
    if (!rf_db_is_null(res, row, A_DECIDED_AT)) {
        int64_t decided = rf_db_time(res, row, A_DECIDED_AT);

        ap->decide_time = rf_pb_timestamp(ctx->arena, decided);
        /* Recorded at the decision; a self-approval has no due time to breach. */
        ap->sla_breached = escalated && decided > due;
    } else {
        ap->sla_breached = ap->state == REFUNDS__V1__APPROVAL_STATE__APPROVAL_STATE_PENDING &&
                           escalated && ctx->now_us > due;
    }
    ap->decision = enum_of(&refunds__v1__decision__descriptor, rf_db_text(res, row, A_DECISION));
    if (!rf_db_is_null(res, row, A_APPROVED))
        ap->approved_amount = money(ctx, rf_db_int(res, row, A_APPROVED), currency);
    ap->decision_reason = text(ctx, res, row, A_REASON);
    alternatives(ctx, rf_db_text(res, row, A_ALTERNATIVES), ap);
    ap->tier = enum_of(&refunds__v1__tier__descriptor, rf_db_text(res, row, A_TIER));
    ap->priority = enum_of(&refunds__v1__priority__descriptor, rf_db_text(res, row, A_PRIORITY));
    ap->policy_version = rf_db_int(res, row, A_POLICY_VERSION);
    ap->self_approved = flag(res, row, A_SELF_APPROVED);
    ap->alternative_offer = offer(ctx, res, row);
    return ap;
}

/* Signs Case.tracking_token: set once at start, read-only afterwards (case_store.h). */
static const struct rf_tracking_key *tracking_key;

void rf_case_store_set_tracking_key(const struct rf_tracking_key *k)
{
    tracking_key = k;
}

char *rf_case_store_tracking_token(struct rf_arena *a, const char *id, int64_t created_us)
{
    char *token = rf_arena_alloc(a, RF_TRACKING_TOKEN_LEN + 1);

    token[0] = '\0';
    if (tracking_key != NULL)
        rf_tracking_token_for_case(tracking_key, id, created_us, token);
    return token;
}

/* Builds the API view of the case in row (no interactions). */
static Refunds__V1__Case *case_from_row(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__Case *c = rf_pb_new(ctx->arena, &refunds__v1__case__descriptor);
    Refunds__V1__Customer *cu = rf_pb_new(ctx->arena, &refunds__v1__customer__descriptor);
    Refunds__V1__Product *pr = rf_pb_new(ctx->arena, &refunds__v1__product__descriptor);
    Refunds__V1__Payment *pay = rf_pb_new(ctx->arena, &refunds__v1__payment__descriptor);
    char *currency = text(ctx, res, row, C_CURRENCY);

    c->name = rf_name_format(ctx->arena, "cases", rf_db_text(res, row, C_ID));
    c->state = enum_of(&refunds__v1__case_state__descriptor, rf_db_text(res, row, C_STATE));
    c->etag = text(ctx, res, row, C_VERSION);
    c->channel = enum_of(&refunds__v1__channel__descriptor, rf_db_text(res, row, C_CHANNEL));
    c->acknowledge_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, C_ACK_AT));
    cu->name = text(ctx, res, row, C_CUST_NAME);
    cu->email = text(ctx, res, row, C_CUST_EMAIL);
    cu->phone = text(ctx, res, row, C_CUST_PHONE);
    cu->preferred_language = text(ctx, res, row, C_CUST_LANG);
    c->customer = cu;
    pr->order_id = text(ctx, res, row, C_ORDER_ID);
    pr->sku = text(ctx, res, row, C_SKU);
    pr->name = text(ctx, res, row, C_PRODUCT_NAME);
    pr->category = text(ctx, res, row, C_CATEGORY);
    c->product = pr;
    c->purchase_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, C_PURCHASED_AT));
    c->amount_paid = money(ctx, rf_db_int(res, row, C_PAID), currency);
    c->requested_amount = money(ctx, rf_db_int(res, row, C_REQUESTED), currency);
    pay->method =
        enum_of(&refunds__v1__payment_method__descriptor, rf_db_text(res, row, C_PAY_METHOD));
    pay->provider = text(ctx, res, row, C_PAY_PROVIDER);
    pay->provider_payment_id = text(ctx, res, row, C_PAY_ID);
    pay->label = text(ctx, res, row, C_PAY_LABEL);
    c->payment = pay;
    c->reason_code =
        enum_of(&refunds__v1__reason_code__descriptor, rf_db_text(res, row, C_REASON_CODE));
    c->reason_text = text(ctx, res, row, C_REASON_TEXT);
    c->opened_by = text(ctx, res, row, C_OPENED_BY);
    c->assignee = text(ctx, res, row, C_ASSIGNEE);
    c->withdraw_reason = text(ctx, res, row, C_WITHDRAW_REASON);
    c->create_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, C_CREATED_AT));
    c->update_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, C_UPDATED_AT));
    c->approval = approval(ctx, res, row, currency);
    c->tracking_token = rf_case_store_tracking_token(ctx->arena, rf_db_text(res, row, C_ID),
                                                     rf_db_time(res, row, C_CREATED_AT));
    cu->id = text(ctx, res, row, C_CUSTOMER_ID);
    if (!rf_db_is_null(res, row, E_RESULT))
        c->evaluation = rf_evaluation_store_message(
            ctx->arena, (int)rf_db_int(res, row, C_EVAL_COUNT), rf_db_text(res, row, E_BY),
            rf_db_time(res, row, E_AT), rf_db_text(res, row, E_RESULT),
            rf_db_text(res, row, E_HISTORY));
    return c;
}

static Refunds__V1__Interaction *interaction(struct rf_ctx *ctx, const PGresult *res, int row,
                                             const char *case_name)
{
    Refunds__V1__Interaction *i = rf_pb_new(ctx->arena, &refunds__v1__interaction__descriptor);

    i->name =
        rf_arena_printf(ctx->arena, "%s/interactions/%s", case_name, rf_db_text(res, row, I_SEQ));
    i->kind = enum_of(&refunds__v1__interaction_kind__descriptor, rf_db_text(res, row, I_KIND));
    i->channel = enum_of(&refunds__v1__channel__descriptor, rf_db_text(res, row, I_CHANNEL));
    i->summary = text(ctx, res, row, I_SUMMARY);
    i->author = text(ctx, res, row, I_AUTHOR);
    i->create_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, I_CREATED_AT));
    return i;
}

static const char *nullable(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    return rf_db_is_null(res, row, col) ? NULL : text(ctx, res, row, col);
}

enum rf_code rf_case_store_get(struct rf_ctx *ctx, const char *id, bool full,
                               struct rf_case_row *out)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    rf_param_text(&p, id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, full ? &get_case_full : &get_case, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    if (rows == 0)
        return rf_fail(&ctx->err, RF_NOT_FOUND, "case \"cases/%s\" does not exist", id);
    out->pb = case_from_row(ctx, res, 0);
    snprintf(out->id, sizeof out->id, "%s", rf_db_text(res, 0, C_ID));
    rf_case_state_parse(rf_db_text(res, 0, C_STATE), &out->state);
    out->version = rf_db_int(res, 0, C_VERSION);
    out->audit_seq = (int)rf_db_int(res, 0, C_AUDIT_SEQ);
    if (!rf_db_bytea(res, 0, C_AUDIT_HEAD, out->audit_head, sizeof out->audit_head)) {
        rf_error_detail(&ctx->err, "case %s has a malformed audit_head", id);
        return rf_fail(&ctx->err, RF_DATA_LOSS, "the audit chain of case \"cases/%s\" is damaged",
                       id);
    }
    out->opened_by = out->pb->opened_by;
    out->evaluated_by = nullable(ctx, res, 0, C_EVALUATED_BY);
    out->escalated_by = nullable(ctx, res, 0, C_ESCALATED_BY);
    out->customer_id = nullable(ctx, res, 0, C_CUSTOMER_ID);
    out->evaluation_count = (int)rf_db_int(res, 0, C_EVAL_COUNT);
    out->policy_version = rf_db_int(res, 0, C_POLICY_VERSION);
    out->recommendation = nullable(ctx, res, 0, C_RECOMMENDATION);
    out->tier = nullable(ctx, res, 0, C_TIER);
    out->priority = nullable(ctx, res, 0, C_PRIORITY);
    if (full && (out->state == RF_CASE_REFUND_IN_PROGRESS ||
                 out->state == RF_CASE_AWAITING_FOLLOW_UP || out->state == RF_CASE_CLOSED)) {
        /* Only these states can have refunds: other reads skip the query. */
        struct rf_refund_row *refunds;
        size_t n;
        code = rf_refund_store_list(ctx, out->id, out->pb->name, &refunds, &n);
        if (code != RF_OK)
            return code;
        out->pb->n_refunds = n;
        out->pb->refunds = rf_arena_calloc(ctx->arena, n + 1, sizeof *out->pb->refunds);
        for (size_t i = 0; i < n; i++)
            out->pb->refunds[i] = refunds[i].pb;
    }
    if (full && out->state >= RF_CASE_APPROVED && out->state <= RF_CASE_CLOSED) {
        /* Only a decided case has messages telling it, or an alternative taken. */
        code = rf_comm_store_fill_case(ctx, out->id, out->pb);
        if (code != RF_OK)
            return code;
    }
    if (full && !rf_db_is_null(res, 0, I_SEQ)) {
        out->pb->n_interactions = (size_t)rows;
        out->pb->interactions =
            rf_arena_calloc(ctx->arena, (size_t)rows, sizeof *out->pb->interactions);
        for (int r = 0; r < rows; r++)
            out->pb->interactions[r] = interaction(ctx, res, r, out->pb->name);
    }
    return RF_OK;
}

static const char *short_name(const ProtobufCEnumDescriptor *desc, int value)
{
    const char *s = rf_pb_enum_short_name(desc, value);

    return s == NULL ? "" : s;
}

enum rf_code rf_case_store_insert(struct rf_ctx *ctx, const char *id, const Refunds__V1__Case *c,
                                  const char *contact_summary, const struct rf_audit_link *audit)
{
    struct rf_params p;
    int64_t purchased = 0;

    rf_pb_timestamp_us(c->purchase_time, &purchased);
    rf_audit_params(&p, ctx, id, audit);
    rf_param_text(&p, short_name(&refunds__v1__channel__descriptor, c->channel)); /* $12 */
    rf_param_text(&p, c->customer->name);
    rf_param_text(&p, c->customer->email);
    rf_param_text(&p, c->customer->phone);
    rf_param_text(&p, c->customer->preferred_language);
    rf_param_text(&p, c->product->order_id); /* $17 */
    rf_param_text(&p, c->product->sku);
    rf_param_text(&p, c->product->name);
    rf_param_text(&p, c->product->category);
    rf_param_time(&p, ctx->arena, purchased); /* $21 */
    rf_param_text(&p, c->amount_paid->currency);
    rf_param_int(&p, ctx->arena, c->amount_paid->amount_minor);
    rf_param_int(&p, ctx->arena, c->requested_amount->amount_minor);
    rf_param_text(&p, short_name(&refunds__v1__payment_method__descriptor, c->payment->method));
    rf_param_text(&p, c->payment->provider); /* $26 */
    rf_param_text(&p, c->payment->provider_payment_id);
    rf_param_text(&p, short_name(&refunds__v1__reason_code__descriptor, c->reason_code));
    rf_param_text(&p, c->reason_text); /* $29 */
    rf_param_text(&p, c->assignee);
    rf_param_text(&p, contact_summary); /* $31 */
    rf_param_text(&p, c->payment->label);
    rf_param_text(&p, c->customer->id);
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &insert_case, &p, NULL);
}

void rf_case_change_params(struct rf_ctx *ctx, const struct rf_case_change *ch, struct rf_params *p)
{
    rf_audit_params(p, ctx, ch->before->id, &ch->audit);
    rf_param_int(p, ctx->arena, ch->before->version);
    rf_param_text(p, rf_case_state_name(ch->before->state));
}

enum rf_code rf_case_run_change(struct rf_ctx *ctx, const struct rf_stmt *stmt,
                                const struct rf_params *p, bool *applied)
{
    PGresult *res;
    enum rf_code code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, stmt, p, &res);

    if (code == RF_OK)
        *applied = PQntuples(res) == 1;
    return code;
}

enum rf_code rf_case_store_add_interaction(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                           const char *kind, const char *channel,
                                           const char *summary, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, kind);
    rf_param_text(&p, channel);
    rf_param_text(&p, summary);
    return rf_case_run_change(ctx, &add_interaction, &p, applied);
}

enum rf_code rf_case_store_escalate(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                    const struct rf_case_escalation *e, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_time(&p, ctx->arena, e->due_us); /* $14 */
    rf_param_text(&p, e->note);
    rf_param_text(&p, e->tier);
    rf_param_text(&p, e->priority);
    rf_param_int(&p, ctx->arena, e->policy_version); /* $18 */
    return rf_case_run_change(ctx, &escalate, &p, applied);
}

/* An amount parameter: SQL NULL for 0 (none). */
static void param_minor(struct rf_params *p, struct rf_arena *a, long long minor)
{
    if (minor > 0)
        rf_param_int(p, a, minor);
    else
        rf_param_text(p, NULL);
}

enum rf_code rf_case_store_decide(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const struct rf_case_decision *d, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, d->decision); /* $14 */
    param_minor(&p, ctx->arena, d->approved_minor);
    rf_param_text(&p, d->reason);
    rf_param_text(&p, d->alternatives);
    rf_param_text(&p, d->outcome); /* $18 */
    rf_param_text(&p, d->offer_kind);
    param_minor(&p, ctx->arena, d->offer_minor);
    rf_param_text(&p, d->offer_kind != NULL ? d->offer_currency : NULL);
    rf_param_text(&p, d->offer_sku); /* $22 */
    return rf_case_run_change(ctx, &decide, &p, applied);
}

enum rf_code rf_case_store_self_approve(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                        const struct rf_case_decision *d, const char *priority,
                                        long long policy_version, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, d->outcome); /* $14 */
    rf_param_int(&p, ctx->arena, d->approved_minor);
    rf_param_text(&p, d->reason);
    rf_param_text(&p, priority);
    rf_param_int(&p, ctx->arena, policy_version); /* $18 */
    return rf_case_run_change(ctx, &self_approve, &p, applied);
}

enum rf_code rf_case_store_withdraw(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                    const char *reason, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, reason);
    return rf_case_run_change(ctx, &withdraw, &p, applied);
}

static enum rf_code list_rows(struct rf_ctx *ctx, const struct rf_stmt *stmt,
                              const struct rf_params *p, Refunds__V1__Case ***cases, size_t *n)
{
    PGresult *res;
    enum rf_code code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, stmt, p, &res);
    int rows;

    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *cases = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **cases);
    for (int r = 0; r < rows; r++)
        (*cases)[r] = case_from_row(ctx, res, r);
    return RF_OK;
}

enum rf_code rf_case_store_list(struct rf_ctx *ctx, const struct rf_case_filter *f,
                                Refunds__V1__Case ***cases, size_t *n)
{
    const char *values[LIST_FILTERS] = {f->state, f->customer_email, f->assignee};
    struct rf_params p;
    int mask = 0;

    pthread_once(&list_once, build_list_stmts);
    rf_params_init(&p);
    rf_param_keyset_before(&p, ctx->arena, f->before_us, f->before_id);
    rf_param_int(&p, ctx->arena, f->limit);
    for (int i = 0; i < LIST_FILTERS; i++) {
        if (values[i] != NULL) {
            mask |= 1 << i;
            rf_param_text(&p, values[i]);
        }
    }
    return list_rows(ctx, &list_stmts[mask], &p, cases, n);
}

enum rf_code rf_case_store_queue(struct rf_ctx *ctx, const struct rf_queue_filter *f,
                                 Refunds__V1__Case ***cases, size_t *n)
{
    struct rf_params p;

    rf_params_init(&p);
    rf_param_keyset_after(&p, ctx->arena, f->after_due_us, f->after_id);
    rf_param_int(&p, ctx->arena, f->limit);
    if (f->overdue_only)
        rf_param_time(&p, ctx->arena, ctx->now_us);
    else
        rf_param_text(&p, "infinity");
    rf_param_text(&p, f->tier);
    return list_rows(ctx, &approval_queue, &p, cases, n);
}

const char *rf_case_payment_method(struct rf_arena *a, const Refunds__V1__Case *c)
{
    const char *s =
        rf_pb_enum_short_name(&refunds__v1__payment_method__descriptor, c->payment->method);
    char *lower = rf_arena_strdup(a, s != NULL ? s : "OTHER");

    for (char *p = lower; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return lower;
}
