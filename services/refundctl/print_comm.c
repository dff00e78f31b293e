/*
 * refundctl's human output of telling the customer and following up (see
 * print.h): a decision message as a labelled block with its text, the answer
 * of RecordCommunication, the outbox as a table, a case's messages and the
 * alternative it took (print.c's case block calls these), a follow-up's
 * satisfaction answer, and the NPS report as a table with its total.
 */
#include <string.h>

#include "print.h"
#include "print_util.h"
#include "refunds/names.h"
#include "refunds/v1/cases.pb-c.h"

/* "cases/<uuid>/communications/3" as "<uuid>/3", the short form of tables. */
static const char *short_name(struct rf_arena *a, const char *name)
{
    const char *id = pr_empty(name) ? "" : name;
    const char *sub = strstr(id, "/communications/");

    if (strncmp(id, "cases/", 6) == 0)
        id += 6;
    if (sub == NULL)
        return pr_one_line(a, id);
    return pr_one_line(
        a, rf_arena_printf(a, "%.*s/%s", (int)(sub - id), id, sub + strlen("/communications/")));
}

/* "queued", "sent", or "failed: why". */
static const char *status_text(struct rf_arena *a, const Refunds__V1__Communication *m)
{
    const char *s = pr_word(a, &refunds__v1__communication_status__descriptor, m->status);

    if (!pr_empty(m->failure_reason))
        return rf_arena_printf(a, "%s: %s", s, m->failure_reason);
    return s;
}

static const char *offer_text(struct rf_arena *a, const Refunds__V1__AlternativeOffer *o)
{
    const char *s = pr_word(a, &refunds__v1__alternative__descriptor, o->alternative);

    if (o->amount != NULL)
        s = rf_arena_printf(a, "%s %s", s, pr_money(a, o->amount));
    if (!pr_empty(o->product))
        s = rf_arena_printf(a, "%s: %s", s, o->product);
    if (o->spend_until != NULL)
        s = rf_arena_printf(a, "%s, to spend by %.10s", s, pr_when(a, o->spend_until));
    return s;
}

static void print_communication(FILE *out, struct rf_arena *a, const Refunds__V1__Communication *m)
{
    pr_row(out, "Message", pr_empty(m->name) ? "(preview, not recorded)" : m->name);
    if (m->status != 0)
        pr_row(out, "Status", status_text(a, m));
    pr_row(out, "Channel",
           rf_arena_printf(
               a, "%s%s%s", pr_word(a, &refunds__v1__communication_channel__descriptor, m->channel),
               pr_empty(m->recipient) ? "" : " to ", pr_empty(m->recipient) ? "" : m->recipient));
    pr_row(out, "Template",
           rf_arena_printf(a, "%s v%d, in %s", m->situation, m->template_version, m->language));
    if (m->create_time != NULL)
        pr_row(out, "Recorded",
               rf_arena_printf(a, "%s by %s", pr_when(a, m->create_time), m->created_by));
    if (m->status_time != NULL)
        pr_row(out, "Reported",
               rf_arena_printf(a, "%s by %s%s%s", pr_when(a, m->status_time), m->status_by,
                               pr_empty(m->provider_message_id) ? "" : ", id ",
                               pr_empty(m->provider_message_id) ? "" : m->provider_message_id));
    for (size_t i = 0; i < m->n_offers; i++)
        pr_row(out, i == 0 ? "Offers" : "", offer_text(a, m->offers[i]));
    if (m->offer_valid_until != NULL)
        pr_row(out, "Accept by", rf_arena_printf(a, "%.10s", pr_when(a, m->offer_valid_until)));
    pr_row(out, "Subject", m->subject);
    if (!pr_empty(m->body)) {
        fputs("\n  ", out);
        pr_text(out, m->body, 2);
        fputc('\n', out);
    }
}

static void print_recorded(FILE *out, struct rf_arena *a,
                           const Refunds__V1__RecordCommunicationResponse *r)
{
    if (r->communication != NULL)
        print_communication(out, a, r->communication);
    if (r->case_ != NULL) {
        fputc('\n', out);
        pr_row(out, "Case",
               rf_arena_printf(a, "%s (%s)", r->case_->name,
                               pr_word(a, &refunds__v1__case_state__descriptor, r->case_->state)));
        pr_row(out, "Etag", r->case_->etag);
    }
}

static void print_outbox(FILE *out, struct rf_arena *a, const Refunds__V1__ListOutboxResponse *r)
{
    static const char *const head[] = {"MESSAGE",  "STATUS", "CHANNEL", "TO",
                                       "TEMPLATE", "LANG",   "RECORDED"};
    static const bool right[] = {false, false, false, false, false, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_communications * ncols, sizeof *cells);

    if (r->n_communications == 0) {
        fputs("No messages.\n", out);
        pr_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_communications; i++) {
        const Refunds__V1__Communication *m = r->communications[i];
        const char **cell = cells + i * ncols;

        cell[0] = short_name(a, m->name);
        cell[1] = pr_one_line(a, status_text(a, m));
        cell[2] = pr_word(a, &refunds__v1__communication_channel__descriptor, m->channel);
        cell[3] = pr_one_line(a, pr_empty(m->recipient) ? "-" : m->recipient);
        cell[4] = pr_one_line(a, rf_arena_printf(a, "%s v%d", m->situation, m->template_version));
        cell[5] = pr_one_line(a, m->language);
        cell[6] = pr_when(a, m->create_time);
    }
    pr_table(out, head, right, ncols, cells, r->n_communications);
    pr_next_page(out, a, r->next_page_token);
}

