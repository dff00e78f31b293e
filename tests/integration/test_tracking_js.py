#!/usr/bin/env python3
"""Runs tests/integration/node/tracking.js (node:test with @grpc/grpc-js and
@grpc/proto-loader from npm) against a real refundsd: the shop's backend
opening a case, keeping its tracking token and showing the customer's view,
in another language and runtime than our own tests. A case whose refund is
on its way is prepared here (the shop's backend cannot approve or issue)."""

import os
import subprocess
import time

from google.protobuf import timestamp_pb2

from harness import ROOT, ServerTest, main, pb, cpb, rid, open_request

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


class TrackingJs(ServerTest):
    def sent_case(self):
        c = self.escalate(self.client.call("OpenCase", open_request(), who="shop"))
        c = self.decide(c, approved_amount=cpb.Money(amount_minor=3999, currency="EUR"))
        issued = timestamp_pb2.Timestamp()
        issued.FromSeconds(int(time.time()) - 3600)
        return self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
            request_id=rid(), name=c.name, provider="stripe", provider_refund_id="re_js_1",
            amount=cpb.Money(amount_minor=3999, currency="EUR"), issue_time=issued), who="payments")

    def test_the_shops_grpc_js_backend_suite_passes(self):
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@grpc", "grpc-js")):
            self.fail("tests/integration/node has no node_modules: deploy/local/test runs npm ci there")
        env = dict(os.environ, REFUNDS_ADDR=self.server.addr, REFUNDS_SERVICE_TOKEN=self.client.token("shop"),
                   REFUNDS_AGENT_TOKEN=self.client.token("alice"),
                   REFUNDS_SENT_TOKEN=self.sent_case().tracking_token, REFUNDS_PROTO_DIR=os.path.join(ROOT, "proto"))
        out = subprocess.run(["node", "--test", "tracking.js"], cwd=NODE_DIR, env=env,
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("pass 5", out.stdout)


if __name__ == "__main__":
    main()
