/*
 * The rules engine (see evaluate.h): one function per factor, each adding
 * what it observed, its effect, its rules and the sentence for the customer;
 * then the recommendation, tier and priority follow from the factors alone,
 * so the explanation is always the whole reason for the result. English
 * sentences only for now; the customer's own language is the renderer's job
 * once these become templates. Not for computing the history or storing
 * the result.
 */
#include <string.h>
#include <strings.h>

#include "evaluate.h"
#include "json_text.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"

#define DAY_US (86400LL * RF_USEC_PER_SEC)

/* Longest category looked up; a longer one cannot be a policy's name and is "default". */
#define CATEGORY_LOOKUP_MAX 32

/* Effects at or beyond this size count "strongly". */
#define STRONG_EFFECT 30

/* What the customer's reason was, as the start of a sentence: before, the product, after. */
static const struct {
    const char *code;
    const char *before, *after;
} reason_clauses[] = {
    {"changed_mind", "You changed your mind about your ", ""},
    {"charged_order_failed", "We charged you for your ", " although the order did not go through"},
    {"damaged_in_transit", "Your ", " was damaged on its way to you"},
    {"defective", "Your ", " stopped working"},
    {"duplicate_charge", "We charged you twice for your ", ""},
    {"invoice_error", "The invoice for your ", " was wrong"},
    {"late_delivery", "Your ", " arrived later than we promised"},
    {"not_as_described", "Your ", " was not as we described it"},
    {"not_received", "Your ", " never reached you"},
    {"other", "You told us about a problem with your ", ""},
    {"service_issue", "Our service around your ", " let you down"},
    {"wrong_item", "We sent you the wrong item instead of your ", ""},
    {"wrong_tax_applied", "We charged you the wrong tax on your ", ""},
};

static const struct {
    unsigned bit;
    const char *name;
} rule_names[] = {
    {RF_RULE_DENY, "deny"},
    {RF_RULE_ESCALATE, "escalate"},
    {RF_RULE_NOT_APPROVE, "not_approve"},
    {RF_RULE_APPROVER, "approver"},
    {RF_RULE_SENIOR, "senior"},
    {RF_RULE_URGENT, "urgent"},
};

static const char *const recommendation_names[] = {
    [RF_RECOMMEND_APPROVE] = "APPROVE",
    [RF_RECOMMEND_ESCALATE] = "ESCALATE",
    [RF_RECOMMEND_DENY] = "DENY",
};

static const char *const tier_names[] = {
    [RF_TIER_AGENT] = "AGENT",
    [RF_TIER_APPROVER] = "APPROVER",
    [RF_TIER_SENIOR_APPROVER] = "SENIOR_APPROVER",
};

/* What one evaluation is working with. */
struct judge {
    const struct rf_policy *policy;
    const struct rf_eval_input *in;
    struct rf_arena *a;
    struct rf_evaluation *out;
    const struct rf_policy_category *category;
    const struct rf_policy_reason *reason;
    const struct rf_policy_limits *limits; /* NULL: the policy has none for the currency */
    const char *product;                   /* for the sentences */
};

static void add(struct judge *j, const char *name, const char *observed, int effect, unsigned rules,
                const char *sentence)
{
    struct rf_factor *f = &j->out->factors[j->out->n_factors++];

    f->name = name;
    f->observed = observed;
    f->effect = effect;
    f->rules = rules;
    f->sentence = sentence;
}

/* How an effect counts, as the end of a sentence. */
static const char *strength(int effect)
{
    if (effect >= STRONG_EFFECT)
        return "strongly in your favour";
    if (effect > 0)
        return "in your favour";
    if (effect == 0)
        return "neither for nor against your request";
    if (effect > -STRONG_EFFECT)
        return "against your request";
    return "strongly against your request";
}

static const char *plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "EUR 1234.56" for the approver. */
static const char *money_plain(struct judge *j, int64_t minor)
{
    char buf[64];

    rf_money_format(minor, j->in->currency, buf, sizeof buf);
    return rf_arena_strdup(j->a, buf);
}

