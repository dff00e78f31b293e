/*
 * The command table of refundctl (see commands.h): which RPC each command
 * makes and which request field each flag fills. No behaviour here beyond
 * the table; enum choices in the usage come from the descriptors.
 */
#include "commands.h"
#include "grpc/health/v1/health.pb-c.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/policy.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

#define FIELD(flag, path_, meta, opt, text)                                                        \
    {                                                                                              \
        .name = flag, .kind = RF_FLAG_FIELD, .path = path_, .metavar = meta, .optional = opt,      \
        .help = text                                                                               \
    }
#define SWITCH(flag, path_, value_, text)                                                          \
    {                                                                                              \
        .name = flag, .kind = RF_FLAG_CONST, .path = path_, .value = value_, .help = text          \
    }
/* A flag whose VALUE fills path and which sets the fields of implied too. */
#define IMPLYING(flag, path_, meta, implied, text)                                                 \
    {                                                                                              \
        .name = flag, .kind = RF_FLAG_FIELD, .path = path_, .metavar = meta, .optional = true,     \
        .implies = implied, .help = text                                                           \
    }
#define ETAG                                                                                       \
    FIELD("etag", "etag", "E", true, "etag of the case as last read (default: its current etag)")
#define PAGE                                                                                       \
    FIELD("page-size", "page_size", "N", true, "cases per page (1-500; server default 50)"),       \
        FIELD("page-token", "page_token", "T", true, "the next page token of the previous page")
#define END                                                                                        \
    {                                                                                              \
        .name = NULL                                                                               \
    }

static const struct rf_flag no_flags[] = {END};

static const struct rf_flag open_flags[] = {
    FIELD("channel", "channel", "C", false, "where the customer made contact"),
    FIELD("customer-name", "customer.name", "N", false, "the customer's name"),
    FIELD("customer-email", "customer.email", "E", false, "the customer's e-mail address"),
    FIELD("customer-phone", "customer.phone", "P", true, "the customer's phone number"),
    FIELD("language", "customer.preferred_language", "L", true,
          "the customer's BCP 47 language tag (default en)"),
    FIELD("order-id", "product.order_id", "O", false, "the order the product was bought with"),
    FIELD("sku", "product.sku", "S", false, "the product's SKU"),
    FIELD("product-name", "product.name", "N", false, "the product's name"),
    FIELD("category", "product.category", "C", false, "the product's category"),
    FIELD("purchased", "purchase_time", "WHEN", false,
          "when it was bought: a date (2026-09-01) or an RFC 3339 time"),
    FIELD("paid", "amount_paid.amount_minor", "MINOR", false,
          "amount paid, in minor units (4999 for EUR 49.99)"),
    FIELD("requested", "requested_amount.amount_minor", "MINOR", false,
          "amount the customer asks back, in minor units"),
    FIELD("currency", "amount_paid.currency,requested_amount.currency", "CUR", false,
          "ISO 4217 code of both amounts, such as EUR"),
    FIELD("payment-method", "payment.method", "M", false, "how the customer paid"),
    FIELD("provider", "payment.provider", "P", true, "payment provider, such as stripe"),
    FIELD("provider-payment-id", "payment.provider_payment_id", "ID", true,
          "the provider's id of the payment"),
    FIELD("reason", "reason_code", "R", false, "why the customer asks for a refund"),
    FIELD("reason-text", "reason_text", "T", true, "the reason in words (required with other)"),
    FIELD("summary", "contact_summary", "T", true, "what the customer said at first contact"),
    FIELD("assignee", "assignee", "A", true, "who handles the case (default: you)"),
    END,
};

static const struct rf_flag list_flags[] = {
    FIELD("state", "state", "S", true, "only cases in this state"),
    FIELD("customer-email", "customer_email", "E", true, "only this customer's cases"),
    FIELD("assignee", "assignee", "A", true, "only cases assigned to A"),
    PAGE,
    {.name = "all", .kind = RF_FLAG_ALL, .optional = true, .help = "fetch every page"},
    END,
};

