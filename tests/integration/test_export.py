#!/usr/bin/env python3
"""ExportFindings, the first server-streaming method, on real parts: 100,000
findings made in SQL, streamed by python3-grpcio and by @grpc/grpc-js.

Every row once, in the order of (open time, id); filters; a client that
reads slowly is followed at its pace while the server's memory stays flat
(its RSS is sampled during the export and compared with the bytes streamed);
a client that cancels half-way stops the export (the server logs the call
CANCELLED after the messages it took, no query of it stays running) and the
server keeps serving; roles and bad filters are refused."""

import os
import re
import subprocess
import threading
import time

import grpc

import harness
from harness import ROOT, ServerTest, main
from refunds.v1 import reconciliation_pb2 as rpb

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
N = 100_000


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


class ExportTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Every 7th FAILED, the rest NOT_FOUND_AT_PROVIDER; one second apart, oldest first.
        cls.db.sql(f"""
            INSERT INTO findings (id, kind, state, provider, provider_refund_id, amount_minor, currency,
              reference, evidence, action, audience, opened_at, updated_at, opened_run)
            SELECT gen_random_uuid(), CASE WHEN g % 7 = 0 THEN 'FAILED' ELSE 'NOT_FOUND_AT_PROVIDER' END, 'OPEN',
              'stripe', 're_x' || g, 1000 + g, 'EUR', 'ARN' || g, '[["status", "failed"]]', 'Call the customer',
              'FINANCE', now() - make_interval(secs => {N} - g), now(), gen_random_uuid()
            FROM generate_series(1, {N}) g""")
        cls.failed = N // 7

    def export(self, request=None, who="erin", timeout=120):
        f = self.client.channel.unary_stream("/refunds.v1.Reconciliation/ExportFindings",
                                             request_serializer=lambda m: m.SerializeToString(),
                                             response_deserializer=rpb.ExportFindingsResponse.FromString)
        return f(request or rpb.ExportFindingsRequest(),
                 metadata=[("authorization", "Bearer " + self.client.token(who))], timeout=timeout)

    def test_every_row_once_in_order_and_the_filters(self):
        rows = [r for msg in self.export() for r in msg.rows]
        self.assertEqual(len(rows), N)
        keys = [(r.open_time.ToMicroseconds(), r.finding) for r in rows]
        self.assertEqual(keys, sorted(keys))
        self.assertEqual(len({r.finding for r in rows}), N)
        first = rows[0]
        self.assertEqual((first.provider, first.provider_refund_id, first.amount_minor, first.currency,
                          first.transfer_reference), ("stripe", "re_x1", 1001, "EUR", "ARN1"))
        self.assertEqual(first.state, rpb.FINDING_STATE_OPEN)
        failed = [r for m in self.export(rpb.ExportFindingsRequest(kind=rpb.FINDING_KIND_FAILED)) for r in m.rows]
        self.assertEqual(len(failed), self.failed)
        self.assertTrue(all(r.kind == rpb.FINDING_KIND_FAILED for r in failed))
        # A time range: the last 1,000 seconds' findings.
        cut = rows[N - 1000].open_time
        recent = [r for m in self.export(rpb.ExportFindingsRequest(open_after=cut)) for r in m.rows]
        self.assertEqual([r.finding for r in recent], [r.finding for r in rows[N - 1000:]])
        before = [r for m in self.export(rpb.ExportFindingsRequest(open_before=cut)) for r in m.rows]
        self.assertEqual(len(before), N - 1000)
        none = list(self.export(rpb.ExportFindingsRequest(provider="adyen")))
        self.assertEqual(none, [])

    def test_bad_filters_and_roles_are_refused(self):
        for req, field in ((rpb.ExportFindingsRequest(currency="eur"), "currency"),
                           (rpb.ExportFindingsRequest(case="cases/x"), "case"),
                           (rpb.ExportFindingsRequest(kind=99), "kind"),
                           (rpb.ExportFindingsRequest(open_after=rpb.google_dot_protobuf_dot_timestamp__pb2.Timestamp(
                               seconds=10), open_before=rpb.google_dot_protobuf_dot_timestamp__pb2.Timestamp(
                               seconds=5)), "open_before")):
            with self.assertRaises(grpc.RpcError) as ctx:
                list(self.export(req))
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT, ctx.exception.details())
            self.assertIn(field, ctx.exception.details())
        for who in ("alice", "carol", "shop"):
            with self.assertRaises(grpc.RpcError) as ctx:
                list(self.export(who=who))
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_a_slow_reader_is_followed_in_flat_memory(self):
        pid = self.server.proc.pid
        baseline = rss_kb(pid)
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(pid))
                time.sleep(0.02)

        t = threading.Thread(target=sample)
        t.start()
        streamed = rows = 0
        try:
            for msg in self.export():
                streamed += msg.ByteSize()
                rows += len(msg.rows)
                time.sleep(0.03)  # a slow reader: about 3 s for the 100 messages
        finally:
            done.set()
            t.join()
        self.assertEqual(rows, N)
        growth = (peak[0] - baseline) * 1024
        print(f"\nexport: {streamed / 1e6:.1f} MB streamed slowly; server RSS {baseline / 1024:.1f} MB,"
              f" peak +{growth / 1e6:.1f} MB")
        if harness.SANITIZED:
            print("(not compared: the sanitizer build's allocator keeps freed memory, see harness.SANITIZED)")
            return
        self.assertLess(growth, streamed / 3, "the server held a large part of the export in memory")

    def test_a_client_that_cancels_stops_the_export(self):
        it = self.export()
        for _ in range(5):
            next(it)
        it.cancel()
        # The server notices at its next send, logs the call and runs no further query of it.
        line = self.wait_log(r'"method":"/refunds.v1.Reconciliation/ExportFindings","code":"CANCELLED"[^\n]*')
        messages = int(re.search(r'"messages":(\d+)', line).group(1))
        self.assertLess(messages, N // 1000 // 2, line)
        running = self.db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'refundsd-stream'"
                                 " AND state = 'active' AND query LIKE '%findings%'")
        self.assertEqual(running, "0")
        # The server keeps serving streams and the rest.
        self.assertEqual(sum(len(m.rows) for m in self.export(rpb.ExportFindingsRequest(kind=rpb.FINDING_KIND_FAILED))),
                         self.failed)

    def test_a_stopping_server_ends_a_stalled_stream_and_exits_cleanly(self):
        server = harness.Server(self.db.url, self.tokens_file, REFUNDS_SHUTDOWN_GRACE_MS=1000)
        client = harness.Client(server.addr, self.tokens)
        try:
            f = client.channel.unary_stream("/refunds.v1.Reconciliation/ExportFindings",
                                            request_serializer=lambda m: m.SerializeToString(),
                                            response_deserializer=rpb.ExportFindingsResponse.FromString)
            it = f(rpb.ExportFindingsRequest(), metadata=[("authorization", "Bearer " + client.token("erin"))],
                   timeout=60)
            next(it)  # then read nothing: the server's sends wait on flow control
            time.sleep(0.5)
            started = time.time()
            code = server.stop(timeout=20)
            took = time.time() - started
            self.assertEqual(code, 0, server.text()[-3000:])
            self.assertEqual(server.sanitizer_reports(), [])
            self.assertLess(took, 10, "the stalled stream held the stop")
            with self.assertRaises(grpc.RpcError):
                for _ in it:
                    pass
        finally:
            client.close()
            server.stop()

    def test_a_reader_that_takes_nothing_is_cut_off_after_the_stall_limit(self):
        server = harness.Server(self.db.url, self.tokens_file, REFUNDS_STREAM_STALL_MS=500)
        client = harness.Client(server.addr, self.tokens)
        try:
            f = client.channel.unary_stream("/refunds.v1.Reconciliation/ExportFindings",
                                            request_serializer=lambda m: m.SerializeToString(),
                                            response_deserializer=rpb.ExportFindingsResponse.FromString)
            it = f(rpb.ExportFindingsRequest(), metadata=[("authorization", "Bearer " + client.token("erin"))],
                   timeout=60)
            next(it)
            harness.wait_for(lambda: "the client read nothing for 500 ms" in server.text(), 20,
                             "the stalled stream to be cut off")
            with self.assertRaises(grpc.RpcError) as ctx:
                for _ in it:
                    pass
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        finally:
            client.close()
            self.assertEqual(server.stop(), 0)

    def test_the_grpc_js_client_reads_the_stream(self):
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@grpc", "grpc-js")):
            self.fail("tests/integration/node has no node_modules: deploy/local/test runs npm ci there")
        env = dict(os.environ, REFUNDS_ADDR=self.server.addr, REFUNDS_FINANCE_TOKEN=self.client.token("erin"),
                   REFUNDS_PROTO_DIR=os.path.join(ROOT, "proto"), REFUNDS_EXPECT_ROWS=str(N),
                   REFUNDS_EXPECT_FAILED=str(self.failed))
        out = subprocess.run(["node", "--test", "export.js"], cwd=NODE_DIR, env=env,
                             capture_output=True, text=True, timeout=180)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("pass 3", out.stdout)

    def wait_log(self, pattern, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.findall(pattern, self.server.text())
            if m:
                return m[-1]
            time.sleep(0.05)
        self.fail(f"no log line matches {pattern}")


if __name__ == "__main__":
    main()
