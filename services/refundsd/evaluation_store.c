/*
 * SQL of the evaluation of a case (see evaluation_store.h), and the
 * conversion of the stored JSON (the engine's rf_evaluation_json and the
 * history the engine was given) into refunds.v1.Evaluation. Enum values are
 * stored by name ("APPROVE", "SENIOR_APPROVER", "HIGH"), as everywhere.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "evaluation_store.h"
#include "json_text.h"
#include "refunds/pb.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

/*
 * The customer's earlier cases, by e-mail and by customer id, created before
 * this one ($1 the case, $2 e-mail, $3 customer id or NULL, $4 its creation);
 * the window is the $5 months before it; amounts in currency $6. Both branches
 * are index-only ranges (cases_by_customer_email_created and
 * cases_by_customer_id_created include the columns read: migration 0013).
 * The earlier cases' open findings and detractor answers are looked up with
 * the ids as one array (an index scan with the array as its condition), not
 * as a join run once per earlier case.
 */
static const struct rf_stmt history = {
    "evaluation_history",
    "WITH earlier AS ("
    " SELECT id, created_at, outcome, currency, approved_minor FROM cases"
    " WHERE customer_email = $2 AND (created_at, id) < ($4::timestamptz, $1::uuid)"
    " UNION"
    " SELECT id, created_at, outcome, currency, approved_minor FROM cases"
    " WHERE customer_id = $3 AND (created_at, id) < ($4::timestamptz, $1::uuid)),"
    " w AS (SELECT * FROM earlier"
    " WHERE created_at >= $4::timestamptz - make_interval(months => $5::int)),"
    " ids AS (SELECT array_agg(id) AS a FROM earlier)"
    " SELECT (SELECT max(version) FROM policies),"
    " (SELECT count(*) FROM earlier),"
    " (SELECT count(*) FROM w WHERE outcome IN ('APPROVED_FULL', 'APPROVED_PARTIAL')),"
    " (SELECT coalesce(sum(approved_minor), 0) FROM w"
    " WHERE outcome IN ('APPROVED_FULL', 'APPROVED_PARTIAL') AND currency = $6),"
    " (SELECT count(*) FROM w WHERE outcome = 'DENIED'),"
    " (SELECT count(*) FROM findings f WHERE f.state = 'OPEN'"
    " AND f.case_id = ANY ((SELECT a FROM ids)::uuid[])),"
    " (SELECT count(*) FROM interactions i WHERE i.case_id = $1"
    " AND i.kind IN ('ACKNOWLEDGEMENT', 'INBOUND')),"
    /* A satisfaction follow-up of an earlier case answered 0-6: a detractor. */
    " EXISTS (SELECT 1 FROM follow_ups fu WHERE fu.score <= 6"
    " AND fu.case_id = ANY ((SELECT a FROM ids)::uuid[]))"};

/* The next evaluation: $14 policy version, $15-$17 recommendation, tier, priority, then figures. */
static const struct rf_stmt record = {
    "evaluation_record", RF_CASE_CHANGE_UPDATE
    ", evaluated_by = $4, evaluation_count = evaluation_count + 1,"
    " policy_version = $14, recommendation = $15, tier = $16, priority = $17,"
    " customer_id = coalesce(customer_id, $24)" RF_CASE_CHANGE_WHERE " AND evaluation_count < " STR(
        RF_EVALUATIONS_MAX) " RETURNING id, state, evaluation_count),"
                            " e AS (INSERT INTO evaluations (case_id, seq, policy_version,"
                            " evaluated_at, evaluated_by, recommendation, score, tier, priority,"
                            " days_past_window, amount_outside_minor, currency, result, history)"
                            " SELECT u.id, u.evaluation_count, $14, $3, $4, $15, $18, $16, $17,"
                            " $19, $20, $21, $22::jsonb, $23::jsonb FROM "
                            "u)" RF_AUDIT_INSERT_FROM_U};

static const struct rf_stmt list = {
    "evaluation_list", "SELECT seq, evaluated_by, evaluated_at, result::text, history::text"
                       " FROM evaluations WHERE case_id = $1 ORDER BY seq"};

static const struct rf_stmt was_evaluator = {
    "evaluation_by", "SELECT EXISTS (SELECT 1 FROM evaluations WHERE case_id = $1"
                     " AND evaluated_by = $2)"};

enum rf_code rf_evaluation_store_history(struct rf_ctx *ctx, const struct rf_case_row *row,
                                         const char *customer_id, int window_months,
                                         struct rf_eval_history *out, int64_t *current_policy)
{
    struct rf_params p;
    PGresult *res;
    int64_t created = 0;
    enum rf_code code;

