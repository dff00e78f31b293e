#!/usr/bin/env python3
"""Telling the customer the decision, end to end on real parts: the real
refundsd and PostgreSQL, python3-grpcio as the agent's tool and as the
delivery system, and refundctl.

An approved and a denied case each told in Spanish, German and English, with
the amount, the arrival window, the reasons and every alternative checked in
the text; the case moving to DECISION_COMMUNICATED only when a message is
recorded, audited; the outbox round trip of a delivery system, a failed
delivery shown on the case with a follow-up task for the agent, and a denial
that reached the customer opening the satisfaction follow-up; the money still
recorded after the decision was told; an alternative accepted by the agent or
through the customer's tracking token; refundctl comm preview|record|outbox|sent."""

import grpc

from harness import (ServerTest, business_days_add, date_text, main, pb, cpb, rid, violations)

BASE_URL = "https://shop.example/refunds/track/"
SUPPORT = "help@shop.example"
AMOUNT = {"es": "1.234,56 €", "de": "1.234,56 €", "en": "€1,234.56"}
CREDIT = {"es": "49,99 €", "de": "49,99 €", "en": "€49.99"}
VOUCHER = {"es": "4,99 €", "de": "4,99 €", "en": "€4.99"}
ALTERNATIVES = [pb.ALTERNATIVE_STORE_CREDIT, pb.ALTERNATIVE_EXCHANGE, pb.ALTERNATIVE_REPAIR,
                pb.ALTERNATIVE_DISCOUNT_VOUCHER]
REASONS = {
    "es": "el aparato se ha usado durante más de un año.",
    "de": "das Gerät wurde über ein Jahr lang benutzt.",
    "en": "the machine has been used for more than a year.",
}
# How each language says "by card" when the case has no label, and how it offers each alternative.
WORDS = {
    "es": {"method": "(tarjeta)", "exchange": "un cambio por Espresso machine",
           "repair": "Podemos reparar Espresso machine", "voucher": "vale de descuento de"},
    "de": {"method": "(Karte)", "exchange": "Umtausch gegen Espresso machine",
           "repair": "Wir können Espresso machine für Sie kostenlos reparieren", "voucher": "Rabattgutschein über"},
    "en": {"method": "(card)", "exchange": "an exchange for Espresso machine",
           "repair": "We can repair Espresso machine", "voucher": "discount voucher of"},
}


