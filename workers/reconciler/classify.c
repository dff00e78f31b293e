/*
 * The reconciler's classifier (see classify.h): one judge per finding kind,
 * each deciding from the refund, the provider's record and the snapshot
 * whether its kind holds, does not hold, or cannot be judged this pass; then
 * the observed status, the reference, the money's arrival and the next
 * check. Pure: no I/O and no clock; strings go to the caller's arena. Not
 * for the environment (recon_config.c) nor for storage (the worker's store).
 */
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"

static const struct {
    const char *name; /* stable, upper case */
    const char *word; /* the cache's word; NULL for the classifier's own statuses */
} statuses[RF_RECON_STATUSES] = {
    [RF_RECON_UNKNOWN] = {"UNKNOWN", NULL},
    [RF_RECON_NOT_FOUND] = {"NOT_FOUND", NULL},
    [RF_RECON_PENDING] = {"PENDING", "pending"},
    [RF_RECON_REQUIRES_ACTION] = {"REQUIRES_ACTION", "requires_action"},
    [RF_RECON_SUCCEEDED] = {"SUCCEEDED", "succeeded"},
    [RF_RECON_FAILED] = {"FAILED", "failed"},
    [RF_RECON_CANCELED] = {"CANCELED", "canceled"},
    [RF_RECON_REVERSED] = {"REVERSED", "reversed"},
    [RF_RECON_NOT_CLEARED] = {"NOT_CLEARED", "not_cleared"},
};

/*
 * Per kind: its stable name and whom a follow-up goes to when it is present
 * (NONE: no follow-up). STUCK_PENDING's follow-up is due only past
 * stuck_follow_up_business_days.
 */
static const struct {
    const char *name;
    enum rf_recon_audience audience;
} kinds[RF_FINDING_KINDS] = {
    [RF_FINDING_NOT_FOUND_AT_PROVIDER] = {"NOT_FOUND_AT_PROVIDER", RF_AUDIENCE_NONE},
    [RF_FINDING_FAILED] = {"FAILED", RF_AUDIENCE_CUSTOMER_AGENT},
    [RF_FINDING_REVERSED] = {"REVERSED", RF_AUDIENCE_CUSTOMER_AGENT},
    [RF_FINDING_STUCK_PENDING] = {"STUCK_PENDING", RF_AUDIENCE_CUSTOMER_AGENT},
    [RF_FINDING_REQUIRES_CUSTOMER_ACTION] = {"REQUIRES_CUSTOMER_ACTION",
                                             RF_AUDIENCE_CUSTOMER_AGENT},
    [RF_FINDING_NOT_CLEARED] = {"NOT_CLEARED", RF_AUDIENCE_NONE},
    [RF_FINDING_AMOUNT_MISMATCH] = {"AMOUNT_MISMATCH", RF_AUDIENCE_FINANCE},
    [RF_FINDING_CURRENCY_MISMATCH] = {"CURRENCY_MISMATCH", RF_AUDIENCE_FINANCE},
    [RF_FINDING_DUPLICATE_REFUND] = {"DUPLICATE_REFUND", RF_AUDIENCE_FINANCE},
    [RF_FINDING_ORPHAN_AT_PROVIDER] = {"ORPHAN_AT_PROVIDER", RF_AUDIENCE_FINANCE},
    [RF_FINDING_NO_TRACE_REFERENCE] = {"NO_TRACE_REFERENCE", RF_AUDIENCE_NONE},
    [RF_FINDING_OVERDUE_AT_CUSTOMER] = {"OVERDUE_AT_CUSTOMER", RF_AUDIENCE_CUSTOMER_AGENT},
};

const char *rf_recon_status_name(enum rf_recon_status s)
{
    if ((int)s < 0 || s >= RF_RECON_STATUSES)
        return NULL;
    return statuses[s].name;
}

bool rf_recon_status_parse(const char *word, enum rf_recon_status *out)
{
    for (int i = 0; word != NULL && i < RF_RECON_STATUSES; i++) {
        if (statuses[i].word != NULL && strcmp(statuses[i].word, word) == 0) {
            *out = (enum rf_recon_status)i;
            return true;
        }
    }
    return false;
}

