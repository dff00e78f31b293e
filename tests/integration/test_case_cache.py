#!/usr/bin/env python3
"""The GetCase cache is used and never serves a case older than what was
announced: a change made with the NOTIFY trigger disabled stays invisible
(so reads are served from the cache), a change that notifies is seen at
once, a second replica sees the first one's writes, losing the listening
connection empties the cache, the cache can be turned off, and a cached
pending approval turns sla_breached at its due time."""

import time

import grpc

from harness import Server, ServerTest, Client, in_thread, main, pb, rid, wait_for


class CaseCache(ServerTest):
    def get(self, name, client=None):
        return (client or self.client).call("GetCase", pb.GetCaseRequest(name=name))

    def silent_rename(self, case, new_name):
        """Changes the customer's name in SQL without announcing it (trigger off, same transaction)."""
        self.db.sql("BEGIN; ALTER TABLE cases DISABLE TRIGGER cases_notify_change;"
                    f" UPDATE cases SET customer_name = '{new_name}', version = version + 1"
                    f" WHERE id = '{case.name[6:]}';"
                    " ALTER TABLE cases ENABLE TRIGGER cases_notify_change; COMMIT")

    def test_reads_are_served_from_the_cache_until_a_change_is_announced(self):
        c = self.open_case()
        self.get(c.name)  # a miss stores the reply
        self.silent_rename(c, "Silently Renamed")
        self.assertEqual(self.get(c.name).customer.name, c.customer.name,
                         "an unannounced change is invisible only if the read was a cache hit")
        self.db.sql(f"UPDATE cases SET customer_name = 'Announced' WHERE id = '{c.name[6:]}'")
        wait_for(lambda: self.get(c.name).customer.name == "Announced", 2, "the announced change")

    def test_a_caller_reads_its_own_writes_at_once(self):
        c = self.open_case()
        for i in range(20):
            self.get(c.name)
            c = self.client.call("AddInteraction", pb.AddInteractionRequest(
                request_id=rid(), name=c.name, etag=c.etag, kind=pb.INTERACTION_KIND_NOTE, summary=f"n{i}"))
            got = self.get(c.name)
            self.assertEqual((got.etag, len(got.interactions)), (c.etag, i + 2))

    def test_a_second_replica_sees_the_first_ones_changes(self):
        other = Server(self.db.url, self.tokens_file)
        try:
            b = Client(other.addr, self.tokens)
            c = self.open_case()
            self.assertEqual(self.get(c.name, b).etag, "1")
            self.assertEqual(self.get(c.name, b).etag, "1")
            e = self.escalate(c)
            t0 = time.time()
            wait_for(lambda: self.get(c.name, b).etag == e.etag, 2, "replica b to see the escalation")
            self.assertLess(time.time() - t0, 2)
            self.assertEqual(self.get(c.name, b).state, pb.CASE_STATE_PENDING_APPROVAL)
            b.close()
        finally:
            self.assertEqual(other.stop(), 0)
            self.assertEqual(other.sanitizer_reports(), [])

    def test_losing_the_listening_connection_empties_the_cache(self):
        c = self.open_case()
        self.get(c.name)
        self.get(c.name)
        killed = self.db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             " WHERE application_name = 'refundsd-listener' AND datname = current_database()")
        self.assertEqual(killed, [["t"]])
        wait_for(lambda: "lost the listening connection" in self.server.text(), 5, "the listener to notice")
        # Whatever happens while nobody listens must not be hidden by the cache.
        self.silent_rename(c, "Changed While Deaf")
        wait_for(lambda: self.get(c.name).customer.name == "Changed While Deaf", 5, "a fresh read")
        wait_for(lambda: self.server.text().count("cache enabled") >= 2, 10, "the listener to come back")


