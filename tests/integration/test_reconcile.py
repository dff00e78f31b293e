#!/usr/bin/env python3
"""Following the money, end to end on real parts: refunds issued through the
API (python3-grpcio), provider files of each format loaded into a real Redis
with refunds-psp-load, refunds-reconciler --once against the real
PostgreSQL, and what it found read through the Reconciliation service.

Checks every expected finding and no other; a second pass changes nothing; a
provider update that clears a finding closes it with its reason; a receipt
confirmation closes an overdue finding; a stale snapshot gives no NOT_FOUND; a
refund checked before its provider's data arrived is checked again when it is loaded,
by --once and by the daemon's next pass; the case shows its refunds' provider status
(the cache is dropped); SIGKILL mid-pass, SIGTERM to the daemon, Redis gone mid-pass
and two reconcilers at once each end with exactly the findings of an uninterrupted
pass, every refund checked once."""

import datetime
import os
import signal
import subprocess
import tempfile
import time
import unittest

import grpc

import harness
from harness import main, pb, rid, open_request, wait_for
from refunds.v1 import common_pb2 as cpb
from refunds.v1 import reconciliation_pb2 as rpb

from money import LOADER, Reconciler, MoneyTest, at, event, read, rfc3339, stripe_refund, ts


class ReconcileTest(MoneyTest):
    """Every kind of finding, found once; what the agent and finance see."""

    def test_every_kind_is_found_once_and_nothing_else(self):
        cases = {}
        plan = {  # provider refund id: (days ago issued, expected kinds)
            "re_ok": (2, []), "re_failed": (2, ["FAILED"]), "re_stuck": (12, ["STUCK_PENDING"]),
            "re_action": (1, ["REQUIRES_CUSTOMER_ACTION"]), "re_missing": (5, ["NOT_FOUND_AT_PROVIDER"]),
            "re_amount": (2, ["AMOUNT_MISMATCH"]), "re_noref": (9, ["NO_TRACE_REFERENCE"]),
            "re_overdue": (25, ["OVERDUE_AT_CUSTOMER"]), "re_reversal": (9, []),
            "re_reversed": (5, ["REVERSED"]),
        }
        for prid, (days, _) in plan.items():
            cases[prid] = self.issue(self.approved_case(), "stripe", prid, days_ago=days)
        dup_case = self.approved_case()
        self.issue(dup_case, "stripe", "re_dup_a", days_ago=2)
        cases["re_dup_b"] = self.issue(dup_case, "stripe", "re_dup_b", days_ago=2)
        self.assertTrue(cases["re_dup_b"].refunds[-1].exceeds_approved, "marked when recorded")
        adyen_case = self.issue(self.approved_case(provider="adyen"), "adyen", "8826179099990001", days_ago=3)
        paypal_case = self.issue(self.approved_case(method=pb.PAYMENT_METHOD_PAYPAL, provider="paypal"), "paypal",
                                 "PP-NOTCLEARED-1", days_ago=3)
        stale_case = self.issue(self.approved_case(provider="checkout"), "checkout", "chk_missing", days_ago=5)
        self.assertEqual(cases["re_ok"].state, pb.CASE_STATE_REFUND_IN_PROGRESS)
        self.assertEqual(cases["re_ok"].refunds[0].provider_status, pb.PROVIDER_STATUS_NOT_CHECKED)
        before = self.client.call("GetCase", pb.GetCaseRequest(name=cases["re_ok"].name))  # cached now

        self.load_events("stripe.ndjson", [
            event("refund.updated", 1, stripe_refund("re_ok", "succeeded", reference="ARN-OK-1")),
            event("refund.failed", 1, stripe_refund("re_failed", "failed", failure_reason="expired_or_canceled_card")),
            event("refund.created", 11, stripe_refund("re_stuck", "pending", days_ago=11,
                                                      pending_reason="insufficient_funds")),
            event("refund.updated", 1, stripe_refund("re_action", "requires_action")),
            event("refund.updated", 1, stripe_refund("re_amount", "succeeded", amount=3999, reference="ARN-AM-1")),
            event("refund.updated", 8, stripe_refund("re_noref", "succeeded", days_ago=8)),
            event("refund.updated", 24, stripe_refund("re_overdue", "succeeded", days_ago=24, reference="ARN-OD-1")),
            event("refund.updated", 8, stripe_refund("re_reversal", "succeeded", days_ago=8, card_type="reversal")),
            event("refund.updated", 4, stripe_refund("re_reversed", "succeeded", days_ago=4, reference="ARN-RV-1")),
            event("refund.failed", 2, stripe_refund("re_reversed", "failed", days_ago=4, failure_reason="lost_or_stolen_card")),
            event("refund.updated", 1, stripe_refund("re_dup_a", "succeeded", reference="ARN-DA")),
            event("refund.updated", 1, stripe_refund("re_dup_b", "succeeded", reference="ARN-DB")),
            event("refund.updated", 2, stripe_refund("re_orphan", "succeeded", days_ago=2, reference="ARN-ORPH")),
        ])
        created = datetime.datetime.fromtimestamp(at(2), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        self.load("adyen", "adyen.csv",
                  "Psp Reference,Merchant Reference,Modification Reference,Type,Creation Date,TimeZone,"
                  "Gross Currency,Gross Debit (GC),Gross Credit (GC),Batch Number\n"
                  f"8816178952380553,ORD-1,8826179099990001,RefundedReversed,{created},UTC,EUR,,49.99,412\n")
        self.load("generic", "paypal.csv",
                  "provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,reference_type,"
                  "reference_status,created_at,updated_at\n"
                  f"paypal,PP-NOTCLEARED-1,PAY-1,not_cleared,4999,EUR,,,,{rfc3339(at(2))},{rfc3339(at(1))}\n")
        # checkout's data is three days old: its missing refund is unknown, not missing.
        self.load("generic", "checkout.csv",
                  "provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,reference_type,"
                  "reference_status,created_at,updated_at\n"
                  f"checkout,chk_other,PAY-2,succeeded,100,EUR,,,,{rfc3339(at(4))},{rfc3339(at(3))}\n",
                  taken_days_ago=3)

        logs = self.recon.once()
        expected = {prid: kinds for prid, (_, kinds) in plan.items() if kinds}
        expected.update({"re_dup_a": ["DUPLICATE_REFUND"], "re_dup_b": ["DUPLICATE_REFUND"],
                         "8826179099990001": ["REVERSED"], "PP-NOTCLEARED-1": ["NOT_CLEARED"],
                         "re_orphan": ["ORPHAN_AT_PROVIDER"]})
        # (chk_other, a refund of the stale provider that we never issued, is an orphan: not checked here.)
        ids = list(plan) + ["re_dup_a", "re_dup_b", "8826179099990001", "PP-NOTCLEARED-1", "re_orphan",
                            "chk_missing"]
        self.assertEqual(self.findings(ids), expected)
        self.assertEqual(self.findings(ids, "OPEN"), expected, "all open")
        pass_line = [l for l in logs if l.get("event") == "pass"][-1]
        self.assertGreaterEqual(pass_line["unknown"], 1, "the stale provider's refund was unknown")

        # What the agent and finance see.
        after = self.client.call("GetCase", pb.GetCaseRequest(name=cases["re_ok"].name))
        self.assertEqual(before.refunds[0].provider_status, pb.PROVIDER_STATUS_NOT_CHECKED)
        self.assertEqual(after.refunds[0].provider_status, pb.PROVIDER_STATUS_SUCCEEDED,
                         "the cached case was dropped when its refund's status changed")
        self.assertEqual(after.refunds[0].transfer_reference, "ARN-OK-1")
        failed = self.call_recon("ListFindings", rpb.ListFindingsRequest(kind=rpb.FINDING_KIND_FAILED,
                                                                         case=cases["re_failed"].name))
        self.assertEqual(len(failed.findings), 1)
        f = failed.findings[0]
        self.assertEqual(f.provider_refund_id, "re_failed")
        self.assertEqual(f.audience, rpb.AUDIENCE_CUSTOMER_AGENT)
        self.assertIn("expired_or_canceled_card", {e.value for e in f.evidence})
        self.assertTrue(f.suggested_action)
        self.assertTrue(f.refund.startswith(cases["re_failed"].name + "/refunds/"))
        runs = self.call_recon("ListRuns", rpb.ListRunsRequest(page_size=1))
        run = self.call_recon("GetRun", rpb.GetRunRequest(name=runs.runs[0].name))
        self.assertEqual(run.state, rpb.RUN_STATE_FINISHED)
        self.assertGreaterEqual(run.refunds_checked, len(ids) - 2)
        self.assertGreaterEqual({k.kind: k.opened for k in run.findings}.get(rpb.FINDING_KIND_FAILED, 0), 1)
        self.assertIn("EUR", {t.currency for t in run.amounts})
        with self.assertRaises(grpc.RpcError) as ctx:
            self.call_recon("ListRuns", rpb.ListRunsRequest(), who="alice")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

        # A second pass changes nothing.
        snapshot = self.db.sql("SELECT id, state, updated_at, evidence::text FROM findings ORDER BY id")
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        self.assertEqual(self.db.sql("SELECT id, state, updated_at, evidence::text FROM findings ORDER BY id"),
                         snapshot)
        runs = self.call_recon("ListRuns", rpb.ListRunsRequest(page_size=1))
        self.assertEqual([(k.opened, k.closed) for k in runs.runs[0].findings if k.opened or k.closed], [])
        # It counted every check, and rewrote no refund whose provider view stayed the same.
        ok_id = f"(SELECT id FROM refunds WHERE provider_refund_id = 're_ok')"
        self.assertEqual(self.db.scalar(f"SELECT checks FROM refund_checks WHERE refund_id = {ok_id}"), "2")
        self.assertEqual(self.db.scalar(f"SELECT observed_at < (SELECT checked_at FROM refund_checks"
                                        f" WHERE refund_id = {ok_id}) FROM refunds WHERE id = {ok_id}"), "t")
        # A refund with a timeline cannot be deleted, as when provider_observations had a foreign key.
        with self.assertRaisesRegex(RuntimeError, "provider_observations"):
            self.db.sql(f"DELETE FROM refunds WHERE id = {ok_id}")
        # Nor all of them at once (a TRUNCATE fires no row trigger: migration 0014).
        with self.assertRaisesRegex(RuntimeError, "truncate provider_observations first"):
            self.db.sql("TRUNCATE refunds CASCADE")
        self.assertEqual(self.db.scalar(f"SELECT count(*) FROM refunds WHERE id = {ok_id}"), "1")

        # The provider says the stuck refund went out: its finding closes with the reason.
        self.load_events("stuck-done.ndjson", [
            event("refund.updated", 0, stripe_refund("re_stuck", "succeeded", days_ago=11, reference="ARN-ST-1"))])
        # The customer confirms the overdue refund arrived.
        od = cases["re_overdue"]
        self.client.call("ConfirmRefundReceived", pb.ConfirmRefundReceivedRequest(
            request_id=rid(), name=od.name, note="seen on the statement"), who="alice")
        self.db.sql("UPDATE refund_checks SET next_check_at = now() - interval '1 second'")
        self.recon.once()
        closed = self.db.sql("SELECT provider_refund_id, kind, close_reason FROM findings WHERE state = 'CLOSED'"
                             " AND provider_refund_id IN ('re_stuck', 're_overdue') ORDER BY 1")
        self.assertEqual([(r[0], r[1]) for r in closed], [("re_overdue", "OVERDUE_AT_CUSTOMER"),
                                                         ("re_stuck", "STUCK_PENDING")])
        self.assertTrue(all(r[2] for r in closed), closed)
        self.assertEqual(self.findings(["re_stuck", "re_overdue"], "OPEN"), {})
        done = self.client.call("GetCase", pb.GetCaseRequest(name=od.name))
        self.assertEqual(done.state, pb.CASE_STATE_AWAITING_FOLLOW_UP)
        self.assertTrue(done.refunds[0].HasField("receipt_confirm_time"))

        # Recording the orphan after all closes its finding.
        orphan_case = self.approved_case()
        self.issue(orphan_case, "stripe", "re_orphan", days_ago=2)
        self.assertEqual(self.findings(["re_orphan"], "OPEN"), {})
        del adyen_case, paypal_case, stale_case

    def test_a_refund_checked_before_its_providers_data_is_checked_again_when_it_is_loaded(self):
        # The payments system records two refunds; the reconciler checks them before their records arrive:
        # Stripe's data (current now) lacks the first, and no data of "other" was ever loaded.
        early = self.issue(self.approved_case(), "stripe", "re_beforedata", days_ago=0)
        self.issue(self.approved_case(), "stripe", "re_beforedata_2", days_ago=0)
        blind = self.issue(self.approved_case(provider="other"), "other", "oth_beforedata", days_ago=0)
        self.load_events("stripe-before.ndjson", [
            event("refund.updated", 0, stripe_refund("re_beforedata_neighbour", "pending", days_ago=0))])
        self.recon.once()
        state = ("SELECT r.provider_refund_id, r.observed_status, k.awaiting, k.checks,"
                 " k.next_check_at > now() + interval '10 minutes' FROM refunds r"
                 " JOIN refund_checks k ON k.refund_id = r.id"
                 " WHERE r.provider_refund_id IN ('re_beforedata', 're_beforedata_2', 'oth_beforedata')"
                 " ORDER BY 1")
        waiting = [["oth_beforedata", "UNKNOWN", "other", "1", "t"], ["re_beforedata", "NOT_FOUND", "stripe", "1", "t"],
                   ["re_beforedata_2", "NOT_FOUND", "stripe", "1", "t"]]
        self.assertEqual(self.db.sql(state), waiting, "checked once, next in 15 minutes or an hour")
        # A pass with no new data does not check them again.
        logs = self.recon.once()
        self.assertEqual(self.db.sql(state), waiting)
        self.assertFalse([l for l in logs if l.get("event") == "woken"
                          and l["provider"] in ("stripe", "other")], logs)

        # Their records arrive: the next pass checks both at once against them.
        self.load_events("stripe-after.ndjson", [
            event("refund.updated", 0, stripe_refund("re_beforedata", "succeeded", days_ago=0, reference="ARN-BEFOREDATA")),
            event("refund.updated", 0, stripe_refund("re_beforedata_2", "pending", days_ago=0))])
        self.load("generic", "other.csv",
                  "provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,reference_type,"
                  "reference_status,created_at,updated_at\n"
                  f"other,oth_beforedata,PAY-9,pending,4999,EUR,,,,{rfc3339(at(0))},{rfc3339(at(0))}\n")
        logs = self.recon.once(REFUNDS_RECON_WAKE_CHUNK=1)  # one statement per refund woken
        self.assertEqual(self.db.sql(state), [["oth_beforedata", "PENDING", "", "2", "t"],
                                              ["re_beforedata", "SUCCEEDED", "", "2", "t"],
                                              ["re_beforedata_2", "PENDING", "", "2", "t"]])
        woken = {l["provider"]: l["refunds"] for l in logs if l.get("event") == "woken"}
        self.assertGreaterEqual(woken.get("stripe", 0), 2, logs)
        self.assertGreaterEqual(woken.get("other", 0), 1, logs)
        # The run says so too, for finance.
        run = self.call_recon("ListRuns", rpb.ListRunsRequest(page_size=1)).runs[0]
        self.assertEqual(run.refunds_woken, sum(woken.values()))
        self.assertEqual([l["woken"] for l in logs if l.get("event") == "pass"], [run.refunds_woken])
        got = self.client.call("GetCase", pb.GetCaseRequest(name=early.name))
        self.assertEqual(got.refunds[0].provider_status, pb.PROVIDER_STATUS_SUCCEEDED)
        self.assertEqual(got.refunds[0].transfer_reference, "ARN-BEFOREDATA")
        got = self.client.call("GetCase", pb.GetCaseRequest(name=blind.name))
        self.assertEqual(got.refunds[0].provider_status, pb.PROVIDER_STATUS_PENDING)

    def test_the_daemon_checks_a_refund_in_the_pass_after_its_record_is_loaded(self):
        self.load_events("stripe-daemon-before.ndjson", [
            event("refund.updated", 0, stripe_refund("re_daemon_neighbour", "pending", days_ago=0))])
        case = self.issue(self.approved_case(), "stripe", "re_daemon", days_ago=0)
        proc = self.recon.start(REFUNDS_RECONCILE_INTERVAL_S=1)
        try:
            status = "SELECT observed_status FROM refunds WHERE provider_refund_id = 're_daemon'"
            wait_for(lambda: self.db.scalar(status) == "NOT_FOUND", 30, "the first check: not found")
            self.load_events("stripe-daemon-after.ndjson", [
                event("refund.updated", 0, stripe_refund("re_daemon", "succeeded", days_ago=0, reference="ARN-DMN"))])
            # Its next check was an hour away; the pass after the load checks it.
            wait_for(lambda: self.db.scalar(status) == "SUCCEEDED", 30, "the check after the load")
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(30)
        self.assertEqual(code, 0, read(proc.log_path)[-3000:])
        self.assertIn('"event":"woken","provider":"stripe"', read(proc.log_path))
        got = self.client.call("GetCase", pb.GetCaseRequest(name=case.name))
        self.assertEqual(got.refunds[0].transfer_reference, "ARN-DMN")

    def test_the_same_provider_refund_twice_is_one_refund(self):
        c = self.approved_case()
        first = self.issue(c, "stripe", "re_twice")
        again = self.issue(c, "stripe", "re_twice")
        self.assertEqual(len(again.refunds), 1)
        self.assertEqual(again.etag, first.etag, "nothing changed")
        other = self.approved_case()
        with self.assertRaises(grpc.RpcError) as ctx:
            self.issue(other, "stripe", "re_twice")
        self.assertStatus(ctx, grpc.StatusCode.ALREADY_EXISTS, "re_twice")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.issue(c, "stripe", "re_twice", amount=100)
        self.assertStatus(ctx, grpc.StatusCode.ALREADY_EXISTS, "another amount")

    def test_a_refund_is_recorded_only_for_an_approved_case_and_marked_when_over(self):
        c = self.client.call("OpenCase", open_request())
        with self.assertRaises(grpc.RpcError) as ctx:
            self.issue(c, "stripe", "re_early")
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "OPEN")
        approved = self.approved_case(amount=5000)
        r1 = self.issue(approved, "stripe", "re_part_1", amount=3000)
        self.assertFalse(r1.refunds[0].exceeds_approved)
        r2 = self.issue(approved, "stripe", "re_part_2", amount=2000)
        self.assertFalse(r2.refunds[1].exceeds_approved, "5000 of 5000 is not over")
        r3 = self.issue(approved, "stripe", "re_part_3", amount=1)
        self.assertTrue(r3.refunds[2].exceeds_approved)
        r4 = self.issue(approved, "stripe", "re_part_usd", amount=100, currency="USD")
        self.assertTrue(r4.refunds[3].currency_differs)
        self.assertEqual(len(r4.refunds), 4)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
                request_id=rid(), name=approved.name, provider="stripe", provider_refund_id="x",
                amount=cpb.Money(amount_minor=1, currency="EUR"), issue_time=ts(0)), who="alice")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
                request_id=rid(), name=approved.name, provider="venmo", provider_refund_id="",
                amount=cpb.Money(amount_minor=0, currency="EUR")), who="payments")
        v = harness.violations(ctx.exception)
        self.assertEqual(sorted(v), ["amount.amount_minor", "issue_time", "provider", "provider_refund_id"])


