"""Integration tests of refunds-psp-load against a real, private redis-server:
the sample file of each format lands as docs/provider-cache.md says (hashes,
day indexes, snapshots); loading twice changes nothing; an older record
never replaces a newer one; a failure after a success becomes reversed; a
broken file exits 1 naming its position and field and writes nothing; usage
errors exit 2; a Redis that is gone or has lost its scripts is handled.

Needs only redis-server (no PostgreSQL): skipped (77) when it is missing,
unless REFUNDS_TEST_REQUIRE=1. Finds the binary through REFUNDS_BUILD_DIR.
"""

import datetime
import json
import os
import subprocess
import tempfile
import time
import unittest

import harness

LOADER = os.path.join(harness.BUILD, "workers/psp_load/refunds-psp-load")
SAMPLES = os.path.join(harness.ROOT, "deploy/samples")
TAKEN_AT = "2026-11-22T10:00:00Z"


def stored_time(text):
    """An RFC 3339 time as the cache stores it: UTC, six fraction digits."""
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unix(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def refund(id, status="succeeded", amount=1000, currency="eur", created="2026-11-20T10:00:00Z", **extra):
    obj = {"id": id, "object": "refund", "amount": amount, "currency": currency,
           "created": unix(created), "status": status, "charge": "ch_" + id,
           "payment_intent": "pi_" + id, "metadata": {}}
    obj.update(extra)
    return obj


def event(type, created, obj):
    return {"id": "evt_" + obj["id"] + "_" + str(unix(created)), "object": "event",
            "api_version": "2024-06-20", "created": unix(created), "type": type,
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 1}


class PspLoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_redis()
        cls.redis = harness.RedisServer()
        cls.tmp = tempfile.mkdtemp(prefix="psp-load-")

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()

    def setUp(self):
        self.redis.command("FLUSHALL")

    def run_loader(self, *args, env=None, stdin=None, json_stdout=True):
        full = dict(os.environ, REFUNDS_REDIS_URL=self.redis.url, REFUNDS_REDIS_CONNECT_TIMEOUT_MS="500")
        full.update(env or {})
        p = subprocess.run([LOADER, *args], capture_output=True, text=True, env=full, input=stdin)
        reports = [line for line in p.stderr.splitlines()
                   if "AddressSanitizer" in line or "runtime error:" in line or "LeakSanitizer" in line]
        self.assertEqual(reports, [], p.stderr)
        for line in p.stdout.splitlines() if json_stdout else ():
            json.loads(line)  # every stdout line is a JSON log line
        return p

    def load(self, *args, **kw):
        p = self.run_loader(*args, **kw)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def write(self, name, content):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(content)
        return path

    def write_events(self, name, events):
        return self.write(name, "".join(json.dumps(e) + "\n" for e in events))

    def dump_all(self):
        """DUMP of every key, the snapshots' loaded_at (which says when, not what) aside."""
        out = {}
        for key in self.redis.keys():
            if key.endswith(":snapshot"):
                snap = self.redis.hgetall(key)
                snap.pop("loaded_at")
                out[key] = snap
            else:
                out[key] = self.redis.command("DUMP", key)
        return out

    # The sample files, field by field.

    def test_stripe_sample_lands_as_the_layout_says(self):
        p = self.load("--format", "stripe", "--taken-at", TAKEN_AT,
                      os.path.join(SAMPLES, "stripe-refunds.json"))
        self.assertIn("stripe-refunds.json: 6 records (6 items, 0 skipped): 6 written", p.stderr)
        seen = stored_time(TAKEN_AT)
        r = self.redis.hgetall("psp:stripe:refund:re_3QfR7u2eZvKYlo2C1nA4xk9P")
        self.assertEqual(r, {
            "status": "succeeded", "pending_reason": "", "failure_reason": "",
            "amount_minor": "4999", "currency": "EUR", "payment_ref": "pi_3QfR7u2eZvKYlo2C1w5sV3Jk",
            "reference": "74987654321098765432101", "reference_type": "acquirer_reference_number",
            "reference_status": "available", "destination_type": "card", "card_refund_type": "refund",
            "created_at": "2026-11-16T09:12:44.000000Z", "updated_at": seen, "succeeded_at": seen,
            "source": "stripe-refunds.json:[0]"})
        pending_ref = self.redis.hgetall("psp:stripe:refund:re_3QgA1c2eZvKYlo2C0pZ8dW3e")
        self.assertEqual((pending_ref["reference"], pending_ref["reference_status"]), ("", "pending"))
        reversal = self.redis.hgetall("psp:stripe:refund:re_3QgK4f2eZvKYlo2C1sE2uH6y")
        self.assertEqual((reversal["card_refund_type"], reversal["reference_status"], reversal["currency"],
                          reversal["amount_minor"]), ("reversal", "", "JPY", "8800"))
        pending = self.redis.hgetall("psp:stripe:refund:re_3QgZ9h2eZvKYlo2C0kV5tR1n")
        self.assertEqual((pending["status"], pending["pending_reason"], pending["payment_ref"],
                          pending["succeeded_at"]),
                         ("pending", "processing", "ch_3QgZ9h2eZvKYlo2C0aB8cD2e", ""))
        failed = self.redis.hgetall("psp:stripe:refund:re_3QhC2k2eZvKYlo2C1yM7gF4s")
        self.assertEqual((failed["status"], failed["failure_reason"], failed["reference_status"]),
                         ("failed", "expired_or_canceled_card", "unavailable"))
        action = self.redis.hgetall("psp:stripe:refund:re_3QhH6m2eZvKYlo2C0tQ9wE5r")
        self.assertEqual((action["status"], action["destination_type"], action["currency"]),
                         ("requires_action", "mx_bank_transfer", "MXN"))
        # One index per UTC day, scored by created_at in seconds.
        day = self.redis.command("ZRANGE", "psp:stripe:created:2026-11-21", 0, -1, "WITHSCORES")
        self.assertEqual(day, [b"re_3QhC2k2eZvKYlo2C1yM7gF4s", b"1795258975",
                               b"re_3QhH6m2eZvKYlo2C0tQ9wE5r", b"1795278000"])
        self.assertEqual(len(self.redis.keys("psp:stripe:created:*")), 5)
        snap = self.redis.hgetall("psp:stripe:snapshot")
        self.assertEqual((snap["taken_at"], snap["records"]), (seen, "6"))
        loaded = datetime.datetime.fromisoformat(snap["loaded_at"].replace("Z", "+00:00"))
        self.assertLess(abs((datetime.datetime.now(datetime.timezone.utc) - loaded).total_seconds()), 60)
        self.assertFalse([k for k in self.redis.keys() if "{" in k], "no hash tags")

    def test_adyen_sample_gives_refunds_only(self):
        p = self.load("--format", "adyen", "--taken-at", TAKEN_AT,
                      os.path.join(SAMPLES, "adyen-settlement-details.csv"))
        self.assertIn("4 records (7 items, 3 skipped)", p.stderr)
        self.assertEqual(len(self.redis.keys("psp:adyen:refund:*")), 4)
        eur = self.redis.hgetall("psp:adyen:refund:8826179011234561")
        self.assertEqual((eur["status"], eur["amount_minor"], eur["currency"], eur["payment_ref"],
                          eur["created_at"], eur["reference_status"], eur["source"]),
                         ("succeeded", "4999", "EUR", "8816178952380553", "2026-11-21T14:02:47.000000Z",
                          "", "adyen-settlement-details.csv:3"))
        self.assertEqual(self.redis.hgetall("psp:adyen:refund:8846179022345672")["amount_minor"], "8800")
        kwd = self.redis.hgetall("psp:adyen:refund:8866179033456783")
        self.assertEqual((kwd["amount_minor"], kwd["created_at"]), ("12345", "2026-11-21T15:45:10.000000Z"))
        reversed_ = self.redis.hgetall("psp:adyen:refund:8886178944567894")
        self.assertEqual((reversed_["status"], reversed_["amount_minor"], reversed_["updated_at"]),
                         ("reversed", "2500", "2026-11-22T10:00:00.000001Z"))
        self.assertEqual(self.redis.hgetall("psp:adyen:snapshot")["records"], "4")

    def test_generic_sample_keeps_each_rows_provider(self):
        self.load("--format", "generic", "--taken-at", TAKEN_AT, os.path.join(SAMPLES, "generic-refunds.csv"))
        paypal = self.redis.hgetall("psp:paypal:refund:9HU23456BC789012D")
        self.assertEqual((paypal["status"], paypal["failure_reason"], paypal["amount_minor"], paypal["updated_at"]),
                         ("failed", "insufficient_funds", "2500", "2026-11-20T09:10:00.000000Z"))
        klarna = self.redis.hgetall("psp:klarna:refund:kr_7f3a9c1e-5b2d-4e8f-a6c0-1d2e3f4a5b6c")
        self.assertEqual(klarna["created_at"], "2026-11-21T11:30:00.000000Z")
        self.assertEqual(self.redis.hgetall("psp:paypal:snapshot")["records"], "2")
        self.assertEqual(self.redis.hgetall("psp:klarna:snapshot")["records"], "1")
        self.assertEqual(self.redis.keys("psp:stripe:*"), [], "no snapshot for a provider not in the file")

    # The newer-wins rule.

    def test_loading_the_same_files_twice_changes_nothing(self):
        files = [("stripe", "stripe-refunds.json"), ("adyen", "adyen-settlement-details.csv"),
                 ("generic", "generic-refunds.csv")]
        for fmt, name in files:
            self.load("--format", fmt, os.path.join(SAMPLES, name))
        first = self.dump_all()
        for fmt, name in files:
            p = self.load("--format", fmt, os.path.join(SAMPLES, name))
            self.assertIn(" 0 written", p.stderr)
        self.assertEqual(self.dump_all(), first)

    def test_an_older_record_never_replaces_a_newer_one(self):
        newer = self.write_events("newer.ndjson", [
            event("refund.updated", "2026-11-21T12:00:00Z", refund("re_order", status="succeeded"))])
        older = self.write_events("older.ndjson", [
            event("refund.created", "2026-11-20T10:00:00Z", refund("re_order", status="pending",
                                                                   pending_reason="processing"))])
        self.load("--format", "stripe", newer)
        before = self.redis.hgetall("psp:stripe:refund:re_order")
        p = self.load("--format", "stripe", older)
        self.assertIn("0 written, 0 unchanged, 1 older", p.stderr)
        self.assertEqual(self.redis.hgetall("psp:stripe:refund:re_order"), before)
        self.assertEqual(before["status"], "succeeded")

    def test_a_newer_record_replaces_an_older_one(self):
        self.load("--format", "stripe", self.write_events("e1.ndjson", [
            event("refund.created", "2026-11-20T10:00:00Z", refund("re_up", status="pending"))]))
        self.load("--format", "stripe", self.write_events("e2.ndjson", [
            event("refund.updated", "2026-11-21T10:00:00.5Z", refund("re_up", status="succeeded"))]))
        r = self.redis.hgetall("psp:stripe:refund:re_up")
        # Stripe's created is whole seconds: .5 is lost in the event, not by us.
        self.assertEqual((r["status"], r["updated_at"], r["succeeded_at"]),
                         ("succeeded", "2026-11-21T10:00:00.000000Z", "2026-11-21T10:00:00.000000Z"))

    def test_a_failure_after_a_success_is_a_reversal(self):
        self.load("--format", "stripe", self.write_events("ok.ndjson", [
            event("refund.updated", "2026-11-21T10:00:00Z", refund("re_bounce", status="succeeded"))]))
        self.load("--format", "stripe", self.write_events("failed.ndjson", [
            event("refund.failed", "2026-11-25T08:00:00Z",
                  refund("re_bounce", status="failed", failure_reason="lost_or_stolen_card"))]))
        r = self.redis.hgetall("psp:stripe:refund:re_bounce")
        self.assertEqual((r["status"], r["failure_reason"], r["succeeded_at"], r["updated_at"]),
                         ("reversed", "lost_or_stolen_card", "2026-11-21T10:00:00.000000Z",
                          "2026-11-25T08:00:00.000000Z"))

    def test_a_failure_without_a_success_stays_failed(self):
        self.load("--format", "stripe", self.write_events("f.ndjson", [
            event("refund.created", "2026-11-21T10:00:00Z", refund("re_f", status="pending")),
            event("refund.failed", "2026-11-21T11:00:00Z", refund("re_f", status="failed",
                                                                  failure_reason="declined"))]))
        r = self.redis.hgetall("psp:stripe:refund:re_f")
        self.assertEqual((r["status"], r["succeeded_at"]), ("failed", ""))

    def test_a_new_creation_day_moves_the_id_between_indexes(self):
        header = ("provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,"
                  "reference_type,reference_status,created_at,updated_at\n")
        self.load("--format", "generic", self.write("d1.csv", header +
                  "acme,r1,p1,pending,100,EUR,,,,2026-11-21T00:30:00+01:00,2026-11-21T00:00:00Z\n"))
        self.assertEqual(self.redis.keys("psp:acme:created:*"), ["psp:acme:created:2026-11-20"],
                         "00:30 at +01:00 is still the 20th in UTC")
        self.load("--format", "generic", self.write("d2.csv", header +
                  "acme,r1,p1,succeeded,100,EUR,,,,2026-11-21T00:30:00Z,2026-11-22T00:00:00Z\n"))
        self.assertEqual(self.redis.keys("psp:acme:created:*"), ["psp:acme:created:2026-11-21"])
        self.assertEqual(self.redis.command("ZSCORE", "psp:acme:created:2026-11-21", "r1"),
                         str(unix("2026-11-21T00:30:00Z")).encode())

    # Many records per script call (REFUNDS_PSP_LOAD_CALL_RECORDS): each is applied by the rule, in order.

    def load_mixed(self, per_call):
        """Stored records, then a file mixing older, same, newer and new ones, per_call records a call."""
        self.redis.command("FLUSHALL")
        self.load("--format", "stripe", "--taken-at", TAKEN_AT, self.write_events("stored.ndjson", [
            event("refund.updated", "2026-11-21T10:00:00Z", refund("re_a", status="succeeded")),
            event("refund.updated", "2026-11-21T10:00:00Z", refund("re_b", status="pending")),
            event("refund.updated", "2026-11-21T10:00:00Z", refund("re_c", status="succeeded"))]))
        mixed = self.write_events("mixed.ndjson", [
            event("refund.created", "2026-11-20T10:00:00Z", refund("re_a", status="pending")),
            event("refund.updated", "2026-11-21T10:00:00Z", refund("re_b", status="succeeded")),
            event("refund.failed", "2026-11-22T10:00:00Z", refund("re_c", status="failed",
                                                                  failure_reason="declined")),
            event("refund.created", "2026-11-20T10:00:00Z", refund("re_d", status="pending")),
            event("refund.updated", "2026-11-22T10:00:00Z", refund("re_d", status="succeeded")),
            event("refund.created", "2026-11-20T10:00:00Z",
                  refund("re_e", status="pending", created="2026-11-19T10:00:00Z")),
            event("refund.updated", "2026-11-22T10:00:00Z",
                  refund("re_e", status="succeeded", created="2026-11-21T10:00:00Z"))])
        env = {"REFUNDS_PSP_LOAD_CALL_RECORDS": str(per_call)}
        p = self.load("--format", "stripe", "--taken-at", TAKEN_AT, mixed, env=env)
        again = self.load("--format", "stripe", "--taken-at", TAKEN_AT, mixed, env=env)
        return p.stderr, again.stderr, self.dump_all()

    def test_a_call_of_many_records_applies_the_rule_to_each_in_file_order(self):
        first, again, _ = self.load_mixed(100)
        self.assertIn("7 records (7 items, 0 skipped): 5 written, 1 unchanged, 1 older", first)
        self.assertEqual(self.redis.hgetall("psp:stripe:refund:re_a")["status"], "succeeded",
                         "the older record is not written")
        self.assertEqual(self.redis.hgetall("psp:stripe:refund:re_b")["status"], "pending",
                         "the same updated_at changes nothing")
        c = self.redis.hgetall("psp:stripe:refund:re_c")
        self.assertEqual((c["status"], c["succeeded_at"]), ("reversed", "2026-11-21T10:00:00.000000Z"))
        d = self.redis.hgetall("psp:stripe:refund:re_d")
        self.assertEqual((d["status"], d["updated_at"]), ("succeeded", "2026-11-22T10:00:00.000000Z"),
                         "a later record of the same refund in the call sees the earlier one")
        self.assertEqual(self.redis.command("ZRANGE", "psp:stripe:created:2026-11-19", 0, -1), [],
                         "an id moved to another day within the call is not left in the first")
        self.assertIn(b"re_e", self.redis.command("ZRANGE", "psp:stripe:created:2026-11-21", 0, -1))
        self.assertIn("0 written, 4 unchanged, 3 older", again, "loading the file again changes nothing")

    def test_where_calls_end_does_not_change_what_is_stored(self):
        _, _, one_call = self.load_mixed(100)
        for per_call in (1, 2, 3):
            first, again, stored = self.load_mixed(per_call)
            self.assertIn("5 written, 1 unchanged, 1 older", first, per_call)
            self.assertIn("0 written, 4 unchanged, 3 older", again, per_call)
            self.assertEqual(stored, one_call, f"{per_call} records per call")

    def test_the_snapshot_time_only_moves_forward(self):
        path = os.path.join(SAMPLES, "stripe-refunds.json")
        self.load("--format", "stripe", "--taken-at", "2026-11-22T10:00:00Z", path)
        first = self.redis.hgetall("psp:stripe:snapshot")
        self.load("--format", "stripe", "--taken-at", "2026-11-21T10:00:00Z", path)
        second = self.redis.hgetall("psp:stripe:snapshot")
        self.assertEqual(second["taken_at"], "2026-11-22T10:00:00.000000Z")
        self.assertGreaterEqual(second["loaded_at"], first["loaded_at"])
        self.load("--format", "stripe", "--taken-at", "2026-11-23T10:00:00Z", path)
        self.assertEqual(self.redis.hgetall("psp:stripe:snapshot")["taken_at"], "2026-11-23T10:00:00.000000Z")

    def test_without_taken_at_the_files_modification_time_is_used(self):
        path = self.write("mtime.json", json.dumps({"object": "list", "data": [refund("re_mtime")]}))
        os.utime(path, (1795000000.25, 1795000000.25))  # 2026-11-18T11:06:40.25Z (Python datetime)
        self.load("--format", "stripe", path)
        self.assertEqual(self.redis.hgetall("psp:stripe:refund:re_mtime")["updated_at"],
                         "2026-11-18T11:06:40.250000Z")
        self.assertEqual(self.redis.hgetall("psp:stripe:snapshot")["taken_at"], "2026-11-18T11:06:40.250000Z")

    # Input from a pipe, other layouts, the provider option.

    def test_standard_input_and_a_plain_array_with_another_provider(self):
        body = json.dumps([refund("re_a"), refund("re_b", currency="kwd", amount=12345)])
        p = self.load("--format", "stripe", "--provider", "stripe_eu", "--taken-at", TAKEN_AT, "-", stdin=body)
        self.assertIn("stdin: 2 records", p.stderr)
        self.assertEqual(self.redis.hgetall("psp:stripe_eu:refund:re_b")["currency"], "KWD")
        self.assertEqual(self.redis.hgetall("psp:stripe_eu:refund:re_a")["source"], "stdin:[0]")
        self.assertEqual(self.redis.keys("psp:stripe:*"), [])

    def test_other_events_are_skipped_and_counted(self):
        path = self.write_events("mixed.ndjson", [
            {"id": "evt_c", "object": "event", "created": 1795000000, "type": "charge.succeeded",
             "data": {"object": {"id": "ch_1", "object": "charge"}}},
            event("refund.created", "2026-11-21T10:00:00Z", refund("re_ev"))])
        p = self.load("--format", "stripe", path)
        self.assertIn("1 records (2 items, 1 skipped)", p.stderr)
        self.assertEqual(self.redis.hgetall("psp:stripe:refund:re_ev")["source"], "mixed.ndjson:2")

    # Broken files write nothing.

    def test_a_broken_stripe_file_exits_1_and_writes_nothing(self):
        objs = [refund("re_ok0"), refund("re_ok1"), refund("re_ok2"), refund("re_bad3", amount=25.5),
                refund("re_ok4")]
        path = self.write("stripe-refunds.json", json.dumps({"object": "list", "data": objs}, indent=2))
        p = self.run_loader("--format", "stripe", "--provider", "brokentest", path)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("stripe-refunds.json:[3]: amount: must be a positive integer", p.stderr)
        self.assertIn("nothing of it was written", p.stderr)
        self.assertEqual(self.redis.keys(), [])
        self.assertIn('"event":"file_failed"', p.stdout)

    def test_a_broken_adyen_file_names_line_and_column_and_writes_nothing(self):
        with open(os.path.join(SAMPLES, "adyen-settlement-details.csv")) as f:
            lines = f.read().splitlines(keepends=True)
        lines[3] = lines[3].replace(",JST,", ",Asia/Tokyo,")
        p = self.run_loader("--format", "adyen", self.write("batch.csv", "".join(lines)))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn('batch.csv:4: TimeZone: unknown time zone "Asia/Tokyo"', p.stderr)
        self.assertEqual(self.redis.keys(), [])

    def test_a_truncated_file_writes_nothing(self):
        with open(os.path.join(SAMPLES, "stripe-refunds.json")) as f:
            text = f.read()
        p = self.run_loader("--format", "stripe", self.write("cut.json", text[: len(text) // 2]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("truncated", p.stderr)
        self.assertEqual(self.redis.keys(), [])

    def test_a_bad_file_does_not_stop_the_good_ones(self):
        bad = self.write("bad.csv", "provider,nonsense\n")
        p = self.run_loader("--format", "generic", bad, os.path.join(SAMPLES, "generic-refunds.csv"))
        self.assertEqual(p.returncode, 1)
        self.assertIn('bad.csv:1: header: missing column "provider_refund_id"', p.stderr)
        self.assertIn("total: 2 files, 1 failed: 3 records", p.stderr)
        self.assertEqual(len(self.redis.keys("psp:paypal:refund:*")), 2)

    # Redis itself.

    def test_scripts_flushed_from_redis_are_loaded_again(self):
        path = os.path.join(SAMPLES, "stripe-refunds.json")
        self.load("--format", "stripe", path)
        self.redis.command("FLUSHALL")
        self.redis.command("SCRIPT", "FLUSH")
        p = self.load("--format", "stripe", path)
        self.assertIn("6 written", p.stderr)
        self.assertEqual(len(self.redis.keys("psp:stripe:refund:*")), 6)

    def many(self, name, n):
        objs = [refund("re_%05d" % i, amount=100 + i, created="2026-11-%02dT12:00:00Z" % (1 + i % 28))
                for i in range(n)]
        return self.write(name, json.dumps({"object": "list", "data": objs}))

    def test_many_records_go_in_several_pipelines(self):
        path = self.many("many.json", 2500)
        # Without the script, the first two batches in flight both get NOSCRIPT.
        self.redis.command("SCRIPT", "FLUSH")
        p = self.load("--format", "stripe", path, env={"REFUNDS_PSP_LOAD_BATCH": "300"})
        self.assertIn("2500 records (2500 items, 0 skipped): 2500 written", p.stderr)
        self.assertEqual(self.redis.command("DBSIZE"), 2500 + 28 + 1)
        self.assertEqual(self.redis.hgetall("psp:stripe:refund:re_02499")["amount_minor"], "2599")

    def test_a_redis_that_refuses_writes_midway_leaves_whole_records_and_no_snapshot(self):
        path = self.many("oom.json", 5000)
        used = int(dict(line.split(":", 1) for line in self.redis.command("INFO", "memory").decode().split("\r\n")
                        if ":" in line)["used_memory"])
        self.redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction")
        self.redis.command("CONFIG", "SET", "maxmemory", used + 400_000)
        try:
            p = self.run_loader("--format", "stripe", path, env={"REFUNDS_PSP_LOAD_BATCH": "300"})
        finally:
            self.redis.command("CONFIG", "SET", "maxmemory", 0)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("refused a record: OOM", p.stderr)
        self.assertIn("load the file again to complete it", p.stderr)
        # Redis runs what it had received from the loader before it sees it gone.
        for _ in range(100):
            if self.redis.command("CLIENT", "LIST").count(b"\n") <= 1:
                break
            time.sleep(0.02)
        written = self.redis.keys("psp:stripe:refund:*")
        self.assertTrue(0 < len(written) < 5000, len(written))
        for key in written:
            self.assertEqual(self.redis.command("HLEN", key), 15, key)
        self.assertEqual(self.redis.keys("psp:stripe:snapshot"), [])
        p = self.load("--format", "stripe", path)
        self.assertIn(f"{5000 - len(written)} written, {len(written)} unchanged", p.stderr)
        self.assertEqual(len(self.redis.keys("psp:stripe:refund:*")), 5000)
        self.assertEqual(self.redis.hgetall("psp:stripe:snapshot")["records"], "5000")

    def test_a_redis_that_cannot_be_reached_fails_the_file(self):
        with harness.socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        p = self.run_loader("--format", "stripe", os.path.join(SAMPLES, "stripe-refunds.json"),
                            env={"REFUNDS_REDIS_URL": f"redis://127.0.0.1:{port}"})
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"could not reach Redis at 127.0.0.1:{port}", p.stderr)
        self.assertIn("load the file again", p.stderr)

    def test_a_password_protected_redis_is_reached_with_the_url_password(self):
        self.redis.command("CONFIG", "SET", "requirepass", "s3cret")
        try:
            self.redis.command("AUTH", "s3cret")
            path = os.path.join(SAMPLES, "generic-refunds.csv")
            denied = self.run_loader("--format", "generic", path)
            self.assertEqual(denied.returncode, 1)
            self.load("--format", "generic", path,
                      env={"REFUNDS_REDIS_URL": f"redis://:s3cret@127.0.0.1:{self.redis.port}/0"})
            self.assertEqual(len(self.redis.keys("psp:paypal:refund:*")), 2)
        finally:
            self.redis.command("CONFIG", "SET", "requirepass", "")

    def test_a_database_number_selects_that_database(self):
        self.load("--format", "generic", os.path.join(SAMPLES, "generic-refunds.csv"),
                  env={"REFUNDS_REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/3"})
        self.assertEqual(self.redis.keys(), [])
        self.redis.command("SELECT", 3)
        try:
            self.assertEqual(len(self.redis.keys("psp:*:refund:*")), 3)
        finally:
            self.redis.command("FLUSHDB")
            self.redis.command("SELECT", 0)

    # The command line.

    def test_usage_errors_exit_2(self):
        sample = os.path.join(SAMPLES, "stripe-refunds.json")
        cases = [
            ([sample], "--format is required"),
            (["--format", "paypal", sample], "--format must be stripe, adyen or generic"),
            (["--format", "stripe"], "no file to load"),
            (["--format", "stripe", "--provider", "Stripe EU", sample], "--provider must be"),
            (["--format", "stripe", "--taken-at", "yesterday", sample], "--taken-at must be"),
            (["--format", "stripe", "--bogus", sample], "unknown option --bogus"),
        ]
        for args, message in cases:
            p = self.run_loader(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(message, p.stderr, args)
        p = self.run_loader("--format", "stripe", sample, env={"REFUNDS_REDIS_URL": "redis://:pw@host:99999"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("REFUNDS_REDIS_URL: invalid Redis URL", p.stderr)
        self.assertNotIn(":pw@", p.stderr)
        self.assertEqual(self.redis.keys(), [])

    def test_help_exits_0(self):
        p = self.run_loader("--help", json_stdout=False)
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: refunds-psp-load --format stripe|adyen|generic", p.stdout)


if __name__ == "__main__":
    harness.require_redis()
    harness.run_tests()
