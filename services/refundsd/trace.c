/*
 * GetRefundTrace (refunds.v1.Reconciliation): where a case's money is, in one
 * call, for the agent who has the customer on the phone. It reads the case,
 * its refunds with what the reconciler last saw of each, the steps of each as
 * first seen (provider_observations), the open findings and the next time
 * someone is due to contact the customer; then builds the timeline, each
 * refund's reference, window and bank details, and the script, rendered in
 * the customer's language from the trace.* templates. Nothing is written.
 * Which situation the script is about is trace_situation.c's call.
 */
#include <stdio.h>
#include <string.h>

#include "case_validate.h"
#include "followup_store.h"
#include "recon_store.h"
#include "reconciliation.h"
#include "refund_store.h"
#include "refunds/locale.h"
#include "refunds/money.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/psp.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "services.h"
#include "trace_situation.h"

#define MAX64(a, b) ((a) > (b) ? (a) : (b))

/* The most open findings of a case the trace lists (their refunds' items share them). */
#define TRACE_MAX_FINDINGS 100

/* What the trace read, and what it works out, for one refund. */
struct item {
    const struct rf_refund_row *row;
    Refunds__V1__RefundTraceItem *pb;
    enum rf_trace_situation situation;
    int64_t from_us, to_us; /* the arrival window: actual once succeeded, else estimated */
};

struct trace {
    struct rf_call *call;
    const struct rf_case_row *kase;
    const char *lang; /* asked for, or the customer's */
    struct item *items;
    size_t n_items;
    Refunds__V1__Finding **findings;
    size_t n_findings;
    int64_t next_contact_us; /* 0: none open */
    Refunds__V1__TraceEvent **events;
    size_t n_events, cap_events;
};

static const char *provider_title(const char *p)
{
    static const struct {
        const char *name, *title;
    } known[] = {{"stripe", "Stripe"}, {"adyen", "Adyen"}, {"paypal", "PayPal"},
                 {"checkout", "Checkout.com"}};

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].name, p) == 0)
            return known[i].title;
    return p;
}


static const char *status_word(struct rf_arena *a, Refunds__V1__ProviderStatus s)
{
    const char *name = rf_pb_enum_short_name(&refunds__v1__provider_status__descriptor, (int)s);
    char *w = rf_arena_strdup(a, name != NULL ? name : "UNSPECIFIED");

    for (char *p = w; *p != '\0'; p++)
        *p = *p == '_' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    return w;
}

static const char *money(struct rf_arena *a, const Refunds__V1__Money *m)
{
    char buf[64];

    rf_money_format(m->amount_minor, m->currency, buf, sizeof buf);
    return rf_arena_strdup(a, buf);
}

static void add_event(struct trace *t, int64_t us, Refunds__V1__TraceEventKind kind,
                      const char *refund, Refunds__V1__ProviderStatus status, const char *text)
{
    struct rf_arena *a = t->call->ctx.arena;
    Refunds__V1__TraceEvent *e = rf_pb_new(a, &refunds__v1__trace_event__descriptor);

    if (t->n_events == t->cap_events) {
        size_t cap = t->cap_events ? t->cap_events * 2 : 16;
        Refunds__V1__TraceEvent **grown = rf_arena_calloc(a, cap, sizeof *grown);

        if (t->n_events > 0)
            memcpy(grown, t->events, t->n_events * sizeof *grown);
        t->events = grown;
        t->cap_events = cap;
    }
    e->time = rf_pb_timestamp(a, us);
    e->kind = kind;
    e->refund = (char *)(refund != NULL ? refund : "");
    e->provider_status = status;
    e->text = (char *)text;
    t->events[t->n_events++] = e;
}

static int64_t ts_us(const Google__Protobuf__Timestamp *ts)
{
    int64_t us = 0;

    if (ts != NULL)
        rf_pb_timestamp_us(ts, &us);
    return us;
}

static struct item *item_of_refund_id(struct trace *t, const char *refund_id)
{
    for (size_t i = 0; i < t->n_items; i++)
        if (strcmp(t->items[i].row->id, refund_id) == 0)
            return &t->items[i];
    return NULL;
}

