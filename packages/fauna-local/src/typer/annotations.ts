/**
 * Type annotations as written (`String?`, `Int | Null`, `Ref<Customer>`, `{ a: Int, *: Any }`, `[Int, String]`,
 * `(Int) => String`, `"asc" | "desc"`) → typer types. Names the schema does not declare fail with the core's
 * "Unknown type" (core: TyperTypeExprs.scala, error/package.scala UnboundTypeVariable).
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/TyperTypeExprs.scala
 */
import {
  ANY, NEVER, arrayOf, fn, lit, named, optional, record, setOf, tuple, union,
} from './types.ts';
import type { Type } from './types.ts';

export class TypeAnnotationError extends Error {
  override readonly name = 'TypeAnnotationError';
}

/** Modules whose type an annotation may name (`MathModule`). */
const MODULE_TYPES = new Set(['Math', 'Time', 'Date', 'Object', 'Query', 'Set', 'Array', 'Bytes', 'ID', 'Collection', 'Function', 'Role', 'Database', 'AccessProvider', 'Credential', 'FQL']);

/** The built-in type names an annotation may use, and how many parameters each takes. */
const BUILTIN_ARITY: Record<string, number> = {
  Any: 0, Never: 0, Int: 0, Long: 0, Double: 0, Float: 0, Number: 0, String: 0, Boolean: 0, Null: 0, Time: 0, Date: 0,
  Bytes: 0, ID: 0, UUID: 0, Array: 1, Set: 1, Ref: 1, EmptyRef: 1, NamedRef: 1, Object: 0, Token: 0, Key: 0,
  Credential: 0, Collection: 0, Function: 0, Role: 0, Database: 0, SetCursor: 0, TransactionTime: 0,
};

/**
 * Parses a type annotation.
 * @param isDocName whether a name is a collection's document type (its `Ref<…>` is allowed too)
 * @throws TypeAnnotationError for syntax it cannot read or a name that is not a type
 */
