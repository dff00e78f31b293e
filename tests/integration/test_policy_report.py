#!/usr/bin/env python3
"""GetPolicyReport on a known data set, with exact expected numbers, through
python3-grpcio and refundctl (table, --csv, --json). Eight cases go through
the real lifecycle (evaluated, escalated, approved in full or in part,
denied, an alternative offered and accepted, withdrawn, pending and overdue,
self-approved, refunds issued and confirmed, a finding on one of them); then
their times are pinned in SQL, so that every duration of the report is known:

  case  reason        category     amount      created   outcome              decided  money
  A     defective     kitchen      EUR 100.00  T0        approved in full     +2h      +3d after
  B     defective     kitchen      EUR 80.00   T0+1h     approved EUR 50, late +10h    +5d, a finding
  C     changed_mind  kitchen      EUR 30.00   T0+2h     denied               +4h
  D     changed_mind  electronics  EUR 200.00  T0+3h     store credit, taken  +6h      (told, accepted)
  E     defective     electronics  USD 40.00   T0+4h     withdrawn (never evaluated)
  F     defective     kitchen      EUR 20.00   T0+5h     pending, overdue
  G     not_received  electronics  USD 40.00   T0+6h     self-approved        +1h      issued
  H     defective     kitchen      EUR 10.00   before the range: not counted

and the customers' answers to the satisfaction question (CompleteFollowUp):
A 10, B 6, C 9, D 8, G 10, H 0 (out of the range) — NPS by reason: changed_mind
+50 (2 answers), defective 0 (2), not_received +100 (1), all +40 (5).
"""

import datetime
import uuid

import grpc

from harness import ServerTest, cpb, main, pb, rid, ts, violations
from refunds.v1 import policy_pb2 as ppb

T0 = "2026-10-01T00:00:00Z"
T1 = "2026-11-01T00:00:00Z"
HOUR, DAY = 3600, 86400


def stamp(text):
    t = ts(0)
    t.FromDatetime(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))
    return t