/* "€1,234.56" for the customer. */
static const char *money_spoken(struct judge *j, int64_t minor)
{
    char buf[64];

    rf_money_format_lang(minor, j->in->currency, "en", buf, sizeof buf);
    return rf_arena_strdup(j->a, buf);
}

static void judge_category(struct judge *j)
{
    const struct rf_policy_category *c = j->category;
    const char *asked = j->in->category != NULL ? j->in->category : "";
    const char *observed = rf_arena_printf(j->a, "%s", c->name);
    bool fault = j->reason->company_fault;

    if (strcasecmp(asked, c->name) != 0)
        observed =
            rf_arena_printf(j->a, "\"%s\" is not in the policy, judged as %s", asked, c->name);
    switch (c->rule) {
    case RF_CATEGORY_NEVER:
        add(j, "category", rf_arena_printf(j->a, "%s: never", observed), 0,
            fault ? RF_RULE_ESCALATE : RF_RULE_DENY,
            fault ? rf_arena_printf(j->a,
                                    "We do not usually make exceptions for items like your %s, "
                                    "but because the problem was ours a manager will look at "
                                    "your request.",
                                    j->product)
                  : rf_arena_printf(j->a,
                                    "We cannot make exceptions to our return policy for items "
                                    "like your %s, so we are unable to offer a refund for it.",
                                    j->product));
        break;
    case RF_CATEGORY_ESCALATE:
        add(j, "category",
            rf_arena_printf(j->a, "%s: escalate, up to %d days past the window", observed,
                            c->max_days_past_window),
            0, RF_RULE_APPROVER,
            rf_arena_printf(j->a,
                            "Exceptions for items like your %s always need a manager's "
                            "approval, so a manager will look at your request.",
                            j->product));
        break;
    default:
        add(j, "category",
            rf_arena_printf(j->a, "%s: allowed, up to %d days past the window", observed,
                            c->max_days_past_window),
            0, 0,
            rf_arena_printf(j->a,
                            "We can make exceptions for items like your %s, so the kind of "
                            "product does not count against you.",
                            j->product));
        break;
    }
}

/* What the customer said, about their product: "Your kettle stopped working". */
static const char *reason_said(struct judge *j)
{
    for (size_t i = 0; i < sizeof reason_clauses / sizeof reason_clauses[0]; i++)
        if (strcmp(reason_clauses[i].code, j->in->reason) == 0)
            return rf_arena_printf(j->a, "%s%s%s", reason_clauses[i].before, j->product,
                                   reason_clauses[i].after);
    /* Not reached: the input's code is checked, and each code has a clause (a test says so). */
    return rf_arena_printf(j->a, "You told us about a problem with your %s", j->product);
}

static void judge_reason(struct judge *j)
{
    const struct rf_policy_reason *r = j->reason;
    const char *said = reason_said(j);
    const char *observed = rf_arena_printf(j->a, "%s (weight %d%s)", r->code, r->weight,
                                           r->company_fault ? ", company fault" : "");
    const char *sentence;

    if (strcmp(j->in->reason, r->code) != 0)
        observed =
            rf_arena_printf(j->a, "%s is not in the policy, judged as %s", j->in->reason, observed);
    if (r->company_fault)
        sentence = rf_arena_printf(j->a, "%s, which is our responsibility, so this counts %s.",
                                   said, strength(r->weight));
    else if (r->weight < 0)
        sentence = rf_arena_printf(j->a, "%s; we understand, but this counts %s.", said,
                                   strength(r->weight));
    else
        sentence = rf_arena_printf(j->a, "%s, so this counts %s.", said, strength(r->weight));
    add(j, "reason", observed, r->weight, 0, sentence);
}

