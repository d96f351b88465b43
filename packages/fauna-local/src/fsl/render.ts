/**
 * Schema written in FQL (`Collection.create({...})`, `Role.byName("r")!.update({...})`) → FSL text. FQL schema changes
 * go through the same FSL parser, checks and storage as a schema push, so both paths share one model, one set of
 * validation rules and one set of files: an item created in FQL appears in `main.fsl`, as it does in Fauna
 * (https://docs.fauna.com/fauna/current/learn/schema/#fql-and-fsl). The definition shapes are those of Fauna's
 * definition documents (https://docs.fauna.com/fauna/current/reference/fql-api/collection/, .../role/, .../function/).
 */

/** A plain definition object as decoded from FQL: strings, numbers, booleans, null, arrays and objects. */
export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
export type PlainObject = { [key: string]: Plain };

/** A definition field with the wrong shape: `path` names it, as Fauna's constraint failures do. */
export class DefinitionShapeError extends Error {
  readonly path: string[];
  constructor(path: string[], message: string) {
    super(message);
    this.name = 'DefinitionShapeError';
    this.path = path;
  }
}

export type SchemaModule = 'Collection' | 'Function' | 'Role';

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function isObject(value: Plain | undefined): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(def: PlainObject, key: string): PlainObject {
  const value = def[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new DefinitionShapeError([key], `Expected an object for \`${key}\`.`);
  return value;
}

function arrayAt(def: PlainObject, key: string, path: string[] = [key]): Plain[] {
  const value = def[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DefinitionShapeError(path, `Expected an array for \`${path.join('.')}\`.`);
  return value;
}

function stringAt(def: PlainObject, key: string, path: string[] = [key]): string {
  const value = def[key];
  if (typeof value !== 'string') throw new DefinitionShapeError(path, `Expected a string for \`${path.join('.')}\`.`);
  return value;
}

/** The item's name, checked to be an identifier FSL can declare. */
export function definitionName(def: PlainObject): string {
  const name = stringAt(def, 'name');
  if (!IDENTIFIER.test(name)) throw new DefinitionShapeError(['name'], 'Invalid identifier.');
  return name;
}

/** `.email`, `email`, `address.city` → `.email` / `.address.city` (FSL field paths). */
function fieldPath(value: Plain, path: string[]): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DefinitionShapeError(path, 'Expected a field path such as `.email`.');
  const text = value.trim();
  return text.startsWith('.') ? text : `.${text}`;
}

function termText(term: Plain, path: string[]): string {
  if (isObject(term)) {
    const field = fieldPath(term.field ?? null, [...path, 'field']);
    let text = term.mva === true ? `mva(${field})` : field;
    if (term.order === 'desc') text = `desc(${text})`;
    return text;
  }
  return fieldPath(term, path);
}

function lambdaText(value: Plain, path: string[]): string {
  if (typeof value !== 'string' || !value.includes('=>')) throw new DefinitionShapeError(path, 'Expected a function such as `(doc) => doc.active`.');
  return value.trim();
}

function annotations(def: PlainObject): string[] {
  const lines: string[] = [];
  if (typeof def.alias === 'string') lines.push(`@alias(${def.alias})`);
  if (typeof def.role === 'string') lines.push(`@role(${def.role})`);
  return lines;
}

function collectionFsl(def: PlainObject): string {
  const name = definitionName(def);
  const body: string[] = [];
  for (const [field, spec] of Object.entries(objectAt(def, 'fields'))) {
    if (!isObject(spec)) throw new DefinitionShapeError(['fields', field], `Expected an object for \`fields.${field}\`.`);
    const signature = stringAt(spec, 'signature', ['fields', field, 'signature']);
    const defaultText = typeof spec.default === 'string' ? ` = ${spec.default}` : '';
    body.push(`${IDENTIFIER.test(field) ? field : JSON.stringify(field)}: ${signature}${defaultText}`);
  }
  if (typeof def.wildcard === 'string') body.push(`*: ${def.wildcard}`);
  for (const [field, spec] of Object.entries(objectAt(def, 'computed_fields'))) {
    if (!isObject(spec)) throw new DefinitionShapeError(['computed_fields', field], `Expected an object for \`computed_fields.${field}\`.`);
    const signature = typeof spec.signature === 'string' ? `: ${spec.signature}` : '';
    body.push(`compute ${field}${signature} = (${lambdaText(spec.body ?? null, ['computed_fields', field, 'body'])})`);
  }
  arrayAt(def, 'constraints').forEach((constraint, i) => {
    const path = ['constraints', String(i)];
    if (!isObject(constraint)) throw new DefinitionShapeError(path, 'Expected a constraint object (`{ unique: [...] }` or `{ check: {...} }`).');
    if (constraint.unique !== undefined) {
      const terms = arrayAt(constraint, 'unique', [...path, 'unique']).map((t, j) => termText(t, [...path, 'unique', String(j)]));
      body.push(`unique [${terms.join(', ')}]`);
    } else if (isObject(constraint.check)) {
      const check = constraint.check;
      body.push(`check ${stringAt(check, 'name', [...path, 'check', 'name'])} (${lambdaText(check.body ?? null, [...path, 'check', 'body'])})`);
    } else {
      throw new DefinitionShapeError(path, 'Expected a constraint object (`{ unique: [...] }` or `{ check: {...} }`).');
    }
  });
  for (const [index, spec] of Object.entries(objectAt(def, 'indexes'))) {
    if (!isObject(spec)) throw new DefinitionShapeError(['indexes', index], `Expected an object for \`indexes.${index}\`.`);
    const lines: string[] = [];
    const terms = arrayAt(spec, 'terms', ['indexes', index, 'terms']).map((t, j) => termText(t, ['indexes', index, 'terms', String(j)]));
    const values = arrayAt(spec, 'values', ['indexes', index, 'values']).map((t, j) => termText(t, ['indexes', index, 'values', String(j)]));
    if (terms.length > 0) lines.push(`    terms [${terms.join(', ')}]`);
    if (values.length > 0) lines.push(`    values [${values.join(', ')}]`);
    body.push(`index ${index} {\n${lines.join('\n')}\n  }`);
  }
  for (const key of ['ttl_days', 'history_days'] as const) {
    const value = def[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new DefinitionShapeError([key], `Expected a non-negative Int for \`${key}\`.`);
    // 0 history days is the default, so it is left out (a definition document always shows it).
    if (key === 'history_days' && value === 0) continue;
    body.push(`${key} ${value}`);
  }
  if (typeof def.document_ttls === 'boolean') body.push(`document_ttls ${def.document_ttls}`);
  const migrations = arrayAt(def, 'migrations').map((m, i) => migrationText(m, ['migrations', String(i)]));
  if (migrations.length > 0) body.push(`migrations {\n${migrations.map((m) => `    ${m}`).join('\n')}\n  }`);
  return [...annotations({ alias: def.alias ?? null }), `collection ${name} {`, ...body.map((line) => `  ${line}`), '}'].join('\n');
}

/**
 * One migration of a definition's `migrations` array (`{ add: { field: ".a" } }`, `{ backfill: { field, value } }`,
 * `{ move: { field, to } }`, `{ split: { field, to: [...] } }`, `{ move_conflicts: { into } }`, …) as its FSL statement
 * (CORE: the model's migration conversion, FQL2MigrationValidatorSpec "model converts to schema").
 */
function migrationText(m: Plain, path: string[]): string {
  const kinds = ['add', 'drop', 'move', 'split', 'backfill', 'move_conflicts', 'move_wildcard', 'add_wildcard'];
  const kind = isObject(m) ? Object.keys(m).find((k) => kinds.includes(k)) : undefined;
  if (!isObject(m) || kind === undefined || Object.keys(m).length !== 1) {
    throw new DefinitionShapeError(path, `Expected one of ${kinds.map((k) => `\`${k}\``).join(', ')}.`);
  }
  const spec = m[kind];
  if (kind === 'add_wildcard') return 'add_wildcard';
  if (!isObject(spec)) throw new DefinitionShapeError([...path, kind], `Expected an object for \`${kind}\`.`);
  const at = [...path, kind];
  switch (kind) {
    case 'add': case 'drop': return `${kind} ${fieldPath(spec.field ?? null, [...at, 'field'])}`;
    case 'move': return `move ${fieldPath(spec.field ?? null, [...at, 'field'])} -> ${fieldPath(spec.to ?? null, [...at, 'to'])}`;
    case 'split': return `split ${fieldPath(spec.field ?? null, [...at, 'field'])} -> ${arrayAt(spec, 'to', [...at, 'to']).map((t, j) => fieldPath(t, [...at, 'to', String(j)])).join(', ')}`;
    case 'backfill': return `backfill ${fieldPath(spec.field ?? null, [...at, 'field'])} = ${stringAt(spec, 'value', [...at, 'value'])}`;
    default: return `${kind} ${fieldPath(spec.into ?? null, [...at, 'into'])}`;
  }
}

function roleFsl(def: PlainObject): string {
  const name = definitionName(def);
  const body: string[] = [];
  const membership = def.membership;
  const members = Array.isArray(membership) ? membership : isObject(membership) ? [membership] : arrayAt(def, 'membership');
  members.forEach((member, i) => {
    const path = ['membership', String(i)];
    if (!isObject(member)) throw new DefinitionShapeError(path, 'Expected `{ resource, predicate? }`.');
    const resource = stringAt(member, 'resource', [...path, 'resource']);
    body.push(member.predicate ? `membership ${resource} {\n    predicate (${lambdaText(member.predicate, [...path, 'predicate'])})\n  }` : `membership ${resource}`);
  });
  const privileges = def.privileges;
  const grants = Array.isArray(privileges) ? privileges : isObject(privileges) ? [privileges] : arrayAt(def, 'privileges');
  grants.forEach((grant, i) => {
    const path = ['privileges', String(i)];
    if (!isObject(grant)) throw new DefinitionShapeError(path, 'Expected `{ resource, actions }`.');
    const resource = stringAt(grant, 'resource', [...path, 'resource']);
    const actions: string[] = [];
    for (const [action, allowed] of Object.entries(objectAt(grant, 'actions'))) {
      if (allowed === true) actions.push(`    ${action}`);
      else if (typeof allowed === 'string') actions.push(`    ${action} {\n      predicate (${lambdaText(allowed, [...path, 'actions', action])})\n    }`);
      else if (allowed !== false && allowed !== null) throw new DefinitionShapeError([...path, 'actions', action], 'Expected true, false or a predicate.');
    }
    body.push(`privileges ${resource} {\n${actions.join('\n')}\n  }`);
  });
  return [`role ${name} {`, ...body.map((line) => `  ${line}`), '}'].join('\n');
}

function functionFsl(def: PlainObject): string {
  const name = definitionName(def);
  const body = lambdaText(def.body ?? null, ['body']);
  const arrow = splitLambda(body);
  if (arrow === null) throw new DefinitionShapeError(['body'], 'Expected a function such as `(x) => x + 1`.');
  const signature = typeof def.signature === 'string' ? returnType(def.signature) : '';
  return [...annotations({ alias: def.alias ?? null, role: def.role ?? null }), `function ${name}(${arrow.params})${signature} {`, `  ${arrow.body}`, '}'].join('\n');
}

/** `(a, b) => body` or `a => body` → its parameter list and body text. */
function splitLambda(source: string): { params: string; body: string } | null {
  const match = /^\s*(?:\(([^)]*)\)|([a-zA-Z_][a-zA-Z0-9_]*))\s*=>\s*([\s\S]+)$/.exec(source);
  if (!match) return null;
  // The body goes inside the function's braces as it is: a block `{ ... }` stays a (nested) block, an object literal stays one.
  const body = match[3]!.trim();
  return { params: (match[1] ?? match[2] ?? '').trim(), body };
}

/** A signature `(x: Int) => Int` contributes its return type. */
function returnType(signature: string): string {
  const at = signature.lastIndexOf('=>');
  return at === -1 ? '' : `: ${signature.slice(at + 2).trim()}`;
}

/** The FSL text of one schema item from its FQL definition object. @throws DefinitionShapeError */
export function renderItem(module: SchemaModule, def: PlainObject): string {
  switch (module) {
    case 'Collection': return collectionFsl(def);
    case 'Role': return roleFsl(def);
    case 'Function': return functionFsl(def);
  }
}

/** Fauna's document update: objects merge key by key, `null` removes a key, anything else replaces. */
export function mergeDefinition(base: PlainObject, patch: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = mergeDefinition(out[key] as PlainObject, value);
    else out[key] = value;
  }
  return out;
}
