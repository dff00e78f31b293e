/*
 * Which files of RPCs make up each service (see services.h): the one place a
 * new part is listed. bind_services (server.c) looks every method of a
 * service's descriptor up in its parts.
 */
#include "grpc/health/v1/health.pb-c.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/policy.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"
#include "refunds/v1/tracking.pb-c.h"
#include "services.h"

static const struct rf_method_part *const health_parts[] = {&rf_health_methods};

const struct rf_service rf_health_service = {
    .descriptor = &grpc__health__v1__health__descriptor,
    .parts = health_parts,
    .n_parts = sizeof health_parts / sizeof health_parts[0],
    .complete = false, /* Watch is not served: UNIMPLEMENTED */
};

static const struct rf_method_part *const refund_cases_parts[] = {
    &rf_cases_methods,      &rf_approvals_methods,     &rf_refunds_methods,
    &rf_followups_methods,  &rf_communication_methods, &rf_satisfaction_methods,
    &rf_evaluation_methods,
};

const struct rf_service rf_refund_cases_service = {
    .descriptor = &refunds__v1__refund_cases__descriptor,
    .parts = refund_cases_parts,
    .n_parts = sizeof refund_cases_parts / sizeof refund_cases_parts[0],
    .complete = true,
};

static const struct rf_method_part *const reconciliation_parts[] = {
    &rf_reconciliation_methods,
    &rf_trace_methods,
    &rf_audit_methods,
};

const struct rf_service rf_reconciliation_service = {
    .descriptor = &refunds__v1__reconciliation__descriptor,
    .parts = reconciliation_parts,
    .n_parts = sizeof reconciliation_parts / sizeof reconciliation_parts[0],
    .complete = true,
};

static const struct rf_method_part *const policies_parts[] = {&rf_policies_methods};

const struct rf_service rf_policies_service = {
    .descriptor = &refunds__v1__policies__descriptor,
    .parts = policies_parts,
    .n_parts = sizeof policies_parts / sizeof policies_parts[0],
    .complete = true,
};

static const struct rf_method_part *const tracking_parts[] = {&rf_tracking_methods};

const struct rf_service rf_tracking_service = {
    .descriptor = &refunds__v1__tracking__descriptor,
    .parts = tracking_parts,
    .n_parts = sizeof tracking_parts / sizeof tracking_parts[0],
    .complete = true,
};