static void judge_time(struct judge *j)
{
    const struct rf_evaluation *ev = j->out;
    int window = j->policy->return_window_days, limit = ev->max_days_past_window;
    int past = ev->days_past_window, effect = 0;
    bool fault = j->reason->company_fault;
    const char *observed, *sentence, *after;

    observed = rf_arena_printf(j->a,
                               "first contact %d %s after purchase: %d past the %d-day "
                               "window (limit %d)",
                               ev->days_since_purchase,
                               plural(ev->days_since_purchase, "day", "days"), past, window, limit);
    if (past == 0) {
        add(j, "days_past_window", observed, 0, 0,
            rf_arena_printf(j->a,
                            "You contacted us within our %d-day return period, so the timing "
                            "does not count against you.",
                            window));
        return;
    }
    after = rf_arena_printf(j->a, "You contacted us %d %s after our %d-day return period ended",
                            past, plural(past, "day", "days"), window);
    if (past <= limit) {
        /* From nothing just after the window to the whole weight at the limit. */
        effect = (int)((long long)j->policy->scoring.lateness_weight * past / limit);
        add(j, "days_past_window", observed, effect, 0,
            rf_arena_printf(j->a, "%s, which we can still consider, so this counts %s.", after,
                            strength(effect)));
        return;
    }
    effect = j->policy->scoring.lateness_weight;
    if (fault)
        sentence = rf_arena_printf(j->a,
                                   "%s, later than we normally consider, but because the problem "
                                   "was ours a manager will look at your request.",
                                   after);
    else if (limit == 0)
        sentence = rf_arena_printf(j->a,
                                   "%s, and for items like your %s we cannot consider requests "
                                   "after it, so we are unable to make an exception.",
                                   after, j->product);
    else
        sentence = rf_arena_printf(j->a,
                                   "%s, more than the %d %s after it that we can consider, so we "
                                   "are unable to make an exception.",
                                   after, limit, plural(limit, "day", "days"));
    add(j, "days_past_window", observed, effect, fault ? RF_RULE_ESCALATE : RF_RULE_DENY, sentence);
}

static void judge_exceptions(struct judge *j)
{
    const struct rf_eval_history *h = &j->in->history;
    int n = h->previous_exceptions, max = j->policy->history.max_previous_exceptions;
    int months = j->policy->history.window_months;
    const char *in_months =
        rf_arena_printf(j->a, "in the last %d %s", months, plural(months, "month", "months"));
    const char *observed = rf_arena_printf(
        j->a, "%d %s %s (limit %d); %d earlier %s", n, plural(n, "exception", "exceptions"),
        in_months, max, h->previous_cases, plural(h->previous_cases, "case", "cases"));

    if (n > max)
        add(j, "previous_exceptions", observed, 0, RF_RULE_NOT_APPROVE,
            rf_arena_printf(j->a,
                            "You have had %d exceptions from us %s, more than our guidelines let "
                            "me approve on the spot, so a manager will look at your request.",
                            n, in_months));
    else if (n == 0)
        add(j, "previous_exceptions", observed, 0, 0,
            rf_arena_printf(j->a, "You have not needed an exception from us %s.", in_months));
    else
        add(j, "previous_exceptions", observed, 0, 0,
            rf_arena_printf(j->a,
                            "You have had %d %s from us %s, which is within what our guidelines "
                            "allow.",
                            n, plural(n, "exception", "exceptions"), in_months));
}

static void judge_refunded(struct judge *j)
{
    const struct rf_eval_history *h = &j->in->history;
    int64_t total = h->refunded_in_window_minor + j->in->requested_minor;
    int64_t max = j->limits->history_max_refunded_minor;
    int months = j->policy->history.window_months;
    const char *observed = rf_arena_printf(
        j->a, "%s refunded in the last %d %s + %s requested = %s (limit %s)",
        money_plain(j, h->refunded_in_window_minor), months, plural(months, "month", "months"),
        money_plain(j, j->in->requested_minor), money_plain(j, total), money_plain(j, max));
    const char *start = rf_arena_printf(j->a, "With this request, refunds to you in the last %d %s",
                                        months, plural(months, "month", "months"));

    if (total > max)
        add(j, "refunded_in_window", observed, 0, RF_RULE_NOT_APPROVE,
            rf_arena_printf(j->a,
                            "%s would come to %s, above our limit of %s, so a manager will look "
                            "at your request.",
                            start, money_spoken(j, total), money_spoken(j, max)));
    else
        add(j, "refunded_in_window", observed, 0, 0,
            rf_arena_printf(j->a, "%s come to %s, within our limit of %s.", start,
                            money_spoken(j, total), money_spoken(j, max)));
}

