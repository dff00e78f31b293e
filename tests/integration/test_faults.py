#!/usr/bin/env python3
"""Faults: PostgreSQL stopped and started again under a running refundsd
(UNAVAILABLE while it is down, NOT_SERVING health, recovery without a
restart), client deadlines bounding a statement
stuck on a lock, and SIGTERM draining a call in flight before exiting 0.
This file runs its own PostgreSQL cluster, since it stops it. (A connection
killed in the middle of a transaction is tests/regress.)"""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import grpc

from harness import (PGCTL, Client, Database, Server, hold_row_lock, in_thread, main, pb, rid, open_request,
                     require_cluster, wait_for, waiting_backends, write_tokens)


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_cluster()
        cls.dir = tempfile.mkdtemp(prefix="refunds-faults-")
        os.chmod(cls.dir, 0o755)
        cls.cluster = os.path.join(cls.dir, "pg")
        subprocess.run([PGCTL, "init", cls.cluster, str(free_port()), "--fast"], check=True,
                       capture_output=True)
        cls.db = Database(cls.cluster)
        cls.tokens_file = os.path.join(cls.dir, "tokens")
        cls.tokens = write_tokens(cls.tokens_file)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([PGCTL, "stop", cls.cluster], capture_output=True)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.server = Server(self.db.url, self.tokens_file, REFUNDS_THREADS=2)
        self.client = Client(self.server.addr, self.tokens)

    def tearDown(self):
        self.client.close()
        code = self.server.stop()
        self.assertEqual(self.server.sanitizer_reports(), [])
        self.assertEqual(code, 0, self.server.text()[-3000:])

    def pg(self, action):
        subprocess.run([PGCTL, action, self.cluster], check=True, capture_output=True)

    def serving(self):
        try:
            return self.client.health().status == 1
        except grpc.RpcError:
            return False

    def note(self, case, etag=None, request_id=None, timeout=10):
        return self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=request_id or rid(), name=case.name, etag=etag or case.etag,
            kind=pb.INTERACTION_KIND_NOTE, summary="fault test"), timeout=timeout)

    def test_postgres_stopped_and_started_again_mid_test(self):
        c = self.client.call("OpenCase", open_request())
        self.assertTrue(self.serving())
        self.pg("stop")
        try:
            t0 = time.time()
            for method, req in (("GetCase", pb.GetCaseRequest(name=c.name)), ("OpenCase", open_request())):
                with self.assertRaises(grpc.RpcError) as ctx:
                    self.client.call(method, req, timeout=10)
                self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAVAILABLE, ctx.exception.details())
                self.assertIn("database unavailable", ctx.exception.details())
            self.assertLess(time.time() - t0, 5, "UNAVAILABLE must come fast, not at the deadline")
            wait_for(lambda: not self.serving(), 5, "health NOT_SERVING")
        finally:
            self.pg("start")
        wait_for(self.serving, 10, "health SERVING again")
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).name, c.name)
        d = self.client.call("OpenCase", open_request())
        self.assertEqual(d.state, pb.CASE_STATE_OPEN)
        self.assertEqual(self.db.scalar(f"SELECT count(*) FROM cases WHERE id IN ('{c.name[6:]}', '{d.name[6:]}')"), "2")
        self.assertIn('"NOT_SERVING', self.server.text())

    def test_a_client_deadline_bounds_a_statement_stuck_on_a_lock(self):
        c = self.client.call("OpenCase", open_request())
        holder = hold_row_lock(self.db, c.name[6:], 4)
        t0 = time.time()
        with self.assertRaises(grpc.RpcError) as ctx:
            self.note(c, timeout=0.7)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        # The server gave up too: its statement was cancelled, well before the lock holder finishes.
        wait_for(lambda: waiting_backends(self.db) == 0, 2.5, "the server to cancel its statement")
        self.assertLess(time.time() - t0, 3.5)
        wait_for(lambda: "deadline exceeded while waiting for the database" in self.server.text(), 3,
                 "the server's DEADLINE_EXCEEDED log line")
        holder.wait(10)
        self.assertEqual(len(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).interactions), 1)
        self.assertEqual(len(self.note(c).interactions), 2, "the connection is usable after the cancel")

    def test_sigterm_lets_the_call_in_flight_finish_and_exits_zero(self):
        c = self.client.call("OpenCase", open_request())
        holder = hold_row_lock(self.db, c.name[6:], 1.5)
        t, result = in_thread(lambda: self.note(c, timeout=20))
        wait_for(lambda: waiting_backends(self.db) == 1, 10, "the call to wait on the lock")
        self.server.proc.terminate()
        t.join(20)
        holder.wait(10)
        self.assertIsInstance(result["r"], pb.Case, result.get("r"))
        self.assertEqual(len(result["r"].interactions), 2)
        self.assertEqual(self.server.proc.wait(20), 0)
        self.assertIn('"event":"shutdown"', self.server.text())


if __name__ == "__main__":
    main()
