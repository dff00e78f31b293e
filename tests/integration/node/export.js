// ExportFindings through @grpc/grpc-js: the first server-streaming method,
// read by a second real client. Run by tests/integration/test_export.py,
// which starts the server with findings made in SQL and passes REFUNDS_ADDR,
// REFUNDS_FINANCE_TOKEN, REFUNDS_PROTO_DIR and REFUNDS_EXPECT_ROWS.
'use strict';

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const includeDirs = [process.env.REFUNDS_PROTO_DIR, '/usr/include', '/usr/share/grpc-proto'];
const loaded = protoLoader.loadSync(['refunds/v1/reconciliation.proto'],
  { includeDirs, keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
const pkg = grpc.loadPackageDefinition(loaded);
const recon = new pkg.refunds.v1.Reconciliation(process.env.REFUNDS_ADDR, grpc.credentials.createInsecure());
const expected = Number(process.env.REFUNDS_EXPECT_ROWS);

function auth() {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${process.env.REFUNDS_FINANCE_TOKEN}`);
  return md;
}

after(() => recon.close());

test('every finding streams once, oldest first', async () => {
  const stream = recon.ExportFindings({}, auth(), { deadline: Date.now() + 60000 });
  let rows = 0;
  let messages = 0;
  let last = '';
  const seen = new Set();
  for await (const msg of stream) {
    messages++;
    for (const r of msg.rows) {
      const key = `${String(r.open_time.seconds).padStart(12, '0')}.${String(r.open_time.nanos).padStart(9, '0')} ${r.finding}`;
      assert.ok(key > last, `out of order: ${key} after ${last}`);
      last = key;
      assert.ok(!seen.has(r.finding), `twice: ${r.finding}`);
      seen.add(r.finding);
      assert.match(r.finding, /^findings\//);
      assert.ok(r.kind.startsWith('FINDING_KIND_'));
      rows++;
    }
  }
  assert.equal(rows, expected);
  assert.ok(messages >= Math.ceil(expected / 1000), `${messages} messages`);
});

test('a filter selects, and a bad one is INVALID_ARGUMENT', async () => {
  let rows = 0;
  for await (const msg of recon.ExportFindings({ kind: 'FINDING_KIND_FAILED' }, auth())) {
    for (const r of msg.rows) {
      assert.equal(r.kind, 'FINDING_KIND_FAILED');
      rows++;
    }
  }
  assert.equal(rows, Number(process.env.REFUNDS_EXPECT_FAILED));
  await assert.rejects(async () => {
    for await (const _ of recon.ExportFindings({ currency: 'euro' }, auth())) { /* nothing */ }
  }, (err) => err.code === grpc.status.INVALID_ARGUMENT && /currency/.test(err.details));
});

test('a client that cancels half-way gets CANCELLED', async () => {
  const stream = recon.ExportFindings({}, auth());
  let messages = 0;
  const code = await new Promise((resolve) => {
    stream.on('data', () => {
      messages++;
      if (messages === 10) stream.cancel();
    });
    stream.on('error', (err) => resolve(err.code));
    stream.on('end', () => resolve('end'));
  });
  assert.equal(code, grpc.status.CANCELLED);
  assert.ok(messages < expected / 1000, `${messages} messages`);
});