/* Clamps an effect to the score's range. */
static int clamp_effect(long long e)
{
    return e > 100 ? 100 : e < -100 ? -100 : (int)e;
}

static void judge_denials(struct judge *j)
{
    int n = j->in->history.previous_denials, weight = j->policy->history.previous_denial_weight;
    int effect = clamp_effect((long long)n * weight);

    if (n == 0)
        return;
    add(j, "previous_denials",
        rf_arena_printf(j->a, "%d earlier %s (%d each)", n, plural(n, "denial", "denials"), weight),
        effect, 0,
        rf_arena_printf(j->a,
                        "We were unable to make an exception for you %d %s before, so "
                        "this counts %s.",
                        n, plural(n, "time", "times"), strength(effect)));
}

static void judge_detractor(struct judge *j)
{
    int effect = j->policy->history.previous_detractor_weight;

    if (!j->in->history.previous_detractor)
        return;
    add(j, "previous_detractor", "an earlier satisfaction score of 6 or less", effect,
        RF_RULE_URGENT,
        effect > 0 ? "We know we disappointed you before and want to put that right, so this "
                     "counts in your favour and your request is urgent for us."
                   : "We know we disappointed you before, so your request is urgent for us.");
}

static void judge_findings(struct judge *j)
{
    int n = j->in->history.open_findings;

    if (n == 0)
        return;
    add(j, "open_findings",
        rf_arena_printf(j->a, "%d open reconciliation %s on earlier refunds", n,
                        plural(n, "finding", "findings")),
        0, RF_RULE_APPROVER | RF_RULE_URGENT,
        n == 1 ? "An earlier refund to you is still being checked, so a manager will look at "
                 "it together with this request, as a priority."
               : "Earlier refunds to you are still being checked, so a manager will look at "
                 "them together with this request, as a priority.");
}

static void judge_interactions(struct judge *j)
{
    int n = j->in->history.interactions, chasing = j->policy->history.chasing_interactions;

    if (n < chasing)
        return;
    add(j, "interactions",
        rf_arena_printf(j->a, "%d interactions on this case (urgent from %d)", n, chasing), 0,
        RF_RULE_URGENT,
        rf_arena_printf(j->a,
                        "You have had to contact us %d times about this, so we are treating "
                        "your request as urgent.",
                        n));
}

static void judge_amount(struct judge *j)
{
    const struct rf_policy_limits *l = j->limits;
    int64_t amount = j->in->requested_minor;
    const char *asked = rf_arena_printf(j->a, "%s requested of %s paid", money_plain(j, amount),
                                        money_plain(j, j->in->paid_minor));

    if (l == NULL) {
        add(j, "amount",
            rf_arena_printf(j->a, "%s; the policy has no limits for %s", asked, j->in->currency), 0,
            RF_RULE_SENIOR,
            rf_arena_printf(j->a,
                            "Our guidelines set no approval limits for payments in %s, so a "
                            "senior manager will decide.",
                            j->in->currency));
        return;
    }
    asked = rf_arena_printf(j->a, "%s; agent limit %s, senior above %s", asked,
                            money_plain(j, l->self_approval_minor),
                            money_plain(j, l->senior_threshold_minor));
    if (amount > l->senior_threshold_minor)
        add(j, "amount", asked, 0, RF_RULE_SENIOR,
            rf_arena_printf(j->a,
                            "The amount, %s, is above what our managers can approve, so a "
                            "senior manager will decide.",
                            money_spoken(j, amount)));
    else if (amount > l->self_approval_minor)
        add(j, "amount", asked, 0, RF_RULE_APPROVER,
            rf_arena_printf(j->a,
                            "The amount, %s, is more than I can approve myself, so a manager "
                            "will decide.",
                            money_spoken(j, amount)));
    else
        add(j, "amount", asked, 0, 0,
            rf_arena_printf(j->a, "The amount, %s, is within what I can approve myself.",
                            money_spoken(j, amount)));
}

