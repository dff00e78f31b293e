#!/usr/bin/env python3
"""Regression: a connection that died inside a call's transaction made the
next statements run on a fresh connection in autocommit (the "resend once
outside a transaction" rule saw in_tx already cleared by the disconnect), so
an AddInteraction killed mid-way was applied anyway, without its
idempotency key, and COMMIT ran with no transaction. Fixed in
services/common/db.c: a transaction whose connection is lost stays lost, and
every statement of it fails UNAVAILABLE until the caller rolls back."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../integration"))

import grpc  # noqa: E402

from harness import (ServerTest, hold_row_lock, in_thread, main, pb, rid, wait_for,  # noqa: E402
                     waiting_backends)


class LostTransaction(ServerTest):
    def test_a_call_whose_connection_is_killed_mid_transaction_writes_nothing_and_its_retry_applies_once(self):
        c = self.open_case()
        case_id = c.name[6:]
        req = pb.AddInteractionRequest(request_id=rid(), name=c.name, etag=c.etag,
                                       kind=pb.INTERACTION_KIND_NOTE, summary="killed mid-way")
        holder = hold_row_lock(self.db, case_id, 2)
        t, result = in_thread(lambda: self.client.call("AddInteraction", req, timeout=15))
        wait_for(lambda: waiting_backends(self.db) == 1, 10, "the call to wait on the row lock")
        killed = self.db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             " WHERE application_name = 'refundsd' AND wait_event_type = 'Lock'"
                             " AND datname = current_database()")
        self.assertEqual(killed, [["t"]])
        t.join(15)
        holder.wait(15)
        self.assertIsInstance(result["r"], grpc.RpcError, "the call must fail, not be applied")
        self.assertEqual(result["r"].code(), grpc.StatusCode.UNAVAILABLE)
        counts = self.db.sql(f"SELECT (SELECT count(*) FROM interactions WHERE case_id = '{case_id}'),"
                             f" (SELECT count(*) FROM audit_events WHERE case_id = '{case_id}'),"
                             f" (SELECT count(*) FROM idempotency_keys WHERE request_id = '{req.request_id}')")
        self.assertEqual(counts, [["1", "1", "0"]], "nothing of the killed call may remain")
        retried = self.client.call("AddInteraction", req)
        self.assertEqual(self.client.call("AddInteraction", req), retried)
        self.assertEqual(len(retried.interactions), 2)
        self.assertNotIn("no transaction in progress", self.server.text())


if __name__ == "__main__":
    main()
