/*
 * refundctl, the command-line client of refunds:
 * `refundctl [global flags] <command> [command flags]`. This file parses the
 * command line against the command table (commands.c) into the request
 * message, fills in what the client supplies itself (request id, the etag
 * and currency of the case when not given), makes the call (client.c) and
 * prints the reply or the error (print.c, json.c). Exit status: 0 success,
 * 1 the call failed (any non-OK status, unreachable server included), 2 the
 * command line is wrong. Nothing is checked here that the server checks: its
 * field violations are what the user sees.
 */
#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "field.h"
#include "grpc/health/v1/health.pb-c.h"
#include "json.h"
#include "print.h"
#include "refunds/config.h"
#include "refunds/crypto.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

#define DEFAULT_ADDR       "127.0.0.1:50051"
#define DEFAULT_TIMEOUT_MS 10000
#define MAX_TIMEOUT_S      86400.0
#define FLAGS_MAX          32
#define EXIT_CALL_FAILED   1
#define EXIT_USAGE         2
#define PARSE_DONE         (-1)
#define HELP_COLUMN        30
#define USAGE_WIDTH        80

struct options {
    const char *addr;
    const char *token;
    const char *request_id;
    int64_t timeout_ms;
    bool json;
    bool all;
    bool csv;
    bool timeout_given;
};

/* What parsing one argument came to. */
enum parsed { NOT_MINE, TAKEN, BAD };

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("refundctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'refundctl --help' for the commands and their flags.\n", stderr);
    return EXIT_USAGE;
}

/*
 * Writes text word-wrapped into the columns from HELP_COLUMN to USAGE_WIDTH,
 * the cursor being at HELP_COLUMN already; ends the line.
 */
static void wrap(FILE *out, const char *text)
{
    int col = HELP_COLUMN;

    while (*text != '\0') {
        int n = (int)strcspn(text, " ");

        if (col > HELP_COLUMN && col + 1 + n > USAGE_WIDTH) {
            fprintf(out, "\n%*s", HELP_COLUMN, "");
            col = HELP_COLUMN;
        } else if (col > HELP_COLUMN) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", n, text);
        col += n;
        text += n;
        while (*text == ' ')
            text++;
    }
    fputc('\n', out);
}

/* Writes "--name META" (with brackets when optional) padded to a column, then the help. */
static void usage_flag(FILE *out, struct rf_arena *a, const struct rf_command *cmd,
                       const struct rf_flag *f)
{
    const ProtobufCMessageDescriptor *input =
        protobuf_c_service_descriptor_get_method_by_name(cmd->service, cmd->method)->input;
    const ProtobufCFieldDescriptor *field = f->path != NULL ? rf_field_find(input, f->path) : NULL;
    char left[64], choices[512];

    snprintf(left, sizeof left, "%s--%s%s%s%s", f->optional ? "[" : " ", f->name,
             f->metavar != NULL ? " " : "", f->metavar != NULL ? f->metavar : "",
             f->optional ? "]" : "");
    fprintf(out, "    %-*s", HELP_COLUMN - 4, left);
    if (strlen(left) + 4 >= HELP_COLUMN)
        fprintf(out, "\n%*s", HELP_COLUMN, "");
    if (f->kind == RF_FLAG_FIELD && field != NULL && field->type == PROTOBUF_C_TYPE_ENUM) {
        rf_field_enum_choices(field->descriptor, choices, sizeof choices);
        wrap(out, rf_arena_printf(a, "%s; %s: %s", f->help, f->metavar, choices));
    } else {
        wrap(out, f->help);
    }
}