export function parseTypeAnnotation(source: string, isDocName: (name: string) => boolean, options: { defaultsOptional?: boolean } = {}): Type {
  // Newlines are kept as tokens: they separate the fields of a nested FSL field block (`{\n b: Int = 3\n c: String\n}`).
  const pattern = /[ \t\r]*(\n|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|=>|\.\.\.|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_.]*|[|?<>{}[\](),:;*&=!+\-/%.#$@^~])/gy;
  const matches = [...source.matchAll(pattern)];
  const consumed = matches.reduce((n, m) => n + m[0].length, 0);
  if (source.slice(consumed).trim() !== '') throw new TypeAnnotationError(`Invalid type \`${source.trim()}\``);
  const all = matches.map((m) => m[1]!);
  let depth = 0;
  // Outside braces a newline means nothing; inside them it ends a field.
  const tokens = all.filter((t) => {
    if (t === '{') depth++;
    if (t === '}') depth--;
    return t !== '\n' || depth > 0;
  });
  let pos = 0;
  const skipNewlines = () => { while (tokens[pos] === '\n') pos++; };
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t: string) => {
    if (tokens[pos] !== t) throw new TypeAnnotationError(`Invalid type \`${source.trim()}\``);
    pos++;
  };

  const unionType = (): Type => {
    const parts = [postfix()];
    while (peek() === '|') { next(); parts.push(postfix()); }
    const t = union(...parts);
    if (peek() === '=>') { next(); return fn(t.k === 'union' ? [t] : [t], unionType()); }
    return t;
  };
  const postfix = (): Type => {
    let t = primary();
    while (peek() === '?') { next(); t = optional(t); }
    return t;
  };
  const primary = (): Type => {
    const t = next();
    if (t === undefined) throw new TypeAnnotationError(`Invalid type \`${source.trim()}\``);
    if (t.startsWith('"') || t.startsWith("'")) return lit(t.slice(1, -1));
    if (/^-?\d+$/.test(t)) return lit(BigInt(t));
    if (/^-?\d+\.\d+$/.test(t)) return lit(Number(t));
    if (t === 'true' || t === 'false') return lit(t === 'true');
    if (t === '{') return recordType();
    if (t === '[') {
      const elems: Type[] = [];
      while (peek() !== ']') { elems.push(unionType()); if (peek() === ',') next(); else break; }
      expect(']');
      return tuple(...elems);
    }
    if (t === '(') {
      const params: Type[] = [];
      let variadic: Type | null = null;
      while (peek() !== ')') {
        if (peek() === '...') { next(); variadic = unionType(); break; }
        // `(x: Int) => …`: a parameter name before the type.
        if (/^[a-z_]/i.test(peek() ?? '') && tokens[pos + 1] === ':') pos += 2;
        params.push(unionType());
        if (peek() === ',') next(); else break;
      }
      expect(')');
      if (peek() === '=>') { next(); return fn(params, unionType(), variadic); }
      if (params.length !== 1 || variadic) throw new TypeAnnotationError(`Invalid type \`${source.trim()}\``);
      return params[0]!;
    }
    if (/^[A-Za-z_]/.test(t)) return namedType(t);
    throw new TypeAnnotationError(`Invalid type \`${source.trim()}\``);
  };
  const recordType = (): Type => {
    const fields: Record<string, Type> = {};
    let wildcard: Type | null = null;
    skipNewlines();
    while (peek() !== '}') {
      const key = next()!;
      expect(':');
      let value = unionType();
      // A nested field's default (`b: Int = 3`): skipped to the end of the field; it makes the field optional to write.
      if (peek() === '=') {
        let d = 0;
        while (peek() !== undefined && !(d === 0 && (peek() === '\n' || peek() === ',' || peek() === ';' || peek() === '}'))) {
          const t = next();
          if (t === '{' || t === '(' || t === '[') d++;
          if (t === '}' || t === ')' || t === ']') d--;
        }
        if (options.defaultsOptional) value = optional(value);
      }
      if (key === '*') wildcard = value;
      else fields[key.startsWith('"') || key.startsWith("'") ? key.slice(1, -1) : key] = value;
      if (peek() === ',' || peek() === ';' || peek() === '\n') { next(); skipNewlines(); } else break;
    }
    skipNewlines();
    expect('}');
    return record(fields, wildcard);
  };
  const namedType = (name: string): Type => {
    const args: Type[] = [];
    if (peek() === '<') {
      next();
      while (peek() !== '>') { args.push(unionType()); if (peek() === ',') next(); else break; }
      expect('>');
    }
    if (isDocName(name)) {
      if (args.length > 0) throw new TypeAnnotationError(`Type \`${name}\` does not accept any parameters.`);
      return named(name);
    }
    if (name.startsWith('Null') && isDocName(name.slice(4))) return named(name);
    // Module types as the core names them: `AuthorCollection`, `TokenCollection`, `MathModule`.
    if (args.length === 0 && name.endsWith('Collection') && (isDocName(name.slice(0, -10)) || name === 'TokenCollection' || name === 'KeyCollection')) return named(name);
    if (args.length === 0 && name.endsWith('Module') && MODULE_TYPES.has(name.slice(0, -6))) return named(name);
    const arity = BUILTIN_ARITY[name];
    if (arity === undefined) throw new TypeAnnotationError(`Unknown type \`${name}\``);
    if (args.length !== arity) {
      throw new TypeAnnotationError(arity === 0 ? `Type \`${name}\` does not accept any parameters.` : `Type constructor \`${name}<>\` accepts ${arity} parameters, received ${args.length}`);
    }
    switch (name) {
      case 'Any': return ANY;
      case 'Never': return NEVER;
      case 'Float': return named('Double');
      case 'Object': return record({}, ANY);
      case 'Array': return arrayOf(args[0]!);
      case 'Set': return setOf(args[0]!);
      case 'Ref':
      case 'EmptyRef':
      case 'NamedRef': {
        const target = args[0]!;
        if (target.k !== 'any' && !(target.k === 'named' && isDocName(target.name))) throw new TypeAnnotationError('Reference type must refer to a doc type');
        return named(name === 'Ref' || name === 'NamedRef' ? 'Ref' : 'EmptyRef', target);
      }
      default: return named(name);
    }
  };

  const result = unionType();
  if (pos !== tokens.length) throw new TypeAnnotationError(`Invalid type \`${source.trim()}\``);
  return result;
}
