/*
 * Unit tests of refundctl's command table (services/refundctl/commands.c):
 * the table is consistent with the API it drives. Every command's RPC is a
 * method of its service, every flag's path (each one of a comma-separated
 * list) is a field of the request that can be set from text, switches set a
 * value their field accepts, --all is only where pages are, a NAME operand has
 * a name field to go to, and neither command names nor a command's flag names
 * repeat. main.c aborts on a broken entry at run time; these tests find it at
 * build time, for every entry, including those no integration test runs.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "commands.h"
#include "field.h"
#include "google/protobuf/timestamp.pb-c.h"
#include "refunds/arena.h"
#include "refunds/pb.h"
#include "refunds/v1/policy.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

/* The method cmd calls, failing the test when its service has none of that name. */
static const ProtobufCMethodDescriptor *method_of(const struct rf_command *cmd)
{
    const ProtobufCMethodDescriptor *m;

    cr_assert_not_null(cmd->service, "%s has no service", cmd->name);
    m = protobuf_c_service_descriptor_get_method_by_name(cmd->service, cmd->method);
    cr_assert_not_null(m, "%s: %s has no method %s", cmd->name, cmd->service->name, cmd->method);
    return m;
}

/* Calls check(cmd, flag, path) for every path of every flag that names request fields. */
static void each_path(void (*check)(const struct rf_command *, const struct rf_flag *,
                                    const char *))
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];

        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++) {
            const char *p = f->path;
            char path[128];

            if (f->kind == RF_FLAG_ALL || f->kind == RF_FLAG_CSV)
                continue;
            cr_assert_not_null(p, "%s --%s has no path", cmd->name, f->name);
            cr_assert_neq(p[0], '\0', "%s --%s has an empty path", cmd->name, f->name);
            while (*p != '\0') {
                size_t n = strcspn(p, ",");

                cr_assert_gt(n, 0, "%s --%s: empty path in \"%s\"", cmd->name, f->name, f->path);
                cr_assert_lt(n, sizeof path);
                memcpy(path, p, n);
                path[n] = '\0';
                check(cmd, f, path);
                p += n + (p[n] == ',');
            }
        }
    }
}

Test(commands, the_table_is_not_empty)
{
    cr_assert_gt(rf_commands_count, 0);
}

Test(commands, every_command_s_rpc_is_a_method_of_its_service)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const ProtobufCMethodDescriptor *m = method_of(&rf_commands[i]);

        cr_assert_not_null(m->input);
        cr_assert_not_null(m->output);
    }
}

Test(commands, command_names_do_not_repeat)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        for (size_t j = i + 1; j < rf_commands_count; j++)
            cr_assert_str_neq(rf_commands[i].name, rf_commands[j].name, "entries %zu and %zu", i,
                              j);
    }
}

Test(commands, flag_names_do_not_repeat_within_a_command)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];

        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++) {
            for (const struct rf_flag *g = f + 1; g->name != NULL; g++)
                cr_assert_str_neq(f->name, g->name, "%s has --%s twice", cmd->name, f->name);
        }
    }
}

/* Lower-case letters, digits and inner '-': what the usage shows and match_flag compares. */
static bool word_like(const char *s)
{
    if (s == NULL || !islower((unsigned char)s[0]))
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return false;
    }
    return s[strlen(s) - 1] != '-';
}

/* A command is one word, or a group and a word ("findings list"). */
static bool command_like(const char *s)
{
    const char *space = strchr(s, ' ');
    char group[64];

    if (space == NULL)
        return word_like(s);
    if ((size_t)(space - s) >= sizeof group)
        return false;
    memcpy(group, s, (size_t)(space - s));
    group[space - s] = '\0';
    return word_like(group) && word_like(space + 1);
}

