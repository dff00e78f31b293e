/*
 * The request bodies of fixtures.h. The OpenCase is the one of
 * tests/integration/harness.py's open_request, request_id aside; a cases list
 * is read once, whole, and its names are packed into a GetCase per call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fixtures.h"
#include "grpc/health/v1/health.pb-c.h"
#include "refunds/timeutil.h"

#define MAX_REQUEST_BYTES 4096

/* Writes a random (version 4) UUID into out. */
static void random_uuid(char out[RF_UUID_TEXT_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    size_t k = 0;

    rf_random_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 15];
    }
    out[k] = '\0';
}

static void open_request_init(struct rf_loadgen_fixtures *f)
{
    Refunds__V1__OpenCaseRequest *r = &f->open;

    refunds__v1__open_case_request__init(r);
    refunds__v1__customer__init(&f->customer);
    refunds__v1__product__init(&f->product);
    refunds__v1__money__init(&f->paid);
    refunds__v1__money__init(&f->requested);
    refunds__v1__payment__init(&f->payment);
    google__protobuf__timestamp__init(&f->purchased);
    f->customer.name = "Ana P\xc3\xa9rez";
    f->customer.email = "ana.perez@example.com";
    f->customer.phone = "+34 600 123 456";
    f->customer.preferred_language = "es";
    f->product.order_id = "ORD-1001";
    f->product.sku = "KET-42";
    f->product.name = "Electric kettle";
    f->product.category = "kitchen";
    f->purchased.seconds = rf_now_us() / RF_USEC_PER_SEC - 60 * 86400;
    f->paid.amount_minor = 4999;
    f->paid.currency = "EUR";
    f->requested = f->paid;
    f->payment.method = REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD;
    f->payment.provider = "stripe";
    f->payment.provider_payment_id = "pi_123";
    r->request_id = f->request_id;
    r->channel = REFUNDS__V1__CHANNEL__CHANNEL_EMAIL;
    r->customer = &f->customer;
    r->product = &f->product;
    r->purchase_time = &f->purchased;
    r->amount_paid = &f->paid;
    r->requested_amount = &f->requested;
    r->payment = &f->payment;
    r->reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_DEFECTIVE;
    r->reason_text = "Stopped heating after two months.";
    r->contact_summary = "Customer wrote in; we acknowledged the same day.";
}

static grpc_slice pack_slice(const ProtobufCMessage *msg)
{
    uint8_t buf[MAX_REQUEST_BYTES];
    size_t len = protobuf_c_message_get_packed_size(msg);

    if (len > sizeof buf)
        rf_loadgen_die("a %s of %zu bytes is too large", msg->descriptor->name, len);
    protobuf_c_message_pack(msg, buf);
    return grpc_slice_from_copied_buffer((const char *)buf, len);
}

static grpc_slice get_case_slice(const char *name)
{
    Refunds__V1__GetCaseRequest get = REFUNDS__V1__GET_CASE_REQUEST__INIT;

    get.name = (char *)name;
    return pack_slice(&get.base);
}

/* Reads the whole cases file and splits it into names, checking each. */
static void cases_load(struct rf_loadgen_fixtures *f, const char *path)
{
    FILE *in = fopen(path, "rb");
    size_t cap = 1 << 20, len = 0, n = 0, lines = 0;
    char *p, *save = NULL;

    if (in == NULL)
        rf_loadgen_die("could not open %s: %s", path, strerror(errno));
    f->cases_text = malloc(cap);
    if (f->cases_text == NULL)
        abort();
    for (;;) {
        size_t got = fread(f->cases_text + len, 1, cap - len - 1, in);

        len += got;
        if (len < cap - 1)
            break;
        cap *= 2;
        f->cases_text = realloc(f->cases_text, cap);
        if (f->cases_text == NULL)
            abort();
    }
    if (ferror(in) || fclose(in) != 0)
        rf_loadgen_die("could not read %s", path);
    f->cases_text[len] = '\0';
    for (size_t i = 0; i < len; i++)
        lines += f->cases_text[i] == '\n';
    f->cases = calloc(lines + 1, sizeof *f->cases);
    if (f->cases == NULL)
        abort();
    for (p = strtok_r(f->cases_text, "\n", &save); p != NULL; p = strtok_r(NULL, "\n", &save)) {
        if (strncmp(p, "cases/", 6) != 0 || !rf_uuid_valid(p + 6))
            rf_loadgen_die("%s: line %zu is not a case name (cases/ID): %.60s", path, n + 1, p);
        f->cases[n++] = p;
    }
    if (n == 0)
        rf_loadgen_die("%s holds no case names", path);
    f->n_cases = n;
    f->seen = calloc(n, 1);
    if (f->seen == NULL)
        abort();
}

void rf_loadgen_fixtures_init(struct rf_loadgen_fixtures *f, const struct rf_loadgen_options *opt)
{
    Grpc__Health__V1__HealthCheckRequest check = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;

    *f = (struct rf_loadgen_fixtures){.opt = opt};
    switch (opt->method) {
    case RF_LOADGEN_CHECK:
        f->fixed = pack_slice(&check.base);
        break;
    case RF_LOADGEN_GET_CASE:
        if (opt->cases_file != NULL) {
            cases_load(f, opt->cases_file);
            rf_loadgen_picker_init(&f->picker, &opt->mix, f->n_cases, opt->seed);
            f->vary = true;
            f->fixed = grpc_empty_slice();
        } else {
            f->fixed = get_case_slice(opt->case_name);
        }
        break;
    case RF_LOADGEN_OPEN_CASE:
        open_request_init(f);
        random_uuid(f->request_id);
        f->fixed = pack_slice(&f->open.base);
        /* --dump-request sends the very bytes it wrote, so that h2load, which repeats
         * them, gets the stored answer of that first call back every time. */
        f->vary = opt->dump_file == NULL;
        break;
    }
}

grpc_slice rf_loadgen_fixtures_next(struct rf_loadgen_fixtures *f)
{
    size_t i;

    if (!f->vary)
        return grpc_slice_ref(f->fixed);
    if (f->opt->method == RF_LOADGEN_OPEN_CASE) {
        random_uuid(f->request_id);
        return pack_slice(&f->open.base);
    }
    i = rf_loadgen_picker_next(&f->picker);
    if (!f->seen[i]) {
        f->seen[i] = 1;
        f->distinct++;
    }
    return get_case_slice(f->cases[i]);
}

size_t rf_loadgen_fixtures_distinct(const struct rf_loadgen_fixtures *f)
{
    return f->distinct;
}

void rf_loadgen_fixtures_cleanup(struct rf_loadgen_fixtures *f)
{
    grpc_slice_unref(f->fixed);
    free(f->cases_text);
    free(f->cases);
    free(f->seen);
    *f = (struct rf_loadgen_fixtures){0};
}
