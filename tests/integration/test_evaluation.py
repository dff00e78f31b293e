#!/usr/bin/env python3
"""Evaluation against the versioned guidelines, the approval tiers and the SLA
clock, through Debian's python3-grpcio and refundctl against a real refundsd
and PostgreSQL: a case evaluated (every factor, stored, kept on re-evaluation,
the customer's history by e-mail and customer id), escalated on the policy's
SLA, overdue, decided by the right tier; a wrong tier refused; an agent's
self-approval allowed within the limit and refused above it; an alternative
offered instead of a refund; a policy update that changes the next evaluation
but not the stored ones, and a bad document refused whole."""

import json
import os
import tempfile
import time
import uuid

import grpc

from harness import ROOT, ServerTest, business_due, cpb, main, open_request, pb, rid, ts, violations
from refunds.v1 import policy_pb2 as ppb

DEFAULT_POLICY = os.path.join(ROOT, "deploy/policy/default.json")


def money(minor, currency="EUR"):
    return cpb.Money(amount_minor=minor, currency=currency)


def customer(email=None, **kw):
    return pb.Customer(name="Ana Pérez", email=email or f"ana-{uuid.uuid4().hex[:8]}@example.com",
                       preferred_language="es", **kw)


class EvaluationTest(ServerTest):
    """Helpers: a case of a new customer unless one is given, days after its purchase."""

    def case(self, days=10, amount=4999, currency="EUR", reason=pb.REASON_CODE_DEFECTIVE,
             category="kitchen", who="alice", email=None, **kw):
        return self.open_case(who=who, customer=customer(email, **kw), purchase_time=ts(days * 86400),
                              amount_paid=money(amount, currency),
                              requested_amount=money(amount, currency), reason_code=reason,
                              product=pb.Product(order_id="ORD-1", sku="KET-42",
                                                 name="Electric kettle", category=category))

    def refused(self, code, fn, *fragments):
        with self.assertRaises(grpc.RpcError) as ctx:
            fn()
        return self.assertStatus(ctx, code, *fragments)

    def audit(self, c):
        return self.db.sql(f"SELECT method, actor, actor_role, old_state, new_state FROM audit_events"
                           f" WHERE case_id = '{c.name[6:]}' ORDER BY seq")


