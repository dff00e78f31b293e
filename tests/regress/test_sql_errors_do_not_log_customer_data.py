#!/usr/bin/env python3
"""Regression: SQL errors were logged with libpq's whole error message, whose
DETAIL quotes the failing row for a CHECK violation ("Failing row contains
(..., Ana Pérez, ana@example.com, ...)"): customer contact data in the log.
Now only the SQLSTATE, the primary message and the constraint's name are."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../integration"))

import grpc  # noqa: E402

from harness import ServerTest, main, open_request  # noqa: E402


class SqlErrorLog(ServerTest):
    def test_a_constraint_violation_is_logged_without_the_row(self):
        self.db.sql("ALTER TABLE cases ADD CONSTRAINT regress_no_zed CHECK (customer_name <> 'Zed Secret')")
        req = open_request()
        req.customer.name = "Zed Secret"
        req.customer.email = "zed.secret@example.com"
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("OpenCase", req)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.INTERNAL)
        self.assertNotIn("Zed", ctx.exception.details(), "SQL errors never reach the client")
        log = self.server.text()
        self.assertIn("regress_no_zed", log, "the log names the constraint")
        self.assertIn("23514", log)
        self.assertNotIn("zed.secret@example.com", log)
        self.assertNotIn("Zed Secret", log)
        self.db.sql("ALTER TABLE cases DROP CONSTRAINT regress_no_zed")


if __name__ == "__main__":
    main()
