"""Shared fixtures of the tests that follow the money: provider records
(Stripe events, Adyen and generic CSV) loaded into a real Redis with
refunds-psp-load, refunds-reconciler run against the test's database, and a
base class that approves cases, records refunds issued and reconciles."""

import datetime
import json
import os
import subprocess
import tempfile
import time

import harness
from harness import ServerTest, pb, rid, open_request
from refunds.v1 import common_pb2 as cpb

LOADER = os.path.join(harness.BUILD, "workers/psp_load/refunds-psp-load")
RECONCILER = os.path.join(harness.BUILD, "workers/reconciler/refunds-reconciler")
DAY = 86400
NOW = time.time()


def read(path):
    with open(path) as f:
        return f.read()


def at(days_ago):
    return int(NOW - days_ago * DAY)


def rfc3339(unix):
    return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ts(days_ago):
    t = harness.timestamp_pb2.Timestamp()
    t.FromSeconds(at(days_ago))
    return t


def stripe_refund(id, status, amount=4999, days_ago=1, reference=None, card_type="refund", **extra):
    obj = {"id": id, "object": "refund", "amount": amount, "currency": "eur", "created": at(days_ago),
           "status": status, "charge": "ch_" + id, "payment_intent": "pi_" + id, "metadata": {},
           "destination_details": {"type": "card", "card": {"type": card_type}}}
    card = obj["destination_details"]["card"]
    if card_type == "refund":
        card["reference_status"] = "available" if reference else "pending"
        card["reference_type"] = "acquirer_reference_number"
        card["reference"] = reference
    obj.update(extra)
    return obj


def event(type, days_ago, obj):
    return {"id": f"evt_{obj['id']}_{days_ago}", "object": "event", "created": at(days_ago), "type": type,
            "data": {"object": obj}, "livemode": False}


class Reconciler:
    """Runs refunds-reconciler against the test's database and Redis."""

    def __init__(self, db_url, redis_url, **env):
        self.env = dict(os.environ, REFUNDS_DATABASE_URL=db_url, REFUNDS_REDIS_URL=redis_url,
                        REFUNDS_LOG_LEVEL="info", REFUNDS_RECON_RETRY_MAX_MS="300",
                        REFUNDS_REDIS_TIMEOUT_MS="300", REFUNDS_RECON_ORPHAN_GRACE_SECONDS="3600")
        self.env.update({k: str(v) for k, v in env.items()})

    def start(self, *args, **env):
        full = dict(self.env, **{k: str(v) for k, v in env.items()})
        with tempfile.NamedTemporaryFile(prefix="reconciler-", suffix=".log", delete=False, mode="w+") as log:
            proc = subprocess.Popen([RECONCILER, *args], stdout=log, stderr=subprocess.STDOUT, env=full)
        proc.log_path = log.name
        return proc

    def once(self, timeout=120, **env):
        proc = self.start("--once", **env)
        code = proc.wait(timeout)
        text = read(proc.log_path)
        assert not [l for l in text.splitlines() if "AddressSanitizer" in l or "runtime error:" in l
                    or "LeakSanitizer" in l], text
        assert code == 0, f"refunds-reconciler exited {code}:\n{text[-3000:]}"
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


class MoneyTest(ServerTest):
    """A shared database, refundsd and Redis, with helpers to approve, issue, load provider data
    and reconcile; each test checks its own refunds. Has no tests of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        harness.require_redis()
        cls.redis = harness.RedisServer()
        cls.tmp = tempfile.mkdtemp(prefix="reconcile-")
        cls.recon = Reconciler(cls.db.url, cls.redis.url)

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()
        super().tearDownClass()

    def load(self, fmt, name, content, taken_days_ago=0, provider=None):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(content)
        args = [LOADER, "--format", fmt, "--taken-at", rfc3339(at(taken_days_ago)), path]
        if provider:
            args[1:1] = ["--provider", provider]
        p = subprocess.run(args, capture_output=True, text=True,
                           env=dict(os.environ, REFUNDS_REDIS_URL=self.redis.url))
        self.assertEqual(p.returncode, 0, p.stderr)

    def load_events(self, name, events, **kw):
        self.load("stripe", name, "".join(json.dumps(e) + "\n" for e in events), **kw)

    def approved_case(self, amount=4999, method=pb.PAYMENT_METHOD_CARD, provider="stripe", **over):
        req = open_request(amount_paid=cpb.Money(amount_minor=amount, currency="EUR"),
                           requested_amount=cpb.Money(amount_minor=amount, currency="EUR"), **over)
        req.payment.method = method
        req.payment.provider = provider
        c = self.client.call("OpenCase", req)
        c = self.escalate(c)
        return self.decide(c)

    def issue(self, case, provider, provider_refund_id, amount=4999, days_ago=1, currency="EUR"):
        return self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
            request_id=rid(), name=case.name, provider=provider, provider_refund_id=provider_refund_id,
            provider_payment_id="pi_" + provider_refund_id, amount=cpb.Money(amount_minor=amount, currency=currency),
            issue_time=ts(days_ago)), who="payments")

    def findings(self, ids, state=None):
        """{provider_refund_id: sorted kinds} of the findings (in state) of those provider refunds."""
        where = " AND state = '%s'" % state if state else ""
        rows = self.db.sql("SELECT provider_refund_id, kind FROM findings WHERE provider_refund_id IN (%s)%s"
                           % (",".join(f"'{i}'" for i in ids), where))
        out = {}
        for prid, kind in rows:
            out.setdefault(prid, []).append(kind)
        return {k: sorted(v) for k, v in out.items()}

    def call_recon(self, method, request, who="erin"):
        return self.client.recon(method, request, who)
