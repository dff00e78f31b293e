#!/usr/bin/env python3
"""refundctl, our own client, drives a case from open to decided against a
real refundsd: human output, --json (proto3 JSON mapping), field violations
and exit codes (0 ok, 1 call failed, 2 usage)."""

import json
import os
import subprocess

from harness import REFUNDCTL, ServerTest, main, pb


class Refundctl(ServerTest):
    OPEN = ["open", "--channel", "in-person", "--customer-name", "Jürgen Weiß", "--customer-email",
            "juergen@example.de", "--language", "de", "--order-id", "ORD-77", "--sku", "BIKE-1",
            "--product-name", "City bike", "--category", "bikes", "--purchased", "2026-05-02",
            "--paid", "89900", "--requested", "45000", "--currency", "EUR", "--payment-method",
            "bank-transfer", "--reason", "not-as-described", "--reason-text", "Frame colour differs",
            "--summary", "Came to the shop with the bike"]

    def test_a_case_goes_from_open_to_decided_with_refundctl(self):
        opened = self.ctl_json(*self.OPEN)
        name = opened["name"]
        self.assertEqual(opened["state"], "CASE_STATE_OPEN")
        self.assertEqual(opened["channel"], "CHANNEL_IN_PERSON")
        self.assertEqual(opened["requestedAmount"], {"amountMinor": "45000", "currency": "EUR"})
        self.assertEqual(opened["customer"]["name"], "Jürgen Weiß")
        self.assertTrue(opened["purchaseTime"].startswith("2026-05-02T00:00:00"))

        shown = self.ctl("get", name).stdout
        self.assertIn(name, shown)
        self.assertIn("EUR 450.00", shown)
        self.assertIn(name[6:], self.ctl("list", "--customer-email", "juergen@example.de").stdout)

        noted = self.ctl_json("add-interaction", name, "--kind", "outbound", "--channel", "phone",
                              "--summary", "Asked for photos", "--etag", opened["etag"])
        self.assertEqual(len(noted["interactions"]), 2)
        stale = self.ctl("escalate", name, "--etag", opened["etag"], expect=1)
        self.assertIn("FAILED_PRECONDITION", stale.stderr)
        escalated = self.ctl_json("escalate", name, "--note", "Colour mismatch confirmed", "--etag", noted["etag"])
        self.assertEqual(escalated["state"], "CASE_STATE_PENDING_APPROVAL")

        self.assertIn(name[6:], self.ctl("queue", who="carol").stdout)
        refused = self.ctl("decide", name, "--approve", who="alice", expect=1)
        self.assertIn("PERMISSION_DENIED", refused.stderr)
        decided = self.ctl_json("decide", name, "--approve", "--amount", "30000", "--reason", "Partial goodwill",
                                who="dave")
        self.assertEqual(decided["state"], "CASE_STATE_APPROVED")
        self.assertEqual(decided["approval"]["approvedAmount"], {"amountMinor": "30000", "currency": "EUR"})
        self.assertEqual(decided["approval"]["decidedBy"], "dave")

        stored = self.client.call("GetCase", pb.GetCaseRequest(name=name))
        self.assertEqual(stored.state, pb.CASE_STATE_APPROVED)
        self.assertEqual(stored.approval.approved_amount.amount_minor, 30000)

    def test_a_denial_offers_alternatives(self):
        name = self.ctl_json(*self.OPEN)["name"]
        self.ctl("escalate", name)
        denied = self.ctl_json("decide", name, "--deny", "--reason", "Used for six months",
                               "--alternative", "store-credit", "--alternative", "exchange", who="carol")
        self.assertEqual(denied["approval"]["alternatives"], ["ALTERNATIVE_STORE_CREDIT", "ALTERNATIVE_EXCHANGE"])

    def test_bad_input_shows_every_field_violation_and_exits_1(self):
        args = list(self.OPEN)
        args[args.index("--customer-email") + 1] = "not-an-email"
        args[args.index("--paid") + 1] = "-5"
        out = self.ctl(*args, expect=1)
        self.assertIn("INVALID_ARGUMENT", out.stderr)
        self.assertIn("customer.email: must be an e-mail address", out.stderr)
        self.assertIn("amount_paid.amount_minor: must be positive", out.stderr)
        err = json.loads(self.ctl("--json", *args, expect=1).stderr)
        self.assertEqual(err["code"], "INVALID_ARGUMENT")
        fields = {v["field"] for v in err["fieldViolations"]}
        self.assertTrue({"customer.email", "amount_paid.amount_minor"} <= fields, fields)

    def test_usage_errors_exit_2_and_name_the_flag(self):
        out = self.ctl("open", "--channel", "fax", expect=2)
        self.assertIn("--channel", out.stderr)
        self.ctl("no-such-command", expect=2)

    def test_a_retry_with_the_same_request_id_returns_the_same_case(self):
        first = self.ctl_json("--request-id", "ctl-retry-1", *self.OPEN)
        again = self.ctl_json("--request-id", "ctl-retry-1", *self.OPEN)
        self.assertEqual(first, again)

    def test_health_and_an_unreachable_server(self):
        self.assertIn("SERVING", self.ctl("health").stdout)
        env = dict(os.environ, REFUNDS_GRPC_ADDR="127.0.0.1:1")
        out = subprocess.run([REFUNDCTL, "--timeout", "3", "health"], capture_output=True, text=True, env=env)
        self.assertEqual(out.returncode, 1)
        self.assertIn("UNAVAILABLE", out.stderr)


if __name__ == "__main__":
    main()