def bulk_refunds(db, n, prefix, issued_days_ago=3):
    """n refunds of n cases straight in SQL (REFUND_IN_PROGRESS, stripe, EUR 50, due now), as
    RecordRefundIssued writes them: each with its refund_checks row."""
    db.sql(f"""
        WITH c AS (
          INSERT INTO cases (id, state, version, channel, acknowledged_at, customer_name, customer_email,
            customer_language, order_id, product_sku, product_name, product_category, purchased_at, currency,
            amount_paid_minor, requested_minor, payment_method, reason_code, opened_by, assignee,
            created_at, updated_at, audit_seq, audit_head, refunded_minor)
          SELECT gen_random_uuid(), 'REFUND_IN_PROGRESS', 1, 'EMAIL', now(), 'Bulk', 'bulk' || g || '@example.com',
            'en', 'ORD-' || g, 'SKU', 'Thing', 'kitchen', now() - interval '40 days', 'EUR', 5000, 5000, 'CARD',
            'DEFECTIVE', 'alice', 'alice', now(), now(), 0, decode(repeat('00', 32), 'hex'), 5000
          FROM generate_series(1, {n}) g RETURNING id, order_id),
        r AS (
          INSERT INTO refunds (id, case_id, provider, provider_refund_id, amount_minor, currency, payment_method,
            case_currency, approved_minor, issued_at, recorded_at, recorded_by, exceeds_approved, currency_differs)
          SELECT gen_random_uuid(), c.id, 'stripe', '{prefix}' || substr(c.order_id, 5), 5000, 'EUR', 'card', 'EUR',
            5000, now() - interval '{issued_days_ago} days', now(), 'payments', false, false
          FROM c RETURNING id)
        INSERT INTO refund_checks (refund_id, next_check_at) SELECT id, now() - interval '1 second' FROM r""")


