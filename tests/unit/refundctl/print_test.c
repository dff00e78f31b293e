/*
 * Unit tests of refundctl's human output (services/refundctl/print.c),
 * captured with open_memstream: a case as a labelled block (every row, the
 * approval, the interactions), the list and approval-queue tables with their
 * alignment and SLA countdown, the health word, other replies as JSON, errors
 * with their violations, money in the currency's digits, control, C1 and
 * bidirectional characters neutralised, and a reply with 100,000
 * alternatives joined in one line, and an audit verification's summary and
 * faults. The expected text is written by hand from
 * print.h's description; epoch seconds come from Python (snippet at the top).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "grpc/health/v1/health.pb-c.h"
#include "print.h"
#include "refunds/pb.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"
#include "test_memout.h"
#include "test_pb.h"

/*
 * python3 -c "import datetime as d; print(int(d.datetime(2026,9,1,10,
 *   tzinfo=d.timezone.utc).timestamp()))" and likewise for the others.
 */
#define T_2026_08_15_123045 1786797045 /* 2026-08-15T12:30:45Z */
#define T_2026_09_01_0900   1788253200 /* 2026-09-01T09:00:00Z */
#define T_2026_09_01_1000   1788256800 /* 2026-09-01T10:00:00Z */
#define T_2026_09_02_0815   1788336900 /* 2026-09-02T08:15:00Z */
#define T_2026_09_03_174530 1788457530 /* 2026-09-03T17:45:30Z */
#define T_2026_09_04_0900   1788512400 /* 2026-09-04T09:00:00Z */

static struct rf_arena *arena;