/* The timeline, oldest first: the approval, each refund's issue, steps and receipt. */
static void build_timeline(struct trace *t, const struct rf_refund_observation *obs, size_t n_obs)
{
    struct rf_arena *a = t->call->ctx.arena;
    const Refunds__V1__Approval *ap = t->kase->pb->approval;

    if (ap != NULL && ap->decision == REFUNDS__V1__DECISION__DECISION_APPROVE &&
        ap->decide_time != NULL)
        add_event(t, ts_us(ap->decide_time), REFUNDS__V1__TRACE_EVENT_KIND__TRACE_EVENT_KIND_APPROVED,
                  NULL, 0,
                  rf_arena_printf(a, "approved %s by %s",
                                  ap->approved_amount ? money(a, ap->approved_amount) : "",
                                  ap->decided_by));
    for (size_t i = 0; i < t->n_items; i++) {
        const Refunds__V1__Refund *r = t->items[i].row->pb;

        add_event(t, ts_us(r->issue_time), REFUNDS__V1__TRACE_EVENT_KIND__TRACE_EVENT_KIND_ISSUED,
                  r->name, 0,
                  rf_arena_printf(a, "issued %s through %s as %s", money(a, r->amount),
                                  provider_title(r->provider), r->provider_refund_id));
    }
    for (size_t i = 0; i < n_obs; i++) {
        const struct item *it = item_of_refund_id(t, obs[i].refund_id);
        const char *prev_ref = "";
        int status = 0;

        if (it == NULL)
            continue;
        for (size_t j = i; j-- > 0;)
            if (strcmp(obs[j].refund_id, obs[i].refund_id) == 0) {
                prev_ref = obs[j].reference;
                break;
            }
        rf_pb_enum_from_short(&refunds__v1__provider_status__descriptor, obs[i].status, &status);
        if (i == 0 || strcmp(obs[i].status, "") != 0)
            add_event(t, obs[i].first_seen_us,
                      REFUNDS__V1__TRACE_EVENT_KIND__TRACE_EVENT_KIND_PROVIDER_STATUS,
                      it->row->pb->name, status,
                      rf_arena_printf(a, "%s: %s", provider_title(it->row->pb->provider),
                                      status_word(a, status)));
        if (obs[i].reference[0] != '\0' && strcmp(obs[i].reference, prev_ref) != 0)
            add_event(t, obs[i].first_seen_us,
                      REFUNDS__V1__TRACE_EVENT_KIND__TRACE_EVENT_KIND_REFERENCE, it->row->pb->name,
                      status,
                      rf_arena_printf(a, "reference %s %s",
                                      rf_psp_reference_type_short(it->row->pb->transfer_reference_type),
                                      obs[i].reference));
    }
    for (size_t i = 0; i < t->n_items; i++) {
        const struct rf_refund_row *r = t->items[i].row;

        if (r->received)
            add_event(t, r->received_us,
                      REFUNDS__V1__TRACE_EVENT_KIND__TRACE_EVENT_KIND_RECEIPT_CONFIRMED, r->pb->name,
                      0, rf_arena_printf(a, "receipt confirmed by %s", r->pb->receipt_confirmed_by));
    }
    /* Stable insertion sort by time: the groups above are each in order already, and short. */
    for (size_t i = 1; i < t->n_events; i++) {
        Refunds__V1__TraceEvent *e = t->events[i];
        int64_t us = ts_us(e->time);
        size_t j = i;

        while (j > 0 && ts_us(t->events[j - 1]->time) > us) {
            t->events[j] = t->events[j - 1];
            j--;
        }
        t->events[j] = e;
    }
}

static bool finding_chases(const Refunds__V1__Finding *f)
{
    return f->kind == REFUNDS__V1__FINDING_KIND__FINDING_KIND_STUCK_PENDING ||
           f->kind == REFUNDS__V1__FINDING_KIND__FINDING_KIND_NOT_FOUND_AT_PROVIDER ||
           f->kind == REFUNDS__V1__FINDING_KIND__FINDING_KIND_NOT_CLEARED;
}