    rf_pb_timestamp_us(row->pb->create_time, &created);
    rf_params_init(&p);
    rf_param_text(&p, row->id);
    rf_param_text(&p, row->pb->customer->email);
    rf_param_text(&p, customer_id);
    rf_param_time(&p, ctx->arena, created);
    rf_param_int(&p, ctx->arena, window_months);
    rf_param_text(&p, row->pb->requested_amount->currency);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &history, &p, &res);
    if (code != RF_OK)
        return code;
    *current_policy = rf_db_int(res, 0, 0);
    out->previous_cases = (int)rf_db_int(res, 0, 1);
    out->previous_exceptions = (int)rf_db_int(res, 0, 2);
    out->refunded_in_window_minor = rf_db_int(res, 0, 3);
    out->previous_denials = (int)rf_db_int(res, 0, 4);
    out->open_findings = (int)rf_db_int(res, 0, 5);
    out->interactions = (int)rf_db_int(res, 0, 6);
    out->previous_detractor = strcmp(rf_db_text(res, 0, 7), "t") == 0;
    return RF_OK;
}

/* The history as stored with the evaluation (a new reference). */
static json_t *history_doc(const struct rf_eval_history *h, const char *currency)
{
    json_t *doc =
        json_pack("{s:i, s:i, s:I, s:s, s:i, s:i, s:i, s:b}", "previous_cases", h->previous_cases,
                  "previous_exceptions", h->previous_exceptions, "refunded_in_window_minor",
                  (json_int_t)h->refunded_in_window_minor, "currency", currency, "previous_denials",
                  h->previous_denials, "open_findings", h->open_findings, "interactions",
                  h->interactions, "previous_detractor", h->previous_detractor);

    if (doc == NULL)
        abort();
    return doc;
}

static Refunds__V1__Evaluation *message_from_docs(struct rf_arena *a, int seq,
                                                  const char *evaluated_by, int64_t evaluated_us,
                                                  json_t *r, json_t *h);

static const char *upper(struct rf_arena *a, const char *s)
{
    char *u = rf_arena_strdup(a, s);

    for (char *c = u; *c != '\0'; c++)
        *c = (char)toupper((unsigned char)*c);
    return u;
}

enum rf_code rf_evaluation_store_record(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                        const struct rf_evaluation_record *rec, bool *applied,
                                        Refunds__V1__Evaluation **stored)
{
    json_t *hdoc = history_doc(rec->history, rec->currency);
    struct rf_params p;
    enum rf_code code;

    rf_case_change_params(ctx, ch, &p);
    rf_param_int(&p, ctx->arena, rec->policy_version); /* $14 */
    rf_param_text(&p, rec->recommendation);
    rf_param_text(&p, rec->tier);
    rf_param_text(&p, rec->priority);
    rf_param_int(&p, ctx->arena, rec->score); /* $18 */
    rf_param_int(&p, ctx->arena, rec->days_past_window);
    rf_param_int(&p, ctx->arena, rec->amount_outside_minor);
    rf_param_text(&p, rec->currency);
    rf_param_text(&p, rf_json_canonical(ctx->arena, rec->result_doc)); /* $22 */
    rf_param_text(&p, rf_json_canonical(ctx->arena, hdoc));
    rf_param_text(&p, rec->customer_id); /* $24 */
    code = rf_case_run_change(ctx, &record, &p, applied);
    /* The row's seq is the count the statement raised from the one read ($12's version). */
    if (code == RF_OK && *applied)
        *stored = message_from_docs(ctx->arena, ch->before->evaluation_count + 1,
                                    ctx->actor.subject, ctx->now_us, rec->result_doc, hdoc);
    json_decref(hdoc);
    return code;
}

enum rf_code rf_evaluation_store_list(struct rf_ctx *ctx, const char *case_id,
                                      Refunds__V1__Evaluation ***out, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &list, &p, &res);
    if (code != RF_OK)
        return code;
    *n = (size_t)PQntuples(res);
    *out = rf_arena_calloc(ctx->arena, *n + 1, sizeof **out);
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = rf_evaluation_store_message(
            ctx->arena, (int)rf_db_int(res, (int)i, 0), rf_db_text(res, (int)i, 1),
            rf_db_time(res, (int)i, 2), rf_db_text(res, (int)i, 3), rf_db_text(res, (int)i, 4));
    return RF_OK;
}

enum rf_code rf_evaluation_store_evaluated_by(struct rf_ctx *ctx, const char *case_id,
                                              const char *subject, bool *yes)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    rf_param_text(&p, subject);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &was_evaluator, &p, &res);
    if (code == RF_OK)
        *yes = strcmp(rf_db_text(res, 0, 0), "t") == 0;
    return code;
}

/* The JSON member key of obj as a string in a ("" when absent or not a string). */
static char *str(struct rf_arena *a, json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return rf_arena_strdup(a, s != NULL ? s : "");
}

static int integer(json_t *obj, const char *key)
{
    return (int)json_integer_value(json_object_get(obj, key));
}

