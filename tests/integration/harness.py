"""Shared fixtures of the integration tests: a database of its own for each
test file (migrated by the real `refundsd migrate`), a real refundsd on a
free port, tokens, a grpcio client, and SQL access for checking what was
written. Run by ctest with the environment deploy/local/test exports:

  REFUNDS_TEST_PG_DIR     the private PostgreSQL cluster (deploy/local/pgctl)
  REFUNDS_BUILD_DIR       the build tree (refundsd, refundctl, python modules)
  REFUNDS_TEST_REQUIRE=1  fail instead of skipping when the cluster is missing

Nothing here fakes a part: the server, the database and the client are real.
"""

import atexit
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import grpc

BUILD = os.environ.get("REFUNDS_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
sys.path.insert(0, os.path.join(BUILD, "python"))

from google.protobuf import timestamp_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from refunds.v1 import cases_pb2 as pb  # noqa: E402
from refunds.v1 import common_pb2 as cpb  # noqa: E402
import health_pb2  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
PGCTL = os.path.join(ROOT, "deploy/local/pgctl")
REFUNDSD = os.path.join(BUILD, "services/refundsd/refundsd")
REFUNDCTL = os.path.join(BUILD, "services/refundctl/refundctl")
SKIP = 77  # ctest SKIP_RETURN_CODE
# The binaries are the ASan+UBSan build: its allocator keeps freed memory in quarantine, so a
# process's RSS says nothing about what it holds.
SANITIZED = os.environ.get("REFUNDS_TEST_SANITIZED") == "1"

CASES = "refunds.v1.RefundCases"
HEALTH = "grpc.health.v1.Health"

# Two subjects per role, plus mallory who holds both an agent and an approver
# token: four-eyes is about the person, not the token.
SUBJECTS = [
    ("shop", "service"), ("payments", "service"),
    ("alice", "agent"), ("bob", "agent"),
    ("carol", "approver"), ("dave", "approver"),
    ("erin", "finance"), ("grace", "admin"),
    ("mallory", "agent"), ("mallory", "approver"),
    ("sam", "senior_approver"), ("sue", "senior_approver"),
]


# Every temporary file of one test script (refundsd's logs and keys, the reconciler's logs,
# the provider files the tests write) goes to a folder of its own: removed when every test
# passed, kept and named when one failed (run_tests).
RUN_TMP = tempfile.mkdtemp(prefix="refunds-it-")
os.chmod(RUN_TMP, 0o755)  # servers run by other users (postgres) may need to reach into it
tempfile.tempdir = RUN_TMP


def _drop_run_tmp_if_empty():
    try:
        os.rmdir(RUN_TMP)  # a script that skipped wrote nothing
    except OSError:
        pass


atexit.register(_drop_run_tmp_if_empty)


def run_tests():
    """Runs the script's tests (unittest.main), then removes RUN_TMP unless one failed."""
    result = unittest.main(verbosity=2, exit=False).result
    ok = result.wasSuccessful()
    if ok:
        shutil.rmtree(RUN_TMP, ignore_errors=True)
    elif os.listdir(RUN_TMP):
        print(f"the logs and files of this run are kept in {RUN_TMP}", file=sys.stderr)
    sys.exit(0 if ok else 1)


def require_cluster():
    """Returns the cluster folder, or exits 77 (skip) / fails when it is absent."""
    d = os.environ.get("REFUNDS_TEST_PG_DIR")
    if d and os.path.exists(os.path.join(d, "port")):
        return d
    if os.environ.get("REFUNDS_TEST_REQUIRE") == "1":
        raise SystemExit("REFUNDS_TEST_PG_DIR is not a pgctl cluster: run deploy/local/test")
    print("skipped: no test cluster (run deploy/local/test)")
    raise SystemExit(SKIP)


def pg_url(cluster, role, db):
    return subprocess.check_output([PGCTL, "url", cluster, role, db], text=True).strip()


def psql(cluster, db, sql, role=None):
    """Runs SQL as the superuser (or as role) and returns rows as lists of strings."""
    if role is None:
        cmd = [PGCTL, "psql", cluster, "-d", db, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql]
    else:
        cmd = ["psql", "-X", pg_url(cluster, role, db), "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


class Database:
    """A fresh database in the test cluster, migrated with refundsd migrate."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.name = "it_" + secrets.token_hex(6)
        psql(cluster, "postgres", f"CREATE DATABASE {self.name} OWNER refunds_owner")
        env = dict(os.environ, REFUNDS_MIGRATE_DATABASE_URL=pg_url(cluster, "refunds_owner", self.name))
        subprocess.run([REFUNDSD, "migrate"], env=env, check=True, capture_output=True)
        self.url = pg_url(cluster, "refunds_service", self.name)

    def sql(self, text, role=None):
        return psql(self.cluster, self.name, text, role)

    def scalar(self, text):
        rows = self.sql(text)
        return rows[0][0] if rows else None

    def drop(self):
        psql(self.cluster, "postgres", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


class Server:
    """A refundsd process on a free loopback port; its log is kept for assertions."""

    def __init__(self, db_url, tokens_file, **env):
        self.log_path = tempfile.mktemp(prefix="refundsd-", suffix=".log")
        self.log = open(self.log_path, "w+")
        full = dict(os.environ)
        self.key_file = tempfile.mktemp(prefix="server-key-")
        with open(self.key_file, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        full.update({
            "REFUNDS_SERVER_KEY_FILE": self.key_file,
            "REFUNDS_DATABASE_URL": db_url,
            "REFUNDS_TOKENS_FILE": tokens_file,
            "REFUNDS_GRPC_ADDR": "127.0.0.1:0",
            "REFUNDS_HEALTH_INTERVAL_MS": "200",
            "REFUNDS_LOG_LEVEL": "info",
            # No lame duck unless a test is about it (test_shutdown.py): stops stay quick.
            "REFUNDS_DRAIN_MS": "0",
        })
        full.update({k: str(v) for k, v in env.items()})
        self.proc = subprocess.Popen([REFUNDSD, "serve"], stdout=self.log, stderr=subprocess.STDOUT, env=full)
        self.port = self._wait_listening()
        self.addr = f"127.0.0.1:{self.port}"

    def _wait_listening(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            m = re.search(r'"event":"listening".*?"port":(\d+)', self.text())
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError("refundsd exited at start:\n" + self.text())
            time.sleep(0.05)
        raise RuntimeError("refundsd did not start:\n" + self.text())

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, timeout=30):
        """SIGTERM, wait, return the exit code; a sanitizer report fails the caller's assertion."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("refundsd did not stop within %ds of SIGTERM" % timeout)
        self.log.close()
        return self.proc.returncode

    def sanitizer_reports(self):
        return [line for line in self.text().splitlines()
                if "ERROR: AddressSanitizer" in line or "runtime error:" in line
                or "ERROR: LeakSanitizer" in line]


def write_tokens(path, subjects=SUBJECTS):
    """Writes a tokens file; returns {(subject, role): token} and {subject: first token}."""
    tokens = {}
    with open(path, "w") as f:
        f.write("# integration test tokens\n")
        for subject, role in subjects:
            t = secrets.token_hex(20)
            tokens[(subject, role)] = t
            f.write(f"{t} {subject} {role}\n")
    return tokens


class Client:
    """grpcio with our messages: call(method, request, who=...) returns the reply or raises grpc.RpcError."""

    REPLY = {
        "OpenCase": pb.Case, "GetCase": pb.Case, "ListCases": pb.ListCasesResponse,
        "AddInteraction": pb.Case, "EscalateCase": pb.Case,
        "ListApprovalQueue": pb.ListApprovalQueueResponse, "DecideCase": pb.Case,
        "WithdrawCase": pb.Case, "RecordRefundIssued": pb.Case, "ConfirmRefundReceived": pb.Case,
        "ListDueFollowUps": pb.ListDueFollowUpsResponse, "CompleteFollowUp": pb.FollowUp,
        "EvaluateCase": pb.Case, "ListEvaluations": pb.ListEvaluationsResponse,
        "PreviewCommunication": pb.Communication, "RecordCommunication": pb.RecordCommunicationResponse,
        "ListOutbox": pb.ListOutboxResponse, "MarkCommunicationSent": pb.Communication,
        "AcceptAlternative": pb.Case, "ScheduleFollowUp": pb.FollowUp,
        "GetSatisfactionReport": pb.SatisfactionReport,
    }

    def __init__(self, addr, tokens):
        self.channel = grpc.insecure_channel(addr)
        self.tokens = tokens

    def token(self, who):
        if isinstance(who, tuple):
            return self.tokens[who]
        for (subject, _), t in self.tokens.items():
            if subject == who:
                return t
        raise KeyError(who)

    def raw(self, path, payload, metadata=(), timeout=10):
        """Sends payload bytes as they are; returns the reply bytes."""
        f = self.channel.unary_unary(path, request_serializer=None, response_deserializer=None)
        return f(payload, metadata=list(metadata), timeout=timeout)

    def call(self, method, request, who="alice", timeout=10, metadata=None):
        f = self.channel.unary_unary(f"/{CASES}/{method}",
                                     request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=self.REPLY[method].FromString)
        md = [("authorization", "Bearer " + self.token(who))] if who else []
        return f(request, metadata=md + list(metadata or []), timeout=timeout)

    def recon(self, method, request, who="erin", timeout=10):
        """A unary call of refunds.v1.Reconciliation; the reply type is the method's output."""
        from refunds.v1 import reconciliation_pb2 as rpb
        out = rpb.DESCRIPTOR.services_by_name["Reconciliation"].methods_by_name[method].output_type
        reply = getattr(rpb, out.name)
        f = self.channel.unary_unary(f"/refunds.v1.Reconciliation/{method}",
                                     request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=reply.FromString)
        md = [("authorization", "Bearer " + self.token(who))] if who else []
        return f(request, metadata=md, timeout=timeout)

    def policies(self, method, request, who="grace", timeout=30):
        """A unary call of refunds.v1.Policies; the reply type is the method's output."""
        from refunds.v1 import policy_pb2 as ppb
        out = ppb.DESCRIPTOR.services_by_name["Policies"].methods_by_name[method].output_type
        f = self.channel.unary_unary(f"/refunds.v1.Policies/{method}",
                                     request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=getattr(ppb, out.name).FromString)
        md = [("authorization", "Bearer " + self.token(who))] if who else []
        return f(request, metadata=md, timeout=timeout)

    def health(self, service=""):
        f = self.channel.unary_unary(f"/{HEALTH}/Check",
                                     request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=health_pb2.HealthCheckResponse.FromString)
        return f(health_pb2.HealthCheckRequest(service=service), timeout=5)

    def close(self):
        self.channel.close()


def violations(err):
    """The google.rpc.BadRequest field violations of an RpcError, as {field: description}."""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            st = status_pb2.Status.FromString(value)
            out = {}
            for d in st.details:
                br = error_details_pb2.BadRequest()
                if d.Unpack(br):
                    out.update({v.field: v.description for v in br.field_violations})
            return out
    return {}


def wait_for(predicate, timeout, what):
    """Polls predicate until it is true; fails after timeout seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def hold_row_lock(db, case_id, seconds):
    """Locks the case's row from another session for seconds; returns the process once the lock is held."""
    tag = str(uuid.uuid4())
    proc = subprocess.Popen(
        [PGCTL, "psql", db.cluster, "-d", db.name, "-q", "-c",
         f"BEGIN; SELECT 1 FROM cases WHERE id = '{case_id}' FOR UPDATE;"
         f" SELECT pg_sleep({seconds}) /* {tag} */; COMMIT;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: db.scalar(f"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%{tag}%'"
                               " AND pid <> pg_backend_pid()") == "1", 10, "the lock holder")
    return proc


def waiting_backends(db):
    """How many of refundsd's connections to db wait on a lock now (not those of other tests' databases)."""
    return int(db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'refundsd'"
                         " AND wait_event_type = 'Lock' AND datname = current_database()"))


def in_thread(fn):
    """Starts fn in a thread; returns (thread, result dict) where result["r"] is its value or RpcError."""
    result = {}

    def body():
        try:
            result["r"] = fn()
        except grpc.RpcError as e:
            result["r"] = e

    t = threading.Thread(target=body)
    t.start()
    return t, result


# What customers read: dates as docs/messages.md writes them, and business days as
# include/refunds/timeutil.h counts them, written again here so that a test checks the server.
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
}


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def date_text(seconds, lang):
    """docs/messages.md's date formats: 1 December 2026, 1 de diciembre de 2026, 1. Dezember 2026."""
    d = utc(seconds)
    month = MONTHS[lang][d.month - 1]
    return {"en": f"{d.day} {month} {d.year}", "es": f"{d.day} de {month} de {d.year}",
            "de": f"{d.day}. {month} {d.year}"}[lang]


