// The shop's backend following a customer's refund with @grpc/grpc-js and
// @grpc/proto-loader: open the case with the service token, keep its
// tracking token, and ask refunds.v1.Tracking for the customer's view; a
// token that was changed is NOT_FOUND like one that never existed; an
// agent's token may not ask. Run by tests/integration/test_tracking_js.py,
// which starts the server and passes REFUNDS_ADDR, REFUNDS_SERVICE_TOKEN,
// REFUNDS_AGENT_TOKEN, REFUNDS_SENT_TOKEN (a case whose refund is on its way)
// and REFUNDS_PROTO_DIR.
'use strict';

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const includeDirs = [process.env.REFUNDS_PROTO_DIR, '/usr/include'];
const loaded = protoLoader.loadSync(['refunds/v1/cases.proto', 'refunds/v1/tracking.proto'],
  { includeDirs, keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const pkg = grpc.loadPackageDefinition(loaded);
const addr = process.env.REFUNDS_ADDR;
const cases = new pkg.refunds.v1.RefundCases(addr, grpc.credentials.createInsecure());
const tracking = new pkg.refunds.v1.Tracking(addr, grpc.credentials.createInsecure());

function bearer(token) {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

function call(client, method, request, token = process.env.REFUNDS_SERVICE_TOKEN) {
  return new Promise((resolve, reject) => {
    client[method](request, bearer(token), { deadline: Date.now() + 10000 },
      (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

const status = (tracking_token, language = '', token) =>
  call(tracking, 'GetCustomerRefundStatus', { tracking_token, language }, token);

function openRequest() {
  return {
    request_id: crypto.randomUUID(),
    channel: 'CHANNEL_CHAT',
    customer: { name: 'Zoë Node', email: 'zoe.tracking@example.com', preferred_language: 'en-GB' },
    product: { order_id: 'ORD-JS-2', sku: 'LAMP-3', name: 'Desk lamp', category: 'home' },
    purchase_time: { seconds: String(Math.floor(Date.now() / 1000) - 40 * 86400), nanos: 0 },
    amount_paid: { amount_minor: '12999', currency: 'GBP' },
    requested_amount: { amount_minor: '12999', currency: 'GBP' },
    payment: { method: 'PAYMENT_METHOD_CARD' },
    reason_code: 'REASON_CODE_DEFECTIVE',
    reason_text: 'Flickers',
  };
}

let opened;

test('the case the shop opens carries a tracking token that shows the customer it was received', async () => {
  opened = await call(cases, 'OpenCase', openRequest());
  assert.match(opened.tracking_token, /^[A-Za-z0-9_-]{55}$/);
  const v = await status(opened.tracking_token);
  assert.equal(v.stage, 'CUSTOMER_STAGE_RECEIVED');
  assert.equal(v.language, 'en');
  assert.equal(v.stage_title, 'Request received');
  assert.match(v.stage_text, /^We received your refund request on \d{1,2} [A-Z][a-z]+ \d{4}\./);
  assert.deepEqual(v.amount, { amount_minor: '12999', currency: 'GBP' });
  assert.equal(v.amount_text, '£129.99');
  assert.equal(v.arrival_window, null);
  assert.equal(v.update_time.seconds, opened.create_time.seconds);
});

test('the website may ask in the language it is shown in', async () => {
  const v = await status(opened.tracking_token, 'de');
  assert.equal(v.language, 'de');
  assert.equal(v.stage_title, 'Anfrage eingegangen');
  assert.equal(v.amount_text, '129,99 £');
});

test('a refund on its way has its window, its texts and what to do if it is late', async () => {
  const v = await status(process.env.REFUNDS_SENT_TOKEN, 'es');
  assert.equal(v.stage, 'CUSTOMER_STAGE_REFUND_SENT');
  assert.equal(v.stage_title, 'Reembolso en camino');
  assert.deepEqual(v.amount, { amount_minor: '3999', currency: 'EUR' });
  assert.equal(v.amount_text, '39,99 €');
  const w = v.arrival_window;
  assert.ok(Number(w.from.seconds) < Number(w.to.seconds));
  assert.match(w.to_text, /^\d{1,2} de [a-z]+ de \d{4}$/);
  assert.ok(v.stage_text.includes(w.from_text) && v.stage_text.includes(w.to_text), v.stage_text);
  assert.ok(v.if_not_arrived_text.includes(`para el ${w.to_text}`), v.if_not_arrived_text);
  assert.equal(v.transfer_reference, '');
});

test('a changed or made-up token is NOT_FOUND with the same message', async () => {
  const t = opened.tracking_token;
  const flipped = t.slice(0, 40) + (t[40] === 'A' ? 'B' : 'A') + t.slice(41);
  const messages = [];
  for (const bad of [flipped, t.slice(0, 54), 'A'.repeat(55), 'not a token']) {
    await assert.rejects(status(bad), (err) => {
      assert.equal(err.code, grpc.status.NOT_FOUND);
      messages.push(err.details);
      return true;
    });
  }
  assert.equal(new Set(messages).size, 1);
  assert.equal(messages[0], 'no refund request matches this tracking token');
});

test('an agent may not ask for the customer view', async () => {
  await assert.rejects(status(opened.tracking_token, '', process.env.REFUNDS_AGENT_TOKEN),
    (err) => err.code === grpc.status.PERMISSION_DENIED);
});

after(() => { cases.close(); tracking.close(); });