static void usage(FILE *out, struct rf_arena *a)
{
    fputs("usage: refundctl [global flags] <command> [command flags]\n"
          "\n"
          "Global flags (also accepted after the command):\n"
          "  --addr HOST:PORT            server (default $REFUNDS_GRPC_ADDR, else\n"
          "                              " DEFAULT_ADDR ")\n"
          "  --token TOKEN               bearer token (default $REFUNDS_TOKEN); health\n"
          "                              needs none\n"
          "  --json                      print the reply as proto3 JSON (a failed call's\n"
          "                              error too, on stderr)\n"
          "  --timeout SECONDS           deadline of each call (default 10; none for export)\n"
          "  --request-id ID             idempotency key of a change (default: a new\n"
          "                              UUIDv7); reuse it only to retry the same change\n"
          "  -h, --help                  print this help\n"
          "\n"
          "Commands. NAME is cases/<uuid> or just <uuid>. Enum values are lower case, '-'\n"
          "or '_' alike. WHEN is a date (2026-09-01) or an RFC 3339 time. MINOR is an\n"
          "amount in minor units: 4999 for EUR 49.99. The changes take --etag E, the etag\n"
          "of the case as you last read it: without it refundctl reads the case first and\n"
          "uses its current etag, which gives up the protection against lost updates, so\n"
          "scripts should pass --etag. Flags in [brackets] are optional; the server checks\n"
          "the values and says which are wrong.\n",
          out);
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];
        char left[64];

        snprintf(left, sizeof left, "%s%s%s", cmd->name, cmd->operand != NULL ? " " : "",
                 cmd->operand != NULL ? cmd->operand : "");
        fprintf(out, "\n  %-*s", HELP_COLUMN - 2, left);
        wrap(out, cmd->help);
        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++)
            usage_flag(out, a, cmd, f);
    }
    fputs("\nExit status: 0 success, 1 the call failed (the error is on stderr) or audit verify\n"
          "found faults, 2 usage error.\n",
          out);
}

/* Does arg spell --name or --name=VALUE? *inline_value gets VALUE or NULL. */
static bool match_flag(const char *arg, const char *name, const char **inline_value)
{
    size_t n = strlen(name);

    if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, n) != 0)
        return false;
    if (arg[2 + n] == '\0') {
        *inline_value = NULL;
        return true;
    }
    if (arg[2 + n] == '=') {
        *inline_value = arg + 3 + n;
        return true;
    }
    return false;
}

/* The flag's value: the inline one, or the next argument (whatever it looks like). */
static bool take_value(int argc, char **argv, int *i, const char *inline_value, const char **out)
{
    if (inline_value != NULL) {
        *out = inline_value;
        return true;
    }
    if (*i + 1 >= argc)
        return false;
    *out = argv[++*i];
    return true;
}

static bool parse_timeout(const char *text, int64_t *ms)
{
    char *end;
    double s = strtod(text, &end);

    if (text[0] == '\0' || *end != '\0' || !isfinite(s) || s <= 0 || s > MAX_TIMEOUT_S)
        return false;
    *ms = (int64_t)(s * 1000.0 + 0.5);
    if (*ms < 1)
        *ms = 1;
    return true;
}

/* gRPC metadata values must be printable ASCII; a bearer token has no spaces either. */
static bool token_ok(const char *t)
{
    for (; *t != '\0'; t++) {
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return false;
    }
    return true;
}

/* Parses argv[*i] if it is a global flag; *help is set by -h/--help. */
static enum parsed global_flag(int argc, char **argv, int *i, struct options *opt, bool *help)
{
    static const char *const valued[] = {"addr", "token", "timeout", "request-id"};
    const char *arg = argv[*i], *inline_value, *value;

    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
        *help = true;
        return TAKEN;
    }
    if (match_flag(arg, "json", &inline_value)) {
        if (inline_value != NULL) {
            usage_error("--json takes no value");
            return BAD;
        }
        opt->json = true;
        return TAKEN;
    }
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
        const char *name = valued[k];

        if (!match_flag(arg, name, &inline_value))
            continue;
        if (!take_value(argc, argv, i, inline_value, &value)) {
            usage_error("--%s needs a value", name);
            return BAD;
        }
        if (strcmp(name, "addr") == 0) {
            if (value[0] == '\0') {
                usage_error("--addr must not be empty");
                return BAD;
            }
            opt->addr = value;
        } else if (strcmp(name, "token") == 0) {
            opt->token = value;
        } else if (strcmp(name, "timeout") == 0) {
            opt->timeout_given = true;
            if (!parse_timeout(value, &opt->timeout_ms)) {
                usage_error("--timeout: expected seconds, more than 0 and at most %.0f, got \"%s\"",
                            MAX_TIMEOUT_S, value);
                return BAD;
            }
        } else {
            opt->request_id = value;
        }
        return TAKEN;
    }
    return NOT_MINE;
}