static const char *reference_note(const struct item *it)
{
    const struct rf_refund_row *r = it->row;

    if (it->situation == RF_TRACE_REVERSAL)
        return "no reference: the charge was reversed and disappears from the customer's "
               "statement";
    if (r->pb->transfer_reference[0] != '\0')
        return "";
    if (r->pb->provider_status != REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_SUCCEEDED)
        return "no reference before the provider has sent the money";
    if (strcmp(r->reference_status, "pending") == 0)
        return "the provider has not given the reference yet";
    if (strcmp(r->reference_status, "unavailable") == 0)
        return "the provider says it has no reference for this refund";
    return "the provider gives no bank reference for this payment method";
}

/* A refund's item: its facts, situation, window and, past the window, the bank details. */
static void build_item(struct trace *t, struct item *it)
{
    struct rf_call *call = t->call;
    struct rf_arena *a = call->ctx.arena;
    const struct rf_refund_row *r = it->row;
    Refunds__V1__RefundTraceItem *pb = rf_pb_new(a, &refunds__v1__refund_trace_item__descriptor);
    Refunds__V1__ArrivalWindow *w = rf_pb_new(a, &refunds__v1__arrival_window__descriptor);
    bool succeeded = r->pb->provider_status == REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_SUCCEEDED;
    const struct rf_arrival_table *arrival = &call->settings->arrival;
    enum rf_arrival_method m = RF_ARRIVAL_OTHER;
    struct rf_trace_facts facts = {
        .status = r->pb->provider_status,
        .received = r->received,
        .reversal = strcmp(r->card_refund_type, "reversal") == 0,
        .has_reference = r->pb->transfer_reference[0] != '\0',
        .reference_expected = r->reference_status[0] != '\0',
        .window = RF_WINDOW_BEFORE,
    };
    const char *method = rf_arrival_method_parse(r->payment_method, &m) ? r->payment_method : "other";

    pb->refund = r->pb;
    pb->pending_reason = (char *)r->pending_reason;
    pb->failure_reason = (char *)r->failure_reason;
    pb->reference = r->pb->transfer_reference;
    pb->reference_type = r->pb->transfer_reference_type;
    pb->reference_status = (char *)r->reference_status;
    pb->open_findings = rf_arena_calloc(a, t->n_findings + 1, sizeof *pb->open_findings);
    for (size_t i = 0; i < t->n_findings; i++)
        if (strcmp(t->findings[i]->refund, r->pb->name) == 0) {
            pb->open_findings[pb->n_open_findings++] = t->findings[i];
            facts.chased = facts.chased || finding_chases(t->findings[i]);
        }
    /*
     * Once succeeded the reconciler's window; before, estimated from the issue time, as the
     * customer's status page (tracking_view.c) shows it, so that both say the same dates.
     */
    if (succeeded && r->window_to_us != 0) {
        it->from_us = r->window_from_us;
        it->to_us = r->window_to_us;
    } else {
        rf_arrival_window(arrival, method,
                          succeeded && r->succeeded_us ? r->succeeded_us : ts_us(r->pb->issue_time),
                          &it->from_us, &it->to_us);
    }
    w->start_time = rf_pb_timestamp(a, it->from_us);
    w->end_time = rf_pb_timestamp(a, it->to_us);
    w->from_business_days = arrival->range[m].from_days;
    w->to_business_days = arrival->range[m].to_days;
    if (succeeded) {
        facts.window = rf_window_position(it->from_us, it->to_us, call->ctx.now_us);
        w->position = (Refunds__V1__WindowPosition)(REFUNDS__V1__WINDOW_POSITION__WINDOW_POSITION_BEFORE +
                                                    (int)facts.window);
    } else {
        w->position = REFUNDS__V1__WINDOW_POSITION__WINDOW_POSITION_NOT_STARTED;
    }
    pb->window = w;
    it->situation = rf_trace_situation_of(&facts);
    pb->reference_note = (char *)reference_note(it);
    if (rf_trace_bank_details_due(it->situation)) {
        Refunds__V1__BankDetails *b = rf_pb_new(a, &refunds__v1__bank_details__descriptor);
        char buf[96];

        b->reference = r->pb->transfer_reference;
        b->reference_type = (char *)(b->reference[0] != '\0'
                                         ? rf_psp_reference_type_short(r->pb->transfer_reference_type)
                                         : "");
        rf_money_format_lang(r->pb->amount->amount_minor, r->pb->amount->currency, t->lang, buf,
                             sizeof buf);
        b->amount_text = rf_arena_strdup(a, buf);
        rf_date_format_lang(ts_us(r->pb->issue_time), t->lang, buf, sizeof buf);
        b->refund_date_text = rf_arena_strdup(a, buf);
        b->merchant_name = (char *)call->settings->merchant_name;
        pb->bank = b;
    }
    it->pb = pb;
}

