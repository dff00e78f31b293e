#!/usr/bin/env python3
"""Following up and measuring satisfaction, end to end on the real refundsd
and PostgreSQL with python3-grpcio and refundctl.

The automatic satisfaction follow-ups (a denial delivered, the money
confirmed) and explicit ones (ScheduleFollowUp); the customer's answer on
CompleteFollowUp (0-10 and a comment), a detractor opening a task for a
supervisor, the case closing when its last follow-up is done; and the NPS
report (GetSatisfactionReport, refundctl report nps) matching a known data
set exactly, in total and by outcome, reason, category and channel."""

import grpc

from harness import ServerTest, business_days_add, date_text, main, pb, cpb, rid, ts, violations

# The known data set: (score, outcome, category, reason, channel), one answered case each.
DATA = [
    (10, "approved_full", "kitchen", "DEFECTIVE", "EMAIL"),
    (9, "approved_full", "kitchen", "DEFECTIVE", "PHONE"),
    (7, "approved_full", "garden", "LATE_DELIVERY", "EMAIL"),
    (3, "approved_partial", "garden", "LATE_DELIVERY", "PHONE"),
    (8, "approved_partial", "kitchen", "DEFECTIVE", "EMAIL"),
    (0, "denied", "kitchen", "CHANGED_MIND", "EMAIL"),
    (6, "denied", "garden", "CHANGED_MIND", "CHAT"),
    (10, "denied", "kitchen", "CHANGED_MIND", "EMAIL"),
    (9, "alternative_accepted", "garden", "CHANGED_MIND", "CHAT"),
]
COLUMN = {"outcome": 1, "category": 2, "reason": 3, "channel": 4}


def expected(rows, *by):
    """{keys: (answers, promoters, passives, detractors, nps)} computed here, not by the server."""
    groups = {}
    for row in rows:
        key = tuple(row[COLUMN[b]] for b in by)
        groups.setdefault(key, []).append(row[0])
    out = {}
    for key, scores in groups.items():
        p = sum(1 for s in scores if s >= 9)
        d = sum(1 for s in scores if s <= 6)
        out[key] = (len(scores), p, len(scores) - p - d, d, 100 * (p - d) / len(scores))
    return out