class Evaluation(EvaluationTest):
    def test_an_evaluation_explains_every_factor_and_is_stored_on_the_case(self):
        c = self.case(days=10)
        e = self.evaluate(c)
        ev = e.evaluation
        self.assertEqual(e.state, pb.CASE_STATE_EVALUATED)
        self.assertEqual(e.etag, "2")
        self.assertEqual((ev.number, ev.recommendation, ev.score, ev.tier, ev.priority),
                         (1, pb.RECOMMENDATION_APPROVE, 40, pb.TIER_AGENT, pb.PRIORITY_NORMAL))
        self.assertEqual(ev.policy_version, 1)
        self.assertEqual((ev.days_since_purchase, ev.days_past_window, ev.max_days_past_window), (10, 0, 60))
        self.assertEqual(ev.amount_outside_policy, money(4999))
        self.assertEqual((ev.category, ev.reason, ev.evaluated_by), ("default", "defective", "alice"))
        self.assertEqual([f.name for f in ev.factors], ["category", "reason", "days_past_window",
                                                        "previous_exceptions", "refunded_in_window", "amount"])
        reason = ev.factors[1]
        self.assertEqual((reason.effect, reason.observed), (40, "defective (weight 40, company fault)"))
        self.assertEqual(reason.sentence, "Your Electric kettle stopped working, which is our responsibility, "
                                          "so this counts strongly in your favour.")
        for f in ev.factors:
            self.assertTrue(f.sentence.endswith("."), f.name)
        self.assertEqual(ev.history.previous_cases, 0)
        self.assertEqual(ev.history.interactions, 1, "the first contact")
        got = self.client.call("GetCase", pb.GetCaseRequest(name=c.name), who="erin")
        self.assertEqual(got.evaluation, ev)
        row = self.db.sql(f"SELECT seq, policy_version, recommendation, score, tier, priority, evaluated_by"
                          f" FROM evaluations WHERE case_id = '{c.name[6:]}'")
        self.assertEqual(row, [["1", "1", "APPROVE", "40", "AGENT", "NORMAL", "alice"]])
        self.assertEqual(self.audit(e)[-1], ["EvaluateCase", "alice", "agent", "OPEN", "EVALUATED"])

    def test_re_evaluation_keeps_the_earlier_evaluations_and_gives_the_same_answer(self):
        c = self.case(days=70, reason=pb.REASON_CODE_LATE_DELIVERY)
        first = self.evaluate(c)
        c2 = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=first.etag, kind=pb.INTERACTION_KIND_INBOUND,
            channel=cpb.CHANNEL_PHONE, summary="Called again"))
        second = self.evaluate(c2, who="bob")
        a, b = first.evaluation, second.evaluation
        self.assertEqual((b.number, b.evaluated_by), (2, "bob"))
        self.assertEqual(b.history.interactions, 2)
        self.assertEqual([(f.name, f.effect, f.sentence) for f in a.factors],
                         [(f.name, f.effect, f.sentence) for f in b.factors],
                         "one more inbound contact is below chasing: the same factors")
        self.assertEqual((a.score, a.recommendation), (b.score, b.recommendation))
        listed = self.client.call("ListEvaluations", pb.ListEvaluationsRequest(name=c.name), who="carol")
        self.assertEqual([e.number for e in listed.evaluations], [1, 2])
        self.assertEqual(listed.evaluations[0], a)

    def test_the_history_counts_earlier_cases_by_email_and_by_customer_id(self):
        email = f"history-{uuid.uuid4().hex[:8]}@example.com"
        approved = self.decide(self.escalate(self.case(email=email)), approve=True)
        denied = self.decide(self.escalate(self.case(email=email)), approve=False, reason="No",
                             alternatives=[pb.ALTERNATIVE_STORE_CREDIT])
        other = self.case(email=f"other-{uuid.uuid4().hex[:8]}@example.com", id="CRM-7")
        self.decide(self.escalate(other), who="dave", approve=True,
                    approved_amount=money(1000))
        self.assertEqual((approved.state, denied.state), (pb.CASE_STATE_APPROVED, pb.CASE_STATE_DENIED))
        c = self.case(email=email)
        e = self.evaluate(c, customer_id="CRM-7")
        h = e.evaluation.history
        self.assertEqual((h.previous_cases, h.previous_exceptions, h.previous_denials), (3, 2, 1))
        self.assertEqual(h.refunded_in_window, money(4999 + 1000))
        self.assertEqual(e.customer.id, "CRM-7", "recorded on the case")
        denials = [f for f in e.evaluation.factors if f.name == "previous_denials"]
        self.assertEqual([(f.effect, f.observed) for f in denials], [(-5, "1 earlier denial (-5 each)")])
        # The earlier cases only: a later case of the customer is not history of this one.
        later = self.case(email=email)
        self.assertEqual(self.evaluate(e).evaluation.history.previous_cases, 3)
        self.assertEqual(self.evaluate(later, customer_id="CRM-7").evaluation.history.previous_cases, 4)

    def test_the_history_counts_open_findings_and_detractor_answers_of_earlier_cases(self):
        email = f"signals-{uuid.uuid4().hex[:8]}@example.com"
        earlier = [self.case(email=email) for _ in range(3)]
        ids = [c.name[6:] for c in earlier]
        fresh = self.evaluate(self.case(email=email)).evaluation.history
        self.assertEqual((fresh.previous_cases, fresh.open_findings, fresh.previous_detractor), (3, 0, False))
        # An open and a closed finding, a detractor (3) and a passive (8) answer,
        # each on another earlier case; and an open finding of another customer.
        other = self.case()
        finding = ("INSERT INTO findings (id, kind, state, case_id, provider, provider_refund_id,"
                   " amount_minor, currency, evidence, action, audience, opened_at, updated_at,"
                   " opened_run, closed_at) VALUES (gen_random_uuid(), 'STUCK_PENDING', '{state}',"
                   " '{case}', 'stripe', 're_{n}', 4999, 'EUR', '[]', 'Ask', 'FINANCE', now(), now(),"
                   " gen_random_uuid(), {closed})")
        answer = ("INSERT INTO follow_ups (id, case_id, kind, reason, due_at, assignee, state,"
                  " created_at, created_by, closed_at, closed_by, score) VALUES (gen_random_uuid(),"
                  " '{case}', 'SATISFACTION', 'Ask how we did', now(), 'alice', 'DONE', now(),"
                  " 'refundsd', now(), 'alice', {score})")
        self.db.sql(finding.format(state="OPEN", case=ids[0], n=uuid.uuid4().hex, closed="NULL"))
        self.db.sql(finding.format(state="CLOSED", case=ids[1], n=uuid.uuid4().hex, closed="now()"))
        self.db.sql(finding.format(state="OPEN", case=other.name[6:], n=uuid.uuid4().hex, closed="NULL"))
        self.db.sql(answer.format(case=ids[2], score=8))
        c = self.case(email=email)
        h = self.evaluate(c).evaluation.history
        self.assertEqual((h.previous_cases, h.open_findings, h.previous_detractor), (4, 1, False),
                         "a closed finding, another customer's and a passive answer do not count")
        self.db.sql(answer.format(case=ids[1], score=3))
        self.assertTrue(self.evaluate(self.case(email=email)).evaluation.history.previous_detractor)

    def test_the_reply_of_an_evaluation_is_the_case_as_it_is_stored(self):
        """EvaluateCase builds its reply from the case it read and what it wrote
        (evaluation.c, apply_evaluation); GetCase reads it back whole."""
        email = f"reply-{uuid.uuid4().hex[:8]}@example.com"
        self.case(email=email)
        c = self.case(email=email, days=70, reason=pb.REASON_CODE_LATE_DELIVERY)
        first = self.evaluate(c, customer_id="CRM-42")
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name), who="erin"), first)
        self.assertEqual(first.customer.id, "CRM-42")
        c2 = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=first.etag, kind=pb.INTERACTION_KIND_INBOUND,
            channel=cpb.CHANNEL_PHONE, summary="Called again"))
        second = self.evaluate(c2, who="bob")
        self.assertEqual(len(second.interactions), 2)
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name), who="erin"), second)
        # A retried request_id answers the stored reply: the same message again.
        req = pb.EvaluateCaseRequest(request_id=rid(), name=c.name, etag=second.etag)
        third = self.client.call("EvaluateCase", req)
        self.assertEqual(self.client.call("EvaluateCase", req), third)
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name), who="erin"), third)

    def test_a_customer_id_other_than_the_case_s_own_is_refused(self):
        c = self.case(id="CRM-1")
        self.refused(grpc.StatusCode.FAILED_PRECONDITION, lambda: self.evaluate(c, customer_id="CRM-2"),
                     "another customer id")
        self.assertEqual(self.evaluate(c, customer_id="CRM-1").customer.id, "CRM-1")

    def test_only_an_open_or_evaluated_case_is_evaluated(self):
        e = self.escalate(self.case())
        self.refused(grpc.StatusCode.FAILED_PRECONDITION, lambda: self.evaluate(e),
                     "is PENDING_APPROVAL", "OPEN or EVALUATED")
        err = self.refused(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.client.call(
            "EvaluateCase", pb.EvaluateCaseRequest(request_id=rid(), name=e.name)))
        self.assertIn("etag", violations(err))
        self.refused(grpc.StatusCode.PERMISSION_DENIED, lambda: self.evaluate(self.case(), who="shop"),
                     "may not call EvaluateCase")

    def test_refundctl_evaluates_and_lists_evaluations(self):
        c = self.case(days=45, reason=pb.REASON_CODE_CHANGED_MIND)
        out = self.ctl("evaluate", c.name).stdout
        self.assertRegex(out, r"Recommendation\s+escalate \(score -27\); decided by approver; priority low")
        self.assertIn("You changed your mind about your Electric kettle; we understand, but this counts "
                      "against your request.", out)
        got = self.ctl_json("--json", "evaluations", c.name)
        self.assertEqual([e["recommendation"] for e in got["evaluations"]], ["RECOMMENDATION_ESCALATE"])