static const struct rf_command *find_command(const char *name)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        if (strcmp(rf_commands[i].name, name) == 0)
            return &rf_commands[i];
    }
    return NULL;
}

/* Sets text into the field at path (or, split, each of its comma-separated items). */
static bool set_one(struct rf_arena *a, ProtobufCMessage *req, const struct rf_flag *f,
                    const char *path, const char *text, bool split)
{
    char why[640];
    const char *item = text;

    do {
        size_t n = split ? strcspn(item, ",") : strlen(item);
        const char *value = rf_arena_strndup(a, item, n);

        if (!rf_field_set(a, req, path, value, why, sizeof why)) {
            usage_error("--%s: %s; got \"%.80s\"", f->name, why, value);
            return false;
        }
        item += n + (item[n] == ',');
    } while (split && *item != '\0');
    return true;
}

/* Sets text into every field of the comma-separated path list; a usage error names the flag. */
static bool set_paths(struct rf_arena *a, ProtobufCMessage *req, const struct rf_flag *f,
                      const char *text)
{
    const char *p = f->path;
    char path[128];

    while (*p != '\0') {
        size_t n = strcspn(p, ",");

        snprintf(path, sizeof path, "%.*s", (int)n, p);
        if (!set_one(a, req, f, path, text, f->split))
            return false;
        p += n + (p[n] == ',');
    }
    return true;
}

/* Sets the fields f implies ("path=value,path=value"). */
static bool set_implied(struct rf_arena *a, ProtobufCMessage *req, const struct rf_flag *f)
{
    const char *p = f->implies;
    char path[128];

    while (p != NULL && *p != '\0') {
        size_t n = strcspn(p, ","), eq = strcspn(p, "=");

        if (eq >= n) {
            fprintf(stderr, "refundctl: bug: --%s implies \"%s\"\n", f->name, f->implies);
            abort();
        }
        snprintf(path, sizeof path, "%.*s", (int)eq, p);
        if (!set_one(a, req, f, path, rf_arena_strndup(a, p + eq + 1, n - eq - 1), false))
            return false;
        p += n + (p[n] == ',');
    }
    return true;
}