Test(commands, names_are_lower_case_words_and_everything_has_help)
{
    cr_assert(command_like("findings list"));
    cr_assert_not(command_like("findings  list"));
    cr_assert_not(command_like("findings List"));
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];

        cr_assert(command_like(cmd->name), "command \"%s\"", cmd->name);
        cr_assert(cmd->help != NULL && cmd->help[0] != '\0', "%s has no help", cmd->name);
        cr_assert_not_null(cmd->flags, "%s has no flag list", cmd->name);
        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++) {
            cr_assert(word_like(f->name), "%s flag \"%s\"", cmd->name, f->name);
            cr_assert(f->help != NULL && f->help[0] != '\0', "%s --%s has no help", cmd->name,
                      f->name);
            if (f->kind == RF_FLAG_FIELD)
                cr_assert(f->metavar != NULL && f->metavar[0] != '\0',
                          "%s --%s has no metavar for the usage", cmd->name, f->name);
        }
    }
}

static void path_is_a_settable_field(const struct rf_command *cmd, const struct rf_flag *f,
                                     const char *path)
{
    const ProtobufCFieldDescriptor *fd = rf_field_find(method_of(cmd)->input, path);

    cr_assert_not_null(fd, "%s --%s: %s has no field %s", cmd->name, f->name,
                       method_of(cmd)->input->name, path);
    /* What rf_field_set cannot parse text into (it aborts). */
    cr_assert(fd->type != PROTOBUF_C_TYPE_BYTES && fd->type != PROTOBUF_C_TYPE_FLOAT &&
                  fd->type != PROTOBUF_C_TYPE_DOUBLE,
              "%s --%s: %s cannot be set from text", cmd->name, f->name, path);
    cr_assert(fd->type != PROTOBUF_C_TYPE_MESSAGE ||
                  fd->descriptor == &google__protobuf__timestamp__descriptor,
              "%s --%s: %s is a message, not a value", cmd->name, f->name, path);
}

Test(commands, every_flag_path_is_a_field_of_the_request_that_text_can_set)
{
    each_path(path_is_a_settable_field);
}

static void switch_value_is_accepted(const struct rf_command *cmd, const struct rf_flag *f,
                                     const char *path)
{
    struct rf_arena *a;
    ProtobufCMessage *req;
    char why[512] = "";

    if (f->kind != RF_FLAG_CONST)
        return;
    cr_assert_not_null(f->value, "%s --%s sets no value", cmd->name, f->name);
    a = rf_arena_create(0);
    req = rf_pb_new(a, method_of(cmd)->input);
    cr_assert(rf_field_set(a, req, path, f->value, why, sizeof why), "%s --%s: %s=\"%s\": %s",
              cmd->name, f->name, path, f->value, why);
    rf_arena_destroy(a);
}

Test(commands, every_switch_sets_a_value_its_field_accepts)
{
    each_path(switch_value_is_accepted);
}

Test(commands, no_two_value_flags_of_a_command_fill_the_same_field)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];

        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++) {
            for (const struct rf_flag *g = f + 1; g->name != NULL; g++) {
                if (f->kind == RF_FLAG_FIELD && g->kind == RF_FLAG_FIELD)
                    cr_assert_str_neq(f->path, g->path, "%s: --%s and --%s", cmd->name, f->name,
                                      g->name);
            }
        }
    }
}

Test(commands, all_is_offered_only_where_replies_have_pages)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];
        const ProtobufCMethodDescriptor *m = method_of(cmd);

        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++) {
            const ProtobufCFieldDescriptor *in, *out;

            if (f->kind != RF_FLAG_ALL)
                continue;
            in = rf_field_find(m->input, "page_token");
            out = rf_field_find(m->output, "next_page_token");
            cr_assert(in != NULL && in->type == PROTOBUF_C_TYPE_STRING,
                      "%s --%s: %s has no page_token", cmd->name, f->name, m->input->name);
            cr_assert(out != NULL && out->type == PROTOBUF_C_TYPE_STRING,
                      "%s --%s: %s has no next_page_token", cmd->name, f->name, m->output->name);
        }
    }
}

Test(commands, a_name_operand_fills_the_request_s_name_field)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];
        const ProtobufCFieldDescriptor *fd;

        if (cmd->operand == NULL || cmd->operand_fields != NULL)
            continue;
        cr_assert_str_eq(cmd->operand, "NAME", "%s: only NAME fills name by default", cmd->name);
        fd = rf_field_find(method_of(cmd)->input, "name");
        cr_assert(fd != NULL && fd->type == PROTOBUF_C_TYPE_STRING &&
                      fd->label != PROTOBUF_C_LABEL_REPEATED,
                  "%s takes NAME but %s has no string field name", cmd->name,
                  method_of(cmd)->input->name);
    }
}

