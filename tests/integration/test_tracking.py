#!/usr/bin/env python3
"""The customer following their refund (refunds.v1.Tracking), as the shop's
backend sees it through Debian's python3-grpcio against a real refundsd and
PostgreSQL: OpenCase returns the tracking token and every read repeats it;
the token is the documented bytes signed with the key derived from
REFUNDS_SERVER_KEY_FILE (checked here with Python's own HMAC); the view at
every stage in English, Spanish and German, with amounts and dates written
for the language (formatted again here, independently); the transfer
reference and the reconciler's window once known; tampered, truncated,
expired, foreign and unknown tokens all NOT_FOUND alike and in the same time;
only the service role may ask; and nothing internal in the reply's bytes."""

import base64
import hashlib
import hmac
import os
import statistics
import struct
import time
import uuid

import grpc
from google.protobuf import timestamp_pb2

from harness import (ROOT, ServerTest, business_days_add, date_text, main, pb, cpb, rid, open_request,
                     violations)
from refunds.v1 import tracking_pb2 as tpb

TRACKING = "refunds.v1.Tracking"
SUPPORT = "help@customer-care.example"
DAY = 86400
TEMPLATES = os.path.join(ROOT, "services/common/templates")

def euros(minor, lang):
    """EUR amounts as docs/messages.md writes them (below 1,000)."""
    major, cents = divmod(minor, 100)
    return f"€{major}.{cents:02d}" if lang == "en" else f"{major},{cents:02d} €"