static void setup(void)
{
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(print, .init = setup, .fini = teardown);

/* What rf_print_reply writes for reply, in the arena; *len_out gets its length when not NULL. */
static const char *printed_at(const void *reply, int64_t now_us, size_t *len_out)
{
    struct test_memout m;

    cr_assert_eq(rf_print_reply(test_memout_open(&m), reply, arena, now_us), 0);
    return test_memout_close(&m, arena, len_out);
}

static const char *printed(const void *reply)
{
    return printed_at(reply, 0, NULL);
}

static const char *printed_error(const struct rf_error *err)
{
    struct test_memout m;

    rf_print_error(test_memout_open(&m), err);
    return test_memout_close(&m, arena, NULL);
}

static Google__Protobuf__Timestamp *at(int64_t seconds, int32_t nanos)
{
    return test_timestamp(arena, seconds, nanos);
}

static Refunds__V1__Money *money(int64_t minor, const char *currency)
{
    return test_money(arena, minor, currency);
}

static Refunds__V1__Interaction *interaction(const char *name, int64_t when,
                                             Refunds__V1__InteractionKind kind,
                                             Refunds__V1__Channel channel, const char *author,
                                             const char *summary)
{
    Refunds__V1__Interaction *it = rf_pb_new(arena, &refunds__v1__interaction__descriptor);

    it->name = (char *)name;
    it->create_time = at(when, 0);
    it->kind = kind;
    it->channel = channel;
    it->author = (char *)author;
    it->summary = (char *)summary;
    return it;
}

/* A case with every field set, decided, with two interactions. */
static Refunds__V1__Case *full_case(void)
{
    Refunds__V1__Case *c = rf_pb_new(arena, &refunds__v1__case__descriptor);
    Refunds__V1__Customer *cu = rf_pb_new(arena, &refunds__v1__customer__descriptor);
    Refunds__V1__Product *pr = rf_pb_new(arena, &refunds__v1__product__descriptor);
    Refunds__V1__Payment *pay = rf_pb_new(arena, &refunds__v1__payment__descriptor);
    Refunds__V1__Approval *ap = rf_pb_new(arena, &refunds__v1__approval__descriptor);

    c->name = "cases/0191e0a2-7c4b-7def-8abc-0123456789ab";
    c->state = REFUNDS__V1__CASE_STATE__CASE_STATE_PENDING_APPROVAL;
    c->etag = "e3";
    c->channel = REFUNDS__V1__CHANNEL__CHANNEL_IN_PERSON;
    c->acknowledge_time = at(T_2026_09_01_1000, 750000000); /* shown to the second */
    cu->name = "Ana Ruiz";
    cu->email = "ana@example.com";
    cu->phone = "+34 600 000 000";
    cu->preferred_language = "es";
    c->customer = cu;
    pr->order_id = "ORD-9";
    pr->sku = "KT-1";
    pr->name = "Kettle";
    pr->category = "kitchen";
    c->product = pr;
    c->purchase_time = at(T_2026_08_15_123045, 0);
    c->amount_paid = money(4999, "EUR");
    c->requested_amount = money(2500, "EUR");
    pay->method = REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD;
    pay->provider = "stripe";
    pay->provider_payment_id = "pi_123";
    c->payment = pay;
    c->reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_DEFECTIVE;
    c->reason_text = "Stopped heating\nafter a week";
    c->opened_by = "alice";
    c->assignee = "bob";
    c->create_time = at(T_2026_09_01_1000, 0);
    c->update_time = at(T_2026_09_02_0815, 0);
    ap->state = REFUNDS__V1__APPROVAL_STATE__APPROVAL_STATE_DECIDED;
    ap->escalated_by = "bob";
    ap->escalate_time = at(T_2026_09_02_0815, 0);
    ap->due_time = at(T_2026_09_04_0900, 0);
    ap->escalation_note = "Over the limit";
    ap->decided_by = "carol";
    ap->decide_time = at(T_2026_09_03_174530, 0);
    ap->decision = REFUNDS__V1__DECISION__DECISION_APPROVE;
    ap->approved_amount = money(2000, "EUR");
    ap->decision_reason = "Goodwill";
    c->approval = ap;
    c->n_interactions = 2;
    c->interactions = rf_arena_calloc(arena, 2, sizeof *c->interactions);
    c->interactions[0] =
        interaction("cases/0191e0a2-7c4b-7def-8abc-0123456789ab/interactions/1", T_2026_09_01_1000,
                    REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_ACKNOWLEDGEMENT,
                    REFUNDS__V1__CHANNEL__CHANNEL_IN_PERSON, "alice", "Customer at the desk");
    c->interactions[1] =
        interaction("cases/0191e0a2-7c4b-7def-8abc-0123456789ab/interactions/2", T_2026_09_02_0815,
                    REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_NOTE,
                    REFUNDS__V1__CHANNEL__CHANNEL_UNSPECIFIED, "bob", "line1\nline2");
    return c;
}

Test(print, a_case_is_a_labelled_block_with_its_approval_and_interactions)
{
    cr_assert_str_eq(printed(full_case()),
                     "Case             cases/0191e0a2-7c4b-7def-8abc-0123456789ab\n"
                     "State            pending-approval\n"
                     "Etag             e3\n"
                     "Channel          in-person, acknowledged 2026-09-01T10:00:00Z\n"
                     "Customer         Ana Ruiz <ana@example.com>\n"
                     "Phone            +34 600 000 000\n"
                     "Language         es\n"
                     "Product          Kettle (SKU KT-1, category kitchen)\n"
                     "Order            ORD-9\n"
                     "Purchased        2026-08-15T12:30:45Z\n"
                     "Paid             EUR 49.99 by card via stripe, payment pi_123\n"
                     "Requested        EUR 25.00\n"
                     "Reason           defective\n"
                     "Reason text      Stopped heating\n"
                     "                 after a week\n"
                     "Opened by        alice\n"
                     "Assignee         bob\n"
                     "Created          2026-09-01T10:00:00Z\n"
                     "Updated          2026-09-02T08:15:00Z\n"
                     "Approval         decided\n"
                     "Escalated        by bob at 2026-09-02T08:15:00Z\n"
                     "Due              2026-09-04T09:00:00Z (within SLA)\n"
                     "Escalation note  Over the limit\n"
                     "Decision         approve EUR 20.00, by carol at 2026-09-03T17:45:30Z\n"
                     "Decision reason  Goodwill\n"
                     "Interactions (2)\n"
                     "  #1  2026-09-01T10:00:00Z  acknowledgement via in-person, by alice\n"
                     "      Customer at the desk\n"
                     "  #2  2026-09-02T08:15:00Z  note, by bob\n"
                     "      line1\n"
                     "      line2\n");
}

Test(print, an_empty_case_shows_dashes_and_leaves_out_empty_rows)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;

    c.name = "cases/x";
    cr_assert_str_eq(printed(&c), "Case             cases/x\n"
                                  "State            -\n"
                                  "Channel          -, acknowledged -\n"
                                  "Purchased        -\n"
                                  "Paid             -\n"
                                  "Requested        -\n"
                                  "Reason           -\n"
                                  "Created          -\n"
                                  "Updated          -\n");
}

