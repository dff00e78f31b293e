/*
 * grpc.health.v1.Health/Check, so that Kubernetes gRPC probes and load
 * balancers see whether this replica can serve: SERVING while the database
 * answers and has the schema this binary needs, NOT_SERVING from SIGTERM on
 * (the lame duck). Needs no credentials. The service is bound with the
 * struct rf_monitor. Watch (server streaming) is not served yet and is
 * answered UNIMPLEMENTED.
 */
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "services.h"
#include "monitor.h"

/* The services Check knows: the whole server ("") and each API service. */
static const char *const known_services[] = {"", "refunds.v1.RefundCases",
                                             "refunds.v1.Reconciliation", "refunds.v1.Tracking",
                                             "refunds.v1.Policies"};

RF_HANDLER(check, Grpc__Health__V1__HealthCheckRequest, Grpc__Health__V1__HealthCheckResponse)
{
    const struct rf_monitor *monitor = call->service;
    bool known = false;

    for (size_t i = 0; i < sizeof known_services / sizeof known_services[0]; i++)
        known = known || strcmp(in->service, known_services[i]) == 0;
    if (!known)
        return rf_fail(&call->ctx.err, RF_NOT_FOUND,
                       "unknown service: Check knows \"\", refunds.v1.RefundCases, "
                       "refunds.v1.Reconciliation, refunds.v1.Tracking and refunds.v1.Policies");
    out->status = rf_monitor_serving(monitor)
                      ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                      : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    return RF_OK;
}

static const struct rf_method methods[] = {
    {
        .name = "Check",
        .input = &grpc__health__v1__health_check_request__descriptor,
        .output = &grpc__health__v1__health_check_response__descriptor,
        .handler = check_entry,
        .flags = RF_METHOD_QUIET,
    },
};

RF_METHOD_PART(rf_health_methods, methods);
