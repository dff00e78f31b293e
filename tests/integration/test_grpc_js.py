#!/usr/bin/env python3
"""Runs tests/integration/node/test.js (node:test with @grpc/grpc-js from
npm) against a real refundsd: a second client in another language, which
must read our replies and our google.rpc.BadRequest details too."""

import os
import subprocess

from harness import ROOT, ServerTest, main

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


class GrpcJs(ServerTest):
    def test_the_grpc_js_client_suite_passes(self):
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "@grpc", "grpc-js")):
            self.fail("tests/integration/node has no node_modules: deploy/local/test runs npm ci there")
        env = dict(os.environ, REFUNDS_ADDR=self.server.addr, REFUNDS_AGENT_TOKEN=self.client.token("alice"),
                   REFUNDS_PROTO_DIR=os.path.join(ROOT, "proto"))
        out = subprocess.run(["node", "--test", "test.js"], cwd=NODE_DIR, env=env,
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("pass 4", out.stdout)


if __name__ == "__main__":
    main()
