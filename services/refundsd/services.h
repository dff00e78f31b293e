/*
 * The method tables of the services refundsd serves.
 */
#ifndef REFUNDS_SERVICES_H
#define REFUNDS_SERVICES_H

#include "call.h"

/* grpc.health.v1.Health (health.c). */
extern const struct rf_service rf_health_service;

/* refunds.v1.RefundCases (cases.c). */
extern const struct rf_service rf_cases_service;

#endif
