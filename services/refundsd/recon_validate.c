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

void rf_validate_list_findings(const Refunds__V1__ListFindingsRequest *in, int64_t now_us,
                               struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    rf_check_enum(err, "kind", &refunds__v1__finding_kind__descriptor, in->kind, false);
    rf_check_enum(err, "state", &refunds__v1__finding_state__descriptor, in->state, false);
    rf_check_format(err, "provider", in->provider, 64, false, rf_refund_provider_known,
                    "one of stripe, adyen, paypal, checkout or other");
    rf_check_format(err, "currency", in->currency, 3, false, rf_currency_valid,
                    "an ISO 4217 currency code in upper case, such as EUR");
    if (in->case_[0] != '\0' && !rf_name_parse(in->case_, "cases", id))
        rf_violation_add(err, "case", "must be cases/{id} with the id OpenCase returned");
}