static const struct rf_flag add_interaction_flags[] = {
    FIELD("kind", "kind", "K", false, "what it was (not acknowledgement: open records that)"),
    FIELD("channel", "channel", "C", true, "where it happened (required for inbound, outbound)"),
    FIELD("summary", "summary", "T", false, "what was said or noted"),
    ETAG,
    END,
};

static const struct rf_flag escalate_flags[] = {
    FIELD("note", "note", "T", true, "why the case needs an exception"),
    ETAG,
    END,
};

static const struct rf_flag queue_flags[] = {
    SWITCH("overdue", "overdue_only", "true", "only the approvals past their due time"),
    FIELD("tier", "tier", "T", true, "only the approvals that need this tier"),
    PAGE,
    END,
};

static const struct rf_flag decide_flags[] = {
    SWITCH("approve", "decision", "approve",
           "approve the refund (an agent: an evaluated case within the self-approval limit)"),
    SWITCH("deny", "decision", "deny", "deny it (with --reason and at least one --alternative)"),
    FIELD("amount", "approved_amount.amount_minor", "MINOR", true,
          "with --approve: amount to refund in minor units of the case's currency (default: the "
          "requested amount)"),
    FIELD("reason", "reason", "T", true, "why, in words the customer will read"),
    FIELD("alternative", "alternatives", "A", true,
          "with --deny, repeatable: what to offer instead"),
    IMPLYING("store-credit", "offer.amount.amount_minor", "MINOR",
             "decision=offer-alternative,offer.alternative=store-credit",
             "no refund: offer store credit of MINOR in the case's currency instead (with "
             "--reason)"),
    IMPLYING("exchange", "offer.product", "SKU",
             "decision=offer-alternative,offer.alternative=exchange",
             "no refund: offer an exchange for the product SKU instead (with --reason)"),
    ETAG,
    END,
};

static const struct rf_flag evaluate_flags[] = {
    FIELD("customer-id", "customer_id", "ID", true,
          "the customer's id in the shop's or CRM's records: their cases under it count too"),
    ETAG,
    END,
};

static const struct rf_flag policy_set_flags[] = {
    FIELD("note", "note", "T", false, "what changes and why, for the version's history"),
    FIELD("base", "base_version", "V", true,
          "the version the file was edited from: refused if another was stored since"),
    END,
};

static const struct rf_flag policy_versions_flags[] = {
    FIELD("page-size", "page_size", "N", true, "versions per page (1-500; server default 50)"),
    FIELD("page-token", "page_token", "T", true, "the next page token of the previous page"),
    {.name = "all", .kind = RF_FLAG_ALL, .optional = true, .help = "fetch every page"},
    END,
};

static const struct rf_flag report_policy_flags[] = {
    FIELD("from", "start_time", "WHEN", false, "the cases first contacted at or after WHEN"),
    FIELD("to", "end_time", "WHEN", false, "... and before WHEN"),
    {.name = "by",
     .kind = RF_FLAG_FIELD,
     .path = "group_by",
     .metavar = "D",
     .split = true,
     .help = "group by one dimension, or two separated by a comma (reason,category)"},
    {.name = "csv",
     .kind = RF_FLAG_CSV,
     .optional = true,
     .help = "write CSV with a header line: a line per group and the total, the amounts in "
             "columns per currency"},
    END,
};

static const struct rf_flag withdraw_flags[] = {
    FIELD("reason", "reason", "T", false, "why the customer withdraws"),
    ETAG,
    END,
};

static const struct rf_flag record_refund_flags[] = {
    FIELD("provider", "provider", "P", false, "stripe, adyen, paypal, checkout or other"),
    FIELD("provider-refund-id", "provider_refund_id", "ID", false,
          "the provider's id of the refund"),
    FIELD("provider-payment-id", "provider_payment_id", "ID", true,
          "the provider's id of the payment refunded"),
    FIELD("amount", "amount.amount_minor", "MINOR", false, "amount refunded, in minor units"),
    FIELD("currency", "amount.currency", "CUR", false, "ISO 4217 code of the amount"),
    FIELD("issued", "issue_time", "WHEN", false, "when it was issued (RFC 3339 or a date)"),
    ETAG,
    END,
};

static const struct rf_flag confirm_flags[] = {
    FIELD("refund", "refund", "R", true, "one refund (cases/ID/refunds/ID); all when left out"),
    FIELD("note", "note", "T", true, "what the customer said"),
    ETAG,
    END,
};