class PolicyReport(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        t = cls()
        cls.ids = {}
        cases = {
            "A": (pb.REASON_CODE_DEFECTIVE, "kitchen", 10000, "EUR"),
            "B": (pb.REASON_CODE_DEFECTIVE, "Kitchen", 8000, "EUR"),
            "C": (pb.REASON_CODE_CHANGED_MIND, "kitchen", 3000, "EUR"),
            "D": (pb.REASON_CODE_CHANGED_MIND, "electronics", 20000, "EUR"),
            "E": (pb.REASON_CODE_DEFECTIVE, "electronics", 4000, "USD"),
            "F": (pb.REASON_CODE_DEFECTIVE, "kitchen", 2000, "EUR"),
            "G": (pb.REASON_CODE_NOT_RECEIVED, "electronics", 4000, "USD"),
            "H": (pb.REASON_CODE_DEFECTIVE, "kitchen", 1000, "EUR"),
        }
        c = {}
        for key, (reason, category, amount, cur) in cases.items():
            c[key] = t.open_case(
                customer=pb.Customer(name="Ana", email=f"{key}-{uuid.uuid4().hex[:8]}@example.com"),
                purchase_time=ts(40 * DAY), reason_code=reason,
                product=pb.Product(order_id="O-" + key, sku="S-" + key, name="Thing", category=category),
                amount_paid=cpb.Money(amount_minor=amount, currency=cur),
                requested_amount=cpb.Money(amount_minor=amount, currency=cur))
            cls.ids[key] = c[key].name[6:]
        for key in "ABCDFG":
            c[key] = t.evaluate(c[key])
        for key in "ABCDF":
            c[key] = t.escalate(c[key])
        cls.db.sql(f"UPDATE approvals SET due_at = now() - interval '1 hour'"
                   f" WHERE case_id IN ('{cls.ids['B']}', '{cls.ids['F']}')")
        c["A"] = t.decide(c["A"], who="carol")
        c["B"] = t.decide(c["B"], who="dave", approved_amount=cpb.Money(amount_minor=5000, currency="EUR"))
        c["C"] = t.decide(c["C"], who="carol", approve=False, reason="Changed mind, past the window",
                          alternatives=[pb.ALTERNATIVE_DISCOUNT_VOUCHER])
        c["D"] = t.decide(c["D"], who="carol", decision=pb.DECISION_OFFER_ALTERNATIVE, reason="Credit instead",
                          offer=pb.AlternativeOffer(alternative=pb.ALTERNATIVE_STORE_CREDIT,
                                                    amount=cpb.Money(amount_minor=20000, currency="EUR")))
        # The customer is told, and takes the credit.
        told = t.client.call("RecordCommunication", pb.RecordCommunicationRequest(
            request_id=rid(), name=c["D"].name, etag=c["D"].etag)).case
        c["D"] = t.client.call("AcceptAlternative", pb.AcceptAlternativeRequest(
            request_id=rid(), name=told.name, etag=told.etag, alternative=pb.ALTERNATIVE_STORE_CREDIT))
        c["E"] = t.client.call("WithdrawCase", pb.WithdrawCaseRequest(
            request_id=rid(), name=c["E"].name, etag=c["E"].etag, reason="Found the receipt"))
        c["G"] = t.decide(c["G"], who="alice")
        for key, amount, cur in (("A", 10000, "EUR"), ("B", 5000, "EUR"), ("G", 4000, "USD")):
            c[key] = t.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
                request_id=rid(), name=c[key].name, provider="stripe", provider_refund_id="re_" + cls.ids[key],
                amount=cpb.Money(amount_minor=amount, currency=cur), issue_time=ts(0)), who="payments")
        for key in "AB":
            t.client.call("ConfirmRefundReceived", pb.ConfirmRefundReceivedRequest(
                request_id=rid(), name=c[key].name, etag=c[key].etag, note="seen on the statement"))
        assert [c[k].state for k in "CDEG"] == [pb.CASE_STATE_DENIED, pb.CASE_STATE_DECISION_COMMUNICATED,
                                                pb.CASE_STATE_WITHDRAWN, pb.CASE_STATE_REFUND_IN_PROGRESS]
        # The finding on B's refund, as the reconciler would have written it.
        cls.db.sql(
            "INSERT INTO findings (id, kind, state, refund_id, case_id, provider, provider_refund_id,"
            " amount_minor, currency, evidence, action, audience, opened_at, updated_at, opened_run)"
            f" SELECT gen_random_uuid(), 'STUCK_PENDING', 'OPEN', r.id, r.case_id, r.provider,"
            " r.provider_refund_id, r.amount_minor, r.currency, '[]', 'Ask the provider', 'FINANCE', now(),"
            f" now(), gen_random_uuid() FROM refunds r WHERE r.case_id = '{cls.ids['B']}'")
        # The answers: on the satisfaction task the case has (after the money
        # or the offer), or on one scheduled for it.
        for key, score in (("A", 10), ("B", 6), ("C", 9), ("D", 8), ("G", 10), ("H", 0)):
            name = "cases/" + cls.ids[key]
            due = t.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(
                assignee="alice", include_upcoming=True, page_size=500)).follow_ups
            task = next((f for f in due if f.case == name and f.kind == pb.FOLLOW_UP_KIND_SATISFACTION), None)
            if task is None:
                task = t.client.call("ScheduleFollowUp", pb.ScheduleFollowUpRequest(
                    request_id=rid(), name=name, kind=pb.FOLLOW_UP_KIND_SATISFACTION))
            t.client.call("CompleteFollowUp", pb.CompleteFollowUpRequest(
                request_id=rid(), name=task.name, outcome="called",
                satisfaction=pb.Satisfaction(score=score)))
        # The times, pinned: created, decided after, the money confirmed after the decision.
        pins = {"A": (0, 2, 3), "B": (1, 10, 5), "C": (2, 4, None), "D": (3, 6, None), "E": (4, None, None),
                "F": (5, None, None), "G": (6, 1, None)}
        for key, (created, decided, money_days) in pins.items():
            at = f"'{T0}'::timestamptz + interval '{created} hours'"
            cls.db.sql(f"UPDATE cases SET created_at = {at}, decided_at = CASE WHEN decided_at IS NOT NULL"
                       f" THEN {at} + interval '{decided or 0} hours' END WHERE id = '{cls.ids[key]}'")
            if money_days:
                cls.db.sql(f"UPDATE refunds SET received_at = {at} + interval '{decided} hours'"
                           f" + interval '{money_days} days' WHERE case_id = '{cls.ids[key]}'")
        cls.db.sql(f"UPDATE cases SET created_at = '2026-09-15T00:00:00Z' WHERE id = '{cls.ids['H']}'")

    def report(self, *dims, who="erin"):
        return self.client.policies("GetPolicyReport", ppb.GetPolicyReportRequest(
            start_time=stamp(T0), end_time=stamp(T1), group_by=list(dims)), who=who)

    @staticmethod
    def figures(row):
        return {f: getattr(row, f) for f in (
            "cases", "approved_full", "approved_partial", "denied", "alternative_offered",
            "alternative_accepted", "withdrawn", "undecided", "decision_p50_seconds",
            "decision_p90_seconds", "sla_breaches", "overdue_pending", "money_confirmed",
            "money_p50_seconds", "money_p90_seconds", "refunds", "refunds_with_finding")}

    @staticmethod
    def nps(row):
        return (row.nps_answers, row.nps_promoters, row.nps_passives, row.nps_detractors, row.has_nps,
                round(row.nps, 6))

    @staticmethod
    def amounts(row):
        return [(a.currency, a.cases, a.requested_minor, a.approved_minor, a.refunded_minor)
                for a in row.amounts]

    def test_by_reason_every_figure_is_exact(self):
        r = self.report(ppb.REPORT_DIMENSION_REASON)
        self.assertEqual([list(x.keys) for x in r.rows], [["changed_mind"], ["defective"], ["not_received"]])
        changed, defective, not_received = r.rows
        self.assertEqual(self.figures(changed), dict(
            cases=2, approved_full=0, approved_partial=0, denied=1, alternative_offered=1,
            alternative_accepted=1, withdrawn=0, undecided=0, decision_p50_seconds=4 * HOUR,
            decision_p90_seconds=6 * HOUR, sla_breaches=0, overdue_pending=0, money_confirmed=0,
            money_p50_seconds=0, money_p90_seconds=0, refunds=0, refunds_with_finding=0))
        self.assertEqual((changed.approval_rate, changed.finding_share), (0.0, 0.0))
        self.assertEqual(self.amounts(changed), [("EUR", 2, 23000, 0, 0)])
        self.assertEqual(self.figures(defective), dict(
            cases=4, approved_full=1, approved_partial=1, denied=0, alternative_offered=0,
            alternative_accepted=0, withdrawn=1, undecided=1, decision_p50_seconds=2 * HOUR,
            decision_p90_seconds=10 * HOUR, sla_breaches=1, overdue_pending=1, money_confirmed=2,
            money_p50_seconds=3 * DAY, money_p90_seconds=5 * DAY, refunds=2, refunds_with_finding=1))
        self.assertEqual((defective.approval_rate, defective.finding_share), (1.0, 0.5))
        self.assertEqual(self.amounts(defective), [("EUR", 3, 20000, 15000, 15000), ("USD", 1, 4000, 0, 0)])
        self.assertEqual(self.figures(not_received)["decision_p50_seconds"], HOUR)
        self.assertEqual((not_received.approved_full, not_received.refunds, not_received.money_confirmed),
                         (1, 1, 0))
        self.assertEqual(self.amounts(not_received), [("USD", 1, 4000, 4000, 4000)])
        total = r.total
        self.assertEqual(list(total.keys), [])
        self.assertEqual(self.figures(total), dict(
            cases=7, approved_full=2, approved_partial=1, denied=1, alternative_offered=1,
            alternative_accepted=1, withdrawn=1, undecided=1, decision_p50_seconds=4 * HOUR,
            decision_p90_seconds=10 * HOUR, sla_breaches=1, overdue_pending=1, money_confirmed=2,
            money_p50_seconds=3 * DAY, money_p90_seconds=5 * DAY, refunds=3, refunds_with_finding=1))
        self.assertAlmostEqual(total.approval_rate, 3 / 5)
        self.assertAlmostEqual(total.finding_share, 1 / 3)
        self.assertEqual([self.nps(x) for x in list(r.rows) + [total]], [
            (2, 1, 1, 0, True, 50.0), (2, 1, 0, 1, True, 0.0), (1, 1, 0, 0, True, 100.0), (5, 3, 1, 1, True, 40.0)])
        self.assertEqual(self.amounts(total), [("EUR", 5, 43000, 15000, 15000), ("USD", 2, 8000, 4000, 4000)])

    def test_by_two_dimensions_and_by_tier_and_policy_version(self):
        r = self.report(ppb.REPORT_DIMENSION_REASON, ppb.REPORT_DIMENSION_CATEGORY)
        self.assertEqual([(list(x.keys), x.cases) for x in r.rows], [
            (["changed_mind", "electronics"], 1), (["changed_mind", "kitchen"], 1),
            (["defective", "electronics"], 1), (["defective", "kitchen"], 3),
            (["not_received", "electronics"], 1)])
        r = self.report(ppb.REPORT_DIMENSION_TIER)
        self.assertEqual([(list(x.keys), x.cases) for x in r.rows],
                         [(["agent"], 1), (["approver"], 5), (["none"], 1)])
        approver = r.rows[1]
        self.assertEqual((approver.approval_rate, approver.decision_p50_seconds, approver.decision_p90_seconds),
                         (0.5, 4 * HOUR, 10 * HOUR))
        r = self.report(ppb.REPORT_DIMENSION_POLICY_VERSION, ppb.REPORT_DIMENSION_CHANNEL)
        self.assertEqual([(list(x.keys), x.cases) for x in r.rows], [(["1", "email"], 6), (["none", "email"], 1)])
        # The totals are the same whatever the grouping, the amounts in currency order
        # (added up from the groups' rows, which meet the currencies in another order by tier).
        for dims in ([ppb.REPORT_DIMENSION_TIER], [ppb.REPORT_DIMENSION_CATEGORY, ppb.REPORT_DIMENSION_REASON],
                     [ppb.REPORT_DIMENSION_CHANNEL]):
            total = self.report(*dims).total
            self.assertEqual(self.amounts(total), [("EUR", 5, 43000, 15000, 15000), ("USD", 2, 8000, 4000, 4000)],
                             dims)
            self.assertEqual(self.nps(total), (5, 3, 1, 1, True, 40.0), dims)
        # NPS by policy version: the withdrawn E, never evaluated, has no answer.
        self.assertEqual([self.nps(x) for x in r.rows], [(5, 3, 1, 1, True, 40.0), (0, 0, 0, 0, False, 0.0)])

    def test_an_empty_range_reports_zeros(self):
        r = self.client.policies("GetPolicyReport", ppb.GetPolicyReportRequest(
            start_time=stamp("2020-01-01T00:00:00Z"), end_time=stamp("2020-02-01T00:00:00Z"),
            group_by=[ppb.REPORT_DIMENSION_REASON]), who="carol")
        self.assertEqual((len(r.rows), r.total.cases, len(r.total.amounts)), (0, 0, 0))
        self.assertEqual(self.nps(r.total), (0, 0, 0, 0, False, 0.0))

    def test_bad_requests_and_roles(self):
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.policies("GetPolicyReport", ppb.GetPolicyReportRequest(
                start_time=stamp(T1), end_time=stamp(T0),
                group_by=[ppb.REPORT_DIMENSION_REASON, ppb.REPORT_DIMENSION_REASON]), who="erin")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(set(violations(ctx.exception)), {"end_time", "group_by[1]"})
        with self.assertRaises(grpc.RpcError) as ctx:
            self.report(ppb.REPORT_DIMENSION_REASON, who="alice")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_refundctl_prints_the_report_as_a_table_csv_and_json(self):
        args = ("report", "policy", "--from", "2026-10-01", "--to", "2026-11-01")
        csv = self.ctl(*args, "--by", "reason", "--csv", who="erin").stdout.splitlines()
        self.assertEqual(csv[0], "reason,cases,approved_full,approved_partial,denied,alternative_offered,"
                                 "alternative_accepted,withdrawn,undecided,approval_rate,decision_p50_seconds,"
                                 "decision_p90_seconds,sla_breaches,overdue_pending,money_confirmed,"
                                 "money_p50_seconds,money_p90_seconds,refunds,refunds_with_finding,"
                                 "finding_share,nps_answers,nps_promoters,nps_passives,nps_detractors,nps,"
                                 "EUR_requested_minor,EUR_approved_minor,EUR_refunded_minor,"
                                 "USD_requested_minor,USD_approved_minor,USD_refunded_minor")
        self.assertEqual(csv[2], "defective,4,1,1,0,0,0,1,1,1.0000,7200,36000,1,1,2,259200,432000,2,1,"
                                 "0.5000,2,1,0,1,0.0,20000,15000,15000,4000,0,0")
        self.assertEqual(csv[-1].split(",")[:2], ["(total)", "7"])
        self.assertEqual(len(csv), 5)
        table = self.ctl(*args, "--by", "reason,category", who="erin").stdout
        self.assertRegex(table, r"defective\s+kitchen\s+3\s+1\+1\s+0\s+0/0\s+0/1\s+100.0%\s+2h 0m / 10h 0m"
                                r"\s+1/1\s+3d 0h / 5d 0h\s+2\s+50.0%\s+\+0 \(2\)")
        self.assertRegex(table, r"defective\s+kitchen\s+EUR\s+3\s+EUR 200.00\s+EUR 150.00\s+EUR 150.00")
        got = self.ctl_json("--json", *args, "--by", "tier", who="erin")
        self.assertEqual([(row["keys"], row["cases"]) for row in got["rows"]],
                         [(["agent"], "1"), (["approver"], "5"), (["none"], "1")])
        bad = self.ctl(*args, "--by", "reason,colour", who="erin", expect=2)
        self.assertIn("--by", bad.stderr)


if __name__ == "__main__":
    main()
