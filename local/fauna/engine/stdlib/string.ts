/**
 * String methods (CORE: stdlib/Strings.scala). Lengths and offsets are in UTF-16 code units, as in Fauna's JVM strings.
 */
import { QueryFailure } from '../errors.ts';
import type { Value } from '../values.ts';
import { arity, int, str } from './args.ts';
import type { Method } from './args.ts';

function clamp(index: bigint, length: number): number {
  if (index < 0n) return 0;
  return index > BigInt(length) ? length : Number(index);
}

export const stringMethods: Record<string, Method<string>> = {
  toLowerCase: (_c, s, args, span) => (arity('toLowerCase', args, 0, 0, span), s.toLowerCase()),
  toUpperCase: (_c, s, args, span) => (arity('toUpperCase', args, 0, 0, span), s.toUpperCase()),
  casefold: (_c, s, args, span) => (arity('casefold', args, 0, 0, span), s.toLowerCase()),
  trim: (_c, s, args, span) => (arity('trim', args, 0, 0, span), s.trim()),
  trimStart: (_c, s, args, span) => (arity('trimStart', args, 0, 0, span), s.trimStart()),
  trimEnd: (_c, s, args, span) => (arity('trimEnd', args, 0, 0, span), s.trimEnd()),
  includes: (_c, s, args, span) => (arity('includes', args, 1, 1, span), s.includes(str(args, 0, 'pattern', span))),
  startsWith: (_c, s, args, span) => (arity('startsWith', args, 1, 1, span), s.startsWith(str(args, 0, 'prefix', span))),
  endsWith: (_c, s, args, span) => (arity('endsWith', args, 1, 1, span), s.endsWith(str(args, 0, 'suffix', span))),
  concat: (_c, s, args, span) => (arity('concat', args, 1, 1, span), s + str(args, 0, 'other', span)),
  split(_c, s, args, span) {
    arity('split', args, 1, 1, span);
    return s.split(str(args, 0, 'separator', span));
  },
  slice(_c, s, args, span) {
    arity('slice', args, 1, 2, span);
    const from = clamp(int(args, 0, 'from', span), s.length);
    const until = args.length > 1 ? clamp(int(args, 1, 'until', span), s.length) : s.length;
    return s.slice(from, Math.max(from, until));
  },
  replaceAll(_c, s, args, span) {
    arity('replaceAll', args, 2, 2, span);
    return s.replaceAll(str(args, 0, 'pattern', span), str(args, 1, 'replacement', span));
  },
  replace(_c, s, args, span) {
    arity('replace', args, 2, 3, span);
    const pattern = str(args, 0, 'pattern', span);
    const replacement = str(args, 1, 'replacement', span);
    const times = args.length > 2 ? Number(int(args, 2, 'amount', span)) : 1;
    let out = s;
    let from = 0;
    for (let i = 0; i < times; i++) {
      const at = out.indexOf(pattern, from);
      if (at < 0) break;
      out = out.slice(0, at) + replacement + out.slice(at + pattern.length);
      from = at + replacement.length;
    }
    return out;
  },
  indexOf(_c, s, args, span) {
    arity('indexOf', args, 1, 2, span);
    const at = s.indexOf(str(args, 0, 'pattern', span), args.length > 1 ? clamp(int(args, 1, 'start', span), s.length) : 0);
    return at < 0 ? null : BigInt(at);
  },
  lastIndexOf(_c, s, args, span) {
    arity('lastIndexOf', args, 1, 1, span);
    const at = s.lastIndexOf(str(args, 0, 'pattern', span));
    return at < 0 ? null : BigInt(at);
  },
  at(_c, s, args, span) {
    arity('at', args, 1, 1, span);
    const index = int(args, 0, 'index', span);
    if (index < 0n || index >= BigInt(s.length)) {
      throw new QueryFailure('index_out_of_bounds', `index ${index} out of bounds for length ${s.length}`, { span });
    }
    return s[Number(index)]!;
  },
  parseInt(_c, s, args, span) {
    arity('parseInt', args, 0, 1, span);
    return /^[+-]?\d+$/.test(s.trim()) ? BigInt(s.trim()) : null;
  },
  parseDouble(_c, s, args, span) {
    arity('parseDouble', args, 0, 0, span);
    const n = Number(s.trim());
    return s.trim() === '' || Number.isNaN(n) ? null : n;
  },
  toString: ((_c, s, args, span) => (arity('toString', args, 0, 0, span), s)) as Method<string>,
};

/** Properties of strings (`s.length`). */
export function stringProperty(s: string, name: string): Value | undefined {
  return name === 'length' ? BigInt(s.length) : undefined;
}