void rf_print_case_messages(FILE *out, struct rf_arena *a, const Refunds__V1__Case *c)
{
    const Refunds__V1__AcceptedAlternative *acc = c->accepted_alternative;

    if (c->n_communications > 0) {
        fprintf(out, "Messages (%zu)\n", c->n_communications);
        for (size_t i = 0; i < c->n_communications; i++) {
            const Refunds__V1__Communication *m = c->communications[i];
            const char *slash = m->name != NULL ? strrchr(m->name, '/') : NULL;

            fprintf(out, "  #%s  %s  %s", slash != NULL ? pr_one_line(a, slash + 1) : "?",
                    pr_when(a, m->create_time),
                    pr_word(a, &refunds__v1__communication_channel__descriptor, m->channel));
            fprintf(out, "  %s v%d (%s), by ", pr_one_line(a, m->situation), m->template_version,
                    pr_one_line(a, m->language));
            pr_text(out, m->created_by != NULL ? m->created_by : "", 0);
            fputs(": ", out);
            pr_text(out, pr_one_line(a, status_text(a, m)), 0);
            fputc('\n', out);
        }
    }
    if (acc != NULL && acc->offer != NULL)
        pr_row(out, "Accepted",
               rf_arena_printf(a, "%s, by %s at %s", offer_text(a, acc->offer), acc->accepted_by,
                               pr_when(a, acc->accept_time)));
}

void rf_print_satisfaction(FILE *out, struct rf_arena *a, const Refunds__V1__Satisfaction *s)
{
    if (s == NULL)
        return;
    pr_row(out, "Answer",
           pr_empty(s->comment) ? rf_arena_printf(a, "%d of 10", s->score)
                                : rf_arena_printf(a, "%d of 10: %s", s->score, s->comment));
}

/* The NPS of a group as the report prints it: one decimal, "-" without answers. */
static const char *nps_text(struct rf_arena *a, const Refunds__V1__NpsGroup *g)
{
    return g->answers > 0 ? rf_arena_printf(a, "%.1f", g->nps) : "-";
}

static void print_report(FILE *out, struct rf_arena *a, const Refunds__V1__SatisfactionReport *r)
{
    static const char *const counts[] = {"ANSWERS", "PROMOTERS", "PASSIVES", "DETRACTORS", "NPS"};
    size_t nkeys = r->n_group_by, ncols = nkeys + 5, nrows = r->n_groups + 1;
    const char **head = rf_arena_calloc(a, ncols, sizeof *head);
    bool *right = rf_arena_calloc(a, ncols, sizeof *right);
    const char **cells = rf_arena_calloc(a, nrows * ncols, sizeof *cells);

    if (r->total == NULL || r->total->answers == 0) {
        fputs("No answers.\n", out);
        return;
    }
    if (ncols > PR_COLS_MAX) {
        fputs("refundctl: the report has more columns than a table can show: use --json\n", out);
        return;
    }
    for (size_t k = 0; k < nkeys; k++) {
        char *word = rf_arena_strdup(
            a, pr_word(a, &refunds__v1__satisfaction_dimension__descriptor, r->group_by[k]));

        for (char *p = word; *p != '\0'; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - ('a' - 'A') : *p);
        head[k] = word;
    }
    for (size_t k = 0; k < 5; k++) {
        head[nkeys + k] = counts[k];
        right[nkeys + k] = true;
    }
    for (size_t i = 0; i < nrows; i++) {
        const Refunds__V1__NpsGroup *g = i < r->n_groups ? r->groups[i] : r->total;

        if (g == NULL)
            g = r->total;
        const char **cell = cells + i * ncols;

        for (size_t k = 0; k < nkeys; k++)
            cell[k] = i == r->n_groups ? (k == 0 ? "total" : "")
                                       : pr_one_line(a, k < g->n_keys ? g->keys[k] : "");
        cell[nkeys] = rf_arena_printf(a, "%lld", (long long)g->answers);
        cell[nkeys + 1] = rf_arena_printf(a, "%lld", (long long)g->promoters);
        cell[nkeys + 2] = rf_arena_printf(a, "%lld", (long long)g->passives);
        cell[nkeys + 3] = rf_arena_printf(a, "%lld", (long long)g->detractors);
        cell[nkeys + 4] = nps_text(a, g);
    }
    pr_table(out, head, right, ncols, cells, nrows);
}

bool rf_print_comm_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a)
{
    const ProtobufCMessageDescriptor *d = reply->descriptor;

    if (d == &refunds__v1__communication__descriptor)
        print_communication(out, a, (const Refunds__V1__Communication *)reply);
    else if (d == &refunds__v1__record_communication_response__descriptor)
        print_recorded(out, a, (const Refunds__V1__RecordCommunicationResponse *)reply);
    else if (d == &refunds__v1__list_outbox_response__descriptor)
        print_outbox(out, a, (const Refunds__V1__ListOutboxResponse *)reply);
    else if (d == &refunds__v1__satisfaction_report__descriptor)
        print_report(out, a, (const Refunds__V1__SatisfactionReport *)reply);
    else
        return false;
    return true;
}
