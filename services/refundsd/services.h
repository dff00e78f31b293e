/*
 * The services refundsd serves and the parts of their method tables. A
 * service's table is gathered from the files of its RPCs (services.c): a new
 * group of RPCs is a new file with its own part, named here and listed in its
 * service. main.c binds each service with the state its handlers reach as
 * call->service.
 */
#ifndef REFUNDS_SERVICES_H
#define REFUNDS_SERVICES_H

#include "call.h"

/* grpc.health.v1.Health (health.c); bound with the struct rf_monitor. */
extern const struct rf_method_part rf_health_methods;
extern const struct rf_service rf_health_service;

/* refunds.v1.RefundCases; bound with a struct rf_cases_state (case_change.h). */
extern const struct rf_method_part rf_cases_methods;         /* cases.c */
extern const struct rf_method_part rf_approvals_methods;     /* approvals.c */
extern const struct rf_method_part rf_refunds_methods;       /* refunds.c */
extern const struct rf_method_part rf_followups_methods;     /* followups.c */
extern const struct rf_method_part rf_communication_methods; /* communication.c */
extern const struct rf_method_part rf_satisfaction_methods;  /* satisfaction.c */
extern const struct rf_method_part rf_evaluation_methods;    /* evaluation.c */
extern const struct rf_service rf_refund_cases_service;

/* refunds.v1.Reconciliation; bound with a struct rf_recon_service (reconciliation.h). */
extern const struct rf_method_part rf_reconciliation_methods; /* reconciliation.c */
extern const struct rf_method_part rf_trace_methods;          /* trace.c */
extern const struct rf_method_part rf_audit_methods;          /* audit_rpc.c */
extern const struct rf_service rf_reconciliation_service;

/* refunds.v1.Policies; bound with the struct rf_policy_cache (policy_cache.h). */
extern const struct rf_method_part rf_policies_methods; /* policies.c */
extern const struct rf_service rf_policies_service;

/* refunds.v1.Tracking; bound with a struct rf_tracking_state (tracking.h). */
extern const struct rf_method_part rf_tracking_methods; /* tracking.c */
extern const struct rf_service rf_tracking_service;

#endif
