#!/usr/bin/env python3
"""Idempotency, optimistic concurrency and four-eyes under real concurrent
calls: a retried request_id returns the first answer byte for byte, the same
id with other content (or from another caller) is refused, many concurrent
calls with one id make one case, two racing decisions have exactly one
winner, and nobody decides a case they opened or escalated."""

import grpc

from harness import ServerTest, main, pb, rid, open_request, run_in_threads, violations, wait_for


class Idempotency(ServerTest):
    def cases_with_order(self, order_id):
        return int(self.db.scalar(f"SELECT count(*) FROM cases WHERE order_id = '{order_id}'"))

    def test_a_retry_with_the_same_request_id_returns_the_first_answer_and_changes_nothing(self):
        req = open_request()
        req.product.order_id = "RETRY-" + req.request_id[:8]
        path = "/refunds.v1.RefundCases/OpenCase"
        md = [("authorization", "Bearer " + self.client.token("alice"))]
        first = self.client.raw(path, req.SerializeToString(), metadata=md)
        again = self.client.raw(path, req.SerializeToString(), metadata=md)
        self.assertEqual(first, again, "the replay must be the first reply, byte for byte")
        self.assertEqual(self.cases_with_order(req.product.order_id), 1)
        name = pb.Case.FromString(first).name
        self.assertEqual(self.db.scalar(f"SELECT count(*) FROM audit_events WHERE case_id = '{name[6:]}'"), "1")

    def test_a_retried_mutation_of_a_case_is_applied_once(self):
        c = self.open_case()
        req = pb.AddInteractionRequest(request_id=rid(), name=c.name, etag=c.etag,
                                       kind=pb.INTERACTION_KIND_NOTE, summary="once")
        a = self.client.call("AddInteraction", req)
        b = self.client.call("AddInteraction", req)
        self.assertEqual(a, b)
        self.assertEqual(len(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).interactions), 2)

    def test_the_same_request_id_with_different_content_is_refused(self):
        req = open_request()
        self.client.call("OpenCase", req)
        other = open_request(request_id=req.request_id)
        other.customer.name = "Somebody Else"
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("OpenCase", other)
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "request_id")
        self.assertIn("different request", violations(ctx.exception)["request_id"])

    def test_the_same_request_id_from_another_caller_is_refused(self):
        req = open_request()
        self.client.call("OpenCase", req, who="alice")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("OpenCase", req, who="bob")
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "request_id")

    def test_the_same_request_id_for_another_method_is_refused(self):
        c = self.open_case()
        used = rid()
        self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=used, name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE, summary="x"))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("WithdrawCase", pb.WithdrawCaseRequest(request_id=used, name=c.name, etag="2",
                                                                    reason="x"))
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "request_id")

    def test_a_refused_request_does_not_use_up_its_request_id(self):
        req = open_request(requested_amount=open_request().amount_paid)
        req.requested_amount.amount_minor = 10 ** 9
        with self.assertRaises(grpc.RpcError):
            self.client.call("OpenCase", req)
        fixed = open_request(request_id=req.request_id)
        self.assertEqual(self.client.call("OpenCase", fixed).state, pb.CASE_STATE_OPEN)

    def test_concurrent_calls_with_one_request_id_make_one_case_and_all_get_its_answer(self):
        req = open_request()
        req.product.order_id = "CONC-" + req.request_id[:8]
        results = run_in_threads(8, lambda i: self.client.call("OpenCase", req))
        for r in results:
            self.assertIsInstance(r, pb.Case, r)
        self.assertEqual(len({r.SerializeToString() for r in results}), 1)
        self.assertEqual(self.cases_with_order(req.product.order_id), 1)


class KeyExpiry(ServerTest):
    server_env = {"REFUNDS_HOUSEKEEPING_INTERVAL_MS": 200, "REFUNDS_IDEMPOTENCY_TTL_HOURS": 48}

    def test_request_ids_are_kept_for_their_ttl_and_deleted_after_it(self):
        fresh = open_request()
        self.client.call("OpenCase", fresh)
        self.db.sql("INSERT INTO idempotency_keys (request_id, method, request_hash, response, created_at) VALUES"
                    " ('old-49h', 'm', sha256('a'), '', now() - interval '49 hours'),"
                    " ('kept-47h', 'm', sha256('b'), '', now() - interval '47 hours')")
        wait_for(lambda: self.db.scalar("SELECT count(*) FROM idempotency_keys WHERE request_id = 'old-49h'") == "0",
                 10, "the expired key to be deleted")
        kept = self.db.sql("SELECT request_id FROM idempotency_keys WHERE request_id IN"
                           f" ('kept-47h', '{fresh.request_id}') ORDER BY 1")
        self.assertEqual(sorted(r[0] for r in kept), sorted(["kept-47h", fresh.request_id]))
        self.assertEqual(self.client.call("OpenCase", fresh).name, self.client.call("OpenCase", fresh).name)