/* True when flag g sets the field at path to a value of its own: a switch of it, or implied. */
static bool forces(const struct rf_flag *g, const char *path)
{
    size_t n = strlen(path);

    if (g->kind == RF_FLAG_CONST && strcmp(g->path, path) == 0)
        return true;
    for (const char *p = g->implies; p != NULL && *p != '\0';) {
        if (strncmp(p, path, n) == 0 && p[n] == '=')
            return true;
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return false;
}

/* A usage error when flag k of cmd forces a field another given flag forces too. */
static bool excluded(const struct rf_command *cmd, size_t k, const bool *seen)
{
    const struct rf_flag *f = &cmd->flags[k];

    for (size_t j = 0; cmd->flags[j].name != NULL; j++) {
        const struct rf_flag *g = &cmd->flags[j];
        bool clash = false;

        if (j == k || !seen[j])
            continue;
        if (f->kind == RF_FLAG_CONST)
            clash = forces(g, f->path);
        for (const char *p = f->implies; !clash && p != NULL && *p != '\0';) {
            char path[128];
            size_t eq = strcspn(p, "=");

            snprintf(path, sizeof path, "%.*s", (int)eq, p);
            clash = forces(g, path);
            p += strcspn(p, ",");
            p += *p == ',';
        }
        if (clash) {
            usage_error("--%s and --%s exclude each other", g->name, f->name);
            return true;
        }
    }
    return false;
}

/* Parses argv[*i], which starts with '-', as a flag of cmd into req. */
static enum parsed command_flag(int argc, char **argv, int *i, struct rf_arena *a,
                                const struct rf_command *cmd, ProtobufCMessage *req, bool *seen,
                                struct options *opt)
{
    const char *arg = argv[*i], *inline_value = NULL, *value;
    const struct rf_flag *f = cmd->flags;
    size_t k = 0;

    for (; f->name != NULL; f++, k++) {
        if (match_flag(arg, f->name, &inline_value))
            break;
    }
    if (f->name == NULL) {
        usage_error("%s has no flag %s", cmd->name, arg);
        return BAD;
    }
    if (k >= FLAGS_MAX) {
        fprintf(stderr, "refundctl: bug: %s has more than %d flags\n", cmd->name, FLAGS_MAX);
        abort();
    }
    if (seen[k]) {
        const ProtobufCFieldDescriptor *fd =
            f->kind == RF_FLAG_FIELD ? rf_field_find(req->descriptor, f->path) : NULL;

        if (fd == NULL || fd->label != PROTOBUF_C_LABEL_REPEATED) {
            usage_error("--%s is given twice", f->name);
            return BAD;
        }
    }
    seen[k] = true;
    if (f->kind != RF_FLAG_FIELD) {
        if (inline_value != NULL) {
            usage_error("--%s takes no value", f->name);
            return BAD;
        }
        if (f->kind == RF_FLAG_ALL || f->kind == RF_FLAG_CSV) {
            *(f->kind == RF_FLAG_ALL ? &opt->all : &opt->csv) = true;
            return TAKEN;
        }
        /* Two switches of one field (--approve, --deny) exclude each other. */
        if (excluded(cmd, k, seen))
            return BAD;
        return set_paths(a, req, f, f->value) ? TAKEN : BAD;
    }
    if (!take_value(argc, argv, i, inline_value, &value)) {
        usage_error("--%s needs a value (%s)", f->name, f->metavar);
        return BAD;
    }
    /* So does a switch with a flag that implies another value of its field (--store-credit). */
    if (excluded(cmd, k, seen))
        return BAD;
    return set_paths(a, req, f, value) && set_implied(a, req, f) ? TAKEN : BAD;
}

/* Operands a command takes at most. */
#define OPERANDS_MAX 4
/* The largest file an operand may name (a policy document is a few KiB). */
#define OPERAND_FILE_MAX (1 << 20)

/* How many operands cmd takes at most: one per field of operand_fields, or its NAME. */
static size_t operands_max(const struct rf_command *cmd)
{
    size_t n = 1;

    if (cmd->operand == NULL)
        return 0;
    for (const char *p = cmd->operand_fields; p != NULL && *p != '\0'; p++)
        n += *p == ',';
    return n;
}

/* The contents of file path in the arena, NUL-terminated; NULL after a usage error. */
static const char *read_operand_file(struct rf_arena *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        usage_error("could not open \"%.200s\": %s", path, strerror(errno));
        return NULL;
    }
    buf = rf_arena_alloc(a, OPERAND_FILE_MAX + 1);
    n = fread(buf, 1, OPERAND_FILE_MAX + 1, f);
    if (ferror(f) || n > OPERAND_FILE_MAX) {
        usage_error(ferror(f) ? "could not read \"%.200s\"" : "\"%.200s\" is larger than 1 MiB",
                    path);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* "<collection>/<uuid>" for a bare UUID (cases by default); anything else as given. */
static const char *resource_name(struct rf_arena *a, const struct rf_command *cmd, const char *arg)
{
    const char *collection = cmd->collection != NULL ? cmd->collection : "cases";

    return rf_uuid_valid(arg) ? rf_arena_printf(a, "%s/%s", collection, arg) : arg;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static const ProtobufCMethodDescriptor *method_of(const struct rf_command *cmd)
{
    const ProtobufCMethodDescriptor *m =
        protobuf_c_service_descriptor_get_method_by_name(cmd->service, cmd->method);

    if (m == NULL) {
        fprintf(stderr, "refundctl: bug: %s has no method %s\n", cmd->service->name, cmd->method);
        abort();
    }
    return m;
}

/* The amounts of a request whose currency is the case's when the command line leaves it out. */
static const char *const case_amounts[] = {"approved_amount", "offer.amount"};

/* An amount of req without its currency, or NULL. */
static ProtobufCMessage *amount_without_currency(const ProtobufCMessage *req)
{
    for (size_t i = 0; i < sizeof case_amounts / sizeof case_amounts[0]; i++) {
        ProtobufCMessage *m = rf_field_find(req->descriptor, case_amounts[i]) != NULL
                                  ? rf_field_message(req, case_amounts[i])
                                  : NULL;

        if (m != NULL && empty(rf_field_string(m, "currency")))
            return m;
    }
    return NULL;
}

/* True when req lacks what only the stored case can tell: its etag, or an amount's currency. */
static bool needs_case(const ProtobufCMessage *req)
{
    if (rf_field_exists(req, "etag") && empty(rf_field_string(req, "etag")))
        return true;
    return amount_without_currency(req) != NULL;
}

/*
 * Reads the case req names and fills in what the user left out: the etag
 * (the case's current one) and the currency of the approved amount (the
 * case's). Fails as GetCase fails.
 */
static enum rf_code complete_from_case(struct rf_client *client, struct rf_arena *a,
                                       ProtobufCMessage *req, struct rf_error *err)
{
    Refunds__V1__GetCaseRequest get = REFUNDS__V1__GET_CASE_REQUEST__INIT;
    const ProtobufCServiceDescriptor *svc = &refunds__v1__refund_cases__descriptor;
    ProtobufCMessage *reply;
    const Refunds__V1__Case *c;
    ProtobufCMessage *amount;
    char why[256];
    enum rf_code code;

    get.name = (char *)rf_field_string(req, "name");
    code = rf_client_call(client, svc,
                          protobuf_c_service_descriptor_get_method_by_name(svc, "GetCase"),
                          &get.base, a, &reply, err);
    if (code != RF_OK)
        return code;
    c = (const Refunds__V1__Case *)reply;
    if (rf_field_exists(req, "etag") && empty(rf_field_string(req, "etag")) && !empty(c->etag))
        rf_field_set(a, req, "etag", c->etag, why, sizeof why);
    for (size_t i = 0; i < sizeof case_amounts / sizeof case_amounts[0]; i++) {
        amount = rf_field_find(req->descriptor, case_amounts[i]) != NULL
                     ? rf_field_message(req, case_amounts[i])
                     : NULL;
        if (amount != NULL && empty(rf_field_string(amount, "currency")) &&
            c->requested_amount != NULL)
            rf_field_set(a, amount, "currency", c->requested_amount->currency, why, sizeof why);
    }
    return RF_OK;
}

/* Calls method with req and, with --all, the following pages, gathered into one reply. */
static enum rf_code call(struct rf_client *client, struct rf_arena *a, const struct rf_command *cmd,
                         ProtobufCMessage *req, bool all, ProtobufCMessage **reply,
                         struct rf_error *err)
{
    const ProtobufCMethodDescriptor *m = method_of(cmd);
    enum rf_code code = rf_client_call(client, cmd->service, m, req, a, reply, err);
    char why[256];

    while (code == RF_OK && all) {
        const char *next = rf_field_string(*reply, "next_page_token"), *prev;
        ProtobufCMessage *page;

        if (empty(next))
            break;
        prev = rf_field_string(req, "page_token");
        if (strcmp(next, prev != NULL ? prev : "") == 0)
            return rf_fail(err, RF_INTERNAL, "the server gave the same page token twice");
        rf_field_set(a, req, "page_token", next, why, sizeof why);
        code = rf_client_call(client, cmd->service, m, req, a, &page, err);
        if (code == RF_OK) {
            rf_field_append_repeated(a, *reply, page);
            rf_field_take_singular(*reply, page);
        }
    }
    return code;
}

/* What a streaming command writes as the messages come. */
struct stream_out {
    const struct options *opt;
    long long rows;
    bool progress; /* a count on stderr, when it is a terminal */
    int failed;
};

/* Writes each row of an ExportFindings message, and the count so far on a terminal. */
static int write_rows(void *arg, const ProtobufCMessage *msg, struct rf_arena *a)
{
    struct stream_out *so = arg;
    const Refunds__V1__ExportFindingsResponse *r = (const Refunds__V1__ExportFindingsResponse *)msg;

    for (size_t i = 0; i < r->n_rows && so->failed == 0; i++) {
        if (so->opt->json) {
            json_t *j = rf_json_message(&r->rows[i]->base);

            so->failed = rf_json_write(stdout, j, false);
            json_decref(j);
        } else if (so->opt->csv) {
            so->failed = rf_csv_finding_row(stdout, a, &r->rows[i]->base);
        } else {
            so->failed = rf_print_finding_row(stdout, a, &r->rows[i]->base);
        }
        so->rows++;
    }
    if (so->progress)
        fprintf(stderr, "\r%lld findings", so->rows);
    return so->failed;
}

/* Runs a streaming command: its rows are written as they arrive, in constant memory. */
static enum rf_code stream(struct rf_client *client, struct rf_arena *a,
                           const struct options *opt, const struct rf_command *cmd,
                           ProtobufCMessage *req, struct rf_error *err)
{
    struct stream_out so = {.opt = opt, .progress = isatty(STDERR_FILENO) != 0};
    enum rf_code code;

    if (opt->csv && !opt->json && rf_csv_findings_header(stdout) != 0)
        return rf_fail(err, RF_INTERNAL, "could not write the output");
    code = rf_client_stream(client, cmd->service, method_of(cmd), req,
                            opt->timeout_given ? opt->timeout_ms : 0, write_rows, &so, a, err);
    if (so.progress)
        fprintf(stderr, "\r%lld findings%s\n", so.rows, code == RF_OK ? "" : " before the error");
    if (fflush(stdout) != 0 || so.failed != 0)
        return rf_fail(err, RF_INTERNAL, "could not write the output");
    return code;
}

static bool is_streaming(const struct rf_command *cmd)
{
    return method_of(cmd)->output == &refunds__v1__export_findings_response__descriptor;
}

/*
 * Prints the reply; the exit status: health NOT_SERVING fails, as probes expect, and so
 * does an audit verification that found faults, so that a scheduled one can alert.
 */
static int report_reply(const struct options *opt, struct rf_arena *a,
                        const ProtobufCMessage *reply)
{
    int rc;

    if (opt->json) {
        json_t *j = rf_json_message(reply);

        rc = rf_json_write(stdout, j, true);
        json_decref(j);
    } else if (opt->csv) {
        rc = rf_csv_policy_report(stdout, a, reply);
    } else {
        rc = rf_print_reply(stdout, reply, a, rf_now_us());
    }
    if (rc != 0) {
        fputs("refundctl: could not write the output\n", stderr);
        return EXIT_CALL_FAILED;
    }
    if (reply->descriptor == &grpc__health__v1__health_check_response__descriptor &&
        ((const Grpc__Health__V1__HealthCheckResponse *)reply)->status !=
            GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING)
        return EXIT_CALL_FAILED;
    if (reply->descriptor == &refunds__v1__verify_audit_chain_response__descriptor &&
        ((const Refunds__V1__VerifyAuditChainResponse *)reply)->faults_found > 0)
        return EXIT_CALL_FAILED;
    return 0;
}

static int report_error(const struct options *opt, const struct rf_error *err)
{
    if (opt->json) {
        json_t *j = rf_json_error(err);

        rf_json_write(stderr, j, false);
        json_decref(j);
    } else {
        rf_print_error(stderr, err);
    }
    return EXIT_CALL_FAILED;
}

/*
 * Fills the fields of cmd's operand_fields from the n operands (a file's
 * contents for an '@' field); 0, or EXIT_USAGE after a usage error.
 */
static int fill_operands(struct rf_arena *a, const struct rf_command *cmd, ProtobufCMessage *req,
                         const char *const *operands, size_t n)
{
    const char *p = cmd->operand_fields;
    char why[256];

    for (size_t i = 0; *p != '\0'; i++) {
        size_t len = strcspn(p, ",");
        bool file = p[0] == '@', optional = p[len - 1] == '?';
        char *path = rf_arena_strndup(a, p + file, len - file - optional);
        const char *text = i < n ? operands[i] : NULL;

        p += len + (p[len] == ',');
        if (text == NULL) {
            if (optional)
                continue;
            return usage_error("%s needs %s", cmd->name, cmd->operand);
        }
        if (file && (text = read_operand_file(a, text)) == NULL)
            return EXIT_USAGE;
        if (!rf_field_set(a, req, path, text, why, sizeof why))
            return usage_error("%s: %s; got \"%.80s\"", cmd->name, why, text);
    }
    return 0;
}

/*
 * Parses the command line into opt, *cmd and *req. Returns 0 to go on,
 * PARSE_DONE when the help was printed, or EXIT_USAGE after a usage error.
 */
static int parse(int argc, char **argv, struct rf_arena *a, struct options *opt,
                 const struct rf_command **cmd, ProtobufCMessage **req)
{
    bool seen[FLAGS_MAX] = {false}, help = false, operands_only = false;
    const char *operands[OPERANDS_MAX];
    size_t n_operands = 0;

    *cmd = NULL;
    *req = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        enum parsed r = operands_only ? NOT_MINE : global_flag(argc, argv, &i, opt, &help);

        if (r == BAD)
            return EXIT_USAGE;
        if (help) {
            usage(stdout, a);
            return PARSE_DONE;
        }
        if (r == TAKEN)
            continue;
        if (*cmd == NULL) {
            if (arg[0] == '-')
                return usage_error("unknown global flag %s", arg);
            /* A group's command is two words ("findings list"). */
            if (i + 1 < argc &&
                (*cmd = find_command(rf_arena_printf(a, "%s %s", arg, argv[i + 1]))) != NULL)
                i++;
            else
                *cmd = find_command(arg);
            if (*cmd == NULL)
                return usage_error("unknown command \"%.80s\"", arg);
            *req = rf_pb_new(a, method_of(*cmd)->input);
            continue;
        }
        if (!operands_only && strcmp(arg, "--") == 0) {
            operands_only = true;
            continue;
        }
        if (!operands_only && arg[0] == '-' && arg[1] != '\0') {
            if (command_flag(argc, argv, &i, a, *cmd, *req, seen, opt) == BAD)
                return EXIT_USAGE;
            continue;
        }
        if ((*cmd)->operand == NULL)
            return usage_error("%s takes no argument; got \"%.80s\"", (*cmd)->name, arg);
        if (n_operands == operands_max(*cmd) || n_operands == OPERANDS_MAX)
            return usage_error("%s takes %s; got one more, \"%.80s\"", (*cmd)->name,
                               (*cmd)->operand, arg);
        operands[n_operands++] = arg;
    }
    if (*cmd == NULL)
        return usage_error("no command given");
    if ((*cmd)->operand != NULL && (*cmd)->operand_fields != NULL) {
        int rc = fill_operands(a, *cmd, *req, operands, n_operands);

        if (rc != 0)
            return rc;
    } else if ((*cmd)->operand != NULL) {
        char why[256];

        if (n_operands == 0)
            return usage_error("%s needs a %s (%s/<uuid> or <uuid>)", (*cmd)->name, (*cmd)->operand,
                               (*cmd)->collection != NULL ? (*cmd)->collection : "cases");
        rf_field_set(a, *req, "name", resource_name(a, *cmd, operands[0]), why, sizeof why);
    }
    if (!empty(opt->token) && !token_ok(opt->token))
        return usage_error("the token (--token or $REFUNDS_TOKEN) must be printable ASCII "
                           "without spaces");
    return 0;
}

int main(int argc, char **argv)
{
    struct options opt = {
        .addr = rf_env_str("REFUNDS_GRPC_ADDR", DEFAULT_ADDR),
        .token = rf_env_str("REFUNDS_TOKEN", NULL),
        .timeout_ms = DEFAULT_TIMEOUT_MS,
    };
    struct rf_arena *a = rf_arena_create(0);
    struct rf_client *client = NULL;
    const struct rf_command *cmd;
    ProtobufCMessage *req, *reply = NULL;
    struct rf_error err;
    enum rf_code code;
    int status;

    rf_error_clear(&err);
    status = parse(argc, argv, a, &opt, &cmd, &req);
    if (status != 0) {
        status = status == PARSE_DONE ? 0 : status;
        goto out;
    }
    if (rf_field_exists(req, "request_id")) {
        char id[RF_UUID_TEXT_LEN + 1], why[64];

        if (opt.request_id == NULL)
            rf_uuid_v7(rf_now_us() / 1000, id);
        rf_field_set(a, req, "request_id", opt.request_id != NULL ? opt.request_id : id, why,
                     sizeof why);
    }
    client = rf_client_create(opt.addr, opt.token, opt.timeout_ms);
    code = needs_case(req) ? complete_from_case(client, a, req, &err) : RF_OK;
    if (code == RF_OK && is_streaming(cmd)) {
        code = stream(client, a, &opt, cmd, req, &err);
        status = code == RF_OK ? 0 : report_error(&opt, &err);
        goto out;
    }
    if (code == RF_OK)
        code = call(client, a, cmd, req, opt.all, &reply, &err);
    status = code == RF_OK ? report_reply(&opt, a, reply) : report_error(&opt, &err);
out:
    rf_client_destroy(client);
    rf_arena_destroy(a);
    return status;
}
