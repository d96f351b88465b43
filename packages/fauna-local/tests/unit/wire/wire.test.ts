import { describe, expect, it } from '@jest/globals';
import { decodeSimple, decodeTagged, ValueDecodeError } from '../../../src/wire/decode.ts';
import { javaDoubleString } from '../../../src/wire/encode.ts';
import { DocRef, FqlTime, ModuleValue } from '../../../src/values/values.ts';
import { int, makeDb } from '../helpers/test-db.ts';

const TIME_REGEX = /^(?:\d{4}|[\u2212-]\d{4,}|\+\d{5,})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.\d+)?(?:[zZ]|[+\u2212-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9]))$/;

describe('tagged encoding of results', () => {
  const db = makeDb('collection C { *: Any }');

  it('tags every scalar kind', () => {
    expect(db.data('[1, 2147483648, 1.5, 1.0, 1e10, "s", true, null, Date("2024-02-29"), Time("2024-01-02T03:04:05.123456Z"), Math, C, Token]')).toEqual([
      int(1), { '@long': '2147483648' }, { '@double': '1.5' }, { '@double': '1.0' }, { '@double': '1.0E10' }, 's', true, null,
      { '@date': '2024-02-29' }, { '@time': '2024-01-02T03:04:05.123456Z' }, { '@mod': 'Math' }, { '@mod': 'C' }, { '@mod': 'Token' },
    ]);
  });

  it('writes times the way Java Instant does, always matching the driver regex', () => {
    for (const [input, output] of [
      ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05Z'],
      ['2024-01-02T03:04:05.100Z', '2024-01-02T03:04:05.100Z'],
      ['2024-01-02T03:04:05.000001Z', '2024-01-02T03:04:05.000001Z'],
      ['2024-01-02T03:04:05.000000001Z', '2024-01-02T03:04:05.000000001Z'],
      ['2024-01-02T05:04:05+02:00', '2024-01-02T03:04:05Z'],
    ]) {
      const encoded = db.data(`Time("${input}")`) as { '@time': string };
      expect(encoded['@time']).toBe(output);
      expect(encoded['@time']).toMatch(TIME_REGEX);
    }
  });

  it('round-trips bytes, dates, modules and document references passed as values', () => {
    const own = makeDb('collection C { *: Any }');
    const ref = own.data('C.create({ n: 1 }).id') as string;
    const out = own.data({ fql: ['[', { value: { '@bytes': 'AQID' } }, ', ', { value: { '@date': '2024-01-02' } }, ', ', { value: { '@mod': 'C' } }, ', ', { value: { '@ref': { id: ref, coll: { '@mod': 'C' } } } }, '.n]'] });
    expect(out).toEqual([{ '@bytes': 'AQID' }, { '@date': '2024-01-02' }, { '@mod': 'C' }, int(1)]);
  });

  it('builds bytes and ids from FQL', () => {
    expect(db.data('[Bytes("AQID"), ID("123"), ID(45)]')).toEqual([{ '@bytes': 'AQID' }, '123', '45']);
    expect(db.error('ID("x")').code).toBe('invalid_id');
  });

  it('wraps objects with @-keys in @object', () => {
    expect(db.data('{ "@int": "x", a: 1 }')).toEqual({ '@object': { '@int': 'x', a: int(1) } });
  });

  it('renders functions as text', () => {
    expect(db.data('x => x')).toBe('[function <lambda>]');
  });

  it('encodes the simple format without tags', () => {
    const out = db.data('let d = C.create({ n: 1, when: Time("2024-01-02T03:04:05Z") })\n{ d: d, n: 2, x: 1.5, s: C.all(), missing: C.byId("1") }', { format: 'simple' }) as Record<string, unknown>;
    expect(out).toMatchObject({ n: 2, x: 1.5, missing: null, d: { n: 1, when: '2024-01-02T03:04:05Z', coll: 'C' } });
    expect((out.s as { data: unknown[] }).data).toHaveLength(1);
  });

  it('encodes the decorated format as FQL literal text', () => {
    expect(db.data('{ a: 1, t: Time("2024-01-02T03:04:05Z") }', { format: 'decorated' })).toBe('{\n  a: 1,\n  t: Time("2024-01-02T03:04:05Z")\n}');
  });

  it('formats doubles like the JVM', () => {
    expect([1, 0.5, 1e7, 1.25e-5, -3, 123456.789].map(javaDoubleString)).toEqual(['1.0', '0.5', '1.0E7', '1.25E-5', '-3.0', '123456.789']);
  });
});

