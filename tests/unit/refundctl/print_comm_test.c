/*
 * Unit tests of refundctl's human output of communications and satisfaction
 * (services/refundctl/print_comm.c, through rf_print_reply): a message as a
 * labelled block with its offers and text, the outbox as a table, a case's
 * messages and accepted alternative in the case block, a follow-up's answer,
 * and the NPS report as a table with its total, or "No answers.".
 */
#include <string.h>

#include <criterion/criterion.h>

#include "print.h"
#include "refunds/pb.h"
#include "refunds/v1/cases.pb-c.h"
#include "test_memout.h"
#include "test_pb.h"

#define T_2026_12_01_1000 1796119200 /* 2026-12-01T10:00:00Z */

static struct rf_arena *arena;

static void setup(void)
{
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(print_comm, .init = setup, .fini = teardown);

static const char *printed(const void *reply)
{
    struct test_memout m;

    cr_assert_eq(rf_print_reply(test_memout_open(&m), reply, arena, 0), 0);
    return test_memout_close(&m, arena, NULL);
}

static Refunds__V1__Communication *message(void)
{
    Refunds__V1__Communication *m = rf_pb_new(arena, &refunds__v1__communication__descriptor);
    Refunds__V1__AlternativeOffer *o =
        rf_pb_new(arena, &refunds__v1__alternative_offer__descriptor);

    m->name = "cases/0190f5c2-0000-7000-8000-000000000001/communications/2";
    m->channel = REFUNDS__V1__COMMUNICATION_CHANNEL__COMMUNICATION_CHANNEL_EMAIL;
    m->recipient = "ana@example.com";
    m->subject = "Your refund request";
    m->body = "Dear Ana,\nwe are sorry.";
    m->language = "en";
    m->situation = "decision.denied";
    m->template_version = 2;
    m->status = REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_FAILED;
    m->failure_reason = "mailbox full";
    m->create_time = test_timestamp(arena, T_2026_12_01_1000, 0);
    m->created_by = "alice";
    o->alternative = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT;
    o->amount = test_money(arena, 4999, "EUR");
    o->product = "";
    m->offers = rf_arena_calloc(arena, 1, sizeof *m->offers);
    m->offers[0] = o;
    m->n_offers = 1;
    m->offer_valid_until = test_timestamp(arena, T_2026_12_01_1000 + 30 * 86400, 0);
    return m;
}

Test(print_comm, a_message_is_a_labelled_block_with_its_offers_and_text)
{
    cr_assert_str_eq(
        printed(message()),
        "Message          cases/0190f5c2-0000-7000-8000-000000000001/communications/2\n"
        "Status           failed: mailbox full\n"
        "Channel          email to ana@example.com\n"
        "Template         decision.denied v2, in en\n"
        "Recorded         2026-12-01T10:00:00Z by alice\n"
        "Offers           store-credit EUR 49.99\n"
        "Accept by        2026-12-31\n"
        "Subject          Your refund request\n"
        "\n"
        "  Dear Ana,\n"
        "  we are sorry.\n");
}

Test(print_comm, the_outbox_is_a_table_of_short_names)
{
    Refunds__V1__ListOutboxResponse r = REFUNDS__V1__LIST_OUTBOX_RESPONSE__INIT;
    Refunds__V1__Communication *m = message();
    const char *out;

    r.communications = &m;
    r.n_communications = 1;
    r.next_page_token = "t2";
    out = printed(&r);
    cr_assert(strstr(out, "MESSAGE") == out, "%s", out);
    cr_assert(strstr(out, "0190f5c2-0000-7000-8000-000000000001/2  failed: mailbox full  email") !=
                  NULL,
              "%s", out);
    cr_assert(strstr(out, "Next page: --page-token t2\n") != NULL, "%s", out);
    r.n_communications = 0;
    r.next_page_token = "";
    cr_assert_str_eq(printed(&r), "No messages.\n");
}

Test(print_comm, the_report_is_a_table_with_its_total)
{
    Refunds__V1__SatisfactionReport r = REFUNDS__V1__SATISFACTION_REPORT__INIT;
    Refunds__V1__NpsGroup g = REFUNDS__V1__NPS_GROUP__INIT, total = REFUNDS__V1__NPS_GROUP__INIT;
    Refunds__V1__NpsGroup *groups[] = {&g};
    Refunds__V1__SatisfactionDimension by[] = {
        REFUNDS__V1__SATISFACTION_DIMENSION__SATISFACTION_DIMENSION_OUTCOME};
    char *keys[] = {"denied"};

    g.keys = keys;
    g.n_keys = 1;
    g.answers = 3;
    g.promoters = 1;
    g.detractors = 2;
    g.nps = -100.0 / 3;
    total = g;
    total.n_keys = 0;
    r.groups = groups;
    r.n_groups = 1;
    r.total = &total;
    r.group_by = by;
    r.n_group_by = 1;
    cr_assert_str_eq(printed(&r), "OUTCOME  ANSWERS  PROMOTERS  PASSIVES  DETRACTORS    NPS\n"
                                  "denied         3          1         0           2  -33.3\n"
                                  "total          3          1         0           2  -33.3\n");
    total.answers = 0;
    cr_assert_str_eq(printed(&r), "No answers.\n");
}

Test(print_comm, a_case_lists_its_messages_and_the_alternative_it_took)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__AcceptedAlternative acc = REFUNDS__V1__ACCEPTED_ALTERNATIVE__INIT;
    Refunds__V1__Communication *m = message();
    const char *out;

    m->body = "";
    c.name = "cases/0190f5c2-0000-7000-8000-000000000001";
    c.communications = &m;
    c.n_communications = 1;
    acc.offer = m->offers[0];
    acc.accepted_by = "shop";
    acc.accept_time = test_timestamp(arena, T_2026_12_01_1000, 0);
    c.accepted_alternative = &acc;
    out = printed(&c);
    cr_assert(strstr(out,
                     "Messages (1)\n  #2  2026-12-01T10:00:00Z  email  decision.denied v2 (en), "
                     "by alice: failed: mailbox full\n") != NULL,
              "%s", out);
    cr_assert(strstr(out, "Accepted         store-credit EUR 49.99, by shop at "
                          "2026-12-01T10:00:00Z\n") != NULL,
              "%s", out);
}

Test(print_comm, a_follow_up_shows_the_customer_s_answer)
{
    Refunds__V1__FollowUp f = REFUNDS__V1__FOLLOW_UP__INIT;
    Refunds__V1__Satisfaction s = REFUNDS__V1__SATISFACTION__INIT;

    f.name = "followups/0190f5c2-0000-7000-8000-000000000009";
    s.score = 3;
    s.comment = "slow";
    f.satisfaction = &s;
    cr_assert(strstr(printed(&f), "Answer           3 of 10: slow\n") != NULL);
}