Test(print, a_denied_case_shows_breach_withdraw_reason_and_the_denial)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Approval ap = REFUNDS__V1__APPROVAL__INIT;
    Refunds__V1__Alternative alts[] = {REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT,
                                       REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_DISCOUNT_VOUCHER, 9};
    const char *s;

    c.name = "cases/d";
    c.state = REFUNDS__V1__CASE_STATE__CASE_STATE_DENIED;
    c.withdraw_reason = "n/a";
    ap.state = REFUNDS__V1__APPROVAL_STATE__APPROVAL_STATE_DECIDED;
    ap.sla_breached = 1;
    ap.decision = REFUNDS__V1__DECISION__DECISION_DENY;
    ap.decided_by = "carol";
    ap.decision_reason = "Used for six months";
    ap.n_alternatives = 3;
    ap.alternatives = alts;
    c.approval = &ap;
    s = printed(&c);
    cr_assert(strstr(s, "\nState            denied\n") != NULL, "%s", s);
    cr_assert(strstr(s, "\nWithdraw reason  n/a\n") != NULL, "%s", s);
    cr_assert(strstr(s, "\nEscalated        by  at -\n") != NULL, "%s", s);
    cr_assert(strstr(s, "\nDue              - (SLA breached)\n") != NULL, "%s", s);
    cr_assert(strstr(s, "\nDecision         deny, by carol at -\n") != NULL, "%s", s);
    cr_assert(strstr(s, "\nDecision reason  Used for six months\n") != NULL, "%s", s);
    cr_assert(strstr(s, "\nAlternatives     store-credit, discount-voucher, 9\n") != NULL,
              "an unknown value is shown as its number: %s", s);
}

Test(print, money_uses_the_currency_s_digits_and_sign)
{
    static const struct {
        int64_t minor;
        const char *currency, *row;
    } cases[] = {
        {4999, "EUR", "EUR 49.99"},
        {5, "EUR", "EUR 0.05"},
        {-50, "EUR", "EUR -0.50"},
        {5000, "JPY", "JPY 5000"},
        {1234, "BHD", "BHD 1.234"},
        {12345, "CLF", "CLF 1.2345"},
        {INT64_MIN, "EUR", "EUR -92233720368547758.08"},
        {100, "ZZZ", "ZZZ 1.00"}, /* an unknown code: two digits */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
        const char *s;

        c.requested_amount = money(cases[i].minor, cases[i].currency);
        s = printed(&c);
        cr_assert(strstr(s, rf_arena_printf(arena, "\nRequested        %s\n", cases[i].row)) !=
                      NULL,
                  "expected %s in\n%s", cases[i].row, s);
    }
}

Test(print, control_c1_and_bidi_characters_in_a_case_are_neutralised)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;
    const char *s;

    /* ESC, BEL, DEL, C1 CSI (U+009B), RLO (U+202E), LRI (U+2066), PDI (U+2069) */
    c.name = "cases/\x1b[2J\x07x\x7f";
    c.reason_text = "a\tb\r\nc\xc2\x9b"
                    "31m\xe2\x80\xae"
                    "d\xe2\x81\xa6"
                    "e\xe2\x81\xa9";
    cu.name = "Mallory\xe2\x80\xae";
    cu.email = "m@example.com\x1b]0;pwned\x07";
    c.customer = &cu;
    s = printed(&c);
    cr_assert(strstr(s, "Case             cases/?[2J?x?\n") != NULL, "%s", s);
    cr_assert(strstr(s, "Reason text      a b\n                 c?31m?d?e?\n") != NULL, "%s", s);
    cr_assert(strstr(s, "Customer         Mallory? <m@example.com?]0;pwned?>\n") != NULL, "%s", s);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        cr_assert(*p >= 0x20 || *p == '\n', "control 0x%02x left at %zu", *p,
                  (size_t)(p - (const unsigned char *)s));
    cr_assert_null(strstr(s, "\xe2\x80\xae"));
    cr_assert_null(strstr(s, "\xc2\x9b"));
}

Test(print, right_to_left_text_and_marks_are_printed_as_they_are)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    const char *s;

    /* Hebrew shalom, then LRM (U+200E) and RLM (U+200F), which reorder nothing. */
    c.reason_text = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\x8e\xe2\x80\x8f";
    s = printed(&c);
    cr_assert(strstr(s, "Reason text      \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d "
                        "\xe2\x80\x8e\xe2\x80\x8f\n") != NULL,
              "%s", s);
}