class Races(ServerTest):
    server_env = {"REFUNDS_THREADS": 4}

    def test_of_two_concurrent_decisions_exactly_one_wins(self):
        for round_ in range(10):
            e = self.escalate(self.open_case())
            approvers = ["carol", "dave"]
            results = run_in_threads(2, lambda i: self.decide(e, who=approvers[i], approve=i == 0,
                                                              **({} if i == 0 else dict(
                                                                  reason="no", alternatives=[pb.ALTERNATIVE_EXCHANGE]))))
            wins = [r for r in results if isinstance(r, pb.Case)]
            losses = [r for r in results if isinstance(r, grpc.RpcError)]
            self.assertEqual((len(wins), len(losses)), (1, 1), f"round {round_}: {results}")
            self.assertEqual(losses[0].code(), grpc.StatusCode.FAILED_PRECONDITION)
            final = self.client.call("GetCase", pb.GetCaseRequest(name=e.name))
            self.assertEqual(final.state, wins[0].state)
            self.assertEqual(final.approval.decided_by, wins[0].approval.decided_by)
            self.assertEqual(self.db.scalar(
                f"SELECT count(*) FROM audit_events WHERE case_id = '{e.name[6:]}' AND method = 'DecideCase'"), "1")

    def test_concurrent_interactions_on_one_etag_apply_one_and_refuse_the_rest(self):
        c = self.open_case()
        results = run_in_threads(6, lambda i: self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE, summary=f"note {i}")))
        self.assertEqual(sum(isinstance(r, pb.Case) for r in results), 1)
        self.assertTrue(all(r.code() == grpc.StatusCode.FAILED_PRECONDITION
                            for r in results if isinstance(r, grpc.RpcError)))
        self.assertEqual(len(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).interactions), 2)


class FourEyes(ServerTest):
    def test_an_approver_who_opened_the_case_may_not_decide_it(self):
        c = self.open_case(who=("mallory", "agent"))
        e = self.escalate(c, who="alice")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.decide(e, who=("mallory", "approver"))
        self.assertStatus(ctx, grpc.StatusCode.PERMISSION_DENIED, "four-eyes", "mallory opened")
        self.assertEqual(self.decide(e, who="carol").state, pb.CASE_STATE_APPROVED)

    def test_an_approver_who_escalated_the_case_may_not_decide_it(self):
        e = self.escalate(self.open_case(who="alice"), who=("mallory", "agent"))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.decide(e, who=("mallory", "approver"))
        self.assertStatus(ctx, grpc.StatusCode.PERMISSION_DENIED, "mallory escalated")
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=e.name)).state,
                         pb.CASE_STATE_PENDING_APPROVAL)

    def test_the_database_refuses_a_self_approval_even_past_the_handler(self):
        e = self.escalate(self.open_case(who=("mallory", "agent")))
        with self.assertRaises(RuntimeError):
            self.db.sql(f"UPDATE approvals SET state = 'DECIDED', decision = 'APPROVE', decided_by = escalated_by"
                        f" WHERE case_id = '{e.name[6:]}'")

    def test_only_approvers_decide(self):
        e = self.escalate(self.open_case())
        for who in ("shop", "erin", "grace"):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.decide(e, who=who)
            self.assertStatus(ctx, grpc.StatusCode.PERMISSION_DENIED, "may not call DecideCase")
        # An agent may call DecideCase, for their own approvals within the limit, never for an
        # escalated case: the refusal names the tier it needs.
        with self.assertRaises(grpc.RpcError) as ctx:
            self.decide(e, who="bob")
        self.assertStatus(ctx, grpc.StatusCode.PERMISSION_DENIED, "needs an approver (tier APPROVER)")


if __name__ == "__main__":
    main()