/* The recommendation, tier and priority that the factors' effects and rules give. */
static void conclude(struct judge *j)
{
    struct rf_evaluation *ev = j->out;
    unsigned rules = 0;
    long long score = 0;

    for (size_t i = 0; i < ev->n_factors; i++) {
        rules |= ev->factors[i].rules;
        score += ev->factors[i].effect;
    }
    ev->score = clamp_effect(score);
    if (rules & RF_RULE_DENY)
        ev->recommendation = RF_RECOMMEND_DENY;
    else if (rules & RF_RULE_ESCALATE)
        ev->recommendation = RF_RECOMMEND_ESCALATE;
    else if (ev->score >= j->policy->scoring.approve_at)
        ev->recommendation = RF_RECOMMEND_APPROVE;
    else if (ev->score <= j->policy->scoring.deny_at)
        ev->recommendation = RF_RECOMMEND_DENY;
    else
        ev->recommendation = RF_RECOMMEND_ESCALATE;
    if (ev->recommendation == RF_RECOMMEND_APPROVE && (rules & RF_RULE_NOT_APPROVE))
        ev->recommendation = RF_RECOMMEND_ESCALATE;

    ev->tier = ev->recommendation == RF_RECOMMEND_APPROVE ? RF_TIER_AGENT : RF_TIER_APPROVER;
    if (rules & RF_RULE_APPROVER)
        ev->tier = RF_TIER_APPROVER;
    if (rules & RF_RULE_SENIOR)
        ev->tier = RF_TIER_SENIOR_APPROVER;
    ev->priority = (rules & RF_RULE_URGENT) ? RF_PRIORITY_HIGH : j->reason->priority;
}

/* Records every way in is not a case the engine can judge. */
static void check_input(const struct rf_eval_input *in, struct rf_error *err)
{
    const struct rf_eval_history *h = &in->history;
    const struct {
        const char *field;
        long long value;
    } counts[] = {
        {"history.previous_cases", h->previous_cases},
        {"history.previous_exceptions", h->previous_exceptions},
        {"history.previous_denials", h->previous_denials},
        {"history.open_findings", h->open_findings},
        {"history.interactions", h->interactions},
    };
    bool times_ok = true, paid_ok = in->paid_minor > 0 && in->paid_minor <= RF_MONEY_MAX_MINOR;

    if (in->reason == NULL || *in->reason == '\0')
        rf_violation_add(err, "reason", "required");
    else if (!rf_reason_code_valid(in->reason))
        rf_violation_add(err, "reason", "not a reason code");
    if (in->currency == NULL || !rf_currency_valid(in->currency))
        rf_violation_add(err, "currency", "not an ISO 4217 currency code");
    if (!paid_ok)
        rf_violation_add(err, "paid_minor", "must be from 1 to %lld", RF_MONEY_MAX_MINOR);
    if (in->requested_minor <= 0)
        rf_violation_add(err, "requested_minor", "must be > 0");
    else if (paid_ok && in->requested_minor > in->paid_minor)
        rf_violation_add(err, "requested_minor", "must not exceed paid_minor");
    if (in->purchase_us < RF_TIME_MIN_US || in->purchase_us > RF_TIME_MAX_US) {
        rf_violation_add(err, "purchase_us", "must be within the Timestamp range");
        times_ok = false;
    }
    if (in->first_contact_us < RF_TIME_MIN_US || in->first_contact_us > RF_TIME_MAX_US) {
        rf_violation_add(err, "first_contact_us", "must be within the Timestamp range");
        times_ok = false;
    }
    if (times_ok && in->first_contact_us < in->purchase_us)
        rf_violation_add(err, "first_contact_us", "must not be before purchase_us");
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (counts[i].value < 0)
            rf_violation_add(err, counts[i].field, "must be >= 0");
    if (h->refunded_in_window_minor < 0 || h->refunded_in_window_minor > RF_MONEY_MAX_MINOR)
        rf_violation_add(err, "history.refunded_in_window_minor", "must be from 0 to %lld",
                         RF_MONEY_MAX_MINOR);
}