/* Failures the customer can only get past with another card or account. */
static bool new_method_needed(const char *failure_reason)
{
    return strstr(failure_reason, "card") != NULL || strstr(failure_reason, "account") != NULL;
}

/*
 * The script of the case: about its most urgent refund (the newest of equals),
 * leaving out failed ones that a later refund replaced.
 */
static enum rf_code build_script(struct trace *t, Refunds__V1__RefundTrace *out)
{
    struct rf_call *call = t->call;
    struct rf_arena *a = call->ctx.arena;
    const Refunds__V1__Case *c = t->kase->pb;
    const Refunds__V1__Approval *ap = c->approval;
    const struct item *it = NULL;
    enum rf_trace_situation s;
    const struct rf_template *tpl;
    struct rf_render_values *v;
    struct rf_rendered done;
    Refunds__V1__Script *sc;
    const char *lang;
    int64_t now = call->ctx.now_us, next;
    enum rf_code code;

    int64_t latest_alive = INT64_MIN;

    /* A failed refund sent again since is history: the script is about the one on its way. */
    for (size_t i = 0; i < t->n_items; i++)
        if (t->items[i].situation != RF_TRACE_FAILED)
            latest_alive = MAX64(latest_alive, ts_us(t->items[i].row->pb->issue_time));
    for (size_t i = 0; i < t->n_items; i++) {
        const struct item *x = &t->items[i];

        if (x->situation == RF_TRACE_FAILED && ts_us(x->row->pb->issue_time) <= latest_alive)
            continue;
        if (it == NULL || x->situation <= it->situation)
            it = x;
    }
    if (it != NULL)
        s = it->situation;
    else if (ap != NULL && ap->decision == REFUNDS__V1__DECISION__DECISION_APPROVE)
        s = RF_TRACE_NOT_ISSUED;
    else
        return RF_OK; /* nothing approved: no money to trace, status_note says so */
    code = rf_template_find(rf_recon(call)->templates, rf_trace_situation_name(s), t->lang, &tpl,
                            &call->ctx.err);
    if (code != RF_OK)
        return code;
    lang = rf_template_lang(tpl);
    v = rf_render_values_create(a);
    next = t->next_contact_us > now ? t->next_contact_us : rf_business_days_add(now, 1);
    rf_render_set(v, "case_ref", rf_name_id(c->name));
    rf_render_set(v, "merchant_name", call->settings->merchant_name);
    rf_render_set(v, "customer_email", c->customer->email);
    rf_render_set(v, "payment_method",
                  c->payment->label[0] != '\0'
                      ? c->payment->label
                      : rf_payment_method_text(it != NULL ? it->row->payment_method
                                                          : rf_case_payment_method(a, c),
                                               lang));
    rf_render_set_date(v, "next_update", next, lang);
    rf_render_set_date(v, "payment_date", ts_us(c->purchase_time), lang);
    if (it != NULL) {
        const struct rf_refund_row *r = it->row;

        rf_render_set_money(v, "amount", r->pb->amount->amount_minor, r->pb->amount->currency,
                            lang);
        rf_render_set_date(v, "refund_date", ts_us(r->pb->issue_time), lang);
        rf_render_set_date(v, "window_from", it->from_us, lang);
        rf_render_set_date(v, "window_to", it->to_us, lang);
        rf_render_set(v, "reference", r->pb->transfer_reference);
        rf_render_set(v, "reference_type", rf_psp_reference_type_short(r->pb->transfer_reference_type));
        if (r->received)
            rf_render_set_date(v, "received_date", r->received_us, lang);
        rf_render_set_flag(v, "new_method_needed", new_method_needed(r->failure_reason));
    } else {
        int64_t from, to;

        rf_arrival_window(&call->settings->arrival,
                          rf_case_payment_method(a, c), now, &from, &to);
        rf_render_set_money(v, "amount", ap->approved_amount->amount_minor,
                            ap->approved_amount->currency, lang);
        rf_render_set_date(v, "decision_date", ts_us(ap->decide_time), lang);
        rf_render_set_date(v, "window_from", from, lang);
        rf_render_set_date(v, "window_to", to, lang);
    }
    code = rf_render(tpl, v, RF_RENDER_TEXT, a, &done, &call->ctx.err);
    if (code != RF_OK)
        return code;
    sc = rf_pb_new(a, &refunds__v1__script__descriptor);
    sc->language = (char *)lang;
    sc->situation = (char *)rf_trace_situation_name(s);
    sc->template_version = rf_template_version(tpl);
    sc->text = (char *)done.body;
    out->script = sc;
    return RF_OK;
}