def bulk_records(n, prefix, path):
    """The provider's side: every 4th refund missing, every 5th (else) failed, the rest succeeded with an ARN."""
    expected = {"NOT_FOUND_AT_PROVIDER": 0, "FAILED": 0}
    with open(path, "w") as f:
        f.write("provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,reference_type,"
                "reference_status,created_at,updated_at,failure_reason\n")
        for g in range(1, n + 1):
            if g % 4 == 0:
                expected["NOT_FOUND_AT_PROVIDER"] += 1
                continue
            status, ref, fail = "succeeded", f"ARN{g:08d}", ""
            if g % 5 == 0:
                status, ref, fail = "failed", "", "declined"
                expected["FAILED"] += 1
            f.write(f"stripe,{prefix}{g},pay_{g},{status},5000,EUR,{ref},{'acquirer_reference_number' if ref else ''},"
                    f"{'available' if ref else ''},{rfc3339(at(2))},{rfc3339(at(1))},{fail}\n")
    return expected


class ReconcileFaults(unittest.TestCase):
    """Crashes, Redis gone and concurrent reconcilers, on a few thousand refunds made in SQL."""

    N = 4000

    def setUp(self):
        self.cluster = harness.require_cluster()
        harness.require_redis()
        self.db = harness.Database(self.cluster)
        self.redis = harness.RedisServer()
        self.tmp = tempfile.mkdtemp(prefix="reconcile-faults-")
        self.prefix = "re_b" + rid()[:6] + "_"
        bulk_refunds(self.db, self.N, self.prefix)
        self.expected = bulk_records(self.N, self.prefix, os.path.join(self.tmp, "records.csv"))
        p = subprocess.run([LOADER, "--format", "generic", "--taken-at", rfc3339(at(0)),
                            os.path.join(self.tmp, "records.csv")], capture_output=True, text=True,
                           env=dict(os.environ, REFUNDS_REDIS_URL=self.redis.url))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.recon = Reconciler(self.db.url, self.redis.url, REFUNDS_RECON_BATCH=1000)

    def tearDown(self):
        self.redis.stop()
        self.db.drop()

    def kinds(self):
        return {k: int(n) for k, n in self.db.sql("SELECT kind, count(*) FROM findings GROUP BY kind")}

    def assert_one_pass_worth(self):
        self.assertEqual(self.kinds(), self.expected)
        dup = self.db.scalar("SELECT count(*) FROM (SELECT provider_refund_id, kind FROM findings"
                             " GROUP BY 1, 2 HAVING count(*) > 1) d")
        self.assertEqual(dup, "0", "a finding opened twice")
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks = 0"), "0", "a refund unchecked")

    def test_an_uninterrupted_pass_finds_exactly_the_expected(self):
        self.recon.once()
        self.assert_one_pass_worth()
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks <> 1"), "0")

    def test_sigkill_mid_pass_then_a_pass_ends_as_an_uninterrupted_one(self):
        proc = self.recon.start("--once", REFUNDS_RECON_TEST_BATCH_DELAY_MS=2000)
        wait_for(lambda: int(self.db.scalar("SELECT coalesce(sum(batches), 0) FROM reconciliation_runs")) >= 1,
                 30, "the first batch to commit")
        proc.kill()
        proc.wait(10)
        checked = int(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks > 0"))
        self.assertGreater(checked, 0)
        self.assertLess(checked, self.N, "the pass was not cut short")
        self.recon.once()
        self.assert_one_pass_worth()
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks <> 1"), "0",
                         "a refund of the killed pass's committed batches was checked again, or one was lost")

    def test_redis_gone_mid_pass_writes_no_finding_and_the_pass_completes_after(self):
        proc = self.recon.start("--once", REFUNDS_RECON_TEST_BATCH_DELAY_MS=1500)
        wait_for(lambda: int(self.db.scalar("SELECT coalesce(sum(batches), 0) FROM reconciliation_runs")) >= 1,
                 30, "the first batch to commit")
        os.kill(self.redis.proc.pid, signal.SIGSTOP)  # gone: no answer at all
        try:
            time.sleep(3)
            mid = self.kinds()
            logs = read(proc.log_path)
        finally:
            os.kill(self.redis.proc.pid, signal.SIGCONT)
        self.assertIn('"event":"retry"', logs, "the reconciler did not notice Redis was gone")
        self.assertLessEqual(sum(mid.values()), sum(self.expected.values()))
        self.assertEqual(proc.wait(120), 0, read(proc.log_path)[-3000:])
        self.assert_one_pass_worth()

    def test_sigterm_stops_the_daemon_after_its_batch_and_the_next_pass_ends_the_work(self):
        proc = self.recon.start(REFUNDS_RECONCILE_INTERVAL_S=1, REFUNDS_RECON_TEST_BATCH_DELAY_MS=1500)
        wait_for(lambda: int(self.db.scalar("SELECT coalesce(sum(batches), 0) FROM reconciliation_runs")) >= 1,
                 30, "the first batch to commit")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(30), 0, read(proc.log_path)[-3000:])
        run = self.db.sql("SELECT state, batches, refunds_checked FROM reconciliation_runs")
        self.assertEqual(len(run), 1, run)
        state, batches, checked = run[0]
        self.assertEqual(state, "ABANDONED", "a pass cut short by a stop")
        self.assertLess(int(checked), self.N, "the pass was not cut short")
        # Every batch it began it finished: what it counted is exactly what was checked, in whole batches.
        self.assertEqual(int(checked), int(batches) * 1000)
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks > 0"), checked)
        self.recon.once()
        self.assert_one_pass_worth()
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks <> 1"), "0")

    def test_four_threads_share_a_pass_and_check_each_refund_once(self):
        logs = self.recon.once(REFUNDS_RECON_THREADS=4)
        self.assert_one_pass_worth()
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks <> 1"), "0")
        self.assertEqual(self.db.scalar("SELECT sum(refunds_checked) FROM reconciliation_runs"), str(self.N))
        self.assertEqual(self.db.scalar("SELECT count(*) FROM reconciliation_runs"), "1", "one run for the threads")
        pass_line = [l for l in logs if l.get("event") == "pass"][-1]
        self.assertEqual(pass_line["checked"], self.N)
        self.assertEqual(pass_line["provider_scanned"], self.N - self.expected["NOT_FOUND_AT_PROVIDER"],
                         "the threads shared the day index, each id read once")

    def test_two_reconcilers_share_a_pass_and_check_each_refund_once(self):
        a = self.recon.start("--once", REFUNDS_RECON_WORKER="a")
        b = self.recon.start("--once", REFUNDS_RECON_WORKER="b")
        self.assertEqual(a.wait(120), 0, read(a.log_path)[-2000:])
        self.assertEqual(b.wait(120), 0, read(b.log_path)[-2000:])
        self.assert_one_pass_worth()
        self.assertEqual(self.db.scalar("SELECT count(*) FROM refund_checks WHERE checks <> 1"), "0")
        self.assertEqual(self.db.scalar("SELECT sum(refunds_checked) FROM reconciliation_runs"), str(self.N))


if __name__ == "__main__":
    main()
