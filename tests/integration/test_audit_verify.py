#!/usr/bin/env python3
"""VerifyAuditChain and the signed audit checkpoints, through Debian's
python3-grpcio and refundctl against a real refundsd and PostgreSQL. Cases
are made through the API; refundsd takes a checkpoint every second
(REFUNDS_AUDIT_CHECKPOINT_INTERVAL_S=1); then, as the database's superuser
(who must first disable the append-only triggers), a test changes an event,
deletes one from the middle, swaps two hashes, rewrites a chain with correct
hashes, deletes a whole case, or edits, forges and removes a checkpoint, and
the verification must name the case, the event and the kind of fault. The
checkpoint's hashes and signature are recomputed here from docs/audit.md."""

import hashlib
import hmac
import json
import os
import subprocess
import time

import grpc
from google.protobuf import timestamp_pb2

from harness import REFUNDCTL, ServerTest, cpb, main, pb, rid, ts, wait_for
from refunds.v1 import reconciliation_pb2 as rpb

RECON = "refunds.v1.Reconciliation"
KIND = rpb.AuditFaultKind


def netstring(b):
    b = b if isinstance(b, bytes) else str(b).encode()
    return str(len(b)).encode() + b":" + b + b","


def chain_hash(prev, row):
    """docs/audit.md's event hash, as in test_lifecycle.py."""
    h = hashlib.sha256(prev)
    for field in ("refunds.audit.v1",) + tuple(row):
        h.update(netstring(field))
    return h.digest()


def heads_hash(heads):
    """docs/audit.md's hash of a checkpoint's heads: (case_id, seq, head bytes) in case id order."""
    h = hashlib.sha256(netstring("refunds.audit.heads.v1"))
    for case_id, seq, head in heads:
        h.update(netstring(case_id) + netstring(seq) + netstring(head))
    return h.digest()


def checkpoint_hash(ck_id, taken_us, n_heads, prev, hh):
    h = hashlib.sha256()
    for field in ("refunds.audit.checkpoint.v1", ck_id, taken_us, n_heads, prev, hh):
        h.update(netstring(field))
    return h.digest()


def now_ts():
    t = timestamp_pb2.Timestamp()
    t.FromNanoseconds(time.time_ns())
    return t


class Base(ServerTest):
    server_env = {"REFUNDS_AUDIT_CHECKPOINT_INTERVAL_S": "1"}

    def verify(self, who="erin", **kw):
        f = self.client.channel.unary_unary(
            f"/{RECON}/VerifyAuditChain", request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=rpb.VerifyAuditChainResponse.FromString)
        md = [("authorization", "Bearer " + self.client.token(who))]
        return f(rpb.VerifyAuditChainRequest(**kw), metadata=md, timeout=20)

    def verify_range(self, start, page_size=0):
        """Every page of the range from start: (last page, every fault, every page)."""
        pages, faults, token = [], [], ""
        while True:
            page = self.verify(start_time=start, page_size=page_size, page_token=token)
            pages.append(page)
            faults.extend(page.faults)
            token = page.next_page_token
            if not token:
                return page, faults, pages
            self.assertLess(len(pages), 1000, "the pages never end")

    def make_case(self):
        """A case with four events (open, note, escalate, approve); returns its id."""
        c = self.open_case()
        c = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE,
            summary="Checked the order history."), who="bob")
        c = self.decide(self.escalate(c))
        self.assertEqual(c.state, pb.CASE_STATE_APPROVED)
        return c.name[6:]

    def wait_checkpointed(self, *ids):
        inlist = ",".join(f"'{i}'" for i in ids)
        wait_for(lambda: self.db.scalar(
            f"SELECT count(*) FROM cases WHERE id IN ({inlist}) AND audit_seq <> audit_checkpointed_seq") == "0",
            15, "a checkpoint of the new cases")

    def as_owner(self, table, *statements):
        """Runs statements as the superuser with table's append-only triggers off."""
        self.db.sql(f"ALTER TABLE {table} DISABLE TRIGGER USER; " + "; ".join(statements)
                    + f"; ALTER TABLE {table} ENABLE TRIGGER USER")

    def assertFaults(self, faults, *want):
        """faults are exactly want, each (kind, case id or "", seq, checkpoint name or ""), in any order."""
        got = [(f.kind, f.case[6:], f.seq, f.checkpoint) for f in faults]
        self.assertEqual(sorted(got), sorted(want), "\n".join(str(f) for f in faults))

    def assertChainFaults(self, faults, case_id, *want):
        """The faults the chains showed are exactly want; those the checkpoints showed (an
        earlier head of the case may have been recorded between its events) are about case_id."""
        self.assertFaults([f for f in faults if not f.checkpoint], *want)
        for f in faults:
            if f.checkpoint:
                self.assertEqual(f.case[6:], case_id, f)

    def head_checkpoint(self, case_id):
        """The newest checkpoint that recorded a head of the case."""
        return int(self.db.scalar(f"SELECT max(checkpoint_id) FROM audit_checkpoint_heads WHERE case_id = '{case_id}'"))