static const char *status_note(const struct trace *t)
{
    const Refunds__V1__Case *c = t->kase->pb;
    const char *state = rf_case_state_name(t->kase->state);

    if (t->n_items > 0)
        return "";
    if (c->approval != NULL && c->approval->decision == REFUNDS__V1__DECISION__DECISION_APPROVE)
        return "approved, not issued yet: no refund has been recorded for this case";
    return rf_arena_printf(t->call->ctx.arena,
                           "no refund: the case is %s and nothing has been approved", state);
}

#define USEC_PER_DAY (86400 * RF_USEC_PER_SEC)

static void sooner(int64_t *until, int64_t t, int64_t now)
{
    if (t > now && t < *until)
        *until = t;
}

/*
 * Until when the trace may be served from the case cache: what it shows moves
 * with the clock only at the next midnight UTC (the dates it promises), at a
 * window's edges (where today lies) and when a follow-up falls due; the
 * cache's TTL bounds it too. Changes of the case, its refunds, findings and
 * follow-ups are announced and drop it (case_cache.h).
 */
static int64_t trace_valid_until(const struct trace *t)
{
    int64_t now = t->call->ctx.now_us;
    int64_t until = now + t->call->settings->case_cache_ttl_ms * 1000;

    sooner(&until, (now / USEC_PER_DAY + 1) * USEC_PER_DAY, now);
    sooner(&until, t->next_contact_us, now);
    for (size_t i = 0; i < t->n_items; i++) {
        sooner(&until, t->items[i].from_us, now);
        sooner(&until, t->items[i].to_us + 1, now);
    }
    return until;
}