/* The value of enum desc whose short name is the member key of obj, in upper case; 0 if none. */
static int enum_member(struct rf_arena *a, const ProtobufCEnumDescriptor *desc, json_t *obj,
                       const char *key)
{
    int v = 0;

    rf_pb_enum_from_short(desc, upper(a, str(a, obj, key)), &v);
    return v;
}

static Refunds__V1__Money *money(struct rf_arena *a, int64_t minor, const char *currency)
{
    Refunds__V1__Money *m = rf_pb_new(a, &refunds__v1__money__descriptor);

    m->amount_minor = minor;
    m->currency = (char *)currency;
    return m;
}

static Refunds__V1__EvaluationFactor *factor(struct rf_arena *a, json_t *f)
{
    Refunds__V1__EvaluationFactor *out = rf_pb_new(a, &refunds__v1__evaluation_factor__descriptor);
    json_t *rules = json_object_get(f, "rules");

    out->name = str(a, f, "name");
    out->observed = str(a, f, "observed");
    out->effect = integer(f, "effect");
    out->sentence = str(a, f, "sentence");
    out->rules = rf_arena_calloc(a, json_array_size(rules) + 1, sizeof *out->rules);
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *r = json_string_value(json_array_get(rules, i));

        if (r != NULL)
            out->rules[out->n_rules++] = rf_arena_strdup(a, r);
    }
    return out;
}

static Refunds__V1__EvaluationHistory *history_message(struct rf_arena *a, json_t *h)
{
    Refunds__V1__EvaluationHistory *out =
        rf_pb_new(a, &refunds__v1__evaluation_history__descriptor);

    out->previous_cases = integer(h, "previous_cases");
    out->previous_exceptions = integer(h, "previous_exceptions");
    out->refunded_in_window =
        money(a, json_integer_value(json_object_get(h, "refunded_in_window_minor")),
              str(a, h, "currency"));
    out->previous_denials = integer(h, "previous_denials");
    out->open_findings = integer(h, "open_findings");
    out->interactions = integer(h, "interactions");
    out->previous_detractor = json_is_true(json_object_get(h, "previous_detractor"));
    return out;
}

/* The API view of an evaluation from its documents r and h (either may be NULL: left out). */
static Refunds__V1__Evaluation *message_from_docs(struct rf_arena *a, int seq,
                                                  const char *evaluated_by, int64_t evaluated_us,
                                                  json_t *r, json_t *h)
{
    Refunds__V1__Evaluation *ev = rf_pb_new(a, &refunds__v1__evaluation__descriptor);
    json_t *factors;

    ev->number = seq;
    ev->evaluated_by = rf_arena_strdup(a, evaluated_by != NULL ? evaluated_by : "");
    ev->evaluate_time = rf_pb_timestamp(a, evaluated_us);
    if (r != NULL) {
        factors = json_object_get(r, "factors");
        ev->recommendation =
            enum_member(a, &refunds__v1__recommendation__descriptor, r, "recommendation");
        ev->score = integer(r, "score");
        ev->factors = rf_arena_calloc(a, json_array_size(factors) + 1, sizeof *ev->factors);
        for (size_t i = 0; i < json_array_size(factors); i++)
            ev->factors[ev->n_factors++] = factor(a, json_array_get(factors, i));
        ev->days_since_purchase = integer(r, "days_since_purchase");
        ev->days_past_window = integer(r, "days_past_window");
        ev->max_days_past_window = integer(r, "max_days_past_window");
        ev->amount_outside_policy =
            money(a, json_integer_value(json_object_get(r, "amount_outside_minor")),
                  str(a, r, "currency"));
        ev->tier = enum_member(a, &refunds__v1__tier__descriptor, r, "tier");
        ev->priority = enum_member(a, &refunds__v1__priority__descriptor, r, "priority");
        ev->policy_version = json_integer_value(json_object_get(r, "policy_version"));
        ev->category = str(a, r, "category");
        ev->reason = str(a, r, "reason");
    }
    if (h != NULL)
        ev->history = history_message(a, h);
    return ev;
}

Refunds__V1__Evaluation *rf_evaluation_store_message(struct rf_arena *a, int seq,
                                                     const char *evaluated_by, int64_t evaluated_us,
                                                     const char *result_json,
                                                     const char *history_json_text)
{
    json_t *r = json_loads(result_json != NULL ? result_json : "", 0, NULL);
    json_t *h = json_loads(history_json_text != NULL ? history_json_text : "", 0, NULL);
    Refunds__V1__Evaluation *ev = message_from_docs(a, seq, evaluated_by, evaluated_us, r, h);

    json_decref(r); /* NULL when it was not JSON: jansson ignores it */
    json_decref(h);
    return ev;
}

const struct rf_stmt *const *rf_evaluation_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&history, &record, &list, &was_evaluator, NULL};

    return all;
}