class AuditVerify(Base):
    def test_untouched_chains_and_checkpoints_verify_and_hash_as_documented(self):
        start = now_ts()
        ids = [self.make_case() for _ in range(3)]
        self.wait_checkpointed(*ids)
        for case_id in ids:
            r = self.verify(case=f"cases/{case_id}")
            self.assertEqual(list(r.faults), [])
            self.assertEqual((r.cases_checked, r.events_checked, r.faults_found), (1, 4, 0))
            self.assertGreaterEqual(r.checkpoints_checked, 1)
            self.assertGreaterEqual(r.heads_checked, 1)
            self.assertRegex(r.latest_checkpoint, r"^checkpoints/\d+$")
        last, faults, _ = self.verify_range(start)
        self.assertEqual(faults, [])
        self.assertEqual((last.cases_checked, last.events_checked, last.faults_found), (3, 12, 0))
        self.assertGreaterEqual(last.heads_checked, 3)

        # Every stored checkpoint, recomputed here from the rows and the server's key.
        with open(self.server.key_file) as f:
            key = hmac.new(bytes.fromhex(f.read().strip()), b"audit-checkpoint", hashlib.sha256).digest()
        prev = bytes(32)
        rows = self.db.sql("SELECT id, (extract(epoch FROM taken_at) * 1000000)::bigint, n_heads,"
                           " encode(prev_hash, 'hex'), encode(heads_hash, 'hex'), encode(hash, 'hex'),"
                           " encode(signature, 'hex') FROM audit_checkpoints ORDER BY id")
        self.assertGreaterEqual(len(rows), 1)
        for i, (ck_id, taken_us, n_heads, prev_hex, hh_hex, hash_hex, sig_hex) in enumerate(rows):
            self.assertEqual(int(ck_id), i + 1, "checkpoint ids run without gaps")
            heads = [(c, s, bytes.fromhex(h)) for c, s, h in self.db.sql(
                f"SELECT case_id, seq, encode(head, 'hex') FROM audit_checkpoint_heads"
                f" WHERE checkpoint_id = {ck_id} ORDER BY case_id")]
            self.assertEqual(len(heads), int(n_heads))
            self.assertEqual(prev_hex, prev.hex())
            self.assertEqual(hh_hex, heads_hash(heads).hex())
            h = checkpoint_hash(ck_id, taken_us, n_heads, prev, heads_hash(heads))
            self.assertEqual(hash_hex, h.hex())
            self.assertEqual(sig_hex, hmac.new(key, h, hashlib.sha256).hexdigest())
            prev = h
        self.assertEqual(last.latest_checkpoint, f"checkpoints/{rows[-1][0]}")
        self.assertEqual(last.latest_checkpoint_hash, prev.hex())
        for case_id in ids:
            seq, head = self.db.sql(f"SELECT audit_seq, encode(audit_head, 'hex') FROM cases WHERE id = '{case_id}'")[0]
            self.assertIn([seq, head], self.db.sql(
                f"SELECT seq::text, encode(head, 'hex') FROM audit_checkpoint_heads WHERE case_id = '{case_id}'"))

    def test_every_kind_of_change_chains_so_that_it_verifies(self):
        case_id = self.make_case()
        c = self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
            request_id=rid(), name=f"cases/{case_id}", provider="stripe", provider_refund_id="re_audit",
            provider_payment_id="pi_123", amount=cpb.Money(amount_minor=4999, currency="EUR"),
            issue_time=ts(60)), who="payments")
        c = self.client.call("ConfirmRefundReceived", pb.ConfirmRefundReceivedRequest(
            request_id=rid(), name=c.name, note="on the statement"), who="alice")
        w = self.open_case()
        w = self.client.call("WithdrawCase", pb.WithdrawCaseRequest(
            request_id=rid(), name=w.name, etag=w.etag, reason="Found the receipt"))
        self.wait_checkpointed(case_id, w.name[6:])
        # The confirmation is two events: the money arrived, then its satisfaction follow-up opened.
        for name, events in ((c.name, 7), (w.name, 2)):
            r = self.verify(case=name)
            self.assertEqual(list(r.faults), [], name)
            self.assertEqual(r.events_checked, events, name)

    def tamper(self, statement):
        """Makes a case, waits for its checkpoint, runs statement (with {case} for its id) on
        audit_events as the superuser; returns the case's id, the reply of its verification,
        and the last page and every fault of the verification of the range since before it."""
        start = now_ts()
        case_id = self.make_case()
        self.wait_checkpointed(case_id)
        self.as_owner("audit_events", statement.format(case=case_id))
        by_case = self.verify(case=f"cases/{case_id}")
        last, faults, _ = self.verify_range(start)
        return case_id, by_case, last, faults

    def test_a_modified_event_is_found_with_its_case_and_seq(self):
        case_id, r, last, faults = self.tamper(
            "UPDATE audit_events SET actor = 'mallory' WHERE case_id = '{case}' AND seq = 2")
        # The stored hashes are untouched, so the checkpoints' heads still match: the chain shows it.
        self.assertFaults(r.faults, (KIND.AUDIT_FAULT_KIND_MODIFIED, case_id, 2, ""))
        self.assertIn("event 2", r.faults[0].message)
        self.assertEqual(r.faults_found, 1)
        self.assertFaults(faults, (KIND.AUDIT_FAULT_KIND_MODIFIED, case_id, 2, ""))
        self.assertEqual((last.cases_checked, last.faults_found), (1, 1))

    def test_a_deleted_middle_event_is_found_as_removed(self):
        case_id, r, _, faults = self.tamper("DELETE FROM audit_events WHERE case_id = '{case}' AND seq = 2")
        self.assertChainFaults(r.faults, case_id, (KIND.AUDIT_FAULT_KIND_REMOVED, case_id, 2, ""))
        self.assertIn("event 2 is missing", [f.message for f in r.faults if not f.checkpoint][0])
        self.assertChainFaults(faults, case_id, (KIND.AUDIT_FAULT_KIND_REMOVED, case_id, 2, ""))

    def test_the_last_event_deleted_is_found_by_the_case_head(self):
        case_id, r, _, _ = self.tamper("DELETE FROM audit_events WHERE case_id = '{case}' AND seq = 4")
        # The chain ends before its head; the checkpoint misses event 4 too.
        self.assertFaults(r.faults, (KIND.AUDIT_FAULT_KIND_REMOVED, case_id, 4, ""),
                          (KIND.AUDIT_FAULT_KIND_REMOVED, case_id, 4, f"checkpoints/{self.head_checkpoint(case_id)}"))

    def test_swapped_hashes_are_found_as_reordered(self):
        case_id, r, _, faults = self.tamper(
            "UPDATE audit_events e SET hash = o.hash FROM audit_events o WHERE e.case_id = '{case}'"
            " AND o.case_id = e.case_id AND e.seq IN (2, 3) AND o.seq = 5 - e.seq")
        self.assertChainFaults(r.faults, case_id, (KIND.AUDIT_FAULT_KIND_REORDERED, case_id, 2, ""))
        self.assertIn("event 3", [f.message for f in r.faults if not f.checkpoint][0])
        self.assertChainFaults(faults, case_id, (KIND.AUDIT_FAULT_KIND_REORDERED, case_id, 2, ""))

    def test_a_chain_rewritten_with_right_hashes_is_caught_by_the_checkpoint(self):
        case_id = self.make_case()
        self.wait_checkpointed(case_id)
        rows = self.db.sql(
            "SELECT case_id, seq, (extract(epoch FROM occurred_at) * 1000000)::bigint, actor, actor_role,"
            f" method, old_state, new_state, request_id FROM audit_events WHERE case_id = '{case_id}' ORDER BY seq")
        rows[1][3] = "mallory"
        prev, statements = bytes(32), []
        for row in rows:
            h = chain_hash(prev, row)
            statements.append(f"UPDATE audit_events SET actor = '{row[3]}', prev_hash = '\\x{prev.hex()}',"
                              f" hash = '\\x{h.hex()}' WHERE case_id = '{case_id}' AND seq = {row[1]}")
            prev = h
        self.as_owner("audit_events", *statements)
        self.db.sql(f"UPDATE cases SET audit_head = '\\x{prev.hex()}' WHERE id = '{case_id}'")
        r = self.verify(case=f"cases/{case_id}")
        # The chain verifies; the oldest recorded head of the case at or after event 2 does not.
        first = self.db.sql(f"SELECT checkpoint_id, seq FROM audit_checkpoint_heads WHERE case_id = '{case_id}'"
                            " AND seq >= 2 ORDER BY checkpoint_id LIMIT 1")[0]
        self.assertFaults(r.faults, (KIND.AUDIT_FAULT_KIND_MODIFIED, case_id, int(first[1]), f"checkpoints/{first[0]}"))
        self.assertIn("not the one checkpoint", r.faults[0].message)

    def test_a_deleted_case_is_found_through_the_checkpoints(self):
        start = now_ts()
        gone, kept = self.make_case(), self.make_case()
        self.wait_checkpointed(gone, kept)
        checkpoint = self.head_checkpoint(gone)
        self.as_owner("audit_events", f"DELETE FROM audit_events WHERE case_id = '{gone}'")
        self.db.sql("; ".join(f"DELETE FROM {table} WHERE case_id = '{gone}'"
                              for table in ("interactions", "approvals", "findings", "refunds"))
                    + f"; DELETE FROM cases WHERE id = '{gone}'")
        r = self.verify(case=f"cases/{gone}")
        self.assertFaults(r.faults, (KIND.AUDIT_FAULT_KIND_REMOVED_CASE, gone, 4, f"checkpoints/{checkpoint}"))
        self.assertEqual(r.cases_checked, 0)
        last, faults, _ = self.verify_range(start)
        self.assertFaults(faults, (KIND.AUDIT_FAULT_KIND_REMOVED_CASE, gone, 4, f"checkpoints/{checkpoint}"))
        self.assertEqual(last.cases_checked, 1, "the kept case")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.verify(case="cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc")
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, "does not exist")

    def test_a_range_is_paged_and_carries_its_totals(self):
        start = now_ts()
        ids = [self.make_case() for _ in range(5)]
        self.wait_checkpointed(*ids)
        last, faults, pages = self.verify_range(start, page_size=2)
        self.assertEqual(faults, [])
        self.assertGreaterEqual(len(pages), 3)
        self.assertEqual([p.cases_checked for p in pages[:3]], [2, 4, 5])
        self.assertEqual((last.cases_checked, last.events_checked), (5, 20))
        self.assertGreaterEqual(last.heads_checked, 5)
        # A token belongs to its range.
        with self.assertRaises(grpc.RpcError) as ctx:
            self.verify(start_time=now_ts(), page_token=pages[0].next_page_token)
        self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, "page_token")

    def test_only_finance_and_admin_may_verify(self):
        case_id = self.make_case()
        self.assertEqual(self.verify(case=f"cases/{case_id}", who="grace").cases_checked, 1)
        for who in ("alice", "carol", "shop"):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.verify(case=f"cases/{case_id}", who=who)
            self.assertStatus(ctx, grpc.StatusCode.PERMISSION_DENIED)

    def test_bad_requests_are_refused_naming_the_field(self):
        for req, field in ((dict(case="0190f5c2-3a4b-7c8d-9e0f-123456789abc"), "case"),
                           (dict(case="cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc", start_time=now_ts()), "case"),
                           (dict(start_time=now_ts(), end_time=timestamp_pb2.Timestamp(seconds=1)), "end_time"),
                           (dict(page_token="AAAA"), "page_token"),
                           (dict(page_size=-1), "page_size")):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.verify(**req)
            self.assertStatus(ctx, grpc.StatusCode.INVALID_ARGUMENT, field)

    def test_checkpoints_are_append_only(self):
        case_id = self.make_case()
        self.wait_checkpointed(case_id)
        for sql in ("UPDATE audit_checkpoints SET n_heads = 0", "DELETE FROM audit_checkpoint_heads",
                    "TRUNCATE audit_checkpoints CASCADE"):
            with self.assertRaises(RuntimeError) as ctx:
                self.db.sql(sql, role="refunds_service")
            self.assertIn("permission denied", str(ctx.exception))
            with self.assertRaises(RuntimeError) as ctx:
                self.db.sql(sql, role="refunds_owner")
            self.assertIn("append-only", str(ctx.exception))

    def ctl(self, *args, expect=0):
        env = dict(os.environ, REFUNDS_GRPC_ADDR=self.server.addr, REFUNDS_TOKEN=self.client.token("erin"))
        out = subprocess.run([REFUNDCTL, *args], capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, expect, f"refundctl {' '.join(args)}\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def test_refundctl_audit_verify_prints_a_table_or_json_and_exits_1_on_faults(self):
        ns = time.time_ns()
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + ".%06dZ" % (ns // 1000 % 10**6)
        good, bad = self.make_case(), self.make_case()
        self.wait_checkpointed(good, bad)
        shown = self.ctl("audit", "verify", "--case", f"cases/{good}")
        self.assertIn("Cases checked    1 (4 events)", shown)
        self.assertIn("Every chain and checkpoint verifies.", shown)
        self.assertRegex(shown, r"Last checkpoint  checkpoints/\d+, hash [0-9a-f]{64}")

        self.as_owner("audit_events",
                      f"UPDATE audit_events SET request_id = 'forged' WHERE case_id = '{bad}' AND seq = 3")
        shown = self.ctl("audit", "verify", "--case", f"cases/{bad}", expect=1)
        self.assertRegex(shown, r"FAULT +CASE +SEQ +CHECKPOINT +WHAT")
        self.assertRegex(shown, rf"modified +{bad} +3 +- +event 3 does not hash")
        self.assertIn("Faults           1", shown)
        data = json.loads(self.ctl("--json", "audit", "verify", "--case", f"cases/{bad}", expect=1))
        self.assertEqual(data["faultsFound"], "1")
        self.assertEqual(data["faults"][0], {"kind": "AUDIT_FAULT_KIND_MODIFIED", "case": f"cases/{bad}", "seq": 3,
                                             "message": data["faults"][0]["message"]})

        # A range, one case per page, gathered with --all: every page's faults, the last page's totals.
        data = json.loads(self.ctl("--json", "audit", "verify", "--from", since, "--page-size", "1", "--all", expect=1))
        self.assertEqual((data["casesChecked"], data["eventsChecked"], data["faultsFound"]), ("2", "8", "1"))
        self.assertEqual([f["case"] for f in data["faults"]], [f"cases/{bad}"])
        self.assertNotIn("nextPageToken", data)
        # Its first page holds the good case, made first: nothing found yet.
        shown = self.ctl("audit", "verify", "--from", since, "--page-size", "1")
        self.assertIn("Faults           0", shown)
        self.assertIn("Not complete", shown)
        self.assertIn("Next page: --page-token ", shown)


class CheckpointTampering(Base):
    """Each test takes checkpoints of its own and tampers with them (a database of its own)."""

    def two_checkpoints(self):
        """Two cases, each in a checkpoint of its own: (case, its checkpoint, next case, its checkpoint)."""
        first = self.make_case()
        self.wait_checkpointed(first)
        second = self.make_case()
        self.wait_checkpointed(second)
        a, b = self.head_checkpoint(first), self.head_checkpoint(second)
        self.assertLess(a, b)
        return first, a, second, b

    def test_a_forged_checkpoint_is_found_by_its_signature_and_breaks_the_next_link(self):
        start = now_ts()
        first, a, second, b = self.two_checkpoints()
        # Point a's head of the first case at event 3 and reseal a without the key.
        self.as_owner("audit_checkpoint_heads",
                      f"UPDATE audit_checkpoint_heads SET seq = 3, head = e.hash FROM audit_events e"
                      f" WHERE checkpoint_id = {a} AND audit_checkpoint_heads.case_id = '{first}'"
                      f" AND e.case_id = '{first}' AND e.seq = 3")
        heads = [(c, s, bytes.fromhex(h)) for c, s, h in self.db.sql(
            f"SELECT case_id, seq, encode(head, 'hex') FROM audit_checkpoint_heads WHERE checkpoint_id = {a}"
            " ORDER BY case_id")]
        taken_us, n, prev = self.db.sql(f"SELECT (extract(epoch FROM taken_at) * 1000000)::bigint, n_heads,"
                                        f" encode(prev_hash, 'hex') FROM audit_checkpoints WHERE id = {a}")[0]
        hh = heads_hash(heads)
        h = checkpoint_hash(a, taken_us, n, bytes.fromhex(prev), hh)
        self.as_owner("audit_checkpoints", f"UPDATE audit_checkpoints SET heads_hash = '\\x{hh.hex()}',"
                      f" hash = '\\x{h.hex()}' WHERE id = {a}")
        _, faults, _ = self.verify_range(start)
        kinds = {(f.kind, f.checkpoint, f.case) for f in faults}
        self.assertIn((KIND.AUDIT_FAULT_KIND_BAD_SIGNATURE, f"checkpoints/{a}", ""), kinds, faults)
        self.assertIn((KIND.AUDIT_FAULT_KIND_MODIFIED, f"checkpoints/{a + 1}", ""), kinds, faults)
        r = self.verify(case=f"cases/{first}")
        self.assertIn((KIND.AUDIT_FAULT_KIND_BAD_SIGNATURE, f"checkpoints/{a}"),
                      {(f.kind, f.checkpoint) for f in r.faults}, r.faults)

    def test_a_removed_checkpoint_is_found_by_the_one_after_it(self):
        start = now_ts()
        first, a, second, b = self.two_checkpoints()
        self.as_owner("audit_checkpoint_heads", f"DELETE FROM audit_checkpoint_heads WHERE checkpoint_id = {a}")
        self.as_owner("audit_checkpoints", f"DELETE FROM audit_checkpoints WHERE id = {a}")
        _, faults, _ = self.verify_range(start)
        self.assertFaults(faults, (KIND.AUDIT_FAULT_KIND_REMOVED, "", 0, f"checkpoints/{a + 1}"))
        self.assertIn(f"checkpoint {a} is missing", faults[0].message)

    def test_an_edited_checkpoint_head_is_found(self):
        start = now_ts()
        first, a, second, b = self.two_checkpoints()
        self.as_owner("audit_checkpoint_heads",
                      f"UPDATE audit_checkpoint_heads SET seq = 9 WHERE checkpoint_id = {b} AND case_id = '{second}'")
        _, faults, _ = self.verify_range(start)
        self.assertFaults(faults, (KIND.AUDIT_FAULT_KIND_MODIFIED, "", 0, f"checkpoints/{b}"),
                          (KIND.AUDIT_FAULT_KIND_REMOVED, second, 9, f"checkpoints/{b}"))


if __name__ == "__main__":
    main()
