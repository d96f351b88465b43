/**
 * Decoding of client values: query `arguments` (in the request's format) and `{value}` template fragments (always tagged),
 * per PROTOCOL.md §5 (core: UndecidedValue.scala).
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/serialization/UndecidedValue.scala
 */
import { parseIsoDate, parseIsoTime } from '../values/temporal.ts';
import { DocRef, FqlBytes, ModuleValue, NamedRef } from '../values/values.ts';
import type { FqlObject, Value } from '../values/values.ts';

/** Thrown for a value the server cannot decode; `reason` is the text after "Invalid argument 'k': ". */
export class ValueDecodeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ValueDecodeError';
  }
}

/** Looks up a module by name (`Customer`, `Token`...); null when no such module exists. */
export type ModuleResolver = (name: string) => ModuleValue | null;

const DIGITS = /^\d+$/;
const INT_TEXT = /^-?\d+$/;
const LEGACY_REF = /^([A-Za-z_][A-Za-z0-9_]*):(\d+)$/;

/** Decodes a value in the tagged format. Bare JSON numbers are rejected ("numbers must be tagged"). */
export function decodeTagged(json: unknown, modules: ModuleResolver): Value {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (typeof json === 'number') throw new ValueDecodeError('numbers must be tagged');
  if (Array.isArray(json)) return json.map((item) => decodeTagged(item, modules));
  if (typeof json !== 'object') throw new ValueDecodeError('unsupported JSON value');
  const record = json as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some((k) => k.startsWith('@'))) {
    if (keys.length !== 1) throw new ValueDecodeError('too many keys in tagged value');
    return decodeTag(keys[0]!, record[keys[0]!], modules);
  }
  return decodeFields(record, modules);
}

function decodeFields(record: Record<string, unknown>, modules: ModuleResolver): FqlObject {
  const out: FqlObject = {};
  for (const [key, item] of Object.entries(record)) out[key] = decodeTagged(item, modules);
  return out;
}

function decodeTag(tag: string, body: unknown, modules: ModuleResolver): Value {
  switch (tag) {
    case '@int':
    case '@long': {
      if (typeof body !== 'string' || !INT_TEXT.test(body)) throw new ValueDecodeError(`invalid ${tag.slice(1)} value`);
      const value = BigInt(body);
      const bits = tag === '@int' ? 31n : 63n;
      if (value < -(2n ** bits) || value >= 2n ** bits) throw new ValueDecodeError(`${tag.slice(1)} value out of range`);
      return value;
    }
    case '@double': {
      const value = typeof body === 'string' ? Number(body) : NaN;
      if (typeof body !== 'string' || (Number.isNaN(value) && body !== 'NaN')) throw new ValueDecodeError('invalid double value');
      return value;
    }
    case '@object': {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValueDecodeError('@object must hold an object');
      return decodeFields(body as Record<string, unknown>, modules);
    }
    case '@time': {
      const time = typeof body === 'string' ? parseIsoTime(body) : null;
      if (!time) throw new ValueDecodeError(`invalid time ${JSON.stringify(body)}`);
      return time;
    }
    case '@date': {
      const date = typeof body === 'string' ? parseIsoDate(body) : null;
      if (!date) throw new ValueDecodeError(`invalid date ${JSON.stringify(body)}`);
      return date;
    }
    case '@bytes': {
      if (typeof body !== 'string' || !/^[A-Za-z0-9+/=_-]*$/.test(body)) throw new ValueDecodeError('invalid bytes value');
      return new FqlBytes(new Uint8Array(Buffer.from(body, 'base64')));
    }
    case '@mod':
      return decodeModule(body, modules);
    case '@ref':
    case '@doc':
      return decodeRef(body, modules);
    default:
      throw new ValueDecodeError(`invalid tag '${tag}'`);
  }
}

function decodeModule(body: unknown, modules: ModuleResolver): ModuleValue {
  if (typeof body !== 'string') throw new ValueDecodeError('@mod must hold a module name');
  const mod = modules(body);
  if (!mod) throw new ValueDecodeError(`no such module '${body}'`);
  return mod;
}

function decodeRef(body: unknown, modules: ModuleResolver): Value {
  if (typeof body === 'string') {
    const m = LEGACY_REF.exec(body);
    if (!m) throw new ValueDecodeError(`invalid document reference '${body}'`);
    return new DocRef(decodeModule(m[1], modules).name, m[2]!);
  }
  if (typeof body !== 'object' || body === null) throw new ValueDecodeError('invalid document reference');
  const { id, name, coll } = body as Record<string, unknown>;
  if (typeof coll !== 'object' || coll === null || !('@mod' in coll)) throw new ValueDecodeError('document reference needs coll as @mod');
  const mod = decodeModule((coll as Record<string, unknown>)['@mod'], modules);
  if (typeof id === 'string' && DIGITS.test(id)) return new DocRef(mod.name, id);
  if (typeof name === 'string') return new NamedRef(mod.name, name);
  throw new ValueDecodeError('document reference needs an id (digit string) or a name');
}

/** Decodes a value in the simple format: numbers are Int/Long when integral, else Double; objects are plain. */
export function decodeSimple(json: unknown): Value {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (typeof json === 'number') return Number.isSafeInteger(json) ? BigInt(json) : json;
  if (Array.isArray(json)) return json.map(decodeSimple);
  if (typeof json === 'object') {
    const out: FqlObject = {};
    for (const [key, item] of Object.entries(json as Record<string, unknown>)) out[key] = decodeSimple(item);
    return out;
  }
  throw new ValueDecodeError('unsupported JSON value');
}