class Tiers(EvaluationTest):
    def test_an_agent_approves_alone_within_the_self_approval_limit_and_it_is_audited(self):
        c = self.evaluate(self.case(amount=4000))
        self.assertEqual(c.evaluation.tier, pb.TIER_AGENT)
        d = self.decide(c, who="alice", approve=True, reason="Within policy limits")
        ap = d.approval
        self.assertEqual(d.state, pb.CASE_STATE_APPROVED)
        self.assertTrue(ap.self_approved)
        self.assertEqual((ap.state, ap.decision, ap.decided_by, ap.tier),
                         (pb.APPROVAL_STATE_DECIDED, pb.DECISION_APPROVE, "alice", pb.TIER_AGENT))
        self.assertFalse(ap.HasField("due_time"))
        self.assertFalse(ap.sla_breached)
        self.assertEqual(ap.approved_amount, money(4000))
        self.assertEqual(self.audit(d)[-1], ["DecideCase", "alice", "agent", "EVALUATED", "APPROVED"])
        self.assertEqual(self.db.scalar(f"SELECT outcome FROM cases WHERE id = '{c.name[6:]}'"), "APPROVED_FULL")

    def test_an_agent_is_refused_above_the_self_approval_limit_even_for_less(self):
        c = self.evaluate(self.case(amount=6000))
        self.assertEqual((c.evaluation.recommendation, c.evaluation.tier),
                         (pb.RECOMMENDATION_APPROVE, pb.TIER_APPROVER))
        self.refused(grpc.StatusCode.PERMISSION_DENIED, lambda: self.decide(c, who="alice"),
                     "needs an approver (tier APPROVER)",
                     "EUR 60.00 is above the self-approval limit of EUR 50.00")
        self.refused(grpc.StatusCode.PERMISSION_DENIED,
                     lambda: self.decide(c, who="alice", approved_amount=money(4000)), "tier APPROVER")
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).state,
                         pb.CASE_STATE_EVALUATED)
        # An approver does not skip the queue either: escalate first.
        self.refused(grpc.StatusCode.FAILED_PRECONDITION, lambda: self.decide(c, who="carol"),
                     "escalate it first")

    def test_an_agent_does_not_approve_alone_what_the_evaluation_escalates(self):
        c = self.evaluate(self.case(amount=1000, reason=pb.REASON_CODE_CHANGED_MIND))
        self.assertEqual(c.evaluation.recommendation, pb.RECOMMENDATION_ESCALATE)
        self.refused(grpc.StatusCode.PERMISSION_DENIED, lambda: self.decide(c, who="alice"),
                     "recommends ESCALATE")
        self.refused(grpc.StatusCode.FAILED_PRECONDITION,
                     lambda: self.decide(c, who="bob", approve=False, reason="No",
                                         alternatives=[pb.ALTERNATIVE_REPAIR]),
                     "is EVALUATED", "PENDING_APPROVAL")

    def test_above_the_senior_threshold_only_a_senior_approver_decides(self):
        c = self.evaluate(self.case(amount=60000))
        self.assertEqual(c.evaluation.tier, pb.TIER_SENIOR_APPROVER)
        e = self.escalate(c)
        self.assertEqual(e.approval.tier, pb.TIER_SENIOR_APPROVER)
        self.refused(grpc.StatusCode.PERMISSION_DENIED, lambda: self.decide(e, who="carol"),
                     "needs a senior approver (tier SENIOR_APPROVER)",
                     "EUR 600.00 is above the senior threshold of EUR 500.00")
        q = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(
            tier=pb.TIER_SENIOR_APPROVER, page_size=500), who="sam")
        self.assertIn(e.name, [x.case for x in q.entries])
        q = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(
            tier=pb.TIER_APPROVER, page_size=500), who="carol")
        self.assertNotIn(e.name, [x.case for x in q.entries])
        d = self.decide(e, who="sam")
        self.assertEqual((d.state, d.approval.decided_by), (pb.CASE_STATE_APPROVED, "sam"))

    def test_a_senior_approver_also_decides_the_lower_tiers(self):
        e = self.escalate(self.evaluate(self.case(amount=10000)))
        self.assertEqual(e.approval.tier, pb.TIER_APPROVER)
        self.assertEqual(self.decide(e, who="sue", approve=False, reason="No",
                                     alternatives=[pb.ALTERNATIVE_EXCHANGE]).state, pb.CASE_STATE_DENIED)

    def test_an_escalation_without_evaluation_takes_its_tier_from_the_amount(self):
        self.assertEqual(self.escalate(self.case(amount=50000)).approval.tier, pb.TIER_APPROVER)
        self.assertEqual(self.escalate(self.case(amount=50001)).approval.tier, pb.TIER_SENIOR_APPROVER)
        self.assertEqual(self.escalate(self.case(amount=100, currency="NOK")).approval.tier,
                         pb.TIER_SENIOR_APPROVER, "a currency the policy has no limits for")

    def test_four_eyes_covers_everyone_who_evaluated_the_case(self):
        c = self.evaluate(self.case(amount=10000), who=("mallory", "agent"))
        c = self.evaluate(c, who="bob")
        e = self.escalate(c)
        self.refused(grpc.StatusCode.PERMISSION_DENIED,
                     lambda: self.decide(e, who=("mallory", "approver")), "four-eyes", "mallory evaluated")
        self.assertEqual(self.decide(e, who="carol").state, pb.CASE_STATE_APPROVED)

    def test_an_alternative_offered_instead_of_a_refund_is_the_decision(self):
        e = self.escalate(self.case(amount=8000))
        d = self.decide(e, decision=pb.DECISION_OFFER_ALTERNATIVE, reason="Past the window; credit instead",
                        offer=pb.AlternativeOffer(alternative=pb.ALTERNATIVE_STORE_CREDIT, amount=money(6000)))
        ap = d.approval
        self.assertEqual(d.state, pb.CASE_STATE_DENIED)
        self.assertEqual(ap.decision, pb.DECISION_OFFER_ALTERNATIVE)
        self.assertEqual(list(ap.alternatives), [pb.ALTERNATIVE_STORE_CREDIT])
        self.assertEqual((ap.alternative_offer.alternative, ap.alternative_offer.amount),
                         (pb.ALTERNATIVE_STORE_CREDIT, money(6000)))
        self.assertFalse(d.HasField("accepted_alternative"), "the customer has not answered")
        self.assertEqual(self.db.sql(
            "SELECT alternative_offer_kind, alternative_offer_minor, alternative_offer_currency, c.outcome"
            f" FROM approvals a JOIN cases c ON c.id = a.case_id WHERE a.case_id = '{e.name[6:]}'"),
            [["STORE_CREDIT", "6000", "EUR", "ALTERNATIVE_OFFERED"]])
        # The decision message offers that credit (in the customer's Spanish), and the customer
        # can take it (AcceptAlternative).
        preview = self.client.call("PreviewCommunication", pb.PreviewCommunicationRequest(name=d.name))
        self.assertIn("60,00", preview.body)
        self.assertEqual([(o.alternative, o.amount) for o in preview.offers],
                         [(pb.ALTERNATIVE_STORE_CREDIT, money(6000))])
        told = self.client.call("RecordCommunication", pb.RecordCommunicationRequest(
            request_id=rid(), name=d.name, etag=d.etag)).case
        took = self.client.call("AcceptAlternative", pb.AcceptAlternativeRequest(
            request_id=rid(), name=d.name, etag=told.etag, alternative=pb.ALTERNATIVE_STORE_CREDIT))
        self.assertEqual(took.accepted_alternative.offer.amount, money(6000))
        x = self.decide(self.escalate(self.case()), who="dave", decision=pb.DECISION_OFFER_ALTERNATIVE,
                        reason="We can exchange it",
                        offer=pb.AlternativeOffer(alternative=pb.ALTERNATIVE_EXCHANGE, product="KET-43"))
        self.assertEqual(x.approval.alternative_offer.product, "KET-43")
        preview = self.client.call("PreviewCommunication", pb.PreviewCommunicationRequest(name=x.name))
        self.assertIn("KET-43", preview.body)

    def test_an_offer_is_checked_against_the_case(self):
        e = self.escalate(self.case(amount=3000))
        err = self.refused(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.decide(
            e, decision=pb.DECISION_OFFER_ALTERNATIVE, reason="r",
            offer=pb.AlternativeOffer(alternative=pb.ALTERNATIVE_STORE_CREDIT, amount=money(3001))))
        self.assertIn("EUR 30.00", violations(err)["offer.amount.amount_minor"])
        err = self.refused(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.decide(
            e, decision=pb.DECISION_OFFER_ALTERNATIVE, reason="r",
            offer=pb.AlternativeOffer(alternative=pb.ALTERNATIVE_EXCHANGE)))
        self.assertIn("offer.product", violations(err))
        err = self.refused(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.decide(
            e, decision=pb.DECISION_OFFER_ALTERNATIVE))
        self.assertEqual(set(violations(err)), {"reason", "offer"})

    def test_refundctl_decides_by_tier_and_offers_store_credit(self):
        c = self.evaluate(self.case(amount=4500))
        out = self.ctl("decide", c.name, "--approve", who="alice").stdout
        self.assertRegex(out, r"Self-approved\s+by the agent")
        e = self.escalate(self.case(amount=7000))
        out = self.ctl("decide", e.name, "--store-credit", "7000", "--reason", "Credit instead", who="carol")
        self.assertRegex(out.stdout, r"Offered\s+store-credit EUR 70.00 instead of a refund")
        bad = self.ctl("decide", e.name, "--approve", "--exchange", "X-1", who="carol", expect=2)
        self.assertIn("exclude each other", bad.stderr)