const char *rf_finding_kind_name(enum rf_finding_kind k)
{
    if ((int)k < 0 || k >= RF_FINDING_KINDS)
        return NULL;
    return kinds[k].name;
}

bool rf_finding_kind_parse(const char *name, enum rf_finding_kind *out)
{
    for (int i = 0; name != NULL && i < RF_FINDING_KINDS; i++) {
        if (strcmp(kinds[i].name, name) == 0) {
            *out = (enum rf_finding_kind)i;
            return true;
        }
    }
    return false;
}

const char *rf_recon_audience_name(enum rf_recon_audience a)
{
    switch (a) {
    case RF_AUDIENCE_NONE:
        return "NONE";
    case RF_AUDIENCE_CUSTOMER_AGENT:
        return "CUSTOMER_AGENT";
    case RF_AUDIENCE_FINANCE:
        return "FINANCE";
    }
    return NULL;
}

/* One classification in progress. */
struct ctx {
    struct rf_arena *a;
    const struct rf_recon_ours *o;
    const struct rf_recon_provider *p;
    const struct rf_recon_snapshot *s;
    const struct rf_recon_config *cfg;
    const struct rf_arrival_table *arrival;
    int64_t now;
    struct rf_recon_verdict *v;
    bool record;              /* the cache has a record with a provider status */
    enum rf_recon_status st;  /* its status (UNKNOWN without a record) */
    int64_t success;          /* when it succeeded (SUCCEEDED only), else 0 */
    bool has_ref;             /* it carries a reference to give the customer */
    bool ref_awaited;         /* SUCCEEDED card refund whose reference should come and has not */
    const char *method;       /* the arrival method used for the window */
    const char *provider;     /* our provider name, or "the provider" */
    const char *provider_cap; /* the same to start a sentence: "Stripe", "The provider" */
};

