#!/usr/bin/env python3
"""A rolling restart fails no call that a client retrying UNAVAILABLE would not
recover. SIGTERM starts the lame duck: health says NOT_SERVING at once, new
connections are refused, calls on open connections are still served until
each connection's maximum age sends it away with a GOAWAY; then the server
stops, lets the calls in flight finish, and interrupts those still waiting on
the database at the end of the grace period, which answer UNAVAILABLE (rolled
back, safe to retry), never CANCELLED. The process exits 0 within the drain
time plus the grace period, also with an idle client connected."""

import os
import tempfile
import threading
import time
import unittest

import grpc

from harness import (Client, Database, Server, hold_row_lock, in_thread, main, open_request, pb, require_cluster,
                     rid, wait_for, waiting_backends, write_tokens)

AGE_MS, DRAIN_MS, GRACE_MS = 500, 800, 3000


class RollingRestart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = require_cluster()
        cls.db = Database(cls.cluster)
        cls.tokens_file = tempfile.mktemp(prefix="tokens-")
        cls.tokens = write_tokens(cls.tokens_file)

    @classmethod
    def tearDownClass(cls):
        cls.db.drop()
        os.unlink(cls.tokens_file)

    def start(self, port=0, **env):
        full = {"REFUNDS_GRPC_ADDR": f"127.0.0.1:{port}", "REFUNDS_MAX_CONNECTION_AGE_MS": AGE_MS,
                "REFUNDS_DRAIN_MS": DRAIN_MS, "REFUNDS_SHUTDOWN_GRACE_MS": GRACE_MS}
        full.update(env)
        server = Server(self.db.url, self.tokens_file, **full)
        self.addCleanup(self.check_stopped, server)
        return server

    def check_stopped(self, server):
        code = server.stop()
        self.assertEqual(server.sanitizer_reports(), [])
        self.assertEqual(code, 0, server.text()[-3000:])

    def sigterm(self, server):
        """Sends SIGTERM; returns seconds until the process exited (0 checked by cleanup)."""
        started = time.monotonic()
        server.proc.terminate()
        server.proc.wait(30)
        return time.monotonic() - started

    def test_clients_that_retry_unavailable_see_no_failure_through_a_rolling_restart(self):
        old = self.start()
        port = old.port
        setup = Client(old.addr, self.tokens)
        case = setup.call("OpenCase", open_request())
        setup.close()
        stop = threading.Event()
        failures, opened, calls = [], {}, [0]
        lock = threading.Lock()

        def with_retries(client, method, request):
            give_up = time.monotonic() + 30
            while True:
                try:
                    return client.call(method, request, timeout=5)
                except grpc.RpcError as e:
                    if e.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > give_up:
                        raise
                    time.sleep(0.02)

        def busy(i):
            client = Client(f"127.0.0.1:{port}", self.tokens)
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    if n % 4 == 0:  # a mutation, retried with its request_id
                        req = open_request()
                        c = with_retries(client, "OpenCase", req)
                        with lock:
                            opened[req.request_id] = c.name
                    else:
                        with_retries(client, "GetCase", pb.GetCaseRequest(name=case.name))
                    with lock:
                        calls[0] += 1
                except grpc.RpcError as e:
                    with lock:
                        failures.append((e.code().name, e.details()))
            client.close()

        threads = [threading.Thread(target=busy, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        took = self.sigterm(old)
        new = self.start(port)
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(60)
        self.assertEqual(failures, [], "calls failed through the restart")
        self.assertGreater(calls[0], 100)
        self.assertLessEqual(took, (DRAIN_MS + GRACE_MS) / 1000 + 1.0, "exit within drain + grace")
        self.assertGreaterEqual(took, DRAIN_MS / 1000, "the lame duck lasted its drain time")
        # Every retried OpenCase made exactly one case.
        ids = ",".join(f"'{r}'" for r in opened)
        self.assertEqual(int(self.db.scalar(f"SELECT count(*) FROM idempotency_keys WHERE request_id IN ({ids})")),
                         len(opened))
        names = sorted(n[6:] for n in opened.values())
        self.assertEqual(len(set(names)), len(opened))
        self.assertIn("NOT_SERVING", old.text())

    def test_health_is_not_serving_during_the_drain_while_calls_are_still_served(self):
        server = self.start(REFUNDS_DRAIN_MS=3000, REFUNDS_MAX_CONNECTION_AGE_MS=2500)
        client = Client(server.addr, self.tokens)
        case = client.call("OpenCase", open_request())
        wait_for(lambda: client.health().status == 1, 5, "SERVING")
        server.proc.terminate()
        wait_for(lambda: client.health().status == 2, 1, "NOT_SERVING right after SIGTERM")
        got = client.call("GetCase", pb.GetCaseRequest(name=case.name))
        self.assertEqual(got.name, case.name)
        note = client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=case.name, etag=got.etag, kind=pb.INTERACTION_KIND_NOTE, summary="draining"))
        self.assertEqual(len(note.interactions), 2)
        self.assertIsNone(server.proc.poll(), "the server left before its drain time")
        client.close()
        self.assertEqual(server.proc.wait(10), 0)

    def test_an_idle_connection_does_not_keep_the_process_alive(self):
        server = self.start()
        client = Client(server.addr, self.tokens)
        client.call("OpenCase", open_request())
        took = self.sigterm(server)  # the client keeps its connection open and idle
        self.assertLess(took, DRAIN_MS / 1000 + 1.0, f"an idle client kept the server {took:.1f} s")
        with self.assertRaises(grpc.RpcError) as ctx:
            client.call("ListCases", pb.ListCasesRequest(), timeout=2)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAVAILABLE)
        client.close()

    def test_a_call_stuck_on_the_database_past_the_grace_answers_unavailable_and_changes_nothing(self):
        server = self.start(REFUNDS_DRAIN_MS=0, REFUNDS_SHUTDOWN_GRACE_MS=500)
        client = Client(server.addr, self.tokens)
        case = client.call("OpenCase", open_request())
        req = pb.AddInteractionRequest(request_id=rid(), name=case.name, etag=case.etag,
                                       kind=pb.INTERACTION_KIND_NOTE, summary="stuck behind a lock")
        holder = hold_row_lock(self.db, case.name[6:], 8)
        t, result = in_thread(lambda: client.call("AddInteraction", req, timeout=30))
        wait_for(lambda: waiting_backends(self.db) == 1, 10, "the call to wait on the lock")
        took = self.sigterm(server)
        t.join(10)
        err = result["r"]
        self.assertIsInstance(err, grpc.RpcError, err)
        self.assertEqual(err.code(), grpc.StatusCode.UNAVAILABLE, err.details())
        self.assertIn("shutting down", err.details())
        self.assertLess(took, 0.5 + 3.0 + 1.0)
        holder.wait(15)
        client.close()
        # Rolled back: the retry on the next server applies it exactly once.
        again = self.start()
        client = Client(again.addr, self.tokens)
        self.assertEqual(len(client.call("AddInteraction", req).interactions), 2)
        self.assertEqual(len(client.call("GetCase", pb.GetCaseRequest(name=case.name)).interactions), 2)
        client.close()


if __name__ == "__main__":
    main()