static const struct rf_flag runs_flags[] = {PAGE, END};

static const struct rf_flag findings_flags[] = {
    FIELD("kind", "kind", "K", true, "only findings of this kind (failed, stuck-pending, ...)"),
    FIELD("state", "state", "S", true, "open, closed or resolved"),
    FIELD("provider", "provider", "P", true, "only this provider's"),
    FIELD("currency", "currency", "CUR", true, "only refunds in this currency"),
    FIELD("case", "case", "C", true, "only this case's (cases/ID)"),
    PAGE,
    {.name = "all", .kind = RF_FLAG_ALL, .optional = true, .help = "fetch every page"},
    END,
};

static const struct rf_flag trace_flags[] = {
    FIELD("language", "language", "L", true,
          "the script's language, a BCP 47 tag (default: the customer's)"),
    END,
};

static const struct rf_flag due_flags[] = {
    FIELD("assignee", "assignee", "A", true, "whose tasks (default: yours; finance for finance's)"),
    SWITCH("upcoming", "include_upcoming", "true", "also the open tasks not yet due"),
    FIELD("page-size", "page_size", "N", true, "tasks per page (1-500; server default 50)"),
    FIELD("page-token", "page_token", "T", true, "the next page token of the previous page"),
    {.name = "all", .kind = RF_FLAG_ALL, .optional = true, .help = "fetch every page"},
    END,
};

static const struct rf_flag complete_flags[] = {
    FIELD("outcome", "outcome", "T", false, "what was done, and what the customer was told"),
    FIELD("score", "satisfaction.score", "N", true,
          "a satisfaction follow-up: how likely the customer is to recommend us, 0-10 (0-6 "
          "opens a task for a supervisor)"),
    FIELD("comment", "satisfaction.comment", "T", true, "with --score: what the customer said"),
    END,
};

static const struct rf_flag schedule_flags[] = {
    FIELD("kind", "kind", "K", false, "what the task is for"),
    FIELD("due", "due_time", "WHEN", true,
          "when it is due (default: satisfaction in 3 business days, the others now)"),
    FIELD("assignee", "assignee", "A", true, "who does it (default: the case's agent)"),
    FIELD("reason", "reason", "T", true, "what to do (default: a text for the kind)"),
    END,
};

#define CHANNEL                                                                                    \
    FIELD("channel", "channel", "C", true, "how the message reaches the customer (default email)")
#define LANGUAGE                                                                                   \
    FIELD("language", "language", "L", true,                                                       \
          "a BCP 47 tag instead of the customer's language (es, de-AT, ...)")

static const struct rf_flag comm_preview_flags[] = {CHANNEL, LANGUAGE, END};

static const struct rf_flag comm_record_flags[] = {CHANNEL, LANGUAGE, ETAG, END};

static const struct rf_flag comm_outbox_flags[] = {
    FIELD("status", "status", "S", true, "messages in this status (default queued)"),
    FIELD("channel", "channel", "C", true, "only this channel's"),
    FIELD("case", "case", "C", true, "only this case's (cases/ID)"),
    FIELD("page-size", "page_size", "N", true, "messages per page (1-500; server default 50)"),
    FIELD("page-token", "page_token", "T", true, "the next page token of the previous page"),
    {.name = "all", .kind = RF_FLAG_ALL, .optional = true, .help = "fetch every page"},
    END,
};

static const struct rf_flag comm_sent_flags[] = {
    SWITCH("failed", "status", "failed", "it was not delivered (default: it was sent)"),
    FIELD("reason", "failure_reason", "T", true, "with --failed: why, for the agent"),
    FIELD("provider-message-id", "provider_message_id", "ID", true,
          "the delivery system's id of the message"),
    END,
};

static const struct rf_flag comm_accept_flags[] = {
    FIELD("alternative", "alternative", "A", false, "what the customer takes, as offered"),
    FIELD("note", "note", "T", true, "what the customer said"),
    ETAG,
    END,
};