static const char *str(const char *s)
{
    return s == NULL ? "" : s;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* Currency codes compare without case: Stripe writes "usd" where we write "USD". */
static bool same_currency(const char *a, const char *b)
{
    return strcasecmp(str(a), str(b)) == 0;
}

/* An ISO 4217 code in upper case ("usd" -> "USD"), in the arena; "???" when it is not 3 letters. */
static const char *code(struct ctx *c, const char *currency)
{
    char buf[4] = "???";

    for (size_t i = 0; i < 3 && strlen(str(currency)) == 3; i++)
        buf[i] = currency[i] >= 'a' && currency[i] <= 'z' ? (char)(currency[i] - 'a' + 'A')
                                                          : currency[i];
    return rf_arena_strdup(c->a, buf);
}

/* "JPY 1000", "KWD 1.500": the amount in its currency's minor-unit digits, in the arena. */
static const char *money(struct ctx *c, int64_t minor, const char *currency)
{
    char buf[64];

    rf_money_format(minor, code(c, currency), buf, sizeof buf);
    return rf_arena_strdup(c->a, buf);
}

/* RFC 3339 text of us in the arena. */
static const char *when(struct ctx *c, int64_t us)
{
    char buf[40];

    rf_time_format_rfc3339(us, buf, sizeof buf);
    return rf_arena_strdup(c->a, buf);
}

/* The status word the provider uses ("failed"), for evidence and reasons. */
static const char *word(enum rf_recon_status s)
{
    return statuses[s].word != NULL ? statuses[s].word : statuses[s].name;
}

/*
 * Adds key: value to f's evidence, the value copied into the arena (it may
 * point into the caller's input); an empty value is left out (the field was
 * not given).
 */
static void ev(struct ctx *c, struct rf_recon_finding *f, const char *key, const char *value)
{
    if (empty(value) || f->n_evidence == RF_RECON_EVIDENCE_MAX)
        return;
    f->evidence[f->n_evidence].key = key;
    f->evidence[f->n_evidence].value = rf_arena_strdup(c->a, value);
    f->n_evidence++;
}

/* Records that kind k holds; returns its finding, evidence started with the refund's identity. */
static struct rf_recon_finding *hold(struct ctx *c, enum rf_finding_kind k)
{
    struct rf_recon_finding *f = &c->v->finding[k];

    c->v->decided |= RF_FINDING_BIT(k);
    c->v->present |= RF_FINDING_BIT(k);
    memset(f, 0, sizeof *f);
    f->kind = k;
    f->audience = kinds[k].audience;
    f->follow_up = f->audience != RF_AUDIENCE_NONE;
    ev(c, f, "provider", c->o->provider);
    ev(c, f, "provider_refund_id", c->o->provider_refund_id);
    return f;
}

/* Records that kind k does not hold, and why an open finding of it closes. */
static void clear(struct ctx *c, enum rf_finding_kind k, const char *reason)
{
    c->v->decided |= RF_FINDING_BIT(k);
    c->v->close_reason[k] = reason;
}

/* name with its first letter in upper case, in the arena ("stripe" -> "Stripe"). */
static const char *capitalised(struct rf_arena *a, const char *name)
{
    char *s = rf_arena_strdup(a, name);

    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
    return s;
}

static const char *now_reports(struct ctx *c)
{
    return rf_arena_printf(c->a, "the provider now reports %s", word(c->st));
}

static bool failed_or_canceled(enum rf_recon_status s)
{
    return s == RF_RECON_FAILED || s == RF_RECON_CANCELED;
}

static void judge_not_found(struct ctx *c)
{
    struct rf_recon_finding *f;
    int64_t grace = c->cfg->not_found_grace_us;

    if (!c->v->known)
        return;
    if (c->record) {
        clear(c, RF_FINDING_NOT_FOUND_AT_PROVIDER, "the provider now has the record");
        return;
    }
    /* Only the provider's data counts: it must have been taken well after we issued. */
    if (c->s->taken_at_us - c->o->issued_at_us <= grace) {
        clear(c, RF_FINDING_NOT_FOUND_AT_PROVIDER,
              "the provider's data predates the end of the grace period");
        return;
    }
    f = hold(c, RF_FINDING_NOT_FOUND_AT_PROVIDER);
    ev(c, f, "our_amount", money(c, c->o->amount_minor, c->o->currency));
    ev(c, f, "issued_at", when(c, c->o->issued_at_us));
    ev(c, f, "snapshot_taken_at", when(c, c->s->taken_at_us));
    ev(c, f, "grace_hours",
       rf_arena_printf(c->a, "%lld", (long long)(grace / (3600 * RF_USEC_PER_SEC))));
    f->action = rf_arena_printf(
        c->a,
        "%s has no record of refund %s (%s), issued %s, in its data of %s. Ask the payments team "
        "whether the refund was really submitted; if it was not, issue it again.",
        c->provider_cap, str(c->o->provider_refund_id),
        money(c, c->o->amount_minor, c->o->currency), when(c, c->o->issued_at_us),
        when(c, c->s->taken_at_us));
}

/* A reason the provider gave, or words saying it gave none. */
static const char *reason_or_none(const char *reason)
{
    return empty(reason) ? "not given by the provider" : reason;
}

/*
 * The common part of the judges of a provider status: kind k is undecided
 * without a record, closed when holds is false, and otherwise held with the
 * status, its reasons, times and amount as evidence. Returns the finding to
 * word, or NULL when there is nothing more to do.
 */
static struct rf_recon_finding *by_status(struct ctx *c, enum rf_finding_kind k, bool holds)
{
    struct rf_recon_finding *f;

    if (!c->record)
        return NULL;
    if (!holds) {
        clear(c, k, now_reports(c));
        return NULL;
    }
    f = hold(c, k);
    ev(c, f, "provider_status", word(c->st));
    ev(c, f, "pending_reason", c->p->pending_reason);
    ev(c, f, "failure_reason", c->p->failure_reason);
    ev(c, f, "provider_amount", money(c, c->p->amount_minor, c->p->currency));
    if (c->p->succeeded_at_us != 0)
        ev(c, f, "succeeded_at", when(c, c->p->succeeded_at_us));
    if (c->p->updated_at_us != 0)
        ev(c, f, "updated_at", when(c, c->p->updated_at_us));
    return f;
}

static void judge_failed(struct ctx *c)
{
    struct rf_recon_finding *f =
        by_status(c, RF_FINDING_FAILED, failed_or_canceled(c->st) && c->p->succeeded_at_us == 0);

    if (f == NULL)
        return;
    f->action = rf_arena_printf(c->a,
                                "Tell the customer the refund %s (reason: %s); ask for another "
                                "way to pay them back and reissue it.",
                                c->st == RF_RECON_CANCELED ? "was canceled" : "failed",
                                reason_or_none(c->p->failure_reason));
}

/* Reversed, or failed after it had succeeded: the money bounced back. */
static void judge_reversed(struct ctx *c)
{
    struct rf_recon_finding *f = by_status(
        c, RF_FINDING_REVERSED,
        c->st == RF_RECON_REVERSED || (failed_or_canceled(c->st) && c->p->succeeded_at_us != 0));

    if (f == NULL)
        return;
    f->action = rf_arena_printf(
        c->a,
        "The refund was sent but came back from the customer's bank (reason: %s). Tell the "
        "customer, check the card or account it went to (it may be closed), and reissue it "
        "another way.",
        reason_or_none(c->p->failure_reason));
}

static void judge_stuck(struct ctx *c)
{
    const struct rf_recon_config *cfg = c->cfg;
    const char *why = c->p->pending_reason, *tell;
    struct rf_recon_finding *f;
    int days;

    if (c->record && c->st == RF_RECON_PENDING &&
        c->now <= rf_business_days_add(c->o->issued_at_us, cfg->stuck_pending_business_days)) {
        clear(c, RF_FINDING_STUCK_PENDING,
              rf_arena_printf(c->a, "pending for no more than %d business days since issue",
                              cfg->stuck_pending_business_days));
        return;
    }
    f = by_status(c, RF_FINDING_STUCK_PENDING, c->st == RF_RECON_PENDING);
    if (f == NULL)
        return;
    if (c->now <= rf_business_days_add(c->o->issued_at_us, cfg->stuck_follow_up_business_days)) {
        f->follow_up = false;
        f->audience = RF_AUDIENCE_NONE;
    }
    days = rf_business_days_between(c->o->issued_at_us, c->now);
    ev(c, f, "issued_at", when(c, c->o->issued_at_us));
    ev(c, f, "business_days_pending", rf_arena_printf(c->a, "%d", days));
    ev(c, f, "stuck_after_business_days",
       rf_arena_printf(c->a, "%d", cfg->stuck_pending_business_days));
    tell = f->follow_up ? " Tell the customer the refund is delayed and when you will update them."
                        : "";
    if (strcmp(str(why), "insufficient_funds") == 0)
        f->action = rf_arena_printf(c->a,
                                    "The refund has been pending at %s for %d business days "
                                    "because our balance there does not cover it. Ask finance to "
                                    "top up the balance; the refund then goes out by itself.%s",
                                    c->provider, days, tell);
    else if (strcmp(str(why), "charge_pending") == 0)
        f->action = rf_arena_printf(c->a,
                                    "The refund has been pending at %s for %d business days "
                                    "because the original payment has not settled yet. Ask %s's "
                                    "support when it will settle.%s",
                                    c->provider, days, c->provider, tell);
    else
        f->action = rf_arena_printf(c->a,
                                    "The refund has been pending at %s for %d business days "
                                    "(reason: %s). Ask %s's support why it has not been sent.%s",
                                    c->provider, days, reason_or_none(why), c->provider, tell);
}

static void judge_requires_action(struct ctx *c)
{
    struct rf_recon_finding *f =
        by_status(c, RF_FINDING_REQUIRES_CUSTOMER_ACTION, c->st == RF_RECON_REQUIRES_ACTION);

    if (f == NULL)
        return;
    f->action = rf_arena_printf(
        c->a,
        "%s needs something from the customer before it can send the refund (for example the "
        "bank account to pay it to). Contact the customer and help them complete the request.",
        c->provider_cap);
}

static void judge_not_cleared(struct ctx *c)
{
    struct rf_recon_finding *f =
        by_status(c, RF_FINDING_NOT_CLEARED, c->st == RF_RECON_NOT_CLEARED);

    if (f == NULL)
        return;
    if (c->p->created_at_us != 0)
        ev(c, f, "created_at", when(c, c->p->created_at_us));
    f->action = rf_arena_printf(
        c->a,
        "%s reports the refund has not cleared: the acquirer has not processed it. Ask %s's "
        "support whether the customer was paid and whether the refund will be retried, and note "
        "the answer on the case.",
        c->provider_cap, c->provider);
}

static void judge_amount(struct ctx *c)
{
    struct rf_recon_finding *f;
    int64_t diff;

    if (!c->record || empty(c->p->currency))
        return;
    if (!same_currency(c->p->currency, c->o->currency)) {
        clear(c, RF_FINDING_AMOUNT_MISMATCH,
              "the currencies differ, which CURRENCY_MISMATCH reports");
        return;
    }
    if (c->p->amount_minor == c->o->amount_minor) {
        clear(c, RF_FINDING_AMOUNT_MISMATCH, "the amounts agree");
        return;
    }
    diff = c->o->amount_minor - c->p->amount_minor;
    f = hold(c, RF_FINDING_AMOUNT_MISMATCH);
    ev(c, f, "our_amount", money(c, c->o->amount_minor, c->o->currency));
    ev(c, f, "provider_amount", money(c, c->p->amount_minor, c->p->currency));
    ev(c, f, "difference", money(c, diff < 0 ? -diff : diff, c->o->currency));
    f->action = rf_arena_printf(
        c->a,
        "%s refunded %s but we recorded %s (%s %s). Check with the payments team which amount "
        "was really sent; correct our record, and refund the rest if the customer got too little.",
        c->provider_cap, money(c, c->p->amount_minor, c->p->currency),
        money(c, c->o->amount_minor, c->o->currency),
        money(c, diff < 0 ? -diff : diff, c->o->currency), diff < 0 ? "more" : "less");
}

/*
 * Two sources: our refund against the case (always known from our books)
 * and the provider against our refund (known with a record that gives its
 * currency). Present when either differs; closed only when both agree.
 */
static void judge_currency(struct ctx *c)
{
    const struct rf_recon_ours *o = c->o;
    bool books_known = !empty(o->case_currency),
         books = !same_currency(o->currency, o->case_currency);
    bool prov_known = c->record && !empty(c->p->currency);
    bool prov = !same_currency(c->p->currency, o->currency);
    struct rf_recon_finding *f;
    const char *what;

    if ((books_known && books) || (prov_known && prov)) {
        f = hold(c, RF_FINDING_CURRENCY_MISMATCH);
        ev(c, f, "our_amount", money(c, o->amount_minor, o->currency));
        ev(c, f, "case_currency", o->case_currency);
        if (prov_known)
            ev(c, f, "provider_amount", money(c, c->p->amount_minor, c->p->currency));
        if (books_known && books && prov_known && prov)
            what = rf_arena_printf(c->a,
                                   "The refund is in %s but the case was approved in %s, and %s "
                                   "refunded in %s.",
                                   code(c, o->currency), code(c, o->case_currency), c->provider_cap,
                                   code(c, c->p->currency));
        else if (books_known && books)
            what = rf_arena_printf(c->a, "The refund is in %s but the case was approved in %s.",
                                   code(c, o->currency), code(c, o->case_currency));
        else
            what = rf_arena_printf(c->a, "%s refunded %s but we recorded %s.", c->provider_cap,
                                   money(c, c->p->amount_minor, c->p->currency),
                                   money(c, o->amount_minor, o->currency));
        f->action = rf_arena_printf(c->a,
                                    "%s Ask finance which currency is right and correct the "
                                    "record; the amounts cannot be compared until then.",
                                    what);
        return;
    }
    if (books_known && prov_known)
        clear(c, RF_FINDING_CURRENCY_MISMATCH, "the currencies now agree");
}

static void judge_duplicate(struct ctx *c)
{
    const struct rf_recon_ours *o = c->o;
    struct rf_recon_finding *f;
    const char *total, *approved, *excess;

    /* The case's totals are in its currency: a refund in another one cannot be judged here. */
    if (empty(o->case_currency) || !same_currency(o->currency, o->case_currency))
        return;
    if (o->case_issued_total_minor <= o->case_approved_minor) {
        clear(c, RF_FINDING_DUPLICATE_REFUND,
              "the case's refunds no longer exceed the approved amount");
        return;
    }
    total = money(c, o->case_issued_total_minor, o->case_currency);
    approved = money(c, o->case_approved_minor, o->case_currency);
    excess = money(c, o->case_issued_total_minor - o->case_approved_minor, o->case_currency);
    f = hold(c, RF_FINDING_DUPLICATE_REFUND);
    ev(c, f, "case_approved", approved);
    ev(c, f, "case_issued_total", total);
    ev(c, f, "excess", excess);
    ev(c, f, "this_refund", money(c, o->amount_minor, o->currency));
    f->action = rf_arena_printf(
        c->a,
        "The case's refunds total %s, %s more than the %s approved. Check whether a refund was "
        "issued twice; if so, ask the payments team to cancel or recover the extra, or record why "
        "more was allowed.",
        total, excess, approved);
}

static bool card_refund(struct ctx *c)
{
    return strcmp(str(c->o->payment_method), "card") == 0 ||
           strcmp(str(c->p->destination_type), "card") == 0;
}

static void judge_no_trace(struct ctx *c)
{
    struct rf_recon_finding *f;
    int64_t due;

    if (c->o->receipt_confirmed) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE, "the customer confirmed receipt");
        return;
    }
    if (!c->record)
        return;
    if (c->st != RF_RECON_SUCCEEDED) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE, now_reports(c));
        return;
    }
    if (!card_refund(c)) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE, "not a card refund");
        return;
    }
    if (empty(c->p->reference_status)) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE, "the provider's records carry no references");
        return;
    }
    if (strcmp(str(c->p->card_refund_type), "reversal") == 0) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE,
              "a reversal releases the payment before it settles and never gets a reference");
        return;
    }
    if (c->has_ref) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE, "the reference arrived");
        return;
    }
    due = rf_business_days_add(c->success, c->cfg->reference_business_days);
    if (c->now <= due) {
        clear(c, RF_FINDING_NO_TRACE_REFERENCE, "the reference is not due yet");
        return;
    }
    f = hold(c, RF_FINDING_NO_TRACE_REFERENCE);
    ev(c, f, "provider_status", word(c->st));
    ev(c, f, "succeeded_at", when(c, c->success));
    ev(c, f, "reference_status", c->p->reference_status);
    ev(c, f, "card_refund_type", c->p->card_refund_type);
    ev(c, f, "reference_due_at", when(c, due));
    f->action = rf_arena_printf(
        c->a,
        "%s reports the card refund succeeded on %s but has given no bank reference (ARN) %d "
        "business days later. Ask %s's support for it, so that the customer's bank can trace the "
        "money.",
        c->provider_cap, when(c, c->success), c->cfg->reference_business_days, c->provider);
}