describe('decoding of arguments and template values', () => {
  const modules = (name: string) => (name === 'C' ? new ModuleValue('C', true) : null);

  it('decodes every accepted tag', () => {
    expect(decodeTagged({ '@int': '5' }, modules)).toBe(5n);
    expect(decodeTagged({ '@long': '9223372036854775807' }, modules)).toBe(9223372036854775807n);
    expect(decodeTagged({ '@double': '1.0E10' }, modules)).toBe(1e10);
    expect(decodeTagged({ '@time': '2024-01-02T03:04:05Z' }, modules)).toEqual(new FqlTime(1704164645000000000n));
    expect(decodeTagged({ '@ref': { id: '12', coll: { '@mod': 'C' } } }, modules)).toEqual(new DocRef('C', '12'));
    expect(decodeTagged({ '@doc': 'C:12' }, modules)).toEqual(new DocRef('C', '12'));
    expect(decodeTagged({ '@object': { '@int': 'x' } }, modules)).toEqual({ '@int': 'x' });
    expect(decodeSimple({ a: 1, b: 1.5 })).toEqual({ a: 1n, b: 1.5 });
  });

  it('rejects bare numbers, unknown tags, extra keys and unknown modules', () => {
    expect(() => decodeTagged(1, modules)).toThrow(new ValueDecodeError('numbers must be tagged'));
    expect(() => decodeTagged({ '@nope': '1' }, modules)).toThrow(ValueDecodeError);
    expect(() => decodeTagged({ '@int': '1', x: 1 }, modules)).toThrow('too many keys in tagged value');
    expect(() => decodeTagged({ '@mod': 'Nope' }, modules)).toThrow("no such module 'Nope'");
    expect(() => decodeTagged({ '@int': '99999999999' }, modules)).toThrow(ValueDecodeError);
  });

  it('answers a bad argument with invalid_request naming the argument', () => {
    const db = makeDb();
    const error = db.error('x', { args: { x: 5 } });
    expect(error).toMatchObject({ code: 'invalid_request', message: "Invalid argument 'x': numbers must be tagged", httpStatus: 400 });
  });

  it('answers a bad template value with invalid_query', () => {
    const db = makeDb();
    expect(db.error({ fql: ['1 + ', { value: { '@int': 'one' } }] }).code).toBe('invalid_query');
  });

  it('answers a malformed template with invalid_request', () => {
    const db = makeDb();
    expect(db.error({ fql: [{ nope: 1 }] } as never).code).toBe('invalid_request');
  });

  it('passes a missing document reference through as a null doc', () => {
    const db = makeDb('collection C { *: Any }');
    expect(db.data({ fql: ['', { value: { '@ref': { id: '7', coll: { '@mod': 'C' } } } }] })).toEqual({ '@ref': { id: '7', coll: { '@mod': 'C' }, exists: false, cause: 'not found' } });
  });
});

describe('Time and Date', () => {
  const db = makeDb();

  it('returns the same Time.now() throughout one query, at the transaction time', () => {
    const outcome = db.run('let a = Time.now()\nlet b = [1, 2, 3].map(x => Time.now())\n[a == b[0], b[0] == b[2], a.toMicros()]');
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const [same1, same2, micros] = outcome.data as [boolean, boolean, { '@long': string }];
    expect(same1 && same2).toBe(true);
    expect(BigInt(micros['@long'])).toBe(BigInt(outcome.txn_ts));
  });

  it('adds and subtracts every unit, singular or plural', () => {
    const base = 'Time("2024-01-01T00:00:00Z")';
    expect(db.data(`[${['day', 'half day', 'hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond'].map((u) => `${base}.add(1, "${u}")`).join(', ')}]`)).toEqual([
      { '@time': '2024-01-02T00:00:00Z' }, { '@time': '2024-01-01T12:00:00Z' }, { '@time': '2024-01-01T01:00:00Z' }, { '@time': '2024-01-01T00:01:00Z' },
      { '@time': '2024-01-01T00:00:01Z' }, { '@time': '2024-01-01T00:00:00.001Z' }, { '@time': '2024-01-01T00:00:00.000001Z' }, { '@time': '2024-01-01T00:00:00.000000001Z' },
    ]);
    expect(db.data(`${base}.subtract(2, "days")`)).toEqual({ '@time': '2023-12-30T00:00:00Z' });
    expect(db.data(`${base}.add(1.5, "seconds")`)).toEqual({ '@time': '2024-01-01T00:00:01.500Z' });
  });

  it('rejects unknown units and invalid times', () => {
    expect(db.error('Time.now().add(1, "fortnight")')).toMatchObject({ code: 'invalid_unit', message: '`fortnight` is not a valid time unit.' });
    expect(db.error('Time("yesterday")').code).toBe('invalid_time');
    expect(db.error('Date("2023-02-30")').code).toBe('invalid_date');
  });

  it('computes differences, epochs, millis and string forms', () => {
    expect(db.data('Time("2024-01-02T00:00:00Z").difference(Time("2024-01-01T00:00:00Z"), "hours")')).toEqual(int(24));
    expect(db.data('Time.epoch(1700000000, "seconds")')).toEqual({ '@time': '2023-11-14T22:13:20Z' });
    expect(db.data('Time("1970-01-01T00:00:01.5Z").toMillis()')).toEqual(int(1500));
    expect(db.data('Time.fromString("2024-01-01T00:00:00Z").toString()')).toBe('2024-01-01T00:00:00Z');
    expect(db.data('Time("2024-01-01T00:00:00Z") < Time("2024-01-02T00:00:00Z")')).toBe(true);
    expect(db.data('let t = Time("2024-03-05T06:07:08Z")\n{ year: t.year, month: t.month, dayOfMonth: t.dayOfMonth, hour: t.hour }')).toEqual({ year: int(2024), month: int(3), dayOfMonth: int(5), hour: int(6) });
  });
});