static const struct rf_flag report_nps_flags[] = {
    FIELD("from", "start_time", "WHEN", true, "answers recorded at or after WHEN"),
    FIELD("to", "end_time", "WHEN", true, "answers recorded before WHEN"),
    FIELD("by", "group_by", "D", true, "repeatable, at most twice: group the answers by D"),
    END,
};

static const struct rf_flag resolve_flags[] = {
    FIELD("resolution", "resolution", "R", false, "how it was resolved"),
    FIELD("note", "note", "T", false, "what was done, for the audit trail and the next person"),
    END,
};

static const struct rf_flag export_flags[] = {
    FIELD("kind", "kind", "K", true, "only findings of this kind"),
    FIELD("state", "state", "S", true, "open, closed or resolved"),
    FIELD("provider", "provider", "P", true, "only this provider's"),
    FIELD("currency", "currency", "CUR", true, "only refunds in this currency"),
    FIELD("case", "case", "C", true, "only this case's (cases/ID)"),
    FIELD("opened-after", "open_after", "WHEN", true, "opened at or after WHEN (a date or time)"),
    FIELD("opened-before", "open_before", "WHEN", true, "opened before WHEN"),
    {.name = "csv", .kind = RF_FLAG_CSV, .optional = true,
     .help = "write CSV with a header line (default: one line per finding; --json: JSON lines)"},
    END,
};

static const struct rf_flag audit_verify_flags[] = {
    FIELD("case", "case", "C", true, "one case (cases/ID); without it, the cases of a time range"),
    FIELD("from", "start_time", "WHEN", true,
          "the cases changed at or after WHEN, and the checkpoints taken since (default: all)"),
    FIELD("to", "end_time", "WHEN", true, "the cases changed before WHEN (default: up to now)"),
    PAGE,
    {.name = "all", .kind = RF_FLAG_ALL, .optional = true, .help = "verify every page"},
    END,
};

