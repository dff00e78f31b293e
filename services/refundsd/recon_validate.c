/*
 * Field checks of the Reconciliation requests (see recon_validate.h).
 */
#include "case_validate.h"
#include "field_check.h"
#include "recon_validate.h"
#include "refunds/crypto.h"
#include "refunds/money.h"
#include "refunds/names.h"

void rf_validate_list_runs(const Refunds__V1__ListRunsRequest *in, int64_t now_us,
                           struct rf_error *err)
{
    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
}

void rf_validate_get_run(const Refunds__V1__GetRunRequest *in, int64_t now_us, struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    if (in->name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_name_parse(in->name, "runs", id))
        rf_violation_add(err, "name", "must be runs/{id}, as ListRuns names them");
}

/* The filters ListFindings and ExportFindings share. */
static void check_finding_filters(struct rf_error *err, int kind, int state, const char *provider,
                                  const char *currency, const char *case_name)
{
    char id[RF_UUID_TEXT_LEN + 1];

    rf_check_enum(err, "kind", &refunds__v1__finding_kind__descriptor, kind, false);
    rf_check_enum(err, "state", &refunds__v1__finding_state__descriptor, state, false);
    rf_check_format(err, "provider", provider, 64, false, rf_refund_provider_known,
                    "one of stripe, adyen, paypal, checkout or other");
    rf_check_format(err, "currency", currency, 3, false, rf_currency_valid,
                    "an ISO 4217 currency code in upper case, such as EUR");
    if (case_name[0] != '\0' && !rf_name_parse(case_name, "cases", id))
        rf_violation_add(err, "case", "must be cases/{id} with the id OpenCase returned");
}

void rf_validate_list_findings(const Refunds__V1__ListFindingsRequest *in, int64_t now_us,
                               struct rf_error *err)
{
    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    check_finding_filters(err, in->kind, in->state, in->provider, in->currency, in->case_);
}

void rf_validate_export_findings(const Refunds__V1__ExportFindingsRequest *in, int64_t now_us,
                                 struct rf_error *err)
{
    int64_t after = 0, before = 0;
    bool a_ok = in->open_after != NULL && rf_check_time(err, "open_after", in->open_after, &after);
    bool b_ok =
        in->open_before != NULL && rf_check_time(err, "open_before", in->open_before, &before);

    (void)now_us;
    check_finding_filters(err, in->kind, in->state, in->provider, in->currency, in->case_);
    if (a_ok && b_ok && after >= before)
        rf_violation_add(err, "open_before", "must be after open_after");
}
