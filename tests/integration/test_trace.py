#!/usr/bin/env python3
"""The agent's refund trace, follow-up tasks and finance's resolution of
findings, end to end on real parts: refunds recorded through the API
(python3-grpcio), provider records loaded into a real Redis, the real
refunds-reconciler, and GetRefundTrace, ListDueFollowUps, CompleteFollowUp
and ResolveFinding on the real server.

The trace of a refund at each stage (approved, issued, pending, succeeded
with and without a reference, reversal, failed, overdue) with its reference,
window, bank details and script in es, de and en; a follow-up task opened
exactly once per finding that needs one, to the case's agent or to finance,
and cancelled with the reason when the finding clears; a resolution audited
in the case's chain and not reopened by the next pass unless the provider's
record changes."""

import json
import time

import grpc

from harness import date_text, main, pb, rid, wait_for
from money import MoneyTest, at, event, stripe_refund
from refunds.v1 import reconciliation_pb2 as rpb

MONEY = {"es": "49,99 €", "de": "49,99 €", "en": "€49.99"}
class TraceTest(MoneyTest):

    def trace(self, name, language="", who="alice"):
        return self.client.recon("GetRefundTrace", rpb.GetRefundTraceRequest(name=name, language=language), who)

    def stage(self, prid, records, days_ago, language="es"):
        """An approved case with refund prid issued days_ago, the provider records loaded, one pass."""
        case = self.approved_case(customer=pb.Customer(name="Ana", email="ana@example.com",
                                                       preferred_language=language))
        self.issue(case, "stripe", prid, days_ago=days_ago)
        if records:
            self.load_events(prid + ".ndjson", records)
        self.recon.once()
        return case

    def assertScript(self, trace, situation, lang, *fragments):
        self.assertEqual(trace.script.situation, situation, trace.script.text)
        self.assertEqual(trace.script.language, lang)
        self.assertGreaterEqual(trace.script.template_version, 1)
        self.assertNotIn("{{", trace.script.text)
        for f in fragments:
            self.assertIn(f, trace.script.text)

    def test_approved_but_not_issued_answers_with_the_approval(self):
        case = self.approved_case()
        t = self.trace(case.name)
        self.assertFalse(t.issued)
        self.assertEqual(len(t.refunds), 0)
        self.assertIn("not issued yet", t.status_note)
        self.assertEqual(t.approval.decided_by, "carol")
        self.assertEqual([e.kind for e in t.timeline], [rpb.TRACE_EVENT_KIND_APPROVED])
        self.assertIn("approved EUR 49.99 by carol", t.timeline[0].text)
        self.assertScript(t, "trace.not_issued", "es", MONEY["es"], case.name.split("/")[1])
        denied = self.decide(self.escalate(self.open_case()), approve=False, reason="Outside policy",
                             alternatives=[pb.ALTERNATIVE_STORE_CREDIT])
        t = self.trace(denied.name)
        self.assertFalse(t.issued)
        self.assertFalse(t.HasField("script"))
        self.assertIn("DENIED", t.status_note)

    def test_each_stage_of_the_money_in_three_languages(self):
        tag = rid()[:8]
        prids = {k: f"re_{k}_{tag}" for k in ("issued", "pending", "ref", "noref", "rev", "failed", "overdue")}
        stages = {
            "issued": ([], 0),
            "pending": ([event("refund.created", 1, stripe_refund(prids["pending"], "pending"))], 1),
            "ref": ([event("refund.updated", 1, stripe_refund(prids["ref"], "succeeded", reference="74629830"))], 1),
            "noref": ([event("refund.updated", 1, stripe_refund(prids["noref"], "succeeded"))], 1),
            "rev": ([event("refund.updated", 1, stripe_refund(prids["rev"], "succeeded", card_type="reversal"))], 1),
            "failed": ([event("refund.failed", 1, stripe_refund(prids["failed"], "failed",
                                                                  failure_reason="expired_or_canceled_card"))], 1),
            "overdue": ([event("refund.created", 25, stripe_refund(prids["overdue"], "pending", days_ago=25)),
                         event("refund.updated", 24, stripe_refund(prids["overdue"], "succeeded", days_ago=25,
                                                                   reference="74629831"))], 25),
        }
        cases = {k: self.stage(prids[k], recs, days) for k, (recs, days) in stages.items()}
        expect = {
            "issued": ("trace.pending", rpb.WINDOW_POSITION_NOT_STARTED),
            "pending": ("trace.pending", rpb.WINDOW_POSITION_NOT_STARTED),
            "ref": ("trace.in_window", rpb.WINDOW_POSITION_BEFORE),
            "noref": ("trace.no_reference", rpb.WINDOW_POSITION_BEFORE),
            "rev": ("trace.reversal", rpb.WINDOW_POSITION_BEFORE),
            "failed": ("trace.failed", rpb.WINDOW_POSITION_NOT_STARTED),
            "overdue": ("trace.overdue", rpb.WINDOW_POSITION_PAST),
        }
        for stage, (situation, position) in expect.items():
            with self.subTest(stage=stage):
                for lang in ("es", "de", "en"):
                    t = self.trace(cases[stage].name, language=lang)
                    self.assertTrue(t.issued)
                    self.assertEqual(len(t.refunds), 1)
                    item = t.refunds[0]
                    self.assertEqual(item.refund.provider_refund_id, prids[stage])
                    self.assertEqual(item.window.position, position)
                    self.assertEqual((item.window.from_business_days, item.window.to_business_days), (5, 10))
                    self.assertScript(t, situation, lang, MONEY[lang], cases[stage].name.split("/")[1])
                    self.assertEqual(item.HasField("bank"), stage == "overdue")
                    if stage == "overdue":
                        self.assertEqual(item.bank.reference, "74629831")
                        self.assertEqual(item.bank.reference_type, "ARN")
                        self.assertEqual(item.bank.amount_text, MONEY[lang])
                        self.assertEqual(item.bank.refund_date_text, date_text(at(25), lang))
                        self.assertEqual(item.bank.merchant_name, "Example Shop")
                        self.assertIn("74629831", t.script.text)
                        self.assertIn(date_text(item.window.end_time.seconds, lang), t.script.text)
                    if stage == "ref":
                        self.assertEqual((item.reference, item.reference_status), ("74629830", "available"))
                        self.assertIn("ARN 74629830", t.script.text)
                        self.assertIn(date_text(item.window.start_time.seconds, lang), t.script.text)
        # The customer's own language when none is asked for; English for one without templates.
        self.assertEqual(self.trace(cases["ref"].name).script.language, "es")
        self.assertEqual(self.trace(cases["ref"].name, language="fr-CA").script.language, "en")
        self.assertEqual(self.trace(cases["ref"].name, language="de-AT").script.language, "de")
        # References said plainly.
        rev = self.trace(cases["rev"].name).refunds[0]
        self.assertEqual(rev.reference, "")
        self.assertIn("charge was reversed and disappears from the customer's statement", rev.reference_note)
        self.assertIn("not given the reference yet", self.trace(cases["noref"].name).refunds[0].reference_note)
        failed = self.trace(cases["failed"].name, language="en")
        self.assertEqual(failed.refunds[0].failure_reason, "expired_or_canceled_card")
        self.assertIn("another card or bank account", failed.script.text, "a new method is needed")
        self.assertEqual([f.kind for f in failed.refunds[0].open_findings], [rpb.FINDING_KIND_FAILED])
        self.assertTrue(failed.refunds[0].open_findings[0].suggested_action)
        # The timeline, oldest first: approved, issued, each status first seen, the reference.
        od = self.trace(cases["overdue"].name)
        kinds = [e.kind for e in od.timeline]
        self.assertEqual(kinds.count(rpb.TRACE_EVENT_KIND_APPROVED), 1)
        self.assertEqual(kinds.count(rpb.TRACE_EVENT_KIND_ISSUED), 1)
        self.assertIn(rpb.TRACE_EVENT_KIND_PROVIDER_STATUS, kinds)
        self.assertIn(rpb.TRACE_EVENT_KIND_REFERENCE, kinds)
        times = [e.time.ToMicroseconds() for e in od.timeline]
        self.assertEqual(times, sorted(times))
        self.assertIn("Stripe: succeeded", [e.text for e in od.timeline])
        # One refund of the case by its name; the customer confirms: the script says it arrived.
        one = self.trace(od.refunds[0].refund.name)
        self.assertEqual([r.refund.name for r in one.refunds], [od.refunds[0].refund.name])
        self.client.call("ConfirmRefundReceived", pb.ConfirmRefundReceivedRequest(
            request_id=rid(), name=cases["overdue"].name, note="seen on the statement"))
        done = self.trace(cases["overdue"].name, language="en")
        self.assertScript(done, "trace.arrived", "en", "€49.99")
        self.assertEqual(done.timeline[-1].kind, rpb.TRACE_EVENT_KIND_RECEIPT_CONFIRMED)
        self.assertEqual(done.state, pb.CASE_STATE_AWAITING_FOLLOW_UP)

    def test_a_refund_sent_again_after_a_failure_is_neither_a_duplicate_nor_the_script(self):
        tag = rid()[:8]
        first, again = f"re_f1_{tag}", f"re_f2_{tag}"
        case = self.stage(first, [event("refund.failed", 2, stripe_refund(
            first, "failed", days_ago=3, failure_reason="expired_or_canceled_card"))], 3)
        self.assertEqual(self.trace(case.name).script.situation, "trace.failed")
        reissued = self.issue(case, "stripe", again, days_ago=1)
        self.assertFalse(reissued.refunds[1].exceeds_approved, "the failed refund's money came back")
        self.load_events(again + ".ndjson", [event("refund.updated", 1, stripe_refund(
            again, "succeeded", reference="74629850"))])
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.assertEqual(self.findings([first, again]), {first: ["FAILED"]}, "no DUPLICATE_REFUND")
        t = self.trace(case.name, language="en")
        self.assertScript(t, "trace.in_window", "en", "74629850")
        self.assertEqual([i.refund.provider_refund_id for i in t.refunds], [first, again])

    def test_a_cached_trace_is_dropped_when_what_it_shows_changes(self):
        tag = rid()[:8]
        prid = f"re_cache_{tag}"
        case = self.stage(prid, [event("refund.failed", 1, stripe_refund(prid, "failed",
                                                                          failure_reason="declined"))], 1)
        first = self.trace(case.name)
        [finding] = first.refunds[0].open_findings
        fid = finding.name.split("/")[1]
        # Changed with the triggers off, nobody is told: the trace comes from the cache.
        self.db.sql(f"SET session_replication_role = replica; UPDATE findings SET action = 'Quietly changed'"
                    f" WHERE id = '{fid}'")
        self.assertEqual(self.trace(case.name).refunds[0].open_findings[0].suggested_action,
                         finding.suggested_action, "served from the case cache")
        self.assertEqual(self.trace(case.name, language="en").refunds[0].open_findings[0].suggested_action,
                         "Quietly changed", "another language is not cached")
        # Each part, changed as usual, is announced and the next trace reads it.
        changes = [
            (f"UPDATE findings SET action = 'Call her today' WHERE id = '{fid}'",
             lambda t: t.refunds[0].open_findings[0].suggested_action == "Call her today"),
            (f"UPDATE refunds SET failure_reason = 'expired_or_canceled_card' WHERE provider_refund_id = '{prid}'",
             lambda t: t.refunds[0].failure_reason == "expired_or_canceled_card"),
            (f"UPDATE follow_ups SET due_at = now() + interval '3 days' WHERE finding_id = '{fid}'",
             lambda t: date_text(time.time() + 3 * 86400, "es") in t.script.text),
        ]
        for sql, seen in changes:
            self.db.sql(sql)
            wait_for(lambda: seen(self.trace(case.name)), 10, sql)

    def test_one_statement_over_many_cases_drops_each_cached_trace(self):
        # Migration 0015: a statement's changes are announced once, the cases comma-separated.
        tag = rid()[:8]
        prids = [f"re_many_{tag}_{i}" for i in range(2)]
        cases = [self.stage(p, [event("refund.failed", 1, stripe_refund(p, "failed", failure_reason="declined"))], 1)
                 for p in prids]
        for c in cases:
            self.assertEqual(len(self.trace(c.name).refunds[0].open_findings), 1)  # now cached
        quoted = ", ".join(f"'{p}'" for p in prids)
        changes = [
            (f"UPDATE refunds SET failure_reason = 'lost_or_stolen_card' WHERE provider_refund_id IN ({quoted})",
             lambda t: t.refunds[0].failure_reason == "lost_or_stolen_card"),
            (f"UPDATE findings SET action = 'Call them both' WHERE provider_refund_id IN ({quoted})",
             lambda t: t.refunds[0].open_findings[0].suggested_action == "Call them both"),
            (f"UPDATE follow_ups SET due_at = now() + interval '4 days' WHERE finding_id IN"
             f" (SELECT id FROM findings WHERE provider_refund_id IN ({quoted}))",
             lambda t: date_text(time.time() + 4 * 86400, "es") in t.script.text),
        ]
        for sql, seen in changes:
            self.db.sql(sql)
            for c in cases:
                wait_for(lambda: seen(self.trace(c.name)), 10, f"{c.name} after {sql}")

    def test_bad_names_unknown_cases_and_roles(self):
        case = self.approved_case()
        with self.assertRaises(grpc.RpcError) as ctx:
            self.trace("cases/0190d5a4-0000-7000-8000-000000000000")
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, "cases/0190d5a4-0000-7000-8000-000000000000")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.trace(case.name + "/refunds/0190d5a4-0000-7000-8000-000000000000")
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, "refunds/0190d5a4")
        for bad in ("", "case/1", "cases/x/refunds/", case.name + "/refunds"):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.trace(bad)
            self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "name")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.trace(case.name, language="not a tag")
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "language")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.trace(case.name, who="shop")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        for who in ("bob", "carol", "erin", "grace"):
            self.assertEqual(self.trace(case.name, who=who).case, case.name)

    def follow_ups(self, case):
        return self.db.sql(f"SELECT kind, assignee, state, outcome, finding_id FROM follow_ups"
                           f" WHERE case_id = '{case.name.split('/')[1]}' ORDER BY created_at")

    def test_a_follow_up_once_per_finding_cancelled_when_it_clears(self):
        tag = rid()[:8]
        prid = f"re_fu_{tag}"
        case = self.stage(prid, [event("refund.failed", 1, stripe_refund(prid, "failed",
                                                                          failure_reason="declined"))], 1)
        tasks = self.follow_ups(case)
        self.assertEqual([(k, a, s) for k, a, s, _, _ in tasks], [("CONTACT_CUSTOMER", "alice", "OPEN")])
        # Another pass, and a change of evidence, open no second task.
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.load_events(prid + "-2.ndjson", [event("refund.failed", 0.5, stripe_refund(
            prid, "failed", failure_reason="expired_or_canceled_card"))])
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.assertEqual(len(self.follow_ups(case)), 1)
        # The agent's list shows it, overdue first; another agent's does not.
        due = self.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(page_size=100))
        mine = [f for f in due.follow_ups if f.case == case.name]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0].kind, pb.FOLLOW_UP_KIND_CONTACT_CUSTOMER)
        self.assertTrue(mine[0].reason)
        others = self.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(page_size=100), who="bob")
        self.assertNotIn(case.name, [f.case for f in others.follow_ups])
        # The provider pays after all: the finding closes, the task is cancelled with the reason.
        self.load_events(prid + "-3.ndjson", [event("refund.updated", 0, stripe_refund(prid, "succeeded",
                                                                                        reference="ARN1"))])
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.assertEqual(self.findings([prid], "OPEN"), {}, self.db.sql(
            f"SELECT kind, state, close_reason FROM findings WHERE provider_refund_id = '{prid}'"))
        [(kind, _, state, outcome, _)] = self.follow_ups(case)
        self.assertEqual(state, "CANCELLED")
        self.assertIn("no longer needed", outcome)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("CompleteFollowUp", pb.CompleteFollowUpRequest(
                request_id=rid(), name=mine[0].name, outcome="called"))
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "cancelled")

    def test_our_books_go_to_finance_and_completing_is_audited(self):
        tag = rid()[:8]
        case = self.approved_case()
        self.issue(case, "stripe", f"re_a_{tag}", days_ago=1)
        self.issue(case, "stripe", f"re_b_{tag}", days_ago=1)  # paid twice: a duplicate
        self.load_events(f"dup-{tag}.ndjson", [
            event("refund.updated", 1, stripe_refund(f"re_a_{tag}", "succeeded", reference="ARN-A")),
            event("refund.updated", 1, stripe_refund(f"re_b_{tag}", "succeeded", reference="ARN-B"))])
        self.recon.once()
        tasks = self.follow_ups(case)
        self.assertEqual(sorted((k, a) for k, a, _, _, _ in tasks),
                         [("FINANCE_REVIEW", "finance"), ("FINANCE_REVIEW", "finance")])
        due = self.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(assignee="finance", page_size=100),
                               who="erin")
        task = [f for f in due.follow_ups if f.case == case.name][0]
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("CompleteFollowUp", pb.CompleteFollowUpRequest(
                request_id=rid(), name=task.name, outcome="looked fine to me"), who="alice")
        self.assertStatus(ctx, grpc.StatusCode.PERMISSION_DENIED, "finance")
        seq = int(self.db.scalar(f"SELECT audit_seq FROM cases WHERE id = '{case.name.split('/')[1]}'"))
        request_id = rid()
        done = self.client.call("CompleteFollowUp", pb.CompleteFollowUpRequest(
            request_id=request_id, name=task.name, outcome="Refund B recovered from the provider"), who="erin")
        self.assertEqual(done.state, pb.FOLLOW_UP_STATE_DONE)
        self.assertEqual(done.outcome, "Refund B recovered from the provider")
        again = self.client.call("CompleteFollowUp", pb.CompleteFollowUpRequest(
            request_id=request_id, name=task.name, outcome="Refund B recovered from the provider"), who="erin")
        self.assertEqual(again, done, "a retry answers the same")
        events = self.db.sql(f"SELECT seq, method, actor, request_id FROM audit_events"
                             f" WHERE case_id = '{case.name.split('/')[1]}' AND seq > {seq}")
        self.assertEqual(events, [[str(seq + 1), "CompleteFollowUp", "erin", request_id]])

    def test_resolved_is_audited_and_not_reopened_until_the_provider_changes(self):
        tag = rid()[:8]
        prid = f"re_res_{tag}"
        case = self.stage(prid, [event("refund.failed", 1, stripe_refund(prid, "failed",
                                                                          failure_reason="declined"))], 1)
        [finding] = self.client.recon("ListFindings", rpb.ListFindingsRequest(case=case.name)).findings
        req = rpb.ResolveFindingRequest(request_id=rid(), name=finding.name,
                                        resolution=rpb.RESOLUTION_CUSTOMER_CONTACTED,
                                        note="Called Ana; she will send new card details.")
        for who in ("bob", "carol"):  # another agent's case; approvers do not resolve
            with self.assertRaises(grpc.RpcError) as ctx:
                self.client.recon("ResolveFinding", req, who=who)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        seq = int(self.db.scalar(f"SELECT audit_seq FROM cases WHERE id = '{case.name.split('/')[1]}'"))
        resolved = self.client.recon("ResolveFinding", req, who="alice")  # the case's own agent
        self.assertEqual(resolved.state, rpb.FINDING_STATE_RESOLVED)
        self.assertEqual(resolved.resolution, rpb.RESOLUTION_CUSTOMER_CONTACTED)
        self.assertEqual(resolved.resolved_by, "alice")
        self.assertEqual(resolved.resolution_note, req.note)
        self.assertEqual(self.client.recon("ResolveFinding", req, who="alice"), resolved, "a retry")
        self.assertEqual(self.db.sql(f"SELECT method, actor FROM audit_events WHERE case_id ="
                                     f" '{case.name.split('/')[1]}' AND seq > {seq}"),
                         [["ResolveFinding", "alice"]])
        self.assertEqual([s for _, _, s, _, _ in self.follow_ups(case)], ["CANCELLED"])
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.recon("ResolveFinding", rpb.ResolveFindingRequest(
                request_id=rid(), name=finding.name, resolution=rpb.RESOLUTION_WRITTEN_OFF, note="again"))
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "resolved already")
        # The next pass sees the same provider record: nothing reopens.
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.assertEqual(self.findings([prid]), {prid: ["FAILED"]})
        self.assertEqual(self.findings([prid], "OPEN"), {})
        # The provider's record changes again (another failure): a new finding opens.
        self.load_events(prid + "-again.ndjson", [event("refund.failed", 0, stripe_refund(
            prid, "failed", failure_reason="lost_or_stolen_card"))])
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.assertEqual(self.findings([prid], "OPEN"), {prid: ["FAILED"]})
        for bad, field in ((rpb.ResolveFindingRequest(request_id=rid(), name="findings/x", note="n",
                                                      resolution=rpb.RESOLUTION_REISSUED), "name"),
                           (rpb.ResolveFindingRequest(request_id=rid(), name=finding.name, note="n"), "resolution"),
                           (rpb.ResolveFindingRequest(request_id=rid(), name=finding.name,
                                                      resolution=rpb.RESOLUTION_REISSUED), "note")):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.client.recon("ResolveFinding", bad)
            self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, field)

    def test_refundctl_follows_the_money_too(self):
        tag = rid()[:8]
        prid = f"re_ctl_{tag}"
        case = self.stage(prid, [event("refund.created", 25, stripe_refund(prid, "pending", days_ago=25)),
                                 event("refund.updated", 24, stripe_refund(prid, "succeeded", days_ago=25,
                                                                           reference="74629839"))], 25,
                          language="de")
        case_id = case.name.split("/")[1]
        out = self.ctl("trace", case_id).stdout
        self.assertIn("REFERENCE        ARN 74629839 (available)", out)
        self.assertIn("Timeline", out)
        self.assertIn("stripe " + prid, out)
        self.assertIn("Script (de, trace.overdue v1)", out)
        self.assertIn("49,99 €", out)
        self.assertIn("For the bank", out)
        j = self.ctl_json("trace", case.name, "--language", "es")
        self.assertEqual(j["script"]["language"], "es")
        self.assertEqual(j["refunds"][0]["reference"], "74629839")
        # The overdue finding's task is due for alice: list it and complete it.
        due = self.ctl_json("followups", "due")
        mine = [f for f in due.get("followUps", []) if f.get("case") == case.name]
        self.assertEqual(len(mine), 1, due)
        self.assertIn(mine[0]["name"].split("/")[1], self.ctl("followups", "due").stdout)
        done = self.ctl_json("followups", "complete", mine[0]["name"].split("/")[1], "--outcome",
                             "Called: she will ask her bank with the ARN")
        self.assertEqual(done["state"], "FOLLOW_UP_STATE_DONE")
        # Finance resolves the finding and exports.
        [finding] = self.client.recon("ListFindings", rpb.ListFindingsRequest(case=case.name)).findings
        out = self.ctl("findings", "resolve", finding.name, "--resolution", "customer-contacted",
                       "--note", "Bank found it", who="erin").stdout
        self.assertIn("customer-contacted by erin", out)
        csv_out = self.ctl("findings", "export", "--csv", "--case", case.name, who="erin").stdout
        lines = csv_out.splitlines()
        self.assertTrue(lines[0].startswith("finding,case,refund,provider,provider_refund_id,kind,state"))
        self.assertEqual(len(lines), 2, csv_out)
        self.assertIn(f",{prid},OVERDUE_AT_CUSTOMER,RESOLVED,4999,EUR,4999,EUR,74629839,", lines[1])
        self.assertTrue(lines[1].endswith(",Bank found it"), lines[1])
        j = self.ctl("--json", "findings", "export", "--case", case.name, who="erin").stdout.splitlines()
        self.assertEqual([json.loads(line)["finding"] for line in j], [finding.name])
        err = self.ctl("findings", "export", "--currency", "euro", who="erin", expect=1).stderr
        self.assertIn("INVALID_ARGUMENT", err)
        self.assertIn("currency", err)


if __name__ == "__main__":
    main()