const struct rf_command rf_commands[] = {
    {"health", NULL, &grpc__health__v1__health__descriptor, "Check",
     "print whether the server can serve: SERVING (exit 0) or NOT_SERVING (exit 1)", no_flags},
    {"open", NULL, &refunds__v1__refund_cases__descriptor, "OpenCase",
     "acknowledge a first contact and open a case", open_flags},
    {"get", "NAME", &refunds__v1__refund_cases__descriptor, "GetCase",
     "show a case with its approval and interactions", no_flags},
    {"list", NULL, &refunds__v1__refund_cases__descriptor, "ListCases", "list cases, newest first",
     list_flags},
    {"add-interaction", "NAME", &refunds__v1__refund_cases__descriptor, "AddInteraction",
     "record a later contact or an internal note", add_interaction_flags},
    {"escalate", "NAME", &refunds__v1__refund_cases__descriptor, "EscalateCase",
     "send a case to the approvers", escalate_flags},
    {"evaluate", "NAME", &refunds__v1__refund_cases__descriptor, "EvaluateCase",
     "judge a case against the current policy and the customer's history: recommendation, "
     "score, every factor, who may decide",
     evaluate_flags},
    {"evaluations", "NAME", &refunds__v1__refund_cases__descriptor, "ListEvaluations",
     "every evaluation of a case, oldest first", no_flags},
    {"queue", NULL, &refunds__v1__refund_cases__descriptor, "ListApprovalQueue",
     "list the cases awaiting a decision, the earliest due first, with the time left, the "
     "recommendation and the tier needed",
     queue_flags},
    {"decide", "NAME", &refunds__v1__refund_cases__descriptor, "DecideCase",
     "approve, deny or offer an alternative: an escalated case by its tier (never your own), or "
     "an agent's approval of an evaluated case within the self-approval limit",
     decide_flags},
    {"withdraw", "NAME", &refunds__v1__refund_cases__descriptor, "WithdrawCase",
     "close a case before a decision, at the customer's request", withdraw_flags},
    {"record-refund", "NAME", &refunds__v1__refund_cases__descriptor, "RecordRefundIssued",
     "record a refund the payments system issued for an approved case (services)",
     record_refund_flags},
    {"confirm-received", "NAME", &refunds__v1__refund_cases__descriptor, "ConfirmRefundReceived",
     "record that the customer says the money arrived", confirm_flags},
    {"runs", NULL, &refunds__v1__reconciliation__descriptor, "ListRuns",
     "list the reconciler's passes, newest first (finance)", runs_flags},
    {"run", "NAME", &refunds__v1__reconciliation__descriptor, "GetRun",
     "show one pass of the reconciler: counts by kind and currency", no_flags, "runs"},
    {"findings list", NULL, &refunds__v1__reconciliation__descriptor, "ListFindings",
     "list what the reconciler found about issued refunds, newest first", findings_flags},
    {"findings resolve", "NAME", &refunds__v1__reconciliation__descriptor, "ResolveFinding",
     "record how a finding was resolved (finance; an agent for their own cases)", resolve_flags,
     "findings"},
    {"findings export", NULL, &refunds__v1__reconciliation__descriptor, "ExportFindings",
     "stream every finding the filters select, oldest first (finance), in constant memory",
     export_flags},
    {"trace", "NAME", &refunds__v1__reconciliation__descriptor, "GetRefundTrace",
     "where a case's money is: timeline, transfer reference, window and the script to read",
     trace_flags},
    {"followups due", NULL, &refunds__v1__refund_cases__descriptor, "ListDueFollowUps",
     "the follow-up tasks due, overdue first", due_flags},
    {"followups complete", "NAME", &refunds__v1__refund_cases__descriptor, "CompleteFollowUp",
     "close a follow-up task with what was done (and the customer's score)", complete_flags,
     "followups"},
    {"followups schedule", "NAME", &refunds__v1__refund_cases__descriptor, "ScheduleFollowUp",
     "open a follow-up task on a case", schedule_flags},
    {"comm preview", "NAME", &refunds__v1__refund_cases__descriptor, "PreviewCommunication",
     "show the decision message as it would be recorded now, in the customer's language",
     comm_preview_flags},
    {"comm record", "NAME", &refunds__v1__refund_cases__descriptor, "RecordCommunication",
     "put the decision message in the outbox (the case is then decision-communicated)",
     comm_record_flags},
    {"comm outbox", NULL, &refunds__v1__refund_cases__descriptor, "ListOutbox",
     "the delivery system's queue of messages, oldest first (services)", comm_outbox_flags},
    {"comm sent", "NAME", &refunds__v1__refund_cases__descriptor, "MarkCommunicationSent",
     "report a message (cases/ID/communications/N) sent, or --failed (services)", comm_sent_flags},
    {"comm accept", "NAME", &refunds__v1__refund_cases__descriptor, "AcceptAlternative",
     "record that a denied customer takes an alternative the decision message offered",
     comm_accept_flags},
    {"report nps", NULL, &refunds__v1__refund_cases__descriptor, "GetSatisfactionReport",
     "Net Promoter Score of the customers' answers, in total and grouped", report_nps_flags},
    {"policy show", "[VERSION]", &refunds__v1__policies__descriptor, "GetPolicy",
     "print a version of the guidelines (default: the current one)", no_flags, NULL, "version?"},
    {"policy diff", "V1 V2", &refunds__v1__policies__descriptor, "GetPolicy",
     "what changed from version V1 to V2, path by path", no_flags, NULL, "compare_to,version"},
    {"policy set", "FILE", &refunds__v1__policies__descriptor, "UpdatePolicy",
     "store the JSON document in FILE as the next version (admin); a bad file is refused whole, "
     "each error by the path of the field at fault",
     policy_set_flags, NULL, "@document"},
    {"policy versions", NULL, &refunds__v1__policies__descriptor, "ListPolicyVersions",
     "the stored versions, newest first", policy_versions_flags},
    {"report policy", NULL, &refunds__v1__policies__descriptor, "GetPolicyReport",
     "outcomes, approval rate, time to decision, SLA breaches, amounts and money figures of the "
     "cases first contacted in a range, grouped",
     report_policy_flags},
    {"audit verify", NULL, &refunds__v1__reconciliation__descriptor, "VerifyAuditChain",
     "recompute the audit chains and check the signed checkpoints; exits 1 when something was "
     "changed, removed or reordered (finance)",
     audit_verify_flags},
};

const size_t rf_commands_count = sizeof rf_commands / sizeof rf_commands[0];