static void judge_overdue(struct ctx *c)
{
    struct rf_recon_finding *f;
    enum rf_arrival_method m = RF_ARRIVAL_OTHER;
    const struct rf_arrival_range *r;
    const char *ask;

    if (c->o->receipt_confirmed) {
        clear(c, RF_FINDING_OVERDUE_AT_CUSTOMER, "the customer confirmed receipt");
        return;
    }
    if (!c->record)
        return;
    if (c->st != RF_RECON_SUCCEEDED) {
        clear(c, RF_FINDING_OVERDUE_AT_CUSTOMER, now_reports(c));
        return;
    }
    if (rf_window_position(c->v->window_from_us, c->v->window_to_us, c->now) != RF_WINDOW_PAST) {
        clear(c, RF_FINDING_OVERDUE_AT_CUSTOMER, "the arrival window is not over");
        return;
    }
    rf_arrival_method_parse(c->method, &m);
    r = &c->arrival->range[m];
    f = hold(c, RF_FINDING_OVERDUE_AT_CUSTOMER);
    ev(c, f, "succeeded_at", when(c, c->success));
    ev(c, f, "arrival_method", c->method);
    if (strcmp(c->method, str(c->o->payment_method)) != 0)
        ev(c, f, "payment_method", empty(c->o->payment_method) ? "(none)" : c->o->payment_method);
    ev(c, f, "arrival_window",
       rf_arena_printf(c->a, "%d-%d business days", r->from_days, r->to_days));
    ev(c, f, "window_ends_at", when(c, c->v->window_to_us));
    if (c->has_ref) {
        ev(c, f, "reference", c->p->reference);
        ev(c, f, "reference_type", c->p->reference_type);
        ask = rf_arena_printf(c->a, "give them the reference %s%s%s%s to ask their bank about it",
                              c->p->reference, empty(c->p->reference_type) ? "" : " (",
                              str(c->p->reference_type), empty(c->p->reference_type) ? "" : ")");
    } else {
        ask = rf_arena_printf(c->a,
                              "ask %s for the bank reference so that their bank can trace "
                              "it",
                              c->provider);
    }
    f->action = rf_arena_printf(c->a,
                                "The refund succeeded on %s and should have reached the customer "
                                "by %s (%s: %d-%d business days). Contact the customer: if the "
                                "money has arrived, record the receipt; if not, %s.",
                                when(c, c->success), when(c, c->v->window_to_us), c->method,
                                r->from_days, r->to_days, ask);
}