class SatisfactionTest(ServerTest):

    def record(self, case, channel=pb.COMMUNICATION_CHANNEL_EMAIL):
        return self.client.call("RecordCommunication", pb.RecordCommunicationRequest(
            request_id=rid(), name=case.name, etag=case.etag, channel=channel))

    def get(self, name):
        return self.client.call("GetCase", pb.GetCaseRequest(name=name))

    def tasks(self, case, assignee="alice", kind=None):
        r = self.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(
            assignee=assignee, include_upcoming=True, page_size=500))
        return [f for f in r.follow_ups if f.case == case.name and (kind is None or f.kind == kind)]

    def complete(self, task, score=None, comment="", outcome="called the customer", who="alice"):
        req = pb.CompleteFollowUpRequest(request_id=rid(), name=task.name, outcome=outcome)
        if score is not None:
            req.satisfaction.CopyFrom(pb.Satisfaction(score=score, comment=comment))
        return self.client.call("CompleteFollowUp", req, who=who)

    def schedule(self, case, kind, **kw):
        return self.client.call("ScheduleFollowUp", pb.ScheduleFollowUpRequest(
            request_id=rid(), name=case.name, kind=kind, **kw))

    def report(self, *by, start=None, who="erin"):
        req = pb.GetSatisfactionReportRequest(group_by=list(by))
        if start is not None:
            req.start_time.CopyFrom(start)
        return self.client.call("GetSatisfactionReport", req, who=who)

    def last_event(self, case):
        return self.db.sql(f"SELECT method, old_state, new_state FROM audit_events"
                           f" WHERE case_id = '{case.name.split('/')[1]}' ORDER BY seq DESC LIMIT 1")[0]

    def denied_and_delivered(self):
        case = self.decide(self.escalate(self.open_case()), approve=False, reason="the kettle was used",
                           alternatives=[pb.ALTERNATIVE_STORE_CREDIT])
        m = self.record(case).communication
        self.client.call("MarkCommunicationSent", pb.MarkCommunicationSentRequest(
            request_id=rid(), name=m.name, status=pb.COMMUNICATION_STATUS_SENT), who="shop")
        return self.get(case.name)

    def test_a_detractor_opens_a_supervisor_task_and_the_case_closes_after_the_last(self):
        case = self.denied_and_delivered()
        self.assertEqual(case.state, pb.CASE_STATE_AWAITING_FOLLOW_UP)
        [task] = self.tasks(case)
        self.assertEqual(task.kind, pb.FOLLOW_UP_KIND_SATISFACTION)
        shown = self.ctl("followups", "complete", task.name, "--outcome", "called", "--score", "4",
                         "--comment", "nobody called me back").stdout
        self.assertIn("Answer           4 of 10: nobody called me back", shown)
        [done] = [f for f in self.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(
            assignee="alice", include_upcoming=True)).follow_ups if f.name == task.name] or [None]
        self.assertIsNone(done, "done tasks are not due")
        [review] = self.tasks(case, assignee="supervisor")
        self.assertEqual(review.kind, pb.FOLLOW_UP_KIND_SUPERVISOR_REVIEW)
        self.assertIn("4 of 10", review.reason)
        self.assertIn("nobody called me back", review.reason)
        self.assertEqual(self.get(case.name).state, pb.CASE_STATE_AWAITING_FOLLOW_UP, "work is open again")
        self.assertEqual(self.last_event(case), ["CompleteFollowUp", "AWAITING_FOLLOW_UP", "AWAITING_FOLLOW_UP"])
        self.complete(review, outcome="apologised; store credit sent at once", who="carol")
        self.assertEqual(self.get(case.name).state, pb.CASE_STATE_CLOSED)
        self.assertEqual(self.last_event(case), ["CompleteFollowUp", "AWAITING_FOLLOW_UP", "CLOSED"])

    def test_after_the_money_arrived_a_promoter_closes_the_case(self):
        case = self.record(self.decide(self.escalate(self.open_case()))).case
        issued = self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
            request_id=rid(), name=case.name, provider="stripe", provider_refund_id="re_sat_" + rid()[:8],
            amount=cpb.Money(amount_minor=4999, currency="EUR"), issue_time=case.update_time), who="payments")
        self.assertEqual(self.tasks(issued, kind=pb.FOLLOW_UP_KIND_SATISFACTION), [], "not before the money")
        arrived = self.client.call("ConfirmRefundReceived", pb.ConfirmRefundReceivedRequest(
            request_id=rid(), name=case.name, note="seen on the card"))
        self.assertEqual(arrived.state, pb.CASE_STATE_AWAITING_FOLLOW_UP)
        self.assertEqual(self.get(case.name).etag, arrived.etag, "the answer is the case as it is")
        [task] = self.tasks(arrived)
        self.assertEqual(task.kind, pb.FOLLOW_UP_KIND_SATISFACTION)
        self.assertIn("the refund arrived", task.reason)
        self.assertEqual(date_text(task.due_time.seconds, "en"),
                         date_text(business_days_add(task.create_time.seconds, 3), "en"))
        out = self.ctl_json("followups", "complete", task.name, "--outcome", "called her", "--score", "10",
                            "--comment", "quick and kind")
        self.assertEqual(out["satisfaction"], {"score": 10, "comment": "quick and kind"})
        self.assertEqual(self.get(case.name).state, pb.CASE_STATE_CLOSED)

    def test_answers_are_checked_and_only_a_satisfaction_follow_up_takes_one(self):
        case = self.denied_and_delivered()
        [task] = self.tasks(case)
        for score in (-1, 11):
            with self.subTest(score=score), self.assertRaises(grpc.RpcError) as ctx:
                self.complete(task, score=score)
            self.assertIn("satisfaction.score", violations(ctx.exception))
        other = self.schedule(case, pb.FOLLOW_UP_KIND_CONTACT_CUSTOMER, reason="ask about the receipt")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.complete(other, score=9)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "only a SATISFACTION follow-up")
        # Not reached: completed without an answer, which counts in no report.
        self.complete(task, outcome="no answer after three calls")
        self.assertEqual(self.get(case.name).state, pb.CASE_STATE_AWAITING_FOLLOW_UP, "one task is open")
        self.complete(other)
        self.assertEqual(self.get(case.name).state, pb.CASE_STATE_CLOSED)

    def test_schedule_follow_up_explicitly(self):
        told = self.record(self.decide(self.escalate(self.open_case()))).case
        fu = self.schedule(told, pb.FOLLOW_UP_KIND_CONTACT_CUSTOMER)
        self.assertEqual((fu.kind, fu.state, fu.assignee, fu.case),
                         (pb.FOLLOW_UP_KIND_CONTACT_CUSTOMER, pb.FOLLOW_UP_STATE_OPEN, "alice", told.name))
        self.assertEqual(fu.reason, "contact the customer")
        self.assertEqual(self.get(told.name).state, pb.CASE_STATE_DECISION_COMMUNICATED,
                         "an approval waits for its money, not for follow-ups")
        self.assertEqual(self.last_event(told), ["ScheduleFollowUp", "DECISION_COMMUNICATED",
                                                 "DECISION_COMMUNICATED"])
        # A denial told: scheduling its satisfaction follow-up is what the case now waits for.
        denied = self.record(self.decide(self.escalate(self.open_case()), approve=False, reason="used",
                                         alternatives=[pb.ALTERNATIVE_EXCHANGE])).case
        out = self.ctl_json("followups", "schedule", denied.name, "--kind", "satisfaction",
                            "--assignee", "bob", "--reason", "ask Ana")
        self.assertEqual((out["kind"], out["assignee"], out["reason"]),
                         ("FOLLOW_UP_KIND_SATISFACTION", "bob", "ask Ana"))
        self.assertEqual(self.get(denied.name).state, pb.CASE_STATE_AWAITING_FOLLOW_UP)
        for req, field in ((dict(kind=0), "kind"), (dict(kind=pb.FOLLOW_UP_KIND_SATISFACTION,
                                                         due_time=ts(3600)), "due_time"),
                           (dict(kind=pb.FOLLOW_UP_KIND_SATISFACTION, assignee="two words"), "assignee")):
            full = dict(request_id=rid(), name=told.name)
            full.update(req)
            with self.subTest(field=field), self.assertRaises(grpc.RpcError) as ctx:
                self.client.call("ScheduleFollowUp", pb.ScheduleFollowUpRequest(**full))
            self.assertIn(field, violations(ctx.exception))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.schedule(pb.Case(name="cases/0190d5a4-0000-7000-8000-000000000000"),
                          pb.FOLLOW_UP_KIND_SATISFACTION)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.NOT_FOUND)

    def answered(self, score, outcome, category, reason, channel):
        case = self.open_case(channel=getattr(cpb, "CHANNEL_" + channel),
                              product=pb.Product(order_id="ORD-9", sku="SKU-9", name="Kettle", category=category),
                              reason_code=getattr(pb, "REASON_CODE_" + reason), reason_text="see notes")
        escalated = self.escalate(case)
        if outcome == "approved_full":
            decided = self.decide(escalated)
        elif outcome == "approved_partial":
            decided = self.decide(escalated, approved_amount=cpb.Money(amount_minor=1000, currency="EUR"))
        else:
            decided = self.decide(escalated, approve=False, reason="used",
                                  alternatives=[pb.ALTERNATIVE_STORE_CREDIT])
        told = self.record(decided).case
        if outcome == "alternative_accepted":
            told = self.client.call("AcceptAlternative", pb.AcceptAlternativeRequest(
                request_id=rid(), name=told.name, alternative=pb.ALTERNATIVE_STORE_CREDIT))
        task = self.schedule(told, pb.FOLLOW_UP_KIND_SATISFACTION)
        self.complete(task, score=score)
        return case

    def test_nps_in_the_report_matches_a_known_data_set_exactly(self):
        first = None
        for row in DATA:
            case = self.answered(*row)
            first = first or case.create_time
        self.assertEqual(self.report(start=first).total.answers, len(DATA))
        for by in ((), ("outcome",), ("reason",), ("category",), ("channel",), ("category", "channel"),
                   ("outcome", "reason")):
            with self.subTest(by=by):
                dims = [getattr(pb, "SATISFACTION_DIMENSION_" + b.upper()) for b in by]
                r = self.report(*dims, start=first)
                got = {tuple(g.keys): (g.answers, g.promoters, g.passives, g.detractors, g.nps) for g in r.groups}
                self.assertEqual(got, expected(DATA, *by) if by else {})
                self.assertEqual(list(r.group_by), dims)
                total = expected(DATA)[()]
                self.assertEqual((r.total.answers, r.total.promoters, r.total.passives, r.total.detractors,
                                  r.total.nps), total)
                keys = [tuple(g.keys) for g in r.groups]
                self.assertEqual(keys, sorted(keys), "groups in the order of their keys")
        # 4 promoters, 2 passives, 3 detractors of 9: 100 * (4 - 3) / 9.
        self.assertEqual(expected(DATA)[()], (9, 4, 2, 3, 100 / 9))
        # refundctl: the same numbers as --json, and a table with the total.
        start = f"{first.ToJsonString()}"
        js = self.ctl_json("report", "nps", "--from", start, "--by", "outcome", who="erin")
        denied = [g for g in js["groups"] if g["keys"] == ["denied"]][0]
        self.assertEqual((denied["answers"], denied["promoters"], denied["detractors"], denied["nps"]),
                         ("3", "1", "2", 100 * (1 - 2) / 3))
        table = self.ctl("report", "nps", "--from", start, "--by", "category", "--by", "channel",
                         who="erin").stdout
        self.assertIn("CATEGORY", table)
        self.assertIn("NPS", table)
        self.assertIn("total", table)
        self.assertIn("11.1", table)
        # No answers in the range: the total says so; roles.
        later = pb.GetSatisfactionReportRequest()
        later.start_time.GetCurrentTime()
        later.start_time.seconds += 3600
        self.assertIn("No answers.", self.ctl("report", "nps", "--from", later.start_time.ToJsonString(),
                                              who="erin").stdout)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.report(who="alice")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        for dims, field in (([1, 2, 3], "group_by"), ([2, 2], "group_by[1]"), ([9], "group_by[0]")):
            with self.subTest(dims=dims), self.assertRaises(grpc.RpcError) as ctx:
                self.report(*dims)
            self.assertIn(field, violations(ctx.exception))


if __name__ == "__main__":
    main()