def business_days_add(seconds, n):
    """include/refunds/timeutil.h's rule: a weekend instant is Monday 00:00; weekdays count."""
    t = utc(seconds)
    if t.weekday() >= 5:
        t = (t + datetime.timedelta(days=7 - t.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    while n > 0:
        t += datetime.timedelta(days=1)
        if t.weekday() < 5:
            n -= 1
    return int(t.timestamp())


def rid():
    return str(uuid.uuid4())


def business_due(start, hours):
    """docs/policy.md's SLA clock in business hours, written again here: seconds since the epoch
    of the due time of a request made at start (seconds) with an SLA of hours business hours."""
    day = 86400

    def weekday(t):
        return (t // day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0

    def add(t, days):
        if weekday(t) >= 5:
            t = (t // day + 7 - weekday(t)) * day  # a weekend instant counts as Monday 00:00
        while days > 0:
            t += day
            days -= weekday(t) < 5
        return t

    due = add(start, hours // 24) + hours % 24 * 3600
    return due + 2 * day if add(due, 0) != due else due


def ts(seconds_ago):
    t = timestamp_pb2.Timestamp()
    t.FromSeconds(int(time.time() - seconds_ago))
    return t


def open_request(**over):
    """A valid OpenCaseRequest (each call a new request_id); keyword arguments replace fields."""
    req = pb.OpenCaseRequest(
        request_id=rid(),
        channel=cpb.CHANNEL_EMAIL,
        customer=pb.Customer(name="Ana Pérez", email="ana.perez@example.com", phone="+34 600 123 456",
                             preferred_language="es"),
        product=pb.Product(order_id="ORD-1001", sku="KET-42", name="Electric kettle", category="kitchen"),
        purchase_time=ts(60 * 86400),
        amount_paid=cpb.Money(amount_minor=4999, currency="EUR"),
        requested_amount=cpb.Money(amount_minor=4999, currency="EUR"),
        payment=pb.Payment(method=pb.PAYMENT_METHOD_CARD, provider="stripe", provider_payment_id="pi_123"),
        reason_code=pb.REASON_CODE_DEFECTIVE,
        reason_text="Stopped heating after two months.",
        contact_summary="Customer wrote in; we acknowledged the same day.",
    )
    for k, v in over.items():
        if isinstance(v, type(None)):
            req.ClearField(k)
        elif hasattr(getattr(req, k), "CopyFrom"):
            getattr(req, k).CopyFrom(v)
        else:
            setattr(req, k, v)
    return req


class ServerTest(unittest.TestCase):
    """Base class: one database and one server per test class, stopped (exit 0 checked) at the end."""

    server_env = {}

    @classmethod
    def setUpClass(cls):
        cls.cluster = require_cluster()
        cls.db = Database(cls.cluster)
        cls.tokens_file = tempfile.mktemp(prefix="tokens-")
        cls.tokens = write_tokens(cls.tokens_file)
        cls.server = Server(cls.db.url, cls.tokens_file, **cls.server_env)
        cls.client = Client(cls.server.addr, cls.tokens)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        code = cls.server.stop()
        reports = cls.server.sanitizer_reports()
        cls.db.drop()
        os.unlink(cls.tokens_file)
        if code != 0 or reports:
            raise AssertionError(f"refundsd exited {code}; sanitizer reports: {reports}\n" + cls.server.text()[-4000:])
        os.unlink(cls.server.log_path)

    # Helpers for the lifecycle.
    def open_case(self, who="alice", **over):
        return self.client.call("OpenCase", open_request(**over), who=who)

    def escalate(self, case, who="alice", note="Past the 30-day window"):
        return self.client.call("EscalateCase", pb.EscalateCaseRequest(
            request_id=rid(), name=case.name, etag=case.etag, note=note), who=who)

    def evaluate(self, case, who="alice", **kw):
        return self.client.call("EvaluateCase", pb.EvaluateCaseRequest(
            request_id=rid(), name=case.name, etag=case.etag, **kw), who=who)

    def decide(self, case, who="carol", approve=True, **kw):
        kw.setdefault("decision", pb.DECISION_APPROVE if approve else pb.DECISION_DENY)
        req = pb.DecideCaseRequest(request_id=rid(), name=case.name, etag=case.etag, **kw)
        return self.client.call("DecideCase", req, who=who)

    def ctl(self, *args, who="alice", expect=0, timeout=30):
        """Runs refundctl against the server as who; asserts its exit status; returns the process."""
        env = dict(os.environ, REFUNDS_GRPC_ADDR=self.server.addr, REFUNDS_TOKEN=self.client.token(who))
        out = subprocess.run([REFUNDCTL, *args], capture_output=True, text=True, env=env, timeout=timeout)
        self.assertEqual(out.returncode, expect, f"refundctl {' '.join(args)}\n{out.stdout}\n{out.stderr}")
        return out

    def ctl_json(self, *args, who="alice"):
        return json.loads(self.ctl("--json", *args, who=who).stdout)

    def assertStatus(self, ctx, code, *fragments):
        """Asserts the RpcError in ctx has code and its message contains every fragment."""
        err = ctx.exception
        self.assertEqual(err.code(), code, err.details())
        for f in fragments:
            self.assertIn(f, err.details())
        return err


def run_in_threads(n, fn):
    """Runs fn(i) in n threads started together; returns their results or exceptions by index."""
    results = [None] * n
    barrier = threading.Barrier(n)

    def body(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - the caller inspects what each thread got
            results[i] = e

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    require_cluster()
    run_tests()


# Redis, for the tests of the provider cache (test_psp_load.py): a private
# redis-server and a tiny RESP client (python3-redis is not a dependency).

def require_redis():
    """Returns redis-server's path, or exits 77 (skip) / fails when it is not installed."""
    path = shutil.which("redis-server")
    if path:
        return path
    if os.environ.get("REFUNDS_TEST_REQUIRE") == "1":
        raise SystemExit("redis-server is not installed (Debian package redis-server)")
    print("skipped: redis-server is not installed")
    raise SystemExit(SKIP)


class RedisError(Exception):
    """An error reply."""


class RedisServer:
    """A redis-server child process on a free loopback port, no persistence, and a RESP client.

    The server runs in the foreground as our child, so stop() ends exactly it.
    """

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="refunds-redis-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [require_redis(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--logfile", os.path.join(self.dir, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}"
        self.sock = None
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                self.buf = b""
                if self.command("PING") == "PONG":
                    break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"redis-server did not start on {self.port}")
                time.sleep(0.05)

    def command(self, *args):
        """Sends one command; returns str (status), int, bytes (bulk), None or a list; raises RedisError."""
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        reply = self._read()
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("Redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("Redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RuntimeError(f"unexpected RESP reply {line!r}")

    def hgetall(self, key):
        """The hash as {str: str}."""
        items = self.command("HGETALL", key)
        return {items[i].decode(): items[i + 1].decode() for i in range(0, len(items), 2)}

    def keys(self, pattern="*"):
        return sorted(k.decode() for k in self.command("KEYS", pattern))

    def stop(self):
        if self.sock is not None:
            self.sock.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