/* The judges in kind order; ORPHAN_AT_PROVIDER has its own entry point. */
static void (*const judges[RF_FINDING_KINDS])(struct ctx *) = {
    [RF_FINDING_NOT_FOUND_AT_PROVIDER] = judge_not_found,
    [RF_FINDING_FAILED] = judge_failed,
    [RF_FINDING_REVERSED] = judge_reversed,
    [RF_FINDING_STUCK_PENDING] = judge_stuck,
    [RF_FINDING_REQUIRES_CUSTOMER_ACTION] = judge_requires_action,
    [RF_FINDING_NOT_CLEARED] = judge_not_cleared,
    [RF_FINDING_AMOUNT_MISMATCH] = judge_amount,
    [RF_FINDING_CURRENCY_MISMATCH] = judge_currency,
    [RF_FINDING_DUPLICATE_REFUND] = judge_duplicate,
    [RF_FINDING_ORPHAN_AT_PROVIDER] = NULL,
    [RF_FINDING_NO_TRACE_REFERENCE] = judge_no_trace,
    [RF_FINDING_OVERDUE_AT_CUSTOMER] = judge_overdue,
};

/* Every kind rf_recon_classify judges: all but ORPHAN_AT_PROVIDER. */
#define JUDGED (((1u << RF_FINDING_KINDS) - 1) & ~RF_FINDING_BIT(RF_FINDING_ORPHAN_AT_PROVIDER))