Test(print, control_characters_in_an_interaction_are_neutralised)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Interaction *it[1];

    it[0] = interaction("cases/x/interactions/7\x1b[A", T_2026_09_01_1000,
                        REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_INBOUND,
                        REFUNDS__V1__CHANNEL__CHANNEL_CHAT, "eve\xe2\x80\xae", "hi\nthere\x1b[0m");
    c.n_interactions = 1;
    c.interactions = it;
    cr_assert(strstr(printed(&c), "Interactions (1)\n"
                                  "  #7?[A  2026-09-01T10:00:00Z  inbound via chat, by eve?\n"
                                  "      hi\n"
                                  "      there?[0m\n") != NULL,
              "%s", printed(&c));
}

/* The timeout only catches a hang (a quadratic join takes minutes and gigabytes here); it
 * measures nothing: a linear join takes well under a second, even with ASan. */
Test(print, a_hundred_thousand_alternatives_are_joined_on_one_line, .timeout = 60)
{
    enum { N = 100000 };
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Approval ap = REFUNDS__V1__APPROVAL__INIT;
    Refunds__V1__Alternative *alts = rf_arena_calloc(arena, N, sizeof *alts);
    const char *s, *line, *end;
    size_t len;

    for (size_t i = 0; i < N; i++)
        alts[i] = i % 2 == 0 ? REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT
                             : REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE;
    ap.n_alternatives = N;
    ap.alternatives = alts;
    c.approval = &ap;
    s = printed_at(&c, 0, &len);
    line = strstr(s, "\nAlternatives     ");
    cr_assert_not_null(line, "%.300s", s);
    line++;
    end = strchr(line, '\n');
    cr_assert_not_null(end);
    /* 17 for the label, 50,000 "store-credit" (12) and "exchange" (8), 99,999 ", " (2). */
    cr_assert_eq((size_t)(end - line), 17 + 50000 * 12 + 50000 * 8 + 99999 * 2);
    cr_assert_eq(strncmp(line + 17, "store-credit, exchange, store-credit, ", 38), 0);
    cr_assert_eq(strncmp(end - 22, "store-credit, exchange\n", 23), 0);
    cr_assert_eq(strlen(s), len, "no NUL in the output");
}

Test(print, a_list_is_an_aligned_table_with_the_next_page)
{
    Refunds__V1__ListCasesResponse r = REFUNDS__V1__LIST_CASES_RESPONSE__INIT;
    Refunds__V1__Case a = REFUNDS__V1__CASE__INIT, b = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;
    Refunds__V1__Case *cases[] = {&a, &b};

    a.name = "cases/abc";
    a.state = REFUNDS__V1__CASE_STATE__CASE_STATE_OPEN;
    cu.email = "ana@example.com";
    a.customer = &cu;
    a.requested_amount = money(4999, "EUR");
    a.reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_DEFECTIVE;
    a.assignee = "bob";
    a.update_time = at(T_2026_09_02_0815, 0);
    b.name = "cases/de\nf";
    b.state = REFUNDS__V1__CASE_STATE__CASE_STATE_PENDING_APPROVAL;
    b.requested_amount = money(5000, "JPY");
    b.reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_CHANGED_MIND;
    r.n_cases = 2;
    r.cases = cases;
    r.next_page_token = "tok\x1b";
    /* Widths 4, 16, 15, 9 (right-aligned), 12, 8, 20; two spaces between columns. */
    cr_assert_str_eq(
        printed(&r),
        "ID    STATE             CUSTOMER         REQUESTED  REASON        ASSIGNEE  UPDATED\n"
        "abc   open              ana@example.com  EUR 49.99  defective     bob       "
        "2026-09-02T08:15:00Z\n"
        "de f  pending-approval                    JPY 5000  changed-mind            -\n"
        "Next page: --page-token tok?\n");
}

Test(print, an_empty_list_says_so)
{
    Refunds__V1__ListCasesResponse r = REFUNDS__V1__LIST_CASES_RESPONSE__INIT;

    cr_assert_str_eq(printed(&r), "No cases.\n");
    r.next_page_token = "t2";
    cr_assert_str_eq(printed(&r), "No cases.\nNext page: --page-token t2\n");
}

