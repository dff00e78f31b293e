/* The situation of a refund's trace script (see trace_situation.h). */
#include "trace_situation.h"

static const char *const names[RF_TRACE_SITUATIONS] = {
    [RF_TRACE_FAILED] = "trace.failed",
    [RF_TRACE_REQUIRES_ACTION] = "trace.requires_action",
    [RF_TRACE_OVERDUE] = "trace.overdue",
    [RF_TRACE_OVERDUE_NO_REFERENCE] = "trace.overdue_no_reference",
    [RF_TRACE_STUCK] = "trace.stuck",
    [RF_TRACE_PENDING] = "trace.pending",
    [RF_TRACE_NO_REFERENCE] = "trace.no_reference",
    [RF_TRACE_IN_WINDOW] = "trace.in_window",
    [RF_TRACE_SENT] = "trace.sent",
    [RF_TRACE_REVERSAL] = "trace.reversal",
    [RF_TRACE_ARRIVED] = "trace.arrived",
    [RF_TRACE_NOT_ISSUED] = "trace.not_issued",
};

static enum rf_trace_situation succeeded(const struct rf_trace_facts *f)
{
    if (f->reversal)
        return RF_TRACE_REVERSAL;
    if (f->window == RF_WINDOW_PAST)
        return f->has_reference ? RF_TRACE_OVERDUE : RF_TRACE_OVERDUE_NO_REFERENCE;
    if (f->has_reference)
        return RF_TRACE_IN_WINDOW;
    return f->reference_expected ? RF_TRACE_NO_REFERENCE : RF_TRACE_SENT;
}

enum rf_trace_situation rf_trace_situation_of(const struct rf_trace_facts *f)
{
    if (f->received)
        return RF_TRACE_ARRIVED;
    switch (f->status) {
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_SUCCEEDED:
        return succeeded(f);
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_FAILED:
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_CANCELED:
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_REVERSED:
        return RF_TRACE_FAILED;
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_REQUIRES_ACTION:
        return RF_TRACE_REQUIRES_ACTION;
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_NOT_CLEARED:
        return RF_TRACE_STUCK;
    default:
        /* Not checked yet, unknown, not found or pending: in hand unless a finding says not. */
        return f->chased ? RF_TRACE_STUCK : RF_TRACE_PENDING;
    }
}

const char *rf_trace_situation_name(enum rf_trace_situation s)
{
    return (unsigned)s < RF_TRACE_SITUATIONS ? names[s] : NULL;
}

bool rf_trace_bank_details_due(enum rf_trace_situation s)
{
    return s == RF_TRACE_OVERDUE || s == RF_TRACE_OVERDUE_NO_REFERENCE;
}
