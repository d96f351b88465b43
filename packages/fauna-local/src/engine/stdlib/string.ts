/**
 * String methods (core: Strings.scala). Lengths and offsets count code points, as the core does.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Strings.scala
 */
import type { Span } from '../../fql/ast.ts';
import { QueryFailure } from '../errors.ts';
import type { Value } from '../../values/values.ts';
import { arity, int, str } from './args.ts';
import type { Method } from './args.ts';

function clamp(index: bigint, length: number): number {
  if (index < 0n) return 0;
  return index > BigInt(length) ? length : Number(index);
}

const codepoints = (s: string): string[] => Array.from(s);

/** The code point index of a UTF-16 offset. */
function codepointIndex(s: string, utf16: number): bigint {
  return BigInt(Array.from(s.slice(0, utf16)).length);
}

/** The UTF-16 offset of a code point index (clamped to the string). */
function utf16Offset(s: string, index: number): number {
  return codepoints(s).slice(0, index).join('').length;
}

/**
 * Compiles a pattern argument. Java and JavaScript regular expressions agree on the common syntax; a pattern JavaScript
 * rejects fails with the core's `invalid_regex` code rather than matching something else.
 */
function regex(args: Value[], i: number, span: Span, flags = 'gu'): RegExp {
  const source = str(args, i, 'regex', span);
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new QueryFailure('invalid_regex', `Invalid regular expression. ${(error as Error).message}`, { span, cause: error });
  }
}

export const stringMethods: Record<string, Method<string>> = {
  includesRegex: (_c, s, args, span) => (arity('includesRegex', args, 1, 1, span), regex(args, 0, span, 'u').test(s)),
  matches(_c, s, args, span) {
    arity('matches', args, 1, 1, span);
    return [...s.matchAll(regex(args, 0, span))].map((m) => m[0]);
  },
  matchIndexes(_c, s, args, span) {
    arity('matchIndexes', args, 1, 1, span);
    return [...s.matchAll(regex(args, 0, span))].map((m) => [codepointIndex(s, m.index), m[0]]);
  },
  indexOfRegex(_c, s, args, span) {
    arity('indexOfRegex', args, 1, 1, span);
    const m = regex(args, 0, span, 'u').exec(s);
    return m ? codepointIndex(s, m.index) : null;
  },
  replaceRegex(_c, s, args, span) {
    arity('replaceRegex', args, 2, 2, span);
    const replacement = str(args, 1, 'replacement', span);
    return s.replace(regex(args, 0, span, 'u'), () => replacement);
  },
  replaceAllRegex(_c, s, args, span) {
    arity('replaceAllRegex', args, 2, 2, span);
    const replacement = str(args, 1, 'replacement', span);
    return s.replace(regex(args, 0, span), () => replacement);
  },
  splitRegex(_c, s, args, span) {
    arity('splitRegex', args, 1, 1, span);
    return s.split(regex(args, 0, span, 'u'));
  },
  splitAt(_c, s, args, span) {
    arity('splitAt', args, 1, 1, span);
    const chars = codepoints(s);
    const index = int(args, 0, 'index', span);
    if (index < 0n || index > BigInt(chars.length)) {
      throw new QueryFailure('index_out_of_bounds', `index ${index} out of bounds for length ${chars.length}`, { span });
    }
    return [chars.slice(0, Number(index)).join(''), chars.slice(Number(index)).join('')];
  },
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
    const chars = codepoints(s);
    const from = clamp(int(args, 0, 'start', span), chars.length);
    const until = args.length > 1 ? clamp(int(args, 1, 'end', span), chars.length) : chars.length;
    return chars.slice(from, Math.max(from, until)).join('');
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
    const start = args.length > 1 ? utf16Offset(s, clamp(int(args, 1, 'start', span), s.length)) : 0;
    const at = s.indexOf(str(args, 0, 'pattern', span), start);
    return at < 0 ? null : codepointIndex(s, at);
  },
  lastIndexOf(_c, s, args, span) {
    arity('lastIndexOf', args, 1, 1, span);
    const at = s.lastIndexOf(str(args, 0, 'pattern', span));
    return at < 0 ? null : codepointIndex(s, at);
  },
  at(_c, s, args, span) {
    arity('at', args, 1, 1, span);
    const chars = codepoints(s);
    const index = int(args, 0, 'index', span);
    if (index < 0n || index >= BigInt(chars.length)) {
      throw new QueryFailure('index_out_of_bounds', `index ${index} out of bounds for length ${chars.length}`, { span });
    }
    return chars[Number(index)]!;
  },
  insert(_c, s, args, span) {
    arity('insert', args, 2, 2, span);
    const chars = codepoints(s);
    const index = int(args, 0, 'index', span);
    if (index < 0n || index > BigInt(chars.length)) {
      throw new QueryFailure('index_out_of_bounds', `index ${index} out of bounds for length ${chars.length}`, { span });
    }
    return [...chars.slice(0, Number(index)), str(args, 1, 'other', span), ...chars.slice(Number(index))].join('');
  },
  parseNumber(_c, s, args, span) {
    arity('parseNumber', args, 0, 0, span);
    if (/^[+-]?\d+$/.test(s)) {
      const n = BigInt(s);
      if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
    }
    const n = Number(s);
    return s.trim() === '' || Number.isNaN(n) && s !== 'NaN' ? null : n;
  },
  parseInt(_c, s, args, span) {
    arity('parseInt', args, 0, 0, span);
    if (!/^[+-]?\d+$/.test(s)) return null;
    const n = BigInt(s);
    return n >= -(2n ** 31n) && n < 2n ** 31n ? n : null;
  },
  parseLong(_c, s, args, span) {
    arity('parseLong', args, 0, 0, span);
    if (!/^[+-]?\d+$/.test(s)) return null;
    const n = BigInt(s);
    return n >= -(2n ** 63n) && n < 2n ** 63n ? n : null;
  },
  parseDouble(_c, s, args, span) {
    arity('parseDouble', args, 0, 0, span);
    const n = Number(s);
    return s.trim() === '' || (Number.isNaN(n) && s !== 'NaN') ? null : n;
  },
  toString: ((_c, s, args, span) => (arity('toString', args, 0, 0, span), s)) as Method<string>,
};

/** Properties of strings (`s.length`). */
export function stringProperty(s: string, name: string): Value | undefined {
  return name === 'length' ? BigInt(codepoints(s).length) : undefined;
}