Test(print, columns_are_aligned_by_characters_not_bytes)
{
    Refunds__V1__ListCasesResponse r = REFUNDS__V1__LIST_CASES_RESPONSE__INIT;
    Refunds__V1__Case a = REFUNDS__V1__CASE__INIT, b = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Case *cases[] = {&a, &b};

    a.name = "cases/\xc3\xa9t\xc3\xa9"; /* "été": 3 characters, 5 bytes */
    b.name = "cases/abcd";
    r.n_cases = 2;
    r.cases = cases;
    cr_assert_str_eq(printed(&r),
                     "ID    STATE  CUSTOMER  REQUESTED  REASON  ASSIGNEE  UPDATED\n"
                     "\xc3\xa9t\xc3\xa9   -                        -  -                 -\n"
                     "abcd  -                        -  -                 -\n");
}

Test(print, the_approval_queue_counts_down_to_the_due_time)
{
    Refunds__V1__ListApprovalQueueResponse r = REFUNDS__V1__LIST_APPROVAL_QUEUE_RESPONSE__INIT;
    Refunds__V1__Case c[4] = {REFUNDS__V1__CASE__INIT, REFUNDS__V1__CASE__INIT,
                              REFUNDS__V1__CASE__INIT, REFUNDS__V1__CASE__INIT};
    Refunds__V1__Approval ap[3] = {REFUNDS__V1__APPROVAL__INIT, REFUNDS__V1__APPROVAL__INIT,
                                   REFUNDS__V1__APPROVAL__INIT};
    Refunds__V1__Customer ana = REFUNDS__V1__CUSTOMER__INIT, ben = REFUNDS__V1__CUSTOMER__INIT;
    Refunds__V1__Case *cases[] = {&c[0], &c[1], &c[2], &c[3]};
    const int64_t now = (int64_t)T_2026_09_02_0815 * 1000000;

    ana.email = "ana@example.com";
    ben.email = "ben@example.com";
    c[0].name = "cases/q1"; /* due in 2 days 45 minutes */
    ap[0].due_time = at(T_2026_09_04_0900, 0);
    ap[0].escalated_by = "bob";
    c[0].approval = &ap[0];
    c[0].requested_amount = money(2500, "EUR");
    c[0].reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_DEFECTIVE;
    c[0].customer = &ana;
    c[1].name = "cases/q2"; /* due in 4 hours 12 minutes and 59 seconds */
    ap[1].due_time = at(T_2026_09_02_0815 + 4 * 3600 + 12 * 60 + 59, 0);
    ap[1].escalated_by = "bob";
    c[1].approval = &ap[1];
    c[1].requested_amount = money(30000, "EUR");
    c[1].reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_OTHER;
    c[1].customer = &ben;
    c[2].name = "cases/q3"; /* overdue and flagged */
    ap[2].due_time = at(T_2026_09_01_0900, 0);
    ap[2].sla_breached = 1;
    ap[2].escalated_by = "carol";
    c[2].approval = &ap[2];
    c[2].requested_amount = money(100, "EUR");
    c[2].reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_WRONG_ITEM;
    c[3].name = "cases/q4"; /* no approval at all */
    r.n_cases = 4;
    r.cases = cases;
    /* Widths 2, 20, 15, 10 (right-aligned), 4, 6, 10, 12, 15; no entries: no tier or advice. */
    cr_assert_str_eq(
        printed_at(&r, now, NULL),
        "ID  DUE                   SLA               REQUESTED  TIER  ADVICE  REASON      "
        "ESCALATED BY  CUSTOMER\n"
        "q1  2026-09-04T09:00:00Z  ok, 2d 0h left    EUR 25.00  -     -       defective   bob      "
        " "
        "    ana@example.com\n"
        "q2  2026-09-02T12:27:59Z  ok, 4h 12m left  EUR 300.00  -     -       other       bob      "
        " "
        "    ben@example.com\n"
        "q3  2026-09-01T09:00:00Z  BREACHED           EUR 1.00  -     -       wrong-item  carol    "
        " "
        "    \n"
        "q4  -                     -                         -  -     -       -                    "
        " "
        "    \n");
}