/* The policy's category for name, looked up in ASCII lower case. */
static const struct rf_policy_category *find_category(const struct rf_policy *policy,
                                                      const char *name)
{
    char lower[CATEGORY_LOOKUP_MAX + 1];
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0 || n > CATEGORY_LOOKUP_MAX)
        return rf_policy_category(policy, NULL);
    for (size_t i = 0; i <= n; i++)
        lower[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
    return rf_policy_category(policy, lower);
}

enum rf_code rf_evaluate(const struct rf_policy *policy, const struct rf_eval_input *in,
                         struct rf_arena *a, struct rf_evaluation *out, struct rf_error *err)
{
    int first = err->n_violations;
    struct judge j = {.policy = policy, .in = in, .a = a, .out = out};
    int64_t days;

    check_input(in, err);
    if (err->n_violations > first)
        return rf_error_from_violations(err);
    memset(out, 0, sizeof *out);
    j.category = find_category(policy, in->category);
    j.reason = rf_policy_reason(policy, in->reason);
    if (j.reason == NULL)
        j.reason = rf_policy_reason(policy, "other");
    j.limits = rf_policy_limits(policy, in->currency);
    j.product = in->product_name != NULL && *in->product_name != '\0' ? in->product_name : "item";

    /* Whole days elapsed: never more than the calendar dates differ, whatever the time zone. */
    days = (in->first_contact_us - in->purchase_us) / DAY_US;
    out->days_since_purchase = (int)days;
    out->days_past_window =
        days > policy->return_window_days ? (int)(days - policy->return_window_days) : 0;
    out->max_days_past_window = j.category->max_days_past_window;
    out->amount_outside_minor = in->requested_minor;
    memcpy(out->currency, in->currency, 4);
    out->policy_version = policy->version;
    out->category = j.category->name;
    out->reason = j.reason->code;

    judge_category(&j);
    judge_reason(&j);
    judge_time(&j);
    judge_exceptions(&j);
    if (j.limits != NULL)
        judge_refunded(&j);
    judge_denials(&j);
    judge_detractor(&j);
    judge_findings(&j);
    judge_interactions(&j);
    judge_amount(&j);
    conclude(&j);
    return RF_OK;
}

json_t *rf_evaluation_doc(const struct rf_evaluation *ev)
{
    json_t *factors = rf_json_must(json_array());

    for (size_t i = 0; i < ev->n_factors; i++) {
        const struct rf_factor *f = &ev->factors[i];
        json_t *rules = rf_json_must(json_array());

        for (size_t k = 0; k < sizeof rule_names / sizeof rule_names[0]; k++)
            if (f->rules & rule_names[k].bit)
                rf_json_append(rules, json_string(rule_names[k].name));
        rf_json_append(factors, json_pack("{s:s, s:s, s:i, s:o, s:s}", "name", f->name, "observed",
                                          f->observed, "effect", f->effect, "rules", rules,
                                          "sentence", f->sentence));
    }
    return rf_json_must(json_pack(
        "{s:s, s:i, s:o, s:i, s:i, s:i, s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "recommendation",
        recommendation_names[ev->recommendation], "score", ev->score, "factors", factors,
        "days_since_purchase", ev->days_since_purchase, "days_past_window", ev->days_past_window,
        "max_days_past_window", ev->max_days_past_window, "amount_outside_minor",
        (json_int_t)ev->amount_outside_minor, "currency", ev->currency, "tier",
        tier_names[ev->tier], "priority", rf_priority_name(ev->priority), "policy_version",
        (json_int_t)ev->policy_version, "category", ev->category, "reason", ev->reason));
}

char *rf_evaluation_json(const struct rf_evaluation *ev, struct rf_arena *a)
{
    json_t *doc = rf_evaluation_doc(ev);
    char *text = rf_json_canonical(a, doc);

    json_decref(doc);
    return text;
}

const char *rf_recommendation_name(enum rf_recommendation r)
{
    return (unsigned)r <= RF_RECOMMEND_DENY ? recommendation_names[r] : NULL;
}

const char *rf_tier_name(enum rf_tier t)
{
    return (unsigned)t <= RF_TIER_SENIOR_APPROVER ? tier_names[t] : NULL;
}
