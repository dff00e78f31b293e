#!/usr/bin/env python3
"""Case changes of refundsd's transactions are announced after their COMMIT,
not in it (migration 0012, rf_db_defer_announcements): a transaction that
sets refunds.defer_notify collects the changed case ids, once each, and sends
no NOTIFY of its own, up to 1,000 ids, past which it notifies at once; any
other session notifies in its transaction as before; a refundsd call commits
with pg_notify out of its reach and its announcement, failing afterwards, is
logged and not returned (another replica then keeps its copy), and once
NOTIFY works again another replica sees a change at once."""

import subprocess
import time

from harness import PGCTL, Server, ServerTest, Client, main, pb, rid, wait_for


class NotifyAfterCommit(ServerTest):
    def session(self, script):
        """Runs script in one psql session that LISTENs on refunds_cases; returns (output lines,
        the payloads of the notifications it received)."""
        out = subprocess.run([PGCTL, "psql", self.cluster, "-d", self.db.name, "-X", "-At",
                              "-v", "ON_ERROR_STOP=1"],
                             input="LISTEN refunds_cases;\n" + script + "\nSELECT 'end';\n",
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip())
        lines = out.stdout.splitlines()
        self.assertEqual(lines[-1], "end", "the session ran to its end")
        payloads = [line.split('payload "')[1].split('"')[0] for line in lines
                    if line.startswith("Asynchronous notification")]
        return lines, payloads

    def get(self, name, client=None):
        return (client or self.client).call("GetCase", pb.GetCaseRequest(name=name))

    def test_a_deferring_transaction_collects_the_ids_once_and_sends_no_notify(self):
        a, b = self.open_case().name[6:], self.open_case().name[6:]
        lines, payloads = self.session(
            "BEGIN; SET LOCAL refunds.defer_notify = on;\n"
            f"UPDATE cases SET customer_name = 'One' WHERE id = '{a}';\n"
            f"UPDATE cases SET customer_name = 'Two' WHERE id = '{b}';\n"
            f"UPDATE cases SET customer_name = 'Three' WHERE id = '{a}';\n"
            "SELECT 'pending=' || current_setting('refunds.announce');\n"
            "COMMIT;\n"
            "SELECT 'after=' || current_setting('refunds.announce', true);")
        self.assertIn(f"pending={a},{b}", lines)
        self.assertIn("after=", lines, "the list is transaction-local")
        self.assertEqual(payloads, [], "a deferring transaction notified in its commit")

    def test_any_other_transaction_still_notifies_at_its_commit(self):
        a = self.open_case().name[6:]
        lines, payloads = self.session(
            f"BEGIN; UPDATE cases SET customer_name = 'Psql' WHERE id = '{a}';\n"
            "SELECT 'pending=' || coalesce(current_setting('refunds.announce', true), ''); COMMIT;")
        self.assertIn("pending=", lines)
        self.assertEqual(payloads, [a])

    def test_past_a_thousand_ids_the_rest_are_notified_at_once(self):
        lines, payloads = self.session(
            "BEGIN; SET LOCAL refunds.defer_notify = on;\n"
            "SELECT count(refunds_announce(gen_random_uuid())) FROM generate_series(1, 1003);\n"
            "SELECT 'kept=' || cardinality(string_to_array(current_setting('refunds.announce'), ','));\n"
            "COMMIT;")
        self.assertIn("kept=1000", lines)
        self.assertEqual(len(set(payloads)), 3, "the ids past the first 1,000 were notified")

    def test_many_ids_go_in_notifications_of_two_hundred(self):
        lines, payloads = self.session(
            "CREATE TEMP TABLE ids AS SELECT gen_random_uuid() AS id, n FROM generate_series(1, 450) n;\n"
            "SELECT 'ids=' || string_agg(id::text, ',' ORDER BY n) FROM ids;\n"
            "BEGIN; SELECT refunds_announce_all(array(SELECT id FROM ids ORDER BY n)); COMMIT;")
        [want] = [line[4:].split(",") for line in lines if line.startswith("ids=")]
        self.assertEqual([len(p.split(",")) for p in payloads], [200, 200, 50])
        self.assertEqual([i for p in payloads for i in p.split(",")], want, "each id once, in order")
        self.assertTrue(all(len(p) < 8000 for p in payloads), "within NOTIFY's payload limit")
        # In a deferring transaction they join the list, once each, and nothing is sent.
        lines, payloads = self.session(
            "BEGIN; SET LOCAL refunds.defer_notify = on;\n"
            "SELECT refunds_announce_all(ARRAY['0190d5a4-0000-7000-8000-000000000001',"
            " '0190d5a4-0000-7000-8000-000000000002', '0190d5a4-0000-7000-8000-000000000001']::uuid[]);\n"
            "SELECT 'pending=' || current_setting('refunds.announce'); COMMIT;")
        self.assertIn("pending=0190d5a4-0000-7000-8000-000000000001,0190d5a4-0000-7000-8000-000000000002",
                      lines)
        self.assertEqual(payloads, [])

    def test_a_call_commits_without_notifying_and_its_announcement_follows(self):
        other = Server(self.db.url, self.tokens_file)
        try:
            b = Client(other.addr, self.tokens)
            wait_for(lambda: "cache enabled" in other.text(), 5, "replica b's cache listener")
            c = self.open_case()
            self.assertEqual(self.get(c.name, b).etag, "1")
            self.assertEqual(self.get(c.name, b).etag, "1")  # cached on b
            # With pg_notify out of refundsd's reach a NOTIFY inside the call's transaction
            # would fail the call; only the one sent after the COMMIT fails, and is logged.
            self.db.sql("REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC")
            try:
                e = self.escalate(c)
                wait_for(lambda: '"event":"announce_failed"' in self.server.text(), 2,
                         "the failed announcement to be logged")
            finally:
                self.db.sql("GRANT EXECUTE ON FUNCTION pg_notify(text, text) TO PUBLIC")
            self.assertEqual(self.get(c.name).etag, e.etag, "the writer reads its own write")
            time.sleep(0.5)
            self.assertEqual(self.get(c.name, b).etag, "1",
                             "replica b learnt of a change nothing announced")
            n = self.client.call("AddInteraction", pb.AddInteractionRequest(
                request_id=rid(), name=c.name, etag=e.etag,
                kind=pb.INTERACTION_KIND_NOTE, summary="announced after commit"))
            t0 = time.time()
            wait_for(lambda: self.get(c.name, b).etag == n.etag, 2, "replica b to see the note")
            self.assertLess(time.time() - t0, 1)
            b.close()
        finally:
            self.assertEqual(other.stop(), 0)
            self.assertEqual(other.sanitizer_reports(), [])


if __name__ == "__main__":
    main()