Test(print, the_queue_shows_the_server_s_clock_the_tier_and_the_advice_of_each_entry)
{
    Refunds__V1__ListApprovalQueueResponse r = REFUNDS__V1__LIST_APPROVAL_QUEUE_RESPONSE__INIT;
    Refunds__V1__Case c[2] = {REFUNDS__V1__CASE__INIT, REFUNDS__V1__CASE__INIT};
    Refunds__V1__Approval ap = REFUNDS__V1__APPROVAL__INIT;
    Refunds__V1__ApprovalQueueEntry e[2] = {REFUNDS__V1__APPROVAL_QUEUE_ENTRY__INIT,
                                            REFUNDS__V1__APPROVAL_QUEUE_ENTRY__INIT};
    Refunds__V1__Case *cases[] = {&c[0], &c[1]};
    Refunds__V1__ApprovalQueueEntry *entries[] = {&e[0], &e[1]};
    const char *s;

    ap.due_time = at(T_2026_09_01_0900, 0);
    c[0].name = "cases/late";
    c[0].approval = &ap;
    c[1].name = "cases/soon";
    c[1].approval = &ap;
    e[0].seconds_left = -(26 * 3600 + 5 * 60);
    e[0].overdue = 1;
    e[0].tier = REFUNDS__V1__TIER__TIER_SENIOR_APPROVER;
    e[0].recommendation = REFUNDS__V1__RECOMMENDATION__RECOMMENDATION_APPROVE;
    e[1].seconds_left = 3 * 3600 + 59;
    e[1].tier = REFUNDS__V1__TIER__TIER_APPROVER;
    e[1].recommendation = REFUNDS__V1__RECOMMENDATION__RECOMMENDATION_DENY;
    r.n_cases = r.n_entries = 2;
    r.cases = cases;
    r.entries = entries;
    s = printed_at(&r, (int64_t)T_2026_09_02_0815 * 1000000, NULL);
    cr_assert(strstr(s, "late  2026-09-01T09:00:00Z  OVERDUE 1d 2h  ") != NULL, "%s", s);
    cr_assert(strstr(s, "  senior-approver  approve  ") != NULL, "%s", s);
    cr_assert(strstr(s, "soon  2026-09-01T09:00:00Z  3h 0m left     ") != NULL, "%s", s);
    cr_assert(strstr(s, "  approver         deny     ") != NULL, "%s", s);
}

Test(print, an_approval_past_due_but_not_flagged_is_ok_without_a_countdown)
{
    Refunds__V1__ListApprovalQueueResponse r = REFUNDS__V1__LIST_APPROVAL_QUEUE_RESPONSE__INIT;
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Approval ap = REFUNDS__V1__APPROVAL__INIT;
    Refunds__V1__Case *cases[] = {&c};
    const char *s;

    c.name = "cases/q";
    ap.due_time = at(T_2026_09_01_0900, 0);
    c.approval = &ap;
    r.n_cases = 1;
    r.cases = cases;
    s = printed_at(&r, (int64_t)T_2026_09_02_0815 * 1000000, NULL);
    cr_assert(strstr(s, "\nq   2026-09-01T09:00:00Z  ok   ") != NULL, "%s", s);
}

Test(print, an_empty_queue_says_so)
{
    Refunds__V1__ListApprovalQueueResponse r = REFUNDS__V1__LIST_APPROVAL_QUEUE_RESPONSE__INIT;

    cr_assert_str_eq(printed(&r), "The approval queue is empty.\n");
}

Test(print, health_is_one_word)
{
    Grpc__Health__V1__HealthCheckResponse h = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

    h.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    cr_assert_str_eq(printed(&h), "SERVING\n");
    h.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    cr_assert_str_eq(printed(&h), "NOT_SERVING\n");
    h.status = 42;
    cr_assert_str_eq(printed(&h), "42\n");
}