/* Pulls next in to one second past deadline when that is still to come and sooner. */
static int64_t before_crossing(int64_t next, int64_t deadline, int64_t now)
{
    int64_t t = deadline + RF_USEC_PER_SEC;

    return deadline >= now && t < next ? t : next;
}

static int64_t next_check(struct ctx *c)
{
    const struct rf_recon_config *cfg = c->cfg;
    const struct rf_recon_verdict *v = c->v;
    int64_t next = INT64_MAX, issued = c->o->issued_at_us;

    if (!v->known)
        return c->now + cfg->recheck_unknown_us;
    /* Final only when every kind was judged: an open finding of an unjudged kind would be stranded.
     */
    if (v->money_confirmed && v->present == 0 && v->decided == JUDGED)
        return 0;
    if (v->present != 0)
        next = c->now + cfg->recheck_finding_us;
    else if (v->observed == RF_RECON_NOT_FOUND || v->observed == RF_RECON_PENDING)
        next = c->now + cfg->recheck_pending_us;
    else if (c->ref_awaited)
        next = c->now + cfg->recheck_reference_us;
    if (c->st == RF_RECON_PENDING) {
        next = before_crossing(next, rf_business_days_add(issued, cfg->stuck_pending_business_days),
                               c->now);
        next = before_crossing(
            next, rf_business_days_add(issued, cfg->stuck_follow_up_business_days), c->now);
    }
    if (c->st == RF_RECON_SUCCEEDED && !c->o->receipt_confirmed) {
        if (c->ref_awaited)
            next = before_crossing(
                next, rf_business_days_add(c->success, cfg->reference_business_days), c->now);
        next = before_crossing(next, v->window_to_us, c->now);
    }
    return next == INT64_MAX ? c->now + cfg->recheck_finding_us : next;
}

