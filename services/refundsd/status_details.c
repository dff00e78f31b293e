/*
 * Builds google.rpc.Status with a BadRequest detail (see status_details.h).
 */
#include "google/protobuf/any.pb-c.h"
#include "google/rpc/error_details.pb-c.h"
#include "google/rpc/status.pb-c.h"
#include "refunds/pb.h"
#include "status_details.h"

uint8_t *rf_status_details_pack(struct rf_arena *a, const struct rf_error *err, size_t *len)
{
    Google__Rpc__Status *status;
    Google__Rpc__BadRequest *bad;
    Google__Protobuf__Any *any;
    int n = err->n_violations < RF_VIOLATIONS_MAX ? err->n_violations : RF_VIOLATIONS_MAX;

    if (n == 0)
        return NULL;
    bad = rf_pb_new(a, &google__rpc__bad_request__descriptor);
    bad->n_field_violations = (size_t)n;
    bad->field_violations = rf_arena_calloc(a, (size_t)n, sizeof *bad->field_violations);
    for (int i = 0; i < n; i++) {
        Google__Rpc__BadRequest__FieldViolation *v =
            rf_pb_new(a, &google__rpc__bad_request__field_violation__descriptor);

        v->field = (char *)err->violations[i].field;
        v->description = (char *)err->violations[i].description;
        bad->field_violations[i] = v;
    }
    any = rf_pb_new(a, &google__protobuf__any__descriptor);
    any->type_url = RF_BAD_REQUEST_TYPE_URL;
    any->value.data = rf_pb_pack(a, &bad->base, &any->value.len);
    status = rf_pb_new(a, &google__rpc__status__descriptor);
    status->code = (int32_t)err->code;
    status->message = (char *)err->message;
    status->n_details = 1;
    status->details = rf_arena_alloc(a, sizeof *status->details);
    status->details[0] = any;
    return rf_pb_pack(a, &status->base, len);
}