class CacheOff(ServerTest):
    server_env = {"REFUNDS_CASE_CACHE_MB": 0}

    def test_with_the_cache_off_every_read_goes_to_the_database(self):
        c = self.open_case()
        self.client.call("GetCase", pb.GetCaseRequest(name=c.name))
        self.db.sql("BEGIN; ALTER TABLE cases DISABLE TRIGGER cases_notify_change;"
                    f" UPDATE cases SET customer_name = 'Direct' WHERE id = '{c.name[6:]}';"
                    " ALTER TABLE cases ENABLE TRIGGER cases_notify_change; COMMIT")
        self.assertEqual(self.client.call("GetCase", pb.GetCaseRequest(name=c.name)).customer.name, "Direct")
        self.assertNotIn("cache enabled", self.server.text())


class CachedSlaBreach(ServerTest):
    server_env = {"REFUNDS_APPROVAL_SLA_SECONDS": 1}

    def test_a_cached_pending_approval_turns_breached_at_its_due_time(self):
        e = self.escalate(self.open_case())
        first = self.client.call("GetCase", pb.GetCaseRequest(name=e.name))
        self.assertFalse(first.approval.sla_breached)
        self.assertFalse(self.client.call("GetCase", pb.GetCaseRequest(name=e.name)).approval.sla_breached)
        time.sleep(1.2)
        self.assertTrue(self.client.call("GetCase", pb.GetCaseRequest(name=e.name)).approval.sla_breached)



class ReadYourWritesAfterRetries(ServerTest):
    """A mutation's first attempt commits, then (REFUNDS_TEST_DELAY_AFTER_COMMIT_MS) waits before
    dropping the cached case and answering: the window a slow database or a busy thread opens
    between COMMIT and the reply, made wide enough to hit every time. The NOTIFY trigger is off,
    as if the listener lagged, so only the server's own invalidation can keep the promise."""

    server_env = {"REFUNDS_TEST_DELAY_AFTER_COMMIT_MS": "600"}

    def setUp(self):
        self.db.sql("ALTER TABLE cases DISABLE TRIGGER cases_notify_change")
        self.addCleanup(self.db.sql, "ALTER TABLE cases ENABLE TRIGGER cases_notify_change")

    def get(self, name):
        return self.client.call("GetCase", pb.GetCaseRequest(name=name))

    def note(self, c, request_id, summary):
        return pb.AddInteractionRequest(request_id=request_id, name=c.name, etag=c.etag,
                                        kind=pb.INTERACTION_KIND_NOTE, summary=summary)

    def committed(self, request_id):
        return self.db.scalar("SELECT count(*) FROM idempotency_keys WHERE request_id = "
                              f"'{request_id}' AND response IS NOT NULL") == "1"

    def test_a_retry_after_the_deadline_reads_what_its_replayed_answer_says(self):
        c = self.open_case()
        self.get(c.name)  # cached at etag 1
        req = self.note(c, rid(), "first attempt times out after its commit")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("AddInteraction", req, timeout=0.3)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        wait_for(lambda: self.committed(req.request_id), 5, "the first attempt's commit")
        replayed = self.client.call("AddInteraction", req)
        self.assertEqual(replayed.etag, "2")
        got = self.get(c.name)
        self.assertEqual(got.etag, replayed.etag, "GetCase right after the retry served the old case")
        self.assertEqual(len(got.interactions), 2)

    def test_a_concurrent_duplicate_reads_what_its_replayed_answer_says(self):
        c = self.open_case()
        self.get(c.name)
        req = self.note(c, rid(), "two copies of one request")
        t, first = in_thread(lambda: self.client.call("AddInteraction", req, timeout=10))
        wait_for(lambda: self.committed(req.request_id), 5, "the first copy's commit")
        second = self.client.call("AddInteraction", req)
        got = self.get(c.name)
        self.assertEqual(got.etag, second.etag, "GetCase after the duplicate served the old case")
        t.join()
        self.assertEqual(first["r"], second, "both copies get the same answer")


if __name__ == "__main__":
    main()