/* Fills the context's view of the provider data and the verdict's observed fields. */
static void observe(struct ctx *c)
{
    const struct rf_recon_provider *p = c->p;
    struct rf_recon_verdict *v = c->v;
    bool fresh = c->s->present && c->now - c->s->taken_at_us <= c->cfg->max_snapshot_age_us;
    enum rf_arrival_method m;

    c->record = p->present && p->status >= RF_RECON_PENDING && p->status < RF_RECON_STATUSES;
    c->st = c->record ? p->status : RF_RECON_UNKNOWN;
    v->known = c->record || (!p->present && fresh);
    v->observed = c->record ? p->status : v->known ? RF_RECON_NOT_FOUND : RF_RECON_UNKNOWN;
    c->has_ref = c->record && !empty(p->reference) &&
                 (empty(p->reference_status) || strcmp(p->reference_status, "available") == 0);
    if (c->has_ref) {
        v->reference = rf_arena_strdup(c->a, p->reference);
        v->reference_type =
            empty(p->reference_type) ? NULL : rf_arena_strdup(c->a, p->reference_type);
    }
    c->method = rf_arrival_method_parse(c->o->payment_method, &m) ? c->o->payment_method : "other";
    if (c->st != RF_RECON_SUCCEEDED)
        return;
    /* A record seen succeeded only in one snapshot may lack succeeded_at: take its last change. */
    c->success = p->succeeded_at_us != 0 ? p->succeeded_at_us
                 : p->updated_at_us != 0 ? p->updated_at_us
                 : p->created_at_us != 0 ? p->created_at_us
                                         : c->o->issued_at_us;
    rf_arrival_window(c->arrival, c->method, c->success, &v->window_from_us, &v->window_to_us);
    c->ref_awaited = card_refund(c) && !empty(p->reference_status) &&
                     strcmp(str(p->card_refund_type), "reversal") != 0 && !c->has_ref;
}