class CommunicationTest(ServerTest):

    server_env = {"REFUNDS_TRACKING_BASE_URL": BASE_URL, "REFUNDS_SUPPORT_CONTACT": SUPPORT}

    def decided(self, lang, approve=True, minor=123456, **over):
        customer = over.pop("customer", pb.Customer(name="Ana Pérez", email="ana@example.com",
                                                    phone="+34 600 123 456", preferred_language=lang))
        case = self.open_case(customer=customer,
                              product=pb.Product(order_id="ORD-1001", sku="ESP-7", name="Espresso machine",
                                                 category="kitchen"),
                              amount_paid=cpb.Money(amount_minor=minor, currency="EUR"),
                              requested_amount=cpb.Money(amount_minor=minor, currency="EUR"), **over)
        # EUR 1,234.56 is above the default policy's senior threshold: a senior approver decides.
        if approve:
            return self.decide(self.escalate(case), who="sam")
        return self.decide(self.escalate(case), who="sam", approve=False, reason=REASONS[lang],
                           alternatives=ALTERNATIVES)

    def preview(self, case, channel=pb.COMMUNICATION_CHANNEL_EMAIL, language="", who="alice"):
        return self.client.call("PreviewCommunication", pb.PreviewCommunicationRequest(
            name=case.name, channel=channel, language=language), who=who)

    def record(self, case, channel=pb.COMMUNICATION_CHANNEL_EMAIL, language="", who="alice"):
        return self.client.call("RecordCommunication", pb.RecordCommunicationRequest(
            request_id=rid(), name=case.name, etag=case.etag, channel=channel, language=language), who=who)

    def mark(self, name, status, reason="", provider_id="", who="shop", request_id=None):
        return self.client.call("MarkCommunicationSent", pb.MarkCommunicationSentRequest(
            request_id=request_id or rid(), name=name, status=status, failure_reason=reason,
            provider_message_id=provider_id), who=who)

    def outbox(self, who="shop", **kw):
        return self.client.call("ListOutbox", pb.ListOutboxRequest(**kw), who=who)

    def follow_ups(self, case, assignee="alice"):
        r = self.client.call("ListDueFollowUps", pb.ListDueFollowUpsRequest(
            assignee=assignee, include_upcoming=True, page_size=500), who="alice")
        return [f for f in r.follow_ups if f.case == case.name]

    def get(self, case):
        return self.client.call("GetCase", pb.GetCaseRequest(name=case.name))

    def events(self, case):
        return self.db.sql(f"SELECT method, old_state, new_state FROM audit_events"
                           f" WHERE case_id = '{case.name.split('/')[1]}' ORDER BY seq")

    def test_an_approved_case_is_told_in_spanish_german_and_english(self):
        for lang in ("es", "de", "en"):
            with self.subTest(lang=lang):
                case = self.decided(lang)
                p = self.preview(case)
                self.assertEqual((p.language, p.situation, p.channel, p.recipient),
                                 (lang, "decision.approved", pb.COMMUNICATION_CHANNEL_EMAIL, "ana@example.com"))
                self.assertIn("ORD-1001", p.subject)
                self.assertNotIn("{{", p.body)
                self.assertIn(AMOUNT[lang], p.body)
                self.assertIn(WORDS[lang]["method"], p.body)
                self.assertIn(BASE_URL + case.tracking_token, p.body)
                self.assertIn(SUPPORT, p.body)
                self.assertTrue(p.html_body)
                self.assertEqual(p.name, "", "a preview is not stored")
                self.assertEqual(self.get(case).etag, case.etag, "a preview changes nothing")
                self.assertEqual(self.get(case).state, pb.CASE_STATE_APPROVED)

                r = self.record(case)
                m = r.communication
                # The window: card, 5 to 10 business days from when the message was written.
                now = m.create_time.seconds + m.create_time.nanos / 1e9
                self.assertIn(date_text(business_days_add(now, 5), lang), m.body)
                self.assertIn(date_text(business_days_add(now, 10), lang), m.body)
                self.assertEqual(m.name, case.name + "/communications/1")
                self.assertEqual(m.status, pb.COMMUNICATION_STATUS_QUEUED)
                self.assertEqual((m.language, m.situation, m.created_by), (lang, "decision.approved", "alice"))
                self.assertGreaterEqual(m.template_version, 2)
                self.assertEqual(m.body, p.body)
                self.assertEqual(r.case.state, pb.CASE_STATE_DECISION_COMMUNICATED)
                self.assertEqual([c.name for c in r.case.communications], [m.name])
                self.assertEqual(r.case.communications[0].body, "", "the case lists messages without bodies")
                self.assertEqual(self.get(case).etag, r.case.etag)
                self.assertEqual(self.events(case)[-1], ["RecordCommunication", "APPROVED", "DECISION_COMMUNICATED"])
        # A regional tag falls back to its language; a language without templates to English.
        case = self.decided("de-AT")
        self.assertEqual(self.preview(case).language, "de")
        self.assertEqual(self.preview(case, language="fr").language, "en")
        self.assertEqual(self.preview(case, language="es-MX").language, "es")

    def test_a_denied_case_is_told_its_reasons_and_every_alternative(self):
        for lang in ("es", "de", "en"):
            with self.subTest(lang=lang):
                case = self.decided(lang, approve=False, minor=4999)
                r = self.record(case)
                m = r.communication
                until = date_text(m.offer_valid_until.seconds, lang)
                self.assertEqual(m.situation, "decision.denied")
                self.assertIn(REASONS[lang].rstrip("."), m.body)
                self.assertNotIn(REASONS[lang] + ".", m.body, "the template ends the sentence")
                self.assertIn(CREDIT[lang], m.body)
                self.assertIn(VOUCHER[lang], m.body)
                for word in ("exchange", "repair", "voucher"):
                    self.assertIn(WORDS[lang][word], m.body)
                self.assertIn(until, m.body)
                self.assertIn(BASE_URL + case.tracking_token, m.body)
                # 30 days to accept (REFUNDS_OFFER_VALID_DAYS), to the end of that day.
                self.assertEqual(date_text(m.create_time.seconds + 30 * 86400, lang), until)
                self.assertEqual([o.alternative for o in m.offers], ALTERNATIVES)
                self.assertEqual(m.offers[0].amount.amount_minor, 4999)
                self.assertEqual(m.offers[1].product, "Espresso machine")
                self.assertEqual(m.offers[3].amount.amount_minor, 499, "10 % of the requested amount")
                self.assertEqual(r.case.state, pb.CASE_STATE_DECISION_COMMUNICATED)
                # The SMS is short and still says why, what is offered and where to accept.
                sms = self.preview(self.get(case), channel=pb.COMMUNICATION_CHANNEL_SMS)
                self.assertEqual((sms.situation, sms.subject, sms.html_body, sms.recipient),
                                 ("decision.denied.sms", "", "", "+34 600 123 456"))
                self.assertLess(len(sms.body), 480)
                for part in (CREDIT[lang], VOUCHER[lang], until, BASE_URL + case.tracking_token):
                    self.assertIn(part, sms.body)
                # Told again (the customer asked for it by phone): the same offer, the state stays.
                again = self.record(r.case, channel=pb.COMMUNICATION_CHANNEL_PHONE_SCRIPT)
                self.assertEqual(again.communication.situation, "decision.denied.phone")
                self.assertEqual(again.communication.offer_valid_until, m.offer_valid_until)
                self.assertEqual(again.communication.status, pb.COMMUNICATION_STATUS_SENT,
                                 "a phone script is recorded once said")
                # Said on the phone, the denial reached the customer: the satisfaction follow-up.
                self.assertEqual(again.case.state, pb.CASE_STATE_AWAITING_FOLLOW_UP)
                self.assertEqual([f.kind for f in self.follow_ups(case)], [pb.FOLLOW_UP_KIND_SATISFACTION])

    def test_the_outbox_delivery_round_trip_with_a_failed_delivery(self):
        a = self.record(self.decided("en")).communication
        b = self.record(self.decided("es"), channel=pb.COMMUNICATION_CHANNEL_SMS).communication
        mine = {a.name, b.name}
        queued = []
        page = self.outbox(page_size=1)
        while True:
            queued += [m for m in page.communications if m.name in mine]
            if not page.next_page_token:
                break
            page = self.outbox(page_size=1, page_token=page.next_page_token)
        self.assertEqual([m.name for m in queued], [a.name, b.name], "oldest first, one page at a time")
        self.assertEqual(queued[0].body, a.body, "the delivery system gets the bodies")
        self.assertEqual(queued[1].recipient, "+34 600 123 456")
        sms_only = self.outbox(channel=pb.COMMUNICATION_CHANNEL_SMS, page_size=500).communications
        self.assertIn(b.name, [m.name for m in sms_only])
        self.assertNotIn(a.name, [m.name for m in sms_only])
        with self.assertRaises(grpc.RpcError) as ctx:
            self.outbox(who="alice")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

        key = rid()
        sent = self.mark(a.name, pb.COMMUNICATION_STATUS_SENT, provider_id="ses-0001", request_id=key)
        self.assertEqual((sent.status, sent.provider_message_id, sent.status_by),
                         (pb.COMMUNICATION_STATUS_SENT, "ses-0001", "shop"))
        self.assertEqual(self.mark(a.name, pb.COMMUNICATION_STATUS_SENT, provider_id="ses-0001",
                                   request_id=key), sent, "a retry gets the first answer")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.mark(a.name, pb.COMMUNICATION_STATUS_SENT)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "SENT already")
        self.assertNotIn(a.name, [m.name for m in self.outbox(page_size=500).communications])
        self.assertIn(a.name, [m.name for m in self.outbox(
            status=pb.COMMUNICATION_STATUS_SENT, case=a.name.split("/communications")[0]).communications])

        failed = self.mark(b.name, pb.COMMUNICATION_STATUS_FAILED, reason="number not in service")
        self.assertEqual((failed.status, failed.failure_reason),
                         (pb.COMMUNICATION_STATUS_FAILED, "number not in service"))
        case_b = pb.Case(name=b.name.split("/communications")[0])
        shown = self.get(case_b).communications
        self.assertEqual([(m.status, m.failure_reason) for m in shown],
                         [(pb.COMMUNICATION_STATUS_FAILED, "number not in service")], "the case shows it")
        tasks = self.follow_ups(case_b)
        self.assertEqual([t.kind for t in tasks], [pb.FOLLOW_UP_KIND_DELIVERY_FAILED])
        self.assertIn("number not in service", tasks[0].reason)
        self.assertEqual(tasks[0].assignee, "alice")
        self.assertEqual(self.events(case_b)[-2:], [["MarkCommunicationSent", "DECISION_COMMUNICATED",
                                                     "DECISION_COMMUNICATED"]] * 2)
        # A bounce after SENT is a failure too; nothing follows a failure.
        bounced = self.mark(a.name, pb.COMMUNICATION_STATUS_FAILED, reason="mailbox full")
        self.assertEqual(bounced.status, pb.COMMUNICATION_STATUS_FAILED)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.mark(a.name, pb.COMMUNICATION_STATUS_SENT)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "FAILED already")

        # A denial that reached the customer: the case awaits the satisfaction follow-up.
        denial = self.record(self.decided("de", approve=False)).communication
        self.mark(denial.name, pb.COMMUNICATION_STATUS_SENT)
        case_d = self.get(pb.Case(name=denial.name.split("/communications")[0]))
        self.assertEqual(case_d.state, pb.CASE_STATE_AWAITING_FOLLOW_UP)
        [task] = self.follow_ups(case_d)
        self.assertEqual(task.kind, pb.FOLLOW_UP_KIND_SATISFACTION)
        delivered = denial.create_time.seconds
        self.assertEqual(date_text(task.due_time.seconds, "en"), date_text(business_days_add(delivered, 3), "en"))
        self.assertIn("recommend us", task.reason)

    def test_bad_reports_and_unknown_messages(self):
        m = self.record(self.decided("en")).communication
        for req, field in ((dict(name="cases/x/communications/1", status=pb.COMMUNICATION_STATUS_SENT), "name"),
                           (dict(name=m.name, status=pb.COMMUNICATION_STATUS_QUEUED), "status"),
                           (dict(name=m.name, status=7), "status"),
                           (dict(name=m.name, status=pb.COMMUNICATION_STATUS_FAILED), "failure_reason"),
                           (dict(name=m.name, status=pb.COMMUNICATION_STATUS_SENT, failure_reason="x"),
                            "failure_reason")):
            with self.subTest(field=field), self.assertRaises(grpc.RpcError) as ctx:
                self.client.call("MarkCommunicationSent", pb.MarkCommunicationSentRequest(
                    request_id=rid(), **req), who="shop")
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn(field, violations(ctx.exception))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.mark(m.name.replace("/communications/1", "/communications/9"), pb.COMMUNICATION_STATUS_SENT)
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, "communications/9")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.mark(m.name, pb.COMMUNICATION_STATUS_SENT, who="alice")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_a_decision_is_told_only_once_there_is_one_and_with_the_etag(self):
        opened = self.open_case()
        with self.assertRaises(grpc.RpcError) as ctx:
            self.record(opened)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "is OPEN", "APPROVED, DENIED")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.preview(opened)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        case = self.decided("en")
        stale = pb.Case(name=case.name, etag=str(int(case.etag) - 1))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.record(stale)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "stale")
        self.assertEqual(self.get(case).state, pb.CASE_STATE_APPROVED, "nothing was recorded")
        no_phone = self.decided("en", customer=pb.Customer(name="Bo", email="bo@example.com"))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.record(no_phone, channel=pb.COMMUNICATION_CHANNEL_SMS)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "no phone number")
        for req, field in ((dict(channel=9), "channel"), (dict(language="not a tag"), "language"),
                           (dict(etag=""), "etag")):
            full = dict(request_id=rid(), name=case.name, etag=case.etag)
            full.update(req)
            with self.subTest(field=field), self.assertRaises(grpc.RpcError) as ctx:
                self.client.call("RecordCommunication", pb.RecordCommunicationRequest(**full))
            self.assertIn(field, violations(ctx.exception))
        with self.assertRaises(grpc.RpcError) as ctx:
            self.record(case, who="shop")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_the_money_is_still_recorded_after_the_decision_was_told(self):
        told = self.record(self.decided("en")).case
        issued = self.client.call("RecordRefundIssued", pb.RecordRefundIssuedRequest(
            request_id=rid(), name=told.name, provider="stripe", provider_refund_id="re_told_" + rid()[:8],
            amount=cpb.Money(amount_minor=123456, currency="EUR"), issue_time=told.update_time), who="payments")
        self.assertEqual(issued.state, pb.CASE_STATE_REFUND_IN_PROGRESS)
        # Told again now: the window is the refund's own, counted from its issue; the state stays.
        again = self.record(issued, channel=pb.COMMUNICATION_CHANNEL_LETTER)
        self.assertEqual(again.case.state, pb.CASE_STATE_REFUND_IN_PROGRESS)
        m = again.communication
        self.assertEqual((m.recipient, m.html_body), ("", ""), "a letter is addressed by the order")
        self.assertTrue(m.subject)
        self.assertIn(date_text(business_days_add(told.update_time.seconds, 10), "en"), m.body)
        self.assertEqual([c.name.rsplit("/", 1)[1] for c in again.case.communications], ["1", "2"])

    def test_an_alternative_is_accepted_by_the_agent_or_through_the_tracking_token(self):
        case = self.decided("en", approve=False, minor=4999)
        with self.assertRaises(grpc.RpcError) as ctx:
            self.accept(case, pb.ALTERNATIVE_STORE_CREDIT)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.FAILED_PRECONDITION, "not told yet")
        told = self.record(case).case
        accepted = self.accept(told, pb.ALTERNATIVE_STORE_CREDIT, note="customer called")
        acc = accepted.accepted_alternative
        self.assertEqual((acc.offer.alternative, acc.offer.amount.amount_minor, acc.accepted_by, acc.note),
                         (pb.ALTERNATIVE_STORE_CREDIT, 4999, "alice", "customer called"))
        self.assertEqual(acc.communication, told.name + "/communications/1")
        self.assertTrue(acc.offer.HasField("spend_until"))
        self.assertEqual(self.events(case)[-1], ["AcceptAlternative", "DECISION_COMMUNICATED",
                                                 "DECISION_COMMUNICATED"])
        with self.assertRaises(grpc.RpcError) as ctx:
            self.accept(accepted, pb.ALTERNATIVE_EXCHANGE)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "accepted STORE_CREDIT already")

        # The shop's website, for the customer, with their tracking token.
        other = self.record(self.decided("es", approve=False, minor=4999)).case
        by_token = self.client.call("AcceptAlternative", pb.AcceptAlternativeRequest(
            request_id=rid(), tracking_token=other.tracking_token, alternative=pb.ALTERNATIVE_EXCHANGE), who="shop")
        self.assertEqual(by_token.accepted_alternative.offer.product, "Espresso machine")
        self.assertEqual(by_token.accepted_alternative.accepted_by, "shop")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.client.call("AcceptAlternative", pb.AcceptAlternativeRequest(
                request_id=rid(), tracking_token=other.tracking_token[:-2] + "AA",
                alternative=pb.ALTERNATIVE_EXCHANGE), who="shop")
        self.assertStatus(ctx, grpc.StatusCode.NOT_FOUND, "no refund request matches this tracking token")

        # Only what was offered, only while the offer lasts, only for a denial.
        narrow = self.open_case()
        narrow = self.record(self.decide(self.escalate(narrow), approve=False, reason="used",
                                         alternatives=[pb.ALTERNATIVE_REPAIR])).case
        with self.assertRaises(grpc.RpcError) as ctx:
            self.accept(narrow, pb.ALTERNATIVE_STORE_CREDIT)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "did not offer STORE_CREDIT")
        self.db.sql(f"UPDATE communications SET offer_valid_until = now() - interval '1 day'"
                    f" WHERE case_id = '{narrow.name.split('/')[1]}'")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.accept(narrow, pb.ALTERNATIVE_REPAIR)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "has expired")
        approved = self.record(self.decided("en")).case
        with self.assertRaises(grpc.RpcError) as ctx:
            self.accept(approved, pb.ALTERNATIVE_STORE_CREDIT)
        self.assertStatus(ctx, grpc.StatusCode.FAILED_PRECONDITION, "only a denial offers alternatives")

    def accept(self, case, alternative, note="", who="alice"):
        return self.client.call("AcceptAlternative", pb.AcceptAlternativeRequest(
            request_id=rid(), name=case.name, alternative=alternative, note=note), who=who)

    def test_refundctl_previews_records_lists_and_reports_messages(self):
        case = self.decided("de")
        out = self.ctl("comm", "preview", case.name).stdout
        self.assertIn("decision.approved", out)
        self.assertIn(AMOUNT["de"], out)
        self.assertIn("Subject", out)
        preview = self.ctl_json("comm", "preview", case.name, "--channel", "sms")
        self.assertEqual(preview["situation"], "decision.approved.sms")
        out = self.ctl("comm", "record", case.name).stdout
        self.assertIn("decision-communicated", out)
        name = case.name + "/communications/1"
        self.assertIn(name, out)
        table = self.ctl("comm", "outbox", "--case", case.name, who="shop").stdout
        self.assertIn("CHANNEL", table)
        self.assertIn(case.name.split("/")[1] + "/1  queued  email", table)
        listed = self.ctl_json("comm", "outbox", "--case", case.name, who="shop")
        self.assertEqual([m["name"] for m in listed["communications"]], [name])
        sent = self.ctl_json("comm", "sent", name, "--provider-message-id", "ses-9", who="shop")
        self.assertEqual(sent["status"], "COMMUNICATION_STATUS_SENT")
        failed = self.ctl("comm", "sent", name, "--failed", "--reason", "bounced", who="shop").stdout
        self.assertIn("failed", failed)
        self.assertIn("bounced", failed)
        shown = self.ctl("get", case.name).stdout
        self.assertIn("Messages", shown)
        self.assertIn("bounced", shown)


if __name__ == "__main__":
    main()
