/*
 * Unit tests of the trace script's situation (services/refundsd/trace_situation.c):
 * each provider status and receipt to its situation, the window and the
 * reference deciding between the succeeded ones, findings that mean we are
 * chasing, the urgency order a case picks by, and a template for every
 * situation in the embedded set.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/render.h"
#include "trace_situation.h"

#define ST(x) REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_##x

static enum rf_trace_situation of(Refunds__V1__ProviderStatus st, bool ref, enum rf_window_position w)
{
    struct rf_trace_facts f = {.status = st, .has_reference = ref, .reference_expected = true,
                               .window = w};

    return rf_trace_situation_of(&f);
}

Test(trace_situation, a_confirmed_receipt_is_arrived_whatever_the_provider_says)
{
    Refunds__V1__ProviderStatus all[] = {ST(NOT_CHECKED), ST(PENDING), ST(SUCCEEDED), ST(FAILED)};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct rf_trace_facts f = {.status = all[i], .received = true, .window = RF_WINDOW_PAST};

        cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_ARRIVED, "status %d", all[i]);
    }
}

Test(trace_situation, money_that_came_back_is_failed)
{
    cr_assert_eq(of(ST(FAILED), false, RF_WINDOW_BEFORE), RF_TRACE_FAILED);
    cr_assert_eq(of(ST(CANCELED), false, RF_WINDOW_BEFORE), RF_TRACE_FAILED);
    cr_assert_eq(of(ST(REVERSED), true, RF_WINDOW_PAST), RF_TRACE_FAILED);
}

Test(trace_situation, not_yet_sent_is_pending_unless_a_finding_chases_it)
{
    Refunds__V1__ProviderStatus waiting[] = {ST(NOT_CHECKED), ST(UNKNOWN), ST(NOT_FOUND),
                                             ST(PENDING)};

    for (size_t i = 0; i < sizeof waiting / sizeof waiting[0]; i++) {
        struct rf_trace_facts f = {.status = waiting[i]};

        cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_PENDING, "status %d", waiting[i]);
        f.chased = true;
        cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_STUCK, "status %d chased", waiting[i]);
    }
    cr_assert_eq(of(ST(NOT_CLEARED), false, RF_WINDOW_BEFORE), RF_TRACE_STUCK);
    cr_assert_eq(of(ST(REQUIRES_ACTION), false, RF_WINDOW_BEFORE), RF_TRACE_REQUIRES_ACTION);
}

Test(trace_situation, succeeded_depends_on_the_window_and_the_reference)
{
    struct rf_trace_facts f = {.status = ST(SUCCEEDED), .window = RF_WINDOW_INSIDE};

    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_SENT, "no reference expected");
    f.reference_expected = true;
    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_NO_REFERENCE);
    f.has_reference = true;
    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_IN_WINDOW);
    f.window = RF_WINDOW_BEFORE;
    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_IN_WINDOW);
    f.window = RF_WINDOW_PAST;
    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_OVERDUE);
    f.has_reference = false;
    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_OVERDUE_NO_REFERENCE);
    f.reversal = true;
    cr_assert_eq(rf_trace_situation_of(&f), RF_TRACE_REVERSAL, "a reversal has no reference");
}

Test(trace_situation, bank_details_only_past_the_window)
{
    for (int s = 0; s < RF_TRACE_SITUATIONS; s++)
        cr_assert_eq(rf_trace_bank_details_due(s),
                     s == RF_TRACE_OVERDUE || s == RF_TRACE_OVERDUE_NO_REFERENCE, "%s",
                     rf_trace_situation_name(s));
}

Test(trace_situation, trouble_comes_before_good_news)
{
    cr_assert_lt(RF_TRACE_FAILED, RF_TRACE_OVERDUE);
    cr_assert_lt(RF_TRACE_OVERDUE, RF_TRACE_PENDING);
    cr_assert_lt(RF_TRACE_STUCK, RF_TRACE_IN_WINDOW);
    cr_assert_lt(RF_TRACE_IN_WINDOW, RF_TRACE_ARRIVED);
}

Test(trace_situation, every_situation_has_a_template_in_en_es_and_de)
{
    struct rf_templates *set = NULL;
    struct rf_error err;
    const char *langs[] = {"en", "es", "de"};

    rf_error_clear(&err);
    cr_assert_eq(rf_templates_create(rf_template_sources, rf_template_sources_count, &set, &err),
                 RF_OK, "%s", err.message);
    for (int s = 0; s < RF_TRACE_SITUATIONS; s++) {
        const char *name = rf_trace_situation_name(s);

        cr_assert_not_null(name, "situation %d has no name", s);
        for (size_t l = 0; l < 3; l++) {
            const struct rf_template *t = NULL;

            cr_assert_eq(rf_template_find(set, name, langs[l], &t, &err), RF_OK, "%s",
                         err.message);
            cr_assert_str_eq(rf_template_lang(t), langs[l], "%s has no %s template", name,
                             langs[l]);
        }
    }
    cr_assert_null(rf_trace_situation_name(RF_TRACE_SITUATIONS));
    rf_templates_destroy(set);
}