class Sla(EvaluationTest):
    def test_the_due_time_is_the_policy_sla_of_the_evaluated_priority(self):
        high = self.escalate(self.evaluate(self.case(reason=pb.REASON_CODE_NOT_RECEIVED)))
        self.assertEqual(high.approval.priority, pb.PRIORITY_HIGH)
        self.assertEqual(high.approval.due_time.seconds - high.approval.escalate_time.seconds, 24 * 3600,
                         "24 calendar hours")
        low = self.escalate(self.evaluate(self.case(reason=pb.REASON_CODE_CHANGED_MIND)))
        self.assertEqual(low.approval.priority, pb.PRIORITY_LOW)
        self.assertEqual(low.approval.due_time.seconds, business_due(low.approval.escalate_time.seconds, 120))
        normal = self.escalate(self.evaluate(self.case(amount=9000)))
        self.assertEqual((normal.approval.priority, normal.approval.policy_version), (pb.PRIORITY_NORMAL, 1))
        self.assertEqual(normal.approval.due_time.seconds,
                         business_due(normal.approval.escalate_time.seconds, 48))


class Overdue(EvaluationTest):
    server_env = {"REFUNDS_APPROVAL_SLA_SECONDS": 1}

    def test_an_evaluated_case_escalated_overdue_and_decided_by_its_tier(self):
        e = self.escalate(self.evaluate(self.case(amount=60000)))
        q = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(page_size=500), who="sam")
        entry = [x for x in q.entries if x.case == e.name][0]
        self.assertFalse(entry.overdue)
        self.assertIn(entry.seconds_left, (0, 1))
        self.assertEqual((entry.recommendation, entry.tier, entry.amount),
                         (pb.RECOMMENDATION_APPROVE, pb.TIER_SENIOR_APPROVER, money(60000)))
        time.sleep(1.5)
        q = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(overdue_only=True), who="carol")
        entry = [x for x in q.entries if x.case == e.name][0]
        self.assertTrue(entry.overdue)
        self.assertLess(entry.seconds_left, 0)
        self.assertEqual([c.name for c in q.cases], [x.case for x in q.entries])
        self.refused(grpc.StatusCode.PERMISSION_DENIED, lambda: self.decide(e, who="carol"), "senior")
        d = self.decide(e, who="sam")
        self.assertTrue(d.approval.sla_breached)
        self.assertEqual(self.db.sql(f"SELECT a.sla_breached, c.sla_breached FROM approvals a JOIN cases c"
                                     f" ON c.id = a.case_id WHERE a.case_id = '{e.name[6:]}'"), [["t", "t"]])
        q = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(overdue_only=True), who="carol")
        self.assertNotIn(e.name, [x.case for x in q.entries])

    def test_refundctl_shows_the_queue_with_its_clock_and_filters(self):
        e = self.escalate(self.evaluate(self.case(amount=9000)))
        time.sleep(1.2)
        out = self.ctl("queue", "--overdue", "--tier", "approver", who="carol").stdout
        line = [l for l in out.splitlines() if e.name[6:] in l][0]
        self.assertRegex(line, r"OVERDUE 0h 0m\s+EUR 90.00\s+approver\s+approve")
        out = self.ctl("queue", "--tier", "senior-approver", who="carol").stdout
        self.assertNotIn(e.name[6:], out)


