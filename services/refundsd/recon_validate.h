/*
 * Validation of the refunds.v1.Reconciliation requests (pure; see
 * case_validate.h for the shape: every bad field a violation).
 */
#ifndef REFUNDS_RECON_VALIDATE_H
#define REFUNDS_RECON_VALIDATE_H

#include <stdint.h>

#include "refunds/status.h"
#include "refunds/v1/reconciliation.pb-c.h"

void rf_validate_list_runs(const Refunds__V1__ListRunsRequest *in, int64_t now_us,
                           struct rf_error *err);
void rf_validate_get_run(const Refunds__V1__GetRunRequest *in, int64_t now_us,
                         struct rf_error *err);
void rf_validate_list_findings(const Refunds__V1__ListFindingsRequest *in, int64_t now_us,
                               struct rf_error *err);

void rf_validate_export_findings(const Refunds__V1__ExportFindingsRequest *in, int64_t now_us,
                                 struct rf_error *err);

#endif
