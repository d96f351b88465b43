/**
 * The driver's template query form → FQL source text plus placeholder bindings
 * (wire format: JS src/wire-protocol.ts; server side core: FQL2Query.scala).
 *
 * ```
 * {"fql": ["Customer.byEmail(", {"value": "a@b.co"}, ").first()"]}
 *   → source 'Customer.byEmail(\u0000value0>).first()', placeholders [{ name: '<value0>', encoded: 'a@b.co' }]
 * ```
 * Each `value` fragment becomes a sigil that the lexer reads as the identifier `<value<n>>`, a name no user can write,
 * so values never travel as query text. The summary renders the sigil as `<value0>`, which keeps the assembled source
 * readable in error messages.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/serialization/FQL2Query.scala
 */
import type { Span } from './ast.ts';
import { isDisplayChar, TEMPLATE_SIGIL } from './lexer.ts';

/** One fragment of the driver's template form. */
export type TemplateFragment =
  | string
  | { value: unknown }
  | { fql: TemplateFragment[] }
  | { array: TemplateFragment[] }
  | { object: Record<string, TemplateFragment> };

export interface AssembledQuery {
  /** FQL source; value fragments appear as `\u0000value<n>>`. */
  source: string;
  /**
   * One entry per value fragment, in order: bind `name` to the decoded `encoded` value (tagged format) before evaluating.
   * `span` is where the placeholder sits in `source`, for a summary that points at a value that fails to decode.
   */
  placeholders: { name: string; encoded: unknown; span: Span }[];
}

/**
 * Thrown when the `query` field is neither a string nor a well-formed template. The engine answers 400 `invalid_request`.
 */
export class InvalidTemplateError extends Error {
  override name = 'InvalidTemplateError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** The identifier a value placeholder is read as; `index` counts value fragments from 0. */
export function placeholderName(index: number): string {
  return `<value${index}>`;
}

/** True for names produced by `placeholderName`. */
export function isPlaceholderName(name: string): boolean {
  return /^<value\d+>$/.test(name);
}

/**
 * Assembles a query (`"…"` or `{ fql: [...] }`) into source text and placeholders.
 * @throws InvalidTemplateError for any other shape, an unknown fragment key, or a NUL character in a source piece.
 * @example assembleTemplate({ fql: ['1 + ', { value: { '@int': '2' } }] }) // source '1 + \u0000value0>'
 */
export function assembleTemplate(query: unknown): AssembledQuery {
  if (typeof query === 'string') {
    return { source: query, placeholders: [] };
  }
  if (!isPlainObject(query) || !Array.isArray(query.fql) || Object.keys(query).length !== 1) {
    throw new InvalidTemplateError('Invalid request body: `query` must be a string or an object with a single `fql` array');
  }
  const assembler = new Assembler();
  assembler.fragments(query.fql as unknown[], false);
  return { source: assembler.out, placeholders: assembler.placeholders };
}

class Assembler {
  out = '';
  readonly placeholders: { name: string; encoded: unknown; span: Span }[] = [];

  fragments(fragments: unknown[], nested: boolean): void {
    for (const fragment of fragments) this.fragment(fragment, nested);
  }

  /** `nested` is true inside an array or object fragment, where a bare string is not allowed and `fql` gets parentheses. */
  private fragment(fragment: unknown, nested: boolean): void {
    if (typeof fragment === 'string') {
      if (nested) throw new InvalidTemplateError('Invalid query fragment: raw FQL strings are not allowed inside `array` or `object` fragments');
      if (fragment.includes(TEMPLATE_SIGIL)) throw new InvalidTemplateError('Invalid query fragment: FQL text may not contain NUL characters');
      this.out += fragment;
      return;
    }
    if (!isPlainObject(fragment)) throw new InvalidTemplateError(`Invalid query fragment: expected a string or an object, got ${describe(fragment)}`);
    const keys = Object.keys(fragment);
    if (keys.length !== 1) throw new InvalidTemplateError(`Invalid query fragment with keys ${keys.map((k) => `\`${k}\``).join(', ') || 'none'}: expected exactly one of \`value\`, \`fql\`, \`array\`, \`object\``);
    const key = keys[0]!;
    const body = fragment[key];
    switch (key) {
      case 'value': {
        const name = placeholderName(this.placeholders.length);
        const start = this.out.length;
        this.out += `${TEMPLATE_SIGIL}${name.slice(1)}`;
        this.placeholders.push({ name, encoded: body, span: { start, end: this.out.length } });
        return;
      }
      case 'fql':
        if (!Array.isArray(body)) throw new InvalidTemplateError('Invalid query fragment: `fql` must be an array');
        if (nested) this.out += '(';
        this.fragments(body, false);
        if (nested) this.out += ')';
        return;
      case 'array':
        if (!Array.isArray(body)) throw new InvalidTemplateError('Invalid query fragment: `array` must be an array');
        this.out += '[';
        body.forEach((item, i) => {
          if (i > 0) this.out += ', ';
          this.fragment(item, true);
        });
        this.out += ']';
        return;
      case 'object': {
        if (!isPlainObject(body)) throw new InvalidTemplateError('Invalid query fragment: `object` must be an object');
        const entries = Object.entries(body);
        if (entries.length === 0) {
          this.out += '{}';
          return;
        }
        this.out += '{ ';
        entries.forEach(([k, v], i) => {
          if (i > 0) this.out += ', ';
          this.out += `${quoteFqlString(k)}: `;
          this.fragment(v, true);
        });
        this.out += ' }';
        return;
      }
      default:
        throw new InvalidTemplateError(`Invalid query fragment key \`${key}\`: expected one of \`value\`, \`fql\`, \`array\`, \`object\``);
    }
  }
}

/** A double-quoted FQL string literal for `text`: escapes quotes, backslashes, `#` (interpolation) and control characters. */
export function quoteFqlString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\' || ch === '#') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp <= 0xffff && !isDisplayChar(cp)) {
      out += `\\u{${cp.toString(16)}}`;
    } else out += ch;
  }
  return `${out}"`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
