#!/usr/bin/env python3
"""The whole case lifecycle through Debian's python3-grpcio against a real
refundsd and PostgreSQL: open, read, list and page, interact, escalate, the
approval queue, approve, deny, withdraw, transitions the state table forbids,
and the audit chain recomputed independently here from the stored rows."""

import hashlib
import time

import grpc

from harness import business_due, run_in_threads, ServerTest, main, pb, cpb, rid, open_request


def netstring(s):
    b = s.encode()
    return str(len(b)).encode() + b":" + b + b","


def chain_hash(prev, row):
    """docs/audit.md's definition, written again without looking at the C code."""
    case_id, seq, occurred_us, actor, role, method, old, new, request_id = row
    h = hashlib.sha256(prev)
    for field in ("refunds.audit.v1", case_id, seq, occurred_us, actor, role, method, old, new, request_id):
        h.update(netstring(field))
    return h.digest()


class Lifecycle(ServerTest):
    def test_open_records_the_acknowledged_contact_and_every_documented_field(self):
        req = open_request(assignee="bob")
        c = self.client.call("OpenCase", req, who="alice")
        self.assertRegex(c.name, r"^cases/[0-9a-f-]{36}$")
        self.assertEqual(c.state, pb.CASE_STATE_OPEN)
        self.assertEqual(c.channel, cpb.CHANNEL_EMAIL)
        self.assertEqual(c.opened_by, "alice")
        self.assertEqual(c.assignee, "bob")
        self.assertEqual(c.customer.email, "ana.perez@example.com")
        self.assertEqual(c.customer.preferred_language, "es")
        self.assertEqual(c.product.sku, "KET-42")
        self.assertEqual(c.amount_paid.amount_minor, 4999)
        self.assertEqual(c.requested_amount.currency, "EUR")
        self.assertEqual(c.payment.provider_payment_id, "pi_123")
        self.assertEqual(c.reason_code, pb.REASON_CODE_DEFECTIVE)
        self.assertEqual(len(c.interactions), 1)
        self.assertEqual(c.interactions[0].kind, pb.INTERACTION_KIND_ACKNOWLEDGEMENT)
        self.assertEqual(c.interactions[0].summary, req.contact_summary)
        self.assertGreater(c.acknowledge_time.seconds, time.time() - 60)
        got = self.client.call("GetCase", pb.GetCaseRequest(name=c.name), who="erin")
        self.assertEqual(got, c, "GetCase must return what OpenCase answered")

    def test_email_is_stored_in_lower_case_and_language_defaults_to_english(self):
        req = open_request()
        req.customer.email = "Ana.Perez@Example.COM"
        req.customer.preferred_language = ""
        c = self.client.call("OpenCase", req)
        self.assertEqual(c.customer.email, "ana.perez@example.com")
        self.assertEqual(c.customer.preferred_language, "en")
        self.assertEqual(self.db.scalar(f"SELECT customer_email FROM cases WHERE id = '{c.name[6:]}'"),
                         "ana.perez@example.com")

    def test_interactions_are_appended_in_order_with_author_and_time(self):
        c = self.open_case()
        c = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_INBOUND,
            channel=cpb.CHANNEL_PHONE, summary="Customer called to ask for news."), who="bob")
        c = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE,
            summary="Checked the order history: first return."), who="alice")
        self.assertEqual([i.kind for i in c.interactions],
                         [pb.INTERACTION_KIND_ACKNOWLEDGEMENT, pb.INTERACTION_KIND_INBOUND, pb.INTERACTION_KIND_NOTE])
        self.assertEqual([i.author for i in c.interactions], ["alice", "bob", "alice"])
        self.assertEqual(c.interactions[1].channel, cpb.CHANNEL_PHONE)
        self.assertEqual(c.interactions[2].name, c.name + "/interactions/3")
        self.assertEqual(c.state, pb.CASE_STATE_OPEN)
        self.assertEqual(c.etag, "3")

    def test_escalation_puts_the_case_in_the_queue_with_its_sla_and_approval_decides_it(self):
        c = self.open_case()
        e = self.escalate(c, note="Loyal customer, 3 months past the window")
        self.assertEqual(e.state, pb.CASE_STATE_PENDING_APPROVAL)
        self.assertEqual(e.approval.state, pb.APPROVAL_STATE_PENDING)
        self.assertEqual(e.approval.escalated_by, "alice")
        self.assertEqual(e.approval.escalation_note, "Loyal customer, 3 months past the window")
        # Not evaluated: a normal priority, due in the default policy's 48 business hours.
        self.assertEqual(e.approval.due_time.seconds, business_due(e.approval.escalate_time.seconds, 48))
        self.assertEqual(e.approval.tier, pb.TIER_APPROVER)
        self.assertEqual(e.approval.policy_version, 1)
        self.assertFalse(e.approval.sla_breached)
        queue = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(page_size=500), who="carol")
        self.assertIn(e.name, [q.name for q in queue.cases])
        d = self.decide(e, who="carol", approve=True, reason="Goodwill")
        self.assertEqual(d.state, pb.CASE_STATE_APPROVED)
        self.assertEqual(d.approval.state, pb.APPROVAL_STATE_DECIDED)
        self.assertEqual(d.approval.decision, pb.DECISION_APPROVE)
        self.assertEqual(d.approval.decided_by, "carol")
        self.assertEqual(d.approval.approved_amount.amount_minor, 4999)
        self.assertEqual(d.approval.approved_amount.currency, "EUR")
        queue = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(page_size=500), who="dave")
        self.assertNotIn(e.name, [q.name for q in queue.cases])

    def test_approval_of_a_partial_amount_is_kept(self):
        e = self.escalate(self.open_case())
        d = self.decide(e, approved_amount=cpb.Money(amount_minor=2500, currency="EUR"))
        self.assertEqual(d.approval.approved_amount.amount_minor, 2500)

    def test_approval_above_the_requested_amount_is_refused(self):
        e = self.escalate(self.open_case(requested_amount=cpb.Money(amount_minor=3000, currency="EUR")))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.decide(e, approved_amount=cpb.Money(amount_minor=3001, currency="EUR"))
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "approved_amount.amount_minor", "EUR 30.00")
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=e.name)).state,
                         pb.CASE_STATE_PENDING_APPROVAL)

    def test_denial_keeps_reasons_and_alternatives(self):
        e = self.escalate(self.open_case())
        d = self.decide(e, who="dave", approve=False, reason="Damage caused by misuse",
                        alternatives=[pb.ALTERNATIVE_STORE_CREDIT, pb.ALTERNATIVE_REPAIR])
        self.assertEqual(d.state, pb.CASE_STATE_DENIED)
        self.assertEqual(d.approval.decision, pb.DECISION_DENY)
        self.assertEqual(d.approval.decision_reason, "Damage caused by misuse")
        self.assertEqual(list(d.approval.alternatives), [pb.ALTERNATIVE_STORE_CREDIT, pb.ALTERNATIVE_REPAIR])
        self.assertFalse(d.approval.HasField("approved_amount"))

    def test_withdrawal_before_a_decision_cancels_the_pending_approval(self):
        e = self.escalate(self.open_case())
        w = self.client.call("WithdrawCase", pb.WithdrawCaseRequest(
            request_id=rid(), name=e.name, etag=e.etag, reason="Customer found the receipt"))
        self.assertEqual(w.state, pb.CASE_STATE_WITHDRAWN)
        self.assertEqual(w.withdraw_reason, "Customer found the receipt")
        self.assertEqual(w.approval.state, pb.APPROVAL_STATE_CANCELLED)
        w2 = self.client.call("WithdrawCase", pb.WithdrawCaseRequest(
            request_id=rid(), name=self.open_case().name, etag="1", reason="Duplicate request"))
        self.assertEqual(w2.state, pb.CASE_STATE_WITHDRAWN)

    def test_transitions_the_state_table_forbids_fail_and_change_nothing(self):
        c = self.open_case()
        with self.assertRaises(grpc.RpcError) as ctx:
            self.decide(c)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "is OPEN", "PENDING_APPROVAL")
        e = self.escalate(c)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.escalate(e)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "is PENDING_APPROVAL", "OPEN or EVALUATED")
        d = self.decide(e)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("WithdrawCase", pb.WithdrawCaseRequest(
                request_id=rid(), name=d.name, etag=d.etag, reason="too late"))
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "is APPROVED")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.decide(d, who="dave")
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "is APPROVED")
        now = self.client.call("GetCase", pb.GetCaseRequest(name=d.name))
        self.assertEqual((now.state, now.etag), (d.state, d.etag))
        self.assertEqual(self.db.scalar(f"SELECT count(*) FROM audit_events WHERE case_id = '{d.name[6:]}'"), "3")

    def test_an_unknown_case_is_not_found(self):
        name = "cases/01890a5d-ac96-774b-bcce-b302099a8057"
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("GetCase", pb.GetCaseRequest(name=name))
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, name)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("EscalateCase", pb.EscalateCaseRequest(request_id=rid(), name=name, etag="1"))
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, name)

    def test_lists_filter_by_state_email_and_assignee_and_page_without_gaps_or_repeats(self):
        email = f"pager-{rid()[:8]}@example.com"
        made = []
        for i in range(7):
            req = open_request(assignee="bob" if i % 2 else "alice")
            req.customer.email = email
            made.append(self.client.call("OpenCase", req).name)
        self.escalate(self.client.call("GetCase", pb.GetCaseRequest(name=made[0])))
        seen, token, pages = [], "", 0
        while True:
            page = self.client.call("ListCases", pb.ListCasesRequest(customer_email=email.upper(), page_size=3,
                                                                     page_token=token))
            pages += 1
            self.assertLessEqual(len(page.cases), 3)
            self.assertTrue(all(len(c.interactions) == 0 for c in page.cases))
            seen += [c.name for c in page.cases]
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(seen, list(reversed(made)), "newest first, each case exactly once")
        bobs = self.client.call("ListCases", pb.ListCasesRequest(customer_email=email, assignee="bob"))
        self.assertEqual(sorted(c.name for c in bobs.cases), sorted(made[1::2]))
        pending = self.client.call("ListCases", pb.ListCasesRequest(customer_email=email,
                                                                    state=pb.CASE_STATE_PENDING_APPROVAL))
        self.assertEqual([c.name for c in pending.cases], [made[0]])
        first = self.client.call("ListCases", pb.ListCasesRequest(customer_email=email, page_size=2))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("ListCases", pb.ListCasesRequest(customer_email=email, assignee="bob", page_size=2,
                                                              page_token=first.next_page_token))
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "page_token")

    def test_lists_are_newest_first_by_create_time_even_within_one_millisecond(self):
        email = f"burst-{rid()[:8]}@example.com"

        def open_many(i):
            names = []
            for _ in range(25):
                req = open_request()
                req.customer.email = email
                names.append(self.client.call("OpenCase", req).name)
            return names

        made = [n for names in run_in_threads(8, open_many) for n in names]
        listed, token = [], ""
        while True:
            page = self.client.call("ListCases", pb.ListCasesRequest(customer_email=email, page_size=40,
                                                                     page_token=token))
            listed += [(c.create_time.seconds * 10**9 + c.create_time.nanos, c.name) for c in page.cases]
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(sorted(n for _, n in listed), sorted(made), "each case exactly once")
        self.assertEqual(listed, sorted(listed, reverse=True), "newest first: create_time, then name")
        # One process makes increasing ids: by create_time the names of one thread's cases increase.
        by_time = sorted(listed)
        first_thread = set(made[:25])
        mine = [n for _, n in by_time if n in first_thread]
        self.assertEqual(mine, sorted(mine))

    def test_the_approval_queue_pages_by_due_time(self):
        names = [self.escalate(self.open_case()).name for _ in range(5)]
        seen, token = [], ""
        while True:
            page = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(page_size=2, page_token=token),
                                    who="carol")
            seen += [c.name for c in page.cases]
            dues = [(c.approval.due_time.seconds, c.approval.due_time.nanos) for c in page.cases]
            self.assertEqual(dues, sorted(dues))
            token = page.next_page_token
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual([n for n in seen if n in names], names, "earliest due first")

    def test_the_audit_chain_of_each_case_verifies_from_the_stored_rows(self):
        c = self.open_case()
        c = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE, summary="note"))
        d = self.decide(self.escalate(c), who="dave")
        case_id = d.name[6:]
        rows = self.db.sql(
            "SELECT case_id, seq, (extract(epoch FROM occurred_at) * 1000000)::bigint, actor, actor_role,"
            " method, old_state, new_state, request_id, encode(prev_hash, 'hex'), encode(hash, 'hex')"
            f" FROM audit_events WHERE case_id = '{case_id}' ORDER BY seq")
        self.assertEqual([r[5] for r in rows], ["OpenCase", "AddInteraction", "EscalateCase", "DecideCase"])
        self.assertEqual([(r[6], r[7]) for r in rows],
                         [("", "OPEN"), ("OPEN", "OPEN"), ("OPEN", "PENDING_APPROVAL"), ("PENDING_APPROVAL", "APPROVED")])
        self.assertEqual([r[3] for r in rows], ["alice", "alice", "alice", "dave"])
        prev = bytes(32)
        for r in rows:
            self.assertEqual(r[9], prev.hex())
            prev = chain_hash(prev, r[:9])
            self.assertEqual(r[10], prev.hex(), f"event {r[1]} does not verify")
        head = self.db.scalar(f"SELECT encode(audit_head, 'hex') FROM cases WHERE id = '{case_id}'")
        self.assertEqual(head, prev.hex())

    def test_the_service_role_cannot_rewrite_or_delete_audit_events(self):
        c = self.open_case()
        for sql in (f"UPDATE audit_events SET actor = 'x' WHERE case_id = '{c.name[6:]}'",
                    f"DELETE FROM audit_events WHERE case_id = '{c.name[6:]}'",
                    "TRUNCATE audit_events"):
            with self.assertRaises(RuntimeError) as ctx:
                self.db.sql(sql, role="refunds_service")
            self.assertIn("permission denied", str(ctx.exception))
        with self.assertRaises(RuntimeError) as ctx:
            self.db.sql(f"DELETE FROM audit_events WHERE case_id = '{c.name[6:]}'", role="refunds_owner")
        self.assertIn("append-only", str(ctx.exception))
        self.assertEqual(self.db.scalar(f"SELECT count(*) FROM audit_events WHERE case_id = '{c.name[6:]}'"), "1")

    def test_unknown_methods_are_unimplemented_not_hung(self):
        t0 = time.time()
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.raw("/refunds.v1.RefundCases/NoSuchMethod", b"", timeout=10)
        self.assertStatus(ctx, grpc.StatusCode.UNIMPLEMENTED, "NoSuchMethod")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.raw("/grpc.health.v1.Health/Watch", b"", timeout=10)
        self.assertStatus(ctx, grpc.StatusCode.UNIMPLEMENTED)
        self.assertLess(time.time() - t0, 5)

    def test_health_reports_serving_and_unknown_services(self):
        self.assertEqual(self.client.health().status, 1)
        self.assertEqual(self.client.health("refunds.v1.RefundCases").status, 1)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.health("no.such.Service")
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND)


class SlaBreach(ServerTest):
    server_env = {"REFUNDS_APPROVAL_SLA_SECONDS": 1}

    def test_a_pending_approval_past_its_due_time_shows_as_breached(self):
        e = self.escalate(self.open_case())
        self.assertFalse(e.approval.sla_breached)
        time.sleep(1.5)
        q = self.client.call("ListApprovalQueue", pb.ListApprovalQueueRequest(), who="carol")
        mine = [c for c in q.cases if c.name == e.name]
        self.assertTrue(mine and mine[0].approval.sla_breached)
        d = self.decide(e)
        self.assertTrue(d.approval.sla_breached, "decided after the due time")


if __name__ == "__main__":
    main()
