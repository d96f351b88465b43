/**
 * Query stats by the core's counting rules (packages/fauna-local/PROTOCOL.md §13; CORE: ext/stats/.../QueryMetrics.scala,
 * ext/repo/.../query/Query.scala `readOpsPerByte`, ext/storage/.../ops/Write.scala `getStats`): the rules themselves,
 * and the engine's figures for reads and writes the rules price. The driver-level cases restated from
 * FQL2MetricsSpec are in packages/fauna-local/tests/conformance/core-spec-definitions.cases.ts.
 */
import { describe, expect, it } from '@jest/globals';
import {
  computeOps, documentBytes, meterCompute, meterDocumentRead, meterDocumentWritten, meterIndexRead, newMeter, partitionsFor, writeTotals,
} from '../../../src/engine/metering.ts';
import { makeDb } from '../helpers/test-db.ts';

describe('the counting rules', () => {
  it('bills compute as ceil(units / 50), at least one op', () => {
    const meter = newMeter();
    expect(computeOps(meter)).toBe(1);
    meterCompute(meter, 50);
    expect(computeOps(meter)).toBe(1);
    meterCompute(meter);
    expect(computeOps(meter)).toBe(2);
  });

  it('prices a document read by 4 KiB blocks, a missing one at 14 bytes and 1 op, and each document once', () => {
    const meter = newMeter();
    const big = { text: 'x'.repeat(10_000) };
    meterDocumentRead(meter, 'C', '1', big);
    meterDocumentRead(meter, 'C', '1', big);
    meterDocumentRead(meter, 'C', '2', null);
    expect(meter.readOps).toBe(Math.ceil(documentBytes(big) / 4096) + 1);
    expect(Math.ceil(documentBytes(big) / 4096)).toBe(3);
    expect(meter.bytesRead).toBe(documentBytes(big) + 14);
  });

  it('reads a document this transaction wrote for free', () => {
    const meter = newMeter();
    meterDocumentWritten(meter, 'C', '1');
    meterDocumentRead(meter, 'C', '1', { a: 1n });
    expect(meter.readOps).toBe(0);
  });

  it('prices an index page as ceil(bytes / 4096) + partitions - 1: one partition with terms, eight without', () => {
    const meter = newMeter();
    meterIndexRead(meter, { coll: 'C', index: 'byA', terms: ['x'] }, partitionsFor(1), 100);
    meterIndexRead(meter, { coll: 'C', index: 'byA', terms: ['x'] }, partitionsFor(1), 100);
    meterIndexRead(meter, { coll: 'C', index: 'all', terms: [] }, partitionsFor(0), 5_000);
    expect(meter.readOps).toBe(1 + (2 + 7));
  });

  it('prices writes per document by 1 KiB blocks', () => {
    expect(writeTotals(newMeter(), new Map([['C/1', 100], ['C/2', 2_000]]))).toEqual({ ops: 1 + 2, bytes: 2_100 });
    expect(documentBytes({ a: 'b' })).toBeGreaterThan(documentBytes({}));
  });
});

describe('the engine under the rules', () => {
  const db = makeDb('collection C {\n  index byA {\n    terms [.a]\n  }\n}');
  const stats = (query: string) => db.run(query).stats;

  it('counts an index page and a document read for a match, only the page for none', () => {
    db.run('C.create({ id: "1", a: "x" })');
    expect(stats('C.byA("x").first()!.a')).toMatchObject({ read_ops: 2, write_ops: 0 });
    expect(stats('C.byA("none").first()')).toMatchObject({ read_ops: 1 });
  });

  it('answers a reference\'s id without a read, and a missing document\'s exists() with one', () => {
    expect(stats('C.byId("404").id')).toMatchObject({ read_ops: 0 });
    expect(stats('C.byId("404").exists()')).toMatchObject({ read_ops: 1, storage_bytes_read: 14 });
  });

  it('counts the final version of a document updated many times in one query as one document write', () => {
    expect(stats('let d = C.byId("1")!\nSet.sequence(0, 20).forEach(i => d.update({ n: i }))\nd.n')).toMatchObject({ read_ops: 1, write_ops: 1 });
  });

  it('counts nothing written by a failed query', () => {
    expect(stats('C.create({ a: "y" })\nabort(0)')).toMatchObject({ write_ops: 0, storage_bytes_write: 0 });
  });
});
