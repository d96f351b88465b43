/**
 * The typer's entry points for the engine: check a query before it runs, and check a schema at push
 * (core: FQLInterpreter.evalQuery with TypeMode.InferType; SchemaTypeValidator.validate).
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/FQLInterpreter.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/env/SchemaTypeValidator.scala
 */
import type { Expr, Span } from '../fql/ast.ts';
import { renderSummary } from '../fql/summary.ts';
import { parseSchemaFile } from '../fsl/parser.ts';
import type { SchemaFile, SchemaItems } from '../schema/model.ts';
import { DocRef, FqlBytes, FqlDate, FqlTime, ModuleValue, NamedRef, NullDoc, SetValue, isFunction, isPlainObject } from '../values/values.ts';
import type { Value } from '../values/values.ts';
import { Checker, TypeCheckError } from './checker.ts';
import { TypeEnv } from './env.ts';
import {
  ANY, BOOLEAN, BYTES, DATE, DOUBLE, INT, LONG, NULL, STRING, TIME, arrayOf, display, named, nonNull, optional, record, setOf, subtype, union,
} from './types.ts';
import type { Type } from './types.ts';

export { TypeCheckError } from './checker.ts';
export { display, display as displayType } from './types.ts';
export type { Type } from './types.ts';

const envs = new WeakMap<SchemaItems, TypeEnv>();

/** The type environment of a schema (cached per schema version: the items object is immutable). */
export function typeEnvFor(items: SchemaItems): TypeEnv {
  let env = envs.get(items);
  if (!env) {
    env = new TypeEnv(items);
    envs.set(items, env);
  }
  return env;
}

/** The static type of a bound value (a query argument or an interpolated `${value}`). */
export function typeOfValue(value: Value, env: TypeEnv): Type {
  if (value === null) return NULL;
  if (typeof value === 'string') return STRING;
  if (typeof value === 'boolean') return BOOLEAN;
  if (typeof value === 'bigint') return value >= -(2n ** 31n) && value < 2n ** 31n ? INT : LONG;
  if (typeof value === 'number') return DOUBLE;
  if (Array.isArray(value)) return arrayOf(value.length === 0 ? ANY : union(...value.map((v) => typeOfValue(v, env))));
  if (value instanceof FqlTime) return TIME;
  if (value instanceof FqlDate) return DATE;
  if (value instanceof FqlBytes) return BYTES;
  // A document passed in is a document that was read (core: a Doc value is typed by its collection).
  if (value instanceof DocRef) return env.docs.has(value.coll) ? named(value.coll) : ANY;
  if (value instanceof NullDoc) return NULL;
  if (value instanceof NamedRef) return ANY;
  if (value instanceof SetValue) return setOf(ANY);
  if (value instanceof ModuleValue) return env.docs.has(value.name) ? named(`${value.name}Collection`) : named(`${value.name}Module`);
  if (isFunction(value)) return { k: 'fn', params: [], variadic: ANY, ret: ANY };
  if (isPlainObject(value)) return record(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeOfValue(v, env)])));
  return ANY;
}

export interface QueryTypeError {
  message: string;
  span: Span;
  suggestion: TypeCheckError['suggestion'];
}

/**
 * The `summary` of a type error, as the core renders it: the error at its span, then a suggested fix shown as the
 * line with the insertion and `+` under it (core: TyperCoreSpec "typecheck documents").
 */
export function renderTypeError(source: string, error: QueryTypeError, sourceName?: string): string {
  const main = renderSummary(source, error.span, error.message, 'error', sourceName ? { sourceName } : {});
  const fix = error.suggestion;
  if (!fix) return main;
  const lineStart = source.lastIndexOf('\n', fix.at - 1) + 1;
  const lineEnd = source.indexOf('\n', fix.at);
  const line = source.slice(lineStart, lineEnd === -1 ? source.length : lineEnd);
  const lineNo = source.slice(0, lineStart).split('\n').length;
  const column = fix.at - lineStart;
  const pad = ' '.repeat(String(lineNo).length);
  const changed = line.slice(0, column) + fix.insert + line.slice(column);
  return [main, `hint: ${fix.message}`, `${pad} |`, `${lineNo} | ${changed}`, `${pad} | ${' '.repeat(column)}${'+'.repeat(fix.insert.length)}`, `${pad} |`].join('\n');
}

/** Checks a parsed query against the schema; null when it type-checks. */
export function typecheckQuery(program: Expr, items: SchemaItems, bindings: ReadonlyMap<string, Value>): { type: Type } | { error: QueryTypeError } {
  const env = typeEnvFor(items);
  const vars = new Map<string, Type>();
  for (const [name, value] of bindings) vars.set(name, typeOfValue(value, env));
  // The same query text with values of the same types has the same answer in the same schema: the product sends one
  // template again and again, so the answer is remembered per parsed program (parses are cached) and schema.
  const key = [...vars].map(([name, t]) => `${name}:${display(t)}`).join(',');
  let perProgram = checked.get(program);
  if (!perProgram || perProgram.items !== items) {
    perProgram = { items, answers: new Map() };
    checked.set(program, perProgram);
  }
  const known = perProgram.answers.get(key);
  if (known) return known;
  let answer: { type: Type } | { error: QueryTypeError };
  try {
    answer = { type: new Checker(env).check(program, vars) };
  } catch (error) {
    if (error instanceof TypeCheckError) answer = { error: { message: error.message, span: error.span, suggestion: error.suggestion } };
    else if (error instanceof RangeError) answer = { error: { message: 'Typechecking failed due to query complexity', span: program.span, suggestion: null } };
    else throw error;
  }
  if (perProgram.answers.size < MAX_ANSWERS_PER_PROGRAM) perProgram.answers.set(key, answer);
  return answer;
}

