// refunds through @grpc/grpc-js, a second real client in another language:
// open and read a case, and decode the google.rpc.BadRequest field
// violations refundsd sends in grpc-status-details-bin. Run by
// tests/integration/test_grpc_js.py, which starts the server and passes
// REFUNDS_ADDR, REFUNDS_AGENT_TOKEN and REFUNDS_PROTO_DIR.
'use strict';

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const protoDir = process.env.REFUNDS_PROTO_DIR;
const includeDirs = [protoDir, '/usr/include', '/usr/share/grpc-proto'];
const loaded = protoLoader.loadSync(
  ['refunds/v1/cases.proto', 'grpc/health/v1/health.proto'],
  { includeDirs, keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
const pkg = grpc.loadPackageDefinition(loaded);
const cases = new pkg.refunds.v1.RefundCases(process.env.REFUNDS_ADDR, grpc.credentials.createInsecure());
const health = new pkg.grpc.health.v1.Health(process.env.REFUNDS_ADDR, grpc.credentials.createInsecure());

// google.rpc.Status and BadRequest, decoded with protobufjs from our protos.
const root = new protobuf.Root();
root.resolvePath = (origin, target) => includeDirs.map((d) => `${d}/${target}`)
  .find((p) => require('node:fs').existsSync(p)) || target;
root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const Status = root.lookupType('google.rpc.Status');
const BadRequest = root.lookupType('google.rpc.BadRequest');

function auth() {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${process.env.REFUNDS_AGENT_TOKEN}`);
  return md;
}

function call(method, request, md = auth()) {
  return new Promise((resolve, reject) => {
    cases[method](request, md, { deadline: Date.now() + 10000 }, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

function openRequest() {
  return {
    request_id: crypto.randomUUID(),
    channel: 'CHANNEL_CHAT',
    customer: { name: 'Zoë Node', email: 'zoe.node@example.com', preferred_language: 'en-GB' },
    product: { order_id: 'ORD-JS-1', sku: 'HEAD-9', name: 'Headphones', category: 'audio' },
    purchase_time: { seconds: String(Math.floor(Date.now() / 1000) - 40 * 86400), nanos: 0 },
    amount_paid: { amount_minor: '12999', currency: 'GBP' },
    requested_amount: { amount_minor: '12999', currency: 'GBP' },
    payment: { method: 'PAYMENT_METHOD_WALLET' },
    reason_code: 'REASON_CODE_NOT_AS_DESCRIBED',
    reason_text: 'No noise cancelling, as advertised',
  };
}

test('health Check answers SERVING without credentials', async () => {
  const reply = await new Promise((resolve, reject) => health.Check({ service: '' }, (e, r) => (e ? reject(e) : resolve(r))));
  assert.equal(reply.status, 'SERVING');
});

test('a case opened from grpc-js reads back the same', async () => {
  const opened = await call('OpenCase', openRequest());
  assert.match(opened.name, /^cases\/[0-9a-f-]{36}$/);
  assert.equal(opened.state, 'CASE_STATE_OPEN');
  assert.equal(opened.requested_amount.amount_minor, '12999');
  const got = await call('GetCase', { name: opened.name });
  assert.deepEqual(got, opened);
});

test('field violations arrive as google.rpc.BadRequest in grpc-status-details-bin', async () => {
  const bad = openRequest();
  bad.customer.email = 'not-an-email';
  bad.requested_amount = { amount_minor: '20000', currency: 'GBP' };
  await assert.rejects(call('OpenCase', bad), (err) => {
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
    assert.match(err.details, /customer\.email/);
    const raw = err.metadata.get('grpc-status-details-bin')[0];
    assert.ok(Buffer.isBuffer(raw), 'grpc-status-details-bin is present');
    const status = Status.decode(raw);
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(status.details[0].type_url, 'type.googleapis.com/google.rpc.BadRequest');
    const fields = BadRequest.decode(status.details[0].value).field_violations.map((v) => v.field);
    assert.deepEqual(fields.sort(), ['customer.email', 'requested_amount.amount_minor']);
    return true;
  });
});

test('a call without a token is UNAUTHENTICATED', async () => {
  await assert.rejects(call('ListCases', {}, new grpc.Metadata()), (err) => err.code === grpc.status.UNAUTHENTICATED);
});

after(() => { cases.close(); health.close(); });