void rf_recon_classify(struct rf_arena *a, const struct rf_recon_ours *ours,
                       const struct rf_recon_provider *prov, const struct rf_recon_snapshot *snap,
                       const struct rf_recon_config *cfg, int64_t now_us,
                       struct rf_recon_verdict *out)
{
    struct ctx c = {
        .a = a,
        .o = ours,
        .p = prov,
        .s = snap,
        .cfg = cfg,
        .arrival = cfg->arrival != NULL ? cfg->arrival : rf_arrival_defaults(),
        .now = now_us,
        .v = out,
        .provider = empty(ours->provider) ? "the provider" : ours->provider,
    };

    c.provider_cap = capitalised(a, c.provider);
    memset(out, 0, sizeof *out);
    observe(&c);
    for (int k = 0; k < RF_FINDING_KINDS; k++) {
        if (judges[k] != NULL)
            judges[k](&c);
    }
    out->money_confirmed =
        ours->receipt_confirmed ||
        (c.st == RF_RECON_SUCCEEDED && out->present == 0 && now_us > out->window_to_us);
    out->next_check_at_us = next_check(&c);
}

void rf_recon_classify_orphan(struct rf_arena *a, const char *provider,
                              const char *provider_refund_id, const struct rf_recon_provider *prov,
                              struct rf_recon_finding *out)
{
    struct rf_recon_ours none = {.provider = provider, .provider_refund_id = provider_refund_id};
    struct rf_recon_verdict v;
    struct ctx c = {
        .a = a,
        .o = &none,
        .p = prov,
        .v = &v,
        .st = prov->status >= RF_RECON_PENDING && prov->status < RF_RECON_STATUSES
                  ? prov->status
                  : RF_RECON_UNKNOWN,
        .provider = empty(provider) ? "the provider" : provider,
    };
    struct rf_recon_finding *f;

    c.provider_cap = capitalised(a, c.provider);
    memset(&v, 0, sizeof v);
    f = hold(&c, RF_FINDING_ORPHAN_AT_PROVIDER);
    ev(&c, f, "provider_status", word(c.st));
    ev(&c, f, "provider_amount", money(&c, prov->amount_minor, prov->currency));
    if (prov->created_at_us != 0)
        ev(&c, f, "created_at", when(&c, prov->created_at_us));
    ev(&c, f, "reference", prov->reference);
    f->action = rf_arena_printf(
        a,
        "%s has a refund %s of %s (%s) that we never issued. Find the case it belongs to: record "
        "it there if it was made outside refunds, or have it recovered if it was made in error.",
        c.provider_cap, str(provider_refund_id), money(&c, prov->amount_minor, prov->currency),
        word(c.st));
    *out = *f;
}