/** Remembered answers per parsed program, for the schema they were computed in. */
const checked = new WeakMap<Expr, { items: SchemaItems; answers: Map<string, { type: Type } | { error: QueryTypeError }> }>();
const MAX_ANSWERS_PER_PROGRAM = 64;

/** The first lines of the core's answer to a schema change that does not type-check. */
export const INVALID_SCHEMA_UPDATE = 'Invalid database schema update.';

/**
 * Checks schema code at push: UDF bodies (against their signatures), role predicates, computed fields, check
 * constraints and field defaults. Returns the rendered errors (each with its file, line and column), or null.
 */
export function typecheckSchema(files: readonly SchemaFile[], items: SchemaItems): string | null {
  const env = new TypeEnv(items);
  const checker = new Checker(env);
  const errors: string[] = env.problems.map((p) => `error: ${p.message} (in ${p.where})`);
  const OPTIONAL_BOOLEAN = optional(BOOLEAN);
  for (const file of files) {
    if (file.content.trim() === '') continue;
    const own = parseSchemaFile(file);
    const attempt = (run: () => void) => {
      try {
        run();
      } catch (error) {
        if (!(error instanceof TypeCheckError)) throw error;
        errors.push(renderTypeError(file.content, { message: error.message, span: error.span, suggestion: error.suggestion }, file.filename));
      }
    };
    const requireType = (t: Type, want: Type, span: Span) => {
      const failure = subtype(t, want, env);
      if (failure) throw new TypeCheckError(failure.message, span);
    };
    for (const def of own.functions) {
      const uf = env.functions.get(def.name)!;
      attempt(() => {
        const body = checker.check(def.body, checker.paramScope(uf));
        if (uf.declared) requireType(body, uf.declared.ret, lastExprSpan(def.body));
      });
    }
    for (const coll of own.collections) {
      const doc = named(coll.name);
      for (const field of coll.fields) {
        if (!field.default) continue;
        const want = env.annotation(field.type, coll.name);
        attempt(() => requireType(checker.check(field.default!.expr), want, field.default!.expr.span));
      }
      for (const computed of coll.computed) {
        attempt(() => {
          const t = checker.checkLambda(computed.fn.expr, [doc]);
          if (computed.type) requireType(t, env.annotation(computed.type, coll.name), lambdaBodySpan(computed.fn.expr));
        });
      }
      // Index terms and values and unique-constraint fields must be fields of the document (core:
      // SchemaTypeValidator.checkIndexes types each path as a short lambda over the document type).
      const shape = env.docs.get(coll.name)!;
      const docRecord = record(Object.fromEntries(Object.entries(shape.fields).filter(([k]) => k !== 'coll')), shape.wildcard);
      const paths = [
        ...Object.values(coll.indexes).flatMap((index) => [...index.terms.map((t) => t.path), ...index.values.map((v) => v.path)]),
        ...coll.uniques.flatMap((u) => u.fields.map((f) => f.path)),
      ];
      for (const path of paths) {
        try {
          let t: Type = docRecord;
          for (const segment of path) {
            if (/^\d+$/.test(segment)) { t = ANY; continue; }
            t = checker.member(nonNull(t), segment, { start: 0, end: 0 }, { start: 0, end: 0 });
          }
        } catch (error) {
          if (!(error instanceof TypeCheckError)) throw error;
          errors.push(`error: ${error.message}\nat ${file.filename} (collection ${coll.name}, field .${path.join('.')})`);
        }
      }
      for (const check of coll.checks) {
        attempt(() => requireType(checker.checkLambda(check.predicate.expr, [doc]), OPTIONAL_BOOLEAN, lambdaBodySpan(check.predicate.expr)));
      }
    }
    for (const role of own.roles) {
      for (const m of role.membership) {
        if (!m.predicate) continue;
        const docT = env.docs.has(m.collection) ? named(m.collection) : ANY;
        attempt(() => requireType(checker.checkLambda(m.predicate!.expr, [docT]), OPTIONAL_BOOLEAN, lambdaBodySpan(m.predicate!.expr)));
      }
      for (const privilege of role.privileges) {
        const docT = env.docs.has(privilege.resource) ? named(privilege.resource) : ANY;
        for (const [action, value] of Object.entries(privilege.actions)) {
          if (value === true || value === undefined) continue;
          // write predicates see the old and the new document; call predicates the function's arguments.
          const params = action === 'write' || action === 'history_write' ? [docT, docT] : action === 'call' ? [] : [docT];
          attempt(() => requireType(checker.checkLambda(value.expr, params), OPTIONAL_BOOLEAN, lambdaBodySpan(value.expr)));
        }
      }
    }
  }
  if (errors.length === 0) return null;
  return `${INVALID_SCHEMA_UPDATE}\n${errors.map((e) => e.split('\n').map((line) => (line === '' ? line : `    ${line}`)).join('\n')).join('\n')}`;
}

function lambdaBodySpan(expr: Expr): Span {
  return expr.kind === 'Lambda' ? lastExprSpan(expr.body) : expr.span;
}

function lastExprSpan(expr: Expr): Span {
  if (expr.kind === 'Block') {
    const last = expr.body[expr.body.length - 1];
    if (last && last.kind === 'ExprStmt') return lastExprSpan(last.expr);
  }
  return expr.span;
}