Test(print, an_audit_verification_is_a_summary_and_a_table_of_its_faults)
{
    Refunds__V1__VerifyAuditChainResponse r = REFUNDS__V1__VERIFY_AUDIT_CHAIN_RESPONSE__INIT;
    Refunds__V1__AuditFault a = REFUNDS__V1__AUDIT_FAULT__INIT, b = REFUNDS__V1__AUDIT_FAULT__INIT;
    Refunds__V1__AuditFault *faults[] = {&a, &b};

    r.cases_checked = 12;
    r.events_checked = 48;
    r.checkpoints_checked = 3;
    r.heads_checked = 14;
    r.faults_found = 2;
    r.latest_checkpoint = "checkpoints/3";
    r.latest_checkpoint_hash = "ab12";
    a.kind = REFUNDS__V1__AUDIT_FAULT_KIND__AUDIT_FAULT_KIND_REMOVED_CASE;
    a.case_ = "cases/c1";
    a.seq = 4;
    a.checkpoint = "checkpoints/2";
    a.message = "the case\nno longer exists";
    b.kind = REFUNDS__V1__AUDIT_FAULT_KIND__AUDIT_FAULT_KIND_BAD_SIGNATURE;
    b.checkpoint = "checkpoints/3";
    b.message = "forged";
    r.n_faults = 2;
    r.faults = faults;
    cr_assert_str_eq(printed(&r),
                     "Cases checked    12 (48 events)\n"
                     "Checkpoints      3 checked (14 heads)\n"
                     "Last checkpoint  checkpoints/3, hash ab12\n"
                     "Faults           2\n"
                     "FAULT          CASE  SEQ  CHECKPOINT  WHAT\n"
                     "removed-case   c1      4  2           the case no longer exists\n"
                     "bad-signature  -       -  3           forged\n");
}

Test(print, an_audit_verification_says_whether_it_is_complete_and_clean)
{
    Refunds__V1__VerifyAuditChainResponse r = REFUNDS__V1__VERIFY_AUDIT_CHAIN_RESPONSE__INIT;

    r.cases_checked = 1;
    r.events_checked = 4;
    cr_assert_str_eq(printed(&r), "Cases checked    1 (4 events)\n"
                                  "Checkpoints      0 checked (0 heads)\n"
                                  "Faults           0\n"
                                  "Every chain and checkpoint verifies.\n");
    r.next_page_token = "t2";
    cr_assert_str_eq(printed(&r), "Cases checked    1 (4 events)\n"
                                  "Checkpoints      0 checked (0 heads)\n"
                                  "Faults           0\n"
                                  "Not complete: verify the next page too (or use --all).\n"
                                  "Next page: --page-token t2\n");
}

Test(print, another_reply_is_printed_as_indented_json)
{
    Refunds__V1__Money *m = money(100, "EUR");

    cr_assert_str_eq(printed(m), "{\n  \"amountMinor\": \"100\",\n  \"currency\": \"EUR\"\n}\n");
}

Test(print, a_failed_write_is_reported)
{
    FILE *full = fopen("/dev/full", "w");

    cr_assert_not_null(full);
    cr_assert_eq(rf_print_reply(full, &full_case()->base, arena, 0), -1);
    fclose(full);
}

Test(print, an_error_is_its_code_message_and_violations)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_violation_add(&err, "customer.email", "must be an e-mail address");
    rf_violation_add(&err, "purchase_time", "is in the future");
    rf_fail(&err, RF_INVALID_ARGUMENT, "invalid customer.email (and 1 more)");
    cr_assert_str_eq(printed_error(&err),
                     "refundctl: INVALID_ARGUMENT: invalid customer.email (and 1 more)\n"
                     "  customer.email: must be an e-mail address\n"
                     "  purchase_time: is in the future\n");
}

Test(print, an_error_without_a_message_is_its_code)
{
    struct rf_error err;

    rf_error_clear(&err);
    err.code = RF_UNAVAILABLE;
    cr_assert_str_eq(printed_error(&err), "refundctl: UNAVAILABLE\n");
}

Test(print, an_error_from_the_server_cannot_drive_the_terminal)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_violation_add(&err, "name\x1b[1m", "bad\nvalue\xe2\x80\xae");
    rf_fail(&err, RF_NOT_FOUND, "no\x1b]52;c;case\x07\nsecond line");
    cr_assert_str_eq(printed_error(&err), "refundctl: NOT_FOUND: no?]52;c;case?\n"
                                          "  second line\n"
                                          "  name?[1m: bad\n"
                                          "    value?\n");
}

Test(print, violations_past_the_kept_ones_are_counted)
{
    struct rf_error err;
    const char *s;

    rf_error_clear(&err);
    for (int i = 0; i < RF_VIOLATIONS_MAX + 3; i++)
        rf_violation_add(&err, "f", "bad %d", i);
    err.code = RF_INVALID_ARGUMENT;
    s = printed_error(&err);
    cr_assert(strstr(s, "  f: bad 31\n  (and 3 more)\n") != NULL, "%s", s);
    cr_assert_null(strstr(s, "bad 32"));
}