class PolicyVersions(EvaluationTest):
    def current(self):
        return self.client.policies("GetPolicy", ppb.GetPolicyRequest(), who="alice")

    def update(self, doc, note="test", **kw):
        return self.client.policies("UpdatePolicy", ppb.UpdatePolicyRequest(
            request_id=rid(), document=json.dumps(doc), note=note, **kw))

    def test_the_default_is_version_1_and_no_version_is_ever_edited(self):
        v1 = self.client.policies("GetPolicy", ppb.GetPolicyRequest(version=1), who="erin")
        self.assertEqual((v1.version, v1.author), (1, "refundsd migrate"))
        with open(DEFAULT_POLICY) as f:
            self.assertEqual(json.loads(v1.document), json.load(f))
        self.assertEqual(v1.document, json.dumps(json.loads(v1.document), separators=(",", ":"),
                                                 sort_keys=True, ensure_ascii=False), "canonical")
        for role in (None, "refunds_service"):
            with self.assertRaises(RuntimeError) as ctx:
                self.db.sql("UPDATE policies SET note = 'changed' WHERE version = 1", role=role)
            self.assertTrue("append-only" in str(ctx.exception) or "permission denied" in str(ctx.exception))
        self.refused(grpc.StatusCode.NOT_FOUND, lambda: self.client.policies(
            "GetPolicy", ppb.GetPolicyRequest(version=999)), "policy version 999 does not exist")

    def test_a_policy_update_changes_the_next_evaluation_but_not_the_stored_ones(self):
        c = self.case(days=50)
        first = self.evaluate(c)
        self.assertEqual((first.evaluation.score, first.evaluation.recommendation), (30, pb.RECOMMENDATION_APPROVE))
        base = self.current()
        doc = json.loads(base.document)
        doc["reasons"]["defective"]["weight"] = 20
        new = self.update(doc, note="Defects: warranty first", base_version=base.version)
        self.assertEqual((new.version, new.author, new.current), (base.version + 1, "grace", True))
        diff = self.client.policies("GetPolicy", ppb.GetPolicyRequest(version=new.version,
                                                                      compare_to=base.version))
        self.assertEqual([(x.path, x.old_value, x.new_value) for x in diff.changes],
                         [("reasons.defective.weight", "40", "20")])
        second = self.evaluate(first)
        self.assertEqual((second.evaluation.policy_version, second.evaluation.score,
                          second.evaluation.recommendation), (new.version, 10, pb.RECOMMENDATION_ESCALATE))
        kept = self.client.call("ListEvaluations", pb.ListEvaluationsRequest(name=c.name)).evaluations
        self.assertEqual(kept[0], first.evaluation, "the stored evaluation is as it was")
        self.assertEqual(kept[0].policy_version, base.version)
        # The same document again changes nothing; an edit from an old version is refused.
        self.refused(grpc.StatusCode.FAILED_PRECONDITION, lambda: self.update(doc), "means the same")
        doc["reasons"]["defective"]["weight"] = 30
        self.refused(grpc.StatusCode.FAILED_PRECONDITION,
                     lambda: self.update(doc, base_version=base.version), "was stored since")

    def test_a_bad_document_is_refused_whole_with_the_path_of_each_fault(self):
        before = self.current().version
        with open(DEFAULT_POLICY) as f:
            doc = json.load(f)
        doc["categories"]["electronics"]["max_days_past_window"] = -1
        doc["limits"]["EUR"]["self_approval_minor"] = 60000
        err = self.refused(grpc.StatusCode.INVALID_ARGUMENT, lambda: self.update(doc),
                           "categories.electronics.max_days_past_window: must be >= 0")
        self.assertEqual(violations(err), {
            "categories.electronics.max_days_past_window": "must be >= 0",
            "limits.EUR.self_approval_minor": "must not exceed limits.EUR.senior_threshold_minor"})
        self.assertEqual(self.current().version, before, "nothing stored")
        self.refused(grpc.StatusCode.PERMISSION_DENIED, lambda: self.client.policies(
            "UpdatePolicy", ppb.UpdatePolicyRequest(request_id=rid(), document="{}", note="x"), who="carol"))

    def test_refundctl_shows_diffs_and_sets_policies(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            doc = json.loads(self.current().document)
            doc["sla"]["low"]["hours"] = 96
            json.dump(doc, f, indent=2)
        bad = f.name + ".bad"
        with open(bad, "w") as g:
            g.write('{"schema_version": 1, "categories": {"perishable": {"rule": "sometimes"}}}')
        self.addCleanup(os.unlink, f.name)
        self.addCleanup(os.unlink, bad)
        out = self.ctl("policy", "set", bad, "--note", "bad", who="grace", expect=1)
        self.assertIn("categories.perishable.rule: must be one of", out.stderr)
        before = self.current().version
        out = self.ctl("policy", "set", f.name, "--note", "Low priority within four working days",
                       who="grace").stdout
        self.assertRegex(out, rf"Policy version\s+{before + 1} \(current\)")
        out = self.ctl("policy", "diff", str(before), str(before + 1), who="bob").stdout
        self.assertRegex(out, r"sla\.low\.hours\s+120\s+96")
        shown = self.ctl_json("--json", "policy", "show", who="bob")
        self.assertEqual(shown["version"], str(before + 1))
        versions = self.ctl("policy", "versions", who="bob").stdout
        self.assertIn("refundsd migrate", versions)


if __name__ == "__main__":
    main()