Test(commands, other_operands_fill_one_settable_field_each_and_files_fill_strings)
{
    size_t seen = 0;

    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];
        const char *p = cmd->operand_fields;
        size_t words = 1, fields = 0;
        bool optional_seen = false;

        if (p == NULL)
            continue;
        seen++;
        cr_assert_not_null(cmd->operand, "%s fills operands but names none for the usage",
                           cmd->name);
        for (const char *w = cmd->operand; *w != '\0'; w++)
            words += *w == ' ';
        while (*p != '\0') {
            size_t len = strcspn(p, ",");
            bool file = p[0] == '@', optional = p[len - 1] == '?';
            char path[64];
            const ProtobufCFieldDescriptor *fd;

            snprintf(path, sizeof path, "%.*s", (int)(len - file - optional), p + file);
            fd = rf_field_find(method_of(cmd)->input, path);
            cr_assert_not_null(fd, "%s: %s has no field %s", cmd->name, method_of(cmd)->input->name,
                               path);
            cr_assert(fd->label != PROTOBUF_C_LABEL_REPEATED, "%s: %s", cmd->name, path);
            if (file)
                cr_assert_eq(fd->type, PROTOBUF_C_TYPE_STRING, "%s: a file fills a string",
                             cmd->name);
            /* An optional operand can only be followed by optional ones. */
            cr_assert(optional || !optional_seen, "%s: %s after an optional operand", cmd->name,
                      path);
            optional_seen = optional_seen || optional;
            fields++;
            p += len + (p[len] == ',');
        }
        cr_assert_eq(fields, words, "%s: \"%s\" names %zu operands, fills %zu", cmd->name,
                     cmd->operand, words, fields);
    }
    cr_assert_geq(seen, 3, "policy show, diff and set");
}

static void implied_values_are_accepted(const struct rf_command *cmd, const struct rf_flag *f,
                                        const char *path)
{
    struct rf_arena *a;
    ProtobufCMessage *req;
    const char *p = f->implies;

    (void)path;
    if (p == NULL)
        return;
    a = rf_arena_create(0);
    req = rf_pb_new(a, method_of(cmd)->input);
    while (*p != '\0') {
        size_t len = strcspn(p, ","), eq = strcspn(p, "=");
        char field[64], value[64], why[512] = "";

        cr_assert_lt(eq, len, "%s --%s implies \"%s\": path=value expected", cmd->name, f->name,
                     f->implies);
        snprintf(field, sizeof field, "%.*s", (int)eq, p);
        snprintf(value, sizeof value, "%.*s", (int)(len - eq - 1), p + eq + 1);
        cr_assert(rf_field_set(a, req, field, value, why, sizeof why), "%s --%s: %s=%s: %s",
                  cmd->name, f->name, field, value, why);
        p += len + (p[len] == ',');
    }
    rf_arena_destroy(a);
}

Test(commands, every_implied_field_takes_its_value)
{
    each_path(implied_values_are_accepted);
}

Test(commands, a_split_value_fills_a_repeated_field)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];

        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++) {
            const ProtobufCFieldDescriptor *fd;

            if (!f->split)
                continue;
            fd = rf_field_find(method_of(cmd)->input, f->path);
            cr_assert(fd != NULL && fd->label == PROTOBUF_C_LABEL_REPEATED,
                      "%s --%s splits its value but %s is not repeated", cmd->name, f->name,
                      f->path);
        }
    }
}

Test(commands, csv_is_offered_only_by_the_export_and_the_policy_report)
{
    for (size_t i = 0; i < rf_commands_count; i++) {
        const struct rf_command *cmd = &rf_commands[i];

        for (const struct rf_flag *f = cmd->flags; f->name != NULL; f++)
            if (f->kind == RF_FLAG_CSV)
                cr_assert(method_of(cmd)->output ==
                                  &refunds__v1__export_findings_response__descriptor ||
                              method_of(cmd)->output == &refunds__v1__policy_report__descriptor,
                          "%s --%s: CSV is written for ExportFindings rows and the policy report "
                          "only",
                          cmd->name, f->name);
    }
}