RF_HANDLER(get_refund_trace, Refunds__V1__GetRefundTraceRequest, Refunds__V1__RefundTrace)
{
    struct rf_case_cache *cache = rf_recon(call)->cache;
    uint64_t generation = rf_case_cache_generation(cache);
    bool cacheable;
    char case_id[RF_UUID_TEXT_LEN + 1], refund_id[RF_UUID_TEXT_LEN + 1] = "";
    struct rf_case_row kase;
    struct rf_refund_row *rows;
    struct rf_refund_observation *obs;
    size_t n_rows = 0, n_obs = 0;
    bool truncated = false;
    struct rf_finding_filter ff = {.state = "OPEN", .limit = TRACE_MAX_FINDINGS};
    struct trace t = {.call = call, .kase = &kase};
    enum rf_code code;

    if (!rf_case_name_parse(in->name, case_id))
        rf_refund_name_parse(in->name, case_id, refund_id);
    call->resource = in->name;
    /* The whole case in the customer's language is what agents ask for: that one is cached. */
    cacheable = refund_id[0] == '\0' && in->language[0] == '\0';
    if (cacheable && rf_case_cache_get(cache, RF_CACHED_TRACE, case_id, call->ctx.now_us,
                                       call->ctx.arena, &call->reply_raw, &call->reply_raw_len))
        return RF_OK;
    code = rf_case_store_get(&call->ctx, case_id, false, &kase);
    if (code == RF_OK)
        code = rf_refund_store_list(&call->ctx, case_id, kase.pb->name, &rows, &n_rows);
    if (code != RF_OK)
        return code;
    t.lang = in->language[0] != '\0' ? in->language : kase.pb->customer->preferred_language;
    t.items = rf_arena_calloc(call->ctx.arena, n_rows + 1, sizeof *t.items);
    for (size_t i = 0; i < n_rows; i++)
        if (refund_id[0] == '\0' || strcmp(rows[i].id, refund_id) == 0)
            t.items[t.n_items++].row = &rows[i];
    if (refund_id[0] != '\0' && t.n_items == 0)
        return rf_fail(&call->ctx.err, RF_NOT_FOUND, "refund \"%s\" does not exist", in->name);
    ff.case_id = case_id;
    code = rf_finding_store_list(&call->ctx, &ff, &t.findings, &t.n_findings);
    if (code == RF_OK)
        code = rf_refund_store_observations(&call->ctx, case_id, &obs, &n_obs, &truncated);
    if (code == RF_OK)
        code = rf_followup_store_next_contact(&call->ctx, case_id, &t.next_contact_us);
    if (code != RF_OK)
        return code;
    for (size_t i = 0; i < t.n_items; i++)
        build_item(&t, &t.items[i]);
    build_timeline(&t, obs, n_obs);
    out->case_ = kase.pb->name;
    out->state = kase.pb->state;
    out->approval = kase.pb->approval;
    out->issued = t.n_items > 0;
    out->status_note = (char *)status_note(&t);
    out->refunds = rf_arena_calloc(call->ctx.arena, t.n_items + 1, sizeof *out->refunds);
    for (size_t i = 0; i < t.n_items; i++)
        out->refunds[out->n_refunds++] = t.items[i].pb;
    out->timeline = t.events;
    out->n_timeline = t.n_events;
    if (truncated)
        out->status_note = rf_arena_printf(
            call->ctx.arena, "%s%sthe timeline shows the first %d provider steps",
            out->status_note, out->status_note[0] ? "; " : "", RF_TRACE_MAX_OBSERVATIONS);
    code = build_script(&t, out);
    if (code == RF_OK && cacheable) {
        call->reply_raw = rf_pb_pack(call->ctx.arena, &out->base, &call->reply_raw_len);
        rf_case_cache_put(cache, RF_CACHED_TRACE, case_id, kase.version, trace_valid_until(&t),
                          call->reply_raw, call->reply_raw_len, generation);
    }
    return code;
}

static void validate_trace(const Refunds__V1__GetRefundTraceRequest *in, int64_t now_us,
                           struct rf_error *err)
{
    char a[RF_UUID_TEXT_LEN + 1], b[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    if (in->name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_case_name_parse(in->name, a) && !rf_refund_name_parse(in->name, a, b))
        rf_violation_add(err, "name", "must be cases/{id} or cases/{id}/refunds/{id}");
    if (in->language[0] != '\0' && !rf_language_tag_valid(in->language))
        rf_violation_add(err, "language", "must be a BCP 47 language tag such as en, es or de-AT");
}

RF_VALIDATOR(validate_trace, Refunds__V1__GetRefundTraceRequest);

static const struct rf_method methods[] = {
    {
        .name = "GetRefundTrace",
        .input = &refunds__v1__get_refund_trace_request__descriptor,
        .output = &refunds__v1__refund_trace__descriptor,
        .validate = validate_trace_entry,
        .handler = get_refund_trace_entry,
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
};

RF_METHOD_PART(rf_trace_methods, methods);