def subject(situation, lang):
    """The Subject header of a template file, read from the source tree."""
    with open(os.path.join(TEMPLATES, f"{situation}.{lang}.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("Subject: "):
                return line[len("Subject: "):].rstrip("\n")
    raise AssertionError(f"{situation}.{lang}.txt has no Subject")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Tracking(ServerTest):
    server_env = {"REFUNDS_SUPPORT_CONTACT": SUPPORT}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(cls.server.key_file) as f:
            master = bytes.fromhex(f.read().strip())
        cls.key = hmac.new(master, b"tracking-token", hashlib.sha256).digest()

    def craft(self, case_id, expires, version=1, key=None):
        """A token made here, as docs/api.md describes it."""
        signed = bytes([version]) + uuid.UUID(case_id).bytes + struct.pack(">Q", expires)
        return b64url(signed + hmac.new(key or self.key, signed, hashlib.sha256).digest()[:16])

    def call_status(self, token, language="", who="shop", raw=False):
        f = self.client.channel.unary_unary(
            f"/{TRACKING}/GetCustomerRefundStatus", request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=None if raw else tpb.CustomerRefundStatus.FromString)
        md = [("authorization", "Bearer " + self.client.token(who))] if who else []
        return f(tpb.GetCustomerRefundStatusRequest(tracking_token=token, language=language), metadata=md,
                 timeout=10)

    def not_found(self, token):
        with self.assertRaises(grpc.RpcError) as ctx:
            self.call_status(token)
        err = ctx.exception
        self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND, f"{token!r}: {err.details()}")
        return err.details()

    # The case's way through the process.
    def opened(self, **over):
        email = f"t{uuid.uuid4().hex[:10]}@example.com"
        req = open_request(**over)
        req.customer.email = email
        return self.client.call("OpenCase", req, who="shop")

    def approved(self, amount=3999, **over):
        c = self.escalate(self.opened(**over))
        return self.decide(c, approved_amount=cpb.Money(amount_minor=amount, currency="EUR"))

    def issue(self, case, amount=3999, issued=None):
        ts = timestamp_pb2.Timestamp()
        ts.FromSeconds(int(issued if issued is not None else time.time() - DAY))
        return self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
            request_id=rid(), name=case.name, provider="stripe", provider_refund_id="re_" + uuid.uuid4().hex[:12],
            amount=cpb.Money(amount_minor=amount, currency="EUR"), issue_time=ts), who="payments")

    def test_open_case_returns_the_token_and_every_read_repeats_it(self):
        c = self.opened()
        self.assertEqual(len(c.tracking_token), 55)
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).tracking_token, c.tracking_token)
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).tracking_token, c.tracking_token,
                         "the cached read too")
        listed = self.client.call("ListCases", pb.ListCasesRequest(customer_email=c.customer.email))
        self.assertEqual([x.tracking_token for x in listed.cases], [c.tracking_token])
        later = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE, summary="checked"))
        self.assertEqual(later.tracking_token, c.tracking_token)
        # version 1 | case UUID | expiry (created + 400 days) | HMAC-SHA256 truncated to 16 bytes.
        raw = unb64url(c.tracking_token)
        self.assertEqual(len(raw), 41)
        self.assertEqual(raw[0], 1)
        self.assertEqual(str(uuid.UUID(bytes=raw[1:17])), c.name[len("cases/"):])
        self.assertEqual(struct.unpack(">Q", raw[17:25])[0], c.create_time.seconds + 400 * DAY)
        self.assertEqual(raw[25:], hmac.new(self.key, raw[:25], hashlib.sha256).digest()[:16])
        # Nothing else of the case is in it: another case of the same second differs only in id and MAC.
        self.assertNotIn(c.customer.email.encode(), raw)

    def check_view(self, v, stage, lang, situation, amount_minor):
        self.assertEqual(v.stage, stage)
        self.assertEqual(v.language, lang)
        self.assertEqual(v.stage_title, subject(situation, lang))
        self.assertEqual(v.amount.amount_minor, amount_minor)
        self.assertEqual(v.amount.currency, "EUR")
        self.assertEqual(v.amount_text, euros(amount_minor, lang))

    def test_every_stage_reads_in_english_spanish_and_german(self):
        method = {"en": "(card)", "es": "(tarjeta)", "de": "(Karte)"}
        c = self.opened()
        token = c.tracking_token
        for lang in ("en", "es", "de"):
            v = self.call_status(token, lang)
            self.check_view(v, tpb.CUSTOMER_STAGE_RECEIVED, lang, "status.received", 4999)
            self.assertIn(date_text(c.create_time.seconds, lang), v.stage_text)
            self.assertEqual(v.update_time.seconds, c.create_time.seconds)
            self.assertFalse(v.HasField("arrival_window"))
            self.assertEqual(v.if_not_arrived_text, "")
        # Without an override: the customer's own language (open_request's is Spanish).
        self.assertEqual(self.call_status(token).language, "es")
        self.assertEqual(self.call_status(token, "de-AT").language, "de")
        self.assertEqual(self.call_status(token, "fr").language, "en")

        c = self.escalate(c)
        for lang in ("en", "es", "de"):
            v = self.call_status(token, lang)
            self.check_view(v, tpb.CUSTOMER_STAGE_IN_REVIEW, lang, "status.in_review", 4999)
            self.assertEqual(v.update_time.seconds, c.approval.escalate_time.seconds)

        c = self.decide(c, approved_amount=cpb.Money(amount_minor=3999, currency="EUR"))
        for lang in ("en", "es", "de"):
            v = self.call_status(token, lang)
            self.check_view(v, tpb.CUSTOMER_STAGE_APPROVED, lang, "status.approved", 3999)
            self.assertIn(euros(3999, lang), v.stage_text)
            self.assertIn(method[lang], v.stage_text)

        issued = int(time.time() - DAY)
        c = self.issue(c, issued=issued)
        start, end = business_days_add(issued, 5), business_days_add(issued, 10)  # card: 5-10 business days
        for lang in ("en", "es", "de"):
            v = self.call_status(token, lang)
            self.check_view(v, tpb.CUSTOMER_STAGE_REFUND_SENT, lang, "status.refund_sent", 3999)
            self.assertEqual((getattr(v.arrival_window, "from").seconds, v.arrival_window.to.seconds),
                             (start, end))
            self.assertEqual(v.arrival_window.from_text, date_text(start, lang))
            self.assertEqual(v.arrival_window.to_text, date_text(end, lang))
            for text in (date_text(issued, lang), date_text(start, lang), date_text(end, lang), method[lang]):
                self.assertIn(text, v.stage_text)
            self.assertIn(date_text(end, lang), v.if_not_arrived_text)
            self.assertIn(SUPPORT, v.if_not_arrived_text)
            self.assertEqual(v.transfer_reference, "")
            self.assertEqual(v.update_time.seconds, issued)

        c = self.client.call("ConfirmRefundReceived", pb.ConfirmRefundReceivedRequest(
            request_id=rid(), name=c.name, etag=c.etag, note="seen on the statement"), who="shop")
        for lang in ("en", "es", "de"):
            v = self.call_status(token, lang)
            self.check_view(v, tpb.CUSTOMER_STAGE_ARRIVED, lang, "status.arrived", 3999)
            self.assertFalse(v.HasField("arrival_window"))
            self.assertEqual(v.update_time.seconds, c.refunds[0].receipt_confirm_time.seconds)

        denied = self.decide(self.escalate(self.opened()), approve=False, reason="used for a year",
                             alternatives=[pb.ALTERNATIVE_STORE_CREDIT])
        for lang in ("en", "es", "de"):
            self.check_view(self.call_status(denied.tracking_token, lang), tpb.CUSTOMER_STAGE_DENIED, lang,
                            "status.denied", 4999)

        w = self.opened()
        w = self.client.call("WithdrawCase", pb.WithdrawCaseRequest(
            request_id=rid(), name=w.name, etag=w.etag, reason="bought another"), who="shop")
        for lang in ("en", "es", "de"):
            v = self.call_status(w.tracking_token, lang)
            self.check_view(v, tpb.CUSTOMER_STAGE_WITHDRAWN, lang, "status.withdrawn", 4999)
            self.assertIn(date_text(w.update_time.seconds, lang), v.stage_text)
            self.assertIn(SUPPORT, v.stage_text)

    def test_the_reference_and_the_reconcilers_window_show_once_known_and_a_failure_is_approved_again(self):
        c = self.issue(self.approved())
        refund_id = c.refunds[0].name.rsplit("/", 1)[1]
        wfrom, wto = int(time.time()) + 2 * DAY, int(time.time()) + 9 * DAY
        self.db.sql(f"UPDATE refunds SET observed_status = 'SUCCEEDED', reference = '74230876543210987654321',"
                    f" reference_type = 'acquirer_reference_number', window_from = to_timestamp({wfrom}),"
                    f" window_to = to_timestamp({wto}) WHERE id = '{refund_id}'")
        v = self.call_status(c.tracking_token, "en")
        self.assertEqual(v.stage, tpb.CUSTOMER_STAGE_REFUND_SENT)
        self.assertEqual((v.transfer_reference, v.transfer_reference_type), ("74230876543210987654321", "ARN"))
        self.assertEqual((getattr(v.arrival_window, "from").seconds, v.arrival_window.to.seconds), (wfrom, wto))
        self.assertIn("give them this reference", v.if_not_arrived_text)
        self.assertIn("ARN 74230876543210987654321", v.if_not_arrived_text)
        self.assertIn(date_text(wto, "en"), v.if_not_arrived_text)
        es = self.call_status(c.tracking_token, "es")
        self.assertIn("ARN 74230876543210987654321", es.if_not_arrived_text)
        self.assertIn(date_text(wto, "es"), es.if_not_arrived_text)

        self.db.sql(f"UPDATE refunds SET observed_status = 'FAILED' WHERE id = '{refund_id}'")
        v = self.call_status(c.tracking_token, "en")
        self.assertEqual(v.stage, tpb.CUSTOMER_STAGE_APPROVED, "sent again by the agents: approved meanwhile")
        self.assertFalse(v.HasField("arrival_window"))
        self.assertEqual(v.transfer_reference, "")

    def bad_tokens(self, c):
        """(what, token) of every kind of token that must not lead to the case."""
        token = c.tracking_token
        case_id = c.name[len("cases/"):]
        raw = bytearray(unb64url(token))
        out = []
        for i in (0, 1, 10, 17, 20, 24, 25, 40):  # version, id, expiry, signature
            changed = bytearray(raw)
            changed[i] ^= 0x01
            out.append((f"byte {i} flipped", b64url(bytes(changed))))
        out += [
            ("truncated", token[:-1]), ("truncated to half", token[:27]), ("lengthened", token + "A"),
            ("one character changed", token[:30] + ("B" if token[30] == "A" else "A") + token[31:]),
            ("expired", self.craft(case_id, int(time.time()) - 1)),
            ("expired long ago", self.craft(case_id, 1)),
            ("unknown case", self.craft(str(uuid.uuid4()), int(time.time()) + DAY)),
            ("another version", self.craft(case_id, int(time.time()) + DAY, version=2)),
            ("another key", self.craft(case_id, int(time.time()) + DAY, key=b"k" * 32)),
            ("the case's name", c.name), ("the case's id", case_id),
            ("not base64url", token[:54] + "="), ("garbage", "x" * 55), ("long", "A" * 5000),
        ]
        return out

    def test_tampered_expired_foreign_and_unknown_tokens_are_not_found_alike(self):
        c = self.opened()
        self.assertEqual(self.call_status(c.tracking_token).stage, tpb.CUSTOMER_STAGE_RECEIVED)
        replies = {}
        for what, token in self.bad_tokens(c):
            with self.assertRaises(grpc.RpcError, msg=what) as ctx:
                self.call_status(token)
            err = ctx.exception
            self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND, f"{what}: {err.details()}")
            replies[what] = (err.details(), sorted((k, v) for k, v in (err.trailing_metadata() or ())
                                                   if k == "grpc-status-details-bin"))
        self.assertEqual(len(set(map(repr, replies.values()))), 1, replies)
        self.assertEqual(replies["expired"][0], "no refund request matches this tracking token")
        # A token crafted here with the server's key and a future expiry does lead to the case.
        self.assertEqual(self.call_status(self.craft(c.name[6:], int(time.time()) + DAY)).stage,
                         tpb.CUSTOMER_STAGE_RECEIVED)
        # The log tells them apart no more than the reply does.
        lines = [line for line in self.server.text().splitlines()
                 if "GetCustomerRefundStatus" in line and "NOT_FOUND" in line]
        self.assertGreaterEqual(len(lines), len(replies))
        for line in lines:
            self.assertNotIn(c.name[6:], line)

    def test_a_bad_token_costs_what_a_good_one_does(self):
        c = self.issue(self.approved())
        case_id = c.name[len("cases/"):]
        raw = bytearray(unb64url(c.tracking_token))
        raw[30] ^= 0x40
        kinds = {
            "good": c.tracking_token,
            "tampered signature": b64url(bytes(raw)),
            "expired": self.craft(case_id, int(time.time()) - 1),
            "unknown case": self.craft(str(uuid.uuid4()), int(time.time()) + DAY),
            "wrong length": c.tracking_token[:20],
        }
        f = self.client.channel.unary_unary(f"/{TRACKING}/GetCustomerRefundStatus",
                                            request_serializer=lambda m: m.SerializeToString(),
                                            response_deserializer=None)
        md = [("authorization", "Bearer " + self.client.token("shop"))]
        times = {k: [] for k in kinds}
        requests = {k: tpb.GetCustomerRefundStatusRequest(tracking_token=t) for k, t in kinds.items()}
        for i in range(230):  # interleaved, so that load on the machine hits every kind alike
            for k in kinds:
                start = time.perf_counter()
                try:
                    f(requests[k], metadata=md, timeout=10)
                except grpc.RpcError as e:
                    self.assertEqual(e.code(), grpc.StatusCode.NOT_FOUND, k)
                if i >= 30:  # the first calls warm up connections and prepared statements
                    times[k].append(time.perf_counter() - start)
        good = statistics.median(times["good"])
        for k in kinds:
            m = statistics.median(times[k])
            self.assertLess(abs(m - good) / good, 0.25,
                            f"median {k} {m * 1e3:.3f} ms against a good token's {good * 1e3:.3f} ms")

    def test_only_the_service_role_may_ask(self):
        token = self.opened().tracking_token
        for who in ("alice", "carol", "erin", "grace"):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.call_status(token, who=who)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED, who)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.call_status(token, who=None)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.call_status(token, who="payments").stage, tpb.CUSTOMER_STAGE_RECEIVED)

    def test_a_missing_token_or_a_bad_language_is_invalid_argument(self):
        for token, language, field in (("", "", "tracking_token"), (self.opened().tracking_token, "not a tag", "language")):
            with self.assertRaises(grpc.RpcError) as ctx:
                self.call_status(token, language)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertEqual(list(violations(ctx.exception)), [field])

    def test_nothing_internal_is_in_the_reply_bytes(self):
        marker = "INTERNAL" + uuid.uuid4().hex[:8]
        c = self.opened(reason_text=marker + "-reason", contact_summary=marker + "-contact")
        case_id = c.name[len("cases/"):]
        c = self.client.call("AddInteraction", pb.AddInteractionRequest(
            request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE,
            summary=marker + "-note: goodwill, customer threatened a chargeback"), who="alice")
        seen = [self.call_status(c.tracking_token, raw=True)]
        c = self.escalate(c, note=marker + "-escalation")
        seen.append(self.call_status(c.tracking_token, raw=True))
        c = self.decide(c, approved_amount=cpb.Money(amount_minor=3999, currency="EUR"))
        seen.append(self.call_status(c.tracking_token, raw=True))
        c = self.issue(c)
        refund_id = c.refunds[0].name.rsplit("/", 1)[1]
        self.db.sql(
            "INSERT INTO findings (id, kind, state, refund_id, case_id, provider, provider_refund_id, amount_minor,"
            " currency, evidence, action, audience, opened_at, updated_at, opened_run) VALUES"
            f" ('{uuid.uuid4()}', 'STUCK_PENDING', 'OPEN', '{refund_id}', '{case_id}', 'stripe',"
            f" '{c.refunds[0].provider_refund_id}', 3999, 'EUR', '[[\"pending_reason\", \"{marker}-evidence\"]]',"
            f" '{marker}-action', 'CUSTOMER_AGENT', now(), now(), '{uuid.uuid4()}')")
        seen.append(self.call_status(c.tracking_token, raw=True))
        other = self.opened(reason_text="OTHERCASE-" + marker)
        for reply in seen:
            for secret in (marker, case_id, c.customer.email, c.customer.name, "alice", "carol", "shop", "payments",
                           c.refunds[0].provider_refund_id, refund_id, "pi_123", c.tracking_token,
                           other.name[6:], "OTHERCASE"):
                self.assertNotIn(secret.encode(), reply, secret)
        # Only the view's own fields, whatever the stage.
        allowed = {f.name for f in tpb.CustomerRefundStatus.DESCRIPTOR.fields}
        for reply in seen:
            v = tpb.CustomerRefundStatus.FromString(reply)
            self.assertTrue({f.name for f, _ in v.ListFields()} <= allowed)
            self.assertEqual(v.SerializeToString(), reply, "no field the view does not declare")

    def test_health_knows_the_service(self):
        self.assertEqual(self.client.health(TRACKING).status, 1)  # SERVING


if __name__ == "__main__":
    main()
