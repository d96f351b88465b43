/**
 * The schema API (PROTOCOL.md §8) as the Fauna CLI v4 uses it: FSL files uploaded as multipart/form-data
 * (field name = file path), query parameters `version`, `force`, `override`, `staged`. Errors are
 * `{"error":{"message"}}` like the core writes them; the 401 also carries `code: "unauthorized"`, which the CLI
 * checks to tell an auth failure apart.
 */
import { SCHEMA_DIFF_KINDS } from '../../engine/api.ts';
import type { Engine, Principal, SchemaApiError, SchemaDiffKind, SchemaUpdateOptions } from '../../engine/api.ts';
import type { SchemaFile } from '../../schema/model.ts';
import type { HttpRequest, HttpResponse, Route } from '../types.ts';
import { secretFromAuthorization } from '../auth.ts';
import { UNAUTHORIZED_MESSAGE } from '../errors.ts';
import { MAX_SCHEMA_FILES, MultipartError, NOT_MULTIPART_MESSAGE, multipartBoundary, parseMultipart } from '../multipart.ts';
import { exactPath, pathWithSuffix } from '../router.ts';

/** The file every database may have; without it one slot stays reserved for it (as in the core). */
const MAIN_FILE = 'main.fsl';

type Authenticated = (request: HttpRequest, engine: Engine, principal: Principal, params: string[]) => HttpResponse;

/** Wraps a handler with the schema API's authentication. */
function authenticated(handler: Authenticated): Route['methods'][string] {
  return (request, { engine }, params) => {
    const secret = secretFromAuthorization(request.headers.authorization);
    const principal = secret === null ? null : engine.authenticate(secret);
    if (principal === null) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer' }, json: { error: { code: 'unauthorized', message: UNAUTHORIZED_MESSAGE } } };
    }
    return handler(request, engine, principal, params);
  };
}

const updateSchema: Authenticated = (request, engine, principal) => {
  const files = uploadedFiles(request);
  if (!Array.isArray(files)) return files;
  return result(engine.schemaUpdate(principal, files, updateOptions(request.query)));
};

const diffSchema: Authenticated = (request, engine, principal) => {
  const files = uploadedFiles(request);
  if (!Array.isArray(files)) return files;
  return result(engine.schemaDiff(principal, files, updateOptions(request.query)));
};

const listFiles: Authenticated = (request, engine, principal) => result(engine.schemaFiles(principal, { staged: request.query.get('staged') === 'true' }));

const readFile: Authenticated = (request, engine, principal, [encodedName]) => {
  let filename: string;
  try {
    filename = decodeURIComponent(encodedName!);
  } catch {
    return schemaError({ httpStatus: 404, message: 'Not found' });
  }
  return result(engine.schemaFile(principal, filename, { staged: request.query.get('staged') === 'true' }));
};

/** Pushes apply at once here, so the status is always `none`, with an empty `pending_summary` (and `diff` if asked). */
const stagedStatus: Authenticated = (request, engine, principal) => {
  const diffKind = diffKindOf(request.query);
  return result(engine.schemaStatus(principal, diffKind === undefined ? {} : { diffKind }));
};

/** Commit or abandon the staged schema (the root database cannot have one: same message as the core). */
const stagedAction = (action: 'commit' | 'abandon'): Authenticated => (request, engine, principal) => {
  const { version, force } = updateOptions(request.query);
  return result(engine.schemaStaged(principal, action, { ...(version === undefined ? {} : { version }), force: force === true }));
};

const itemsNotSupported: Authenticated = () =>
  schemaError({ httpStatus: 501, message: 'The single-item schema API (/schema/1/items) is not supported by the local Fauna emulator; push whole files with /schema/1/update.' });

export const schemaRoutes: Route[] = [
  { match: exactPath('/schema/1/update'), methods: { POST: authenticated(updateSchema) } },
  { match: exactPath('/schema/1/diff'), methods: { POST: authenticated(diffSchema) } },
  { match: exactPath('/schema/1/validate'), methods: { POST: authenticated(diffSchema) } },
  { match: exactPath('/schema/1/files'), methods: { GET: authenticated(listFiles) } },
  { match: pathWithSuffix('/schema/1/files/'), methods: { GET: authenticated(readFile) } },
  { match: exactPath('/schema/1/staged/status'), methods: { GET: authenticated(stagedStatus) } },
  { match: exactPath('/schema/1/status'), methods: { GET: authenticated(stagedStatus) } },
  ...['/schema/1/staged/commit', '/schema/1/commit'].map((path): Route => ({ match: exactPath(path), methods: { POST: authenticated(stagedAction('commit')) } })),
  ...['/schema/1/staged/abandon', '/schema/1/abandon'].map((path): Route => ({ match: exactPath(path), methods: { POST: authenticated(stagedAction('abandon')) } })),
  { match: pathWithSuffix('/schema/1/items/'), methods: { GET: authenticated(itemsNotSupported), POST: authenticated(itemsNotSupported), DELETE: authenticated(itemsNotSupported) } },
];

/** The uploaded FSL files, or the 400 response explaining why the body is unusable. */
function uploadedFiles(request: HttpRequest): SchemaFile[] | HttpResponse {
  // No body at all is an empty upload (with override, that removes every item), as in the core.
  if (request.body.length === 0) return [];
  const boundary = multipartBoundary(request.headers['content-type']);
  // The core would treat a non-multipart body as "no files" and wipe the schema; refusing is safer locally.
  if (boundary === null) return schemaError({ httpStatus: 400, message: NOT_MULTIPART_MESSAGE });
  let parts;
  try {
    parts = parseMultipart(request.body, boundary, MAX_SCHEMA_FILES);
  } catch (error) {
    if (error instanceof MultipartError) return schemaError({ httpStatus: 400, message: error.message });
    throw error;
  }
  const files: SchemaFile[] = [];
  for (const part of parts) {
    if (!isValidFilename(part.name)) return schemaError({ httpStatus: 400, message: `Invalid filename \`${part.name}\`` });
    files.push({ filename: part.name, content: part.content.toString('utf8') });
  }
  const maxFiles = files.some((file) => file.filename === MAIN_FILE) ? MAX_SCHEMA_FILES : MAX_SCHEMA_FILES - 1;
  if (files.length > maxFiles) return schemaError({ httpStatus: 400, message: 'Too many files' });
  return files;
}

/** The core's rule: an FSL source file name ends in `.fsl` and does not start with `*`. */
export function isValidFilename(name: string): boolean {
  return name.endsWith('.fsl') && !name.startsWith('*');
}

/** Query parameters as the core reads them: only the exact strings `true`/`false` count. */
function updateOptions(query: URLSearchParams): SchemaUpdateOptions {
  const version = query.get('version');
  return {
    ...(version !== null && /^[+-]?\d{1,19}$/.test(version) ? { version: BigInt(version) } : {}),
    force: query.get('force') === 'true',
    override: query.get('override') !== 'false',
    staged: query.get('staged') === 'true',
    ...(diffKindOf(query) === undefined ? {} : { diffKind: diffKindOf(query)! }),
  };
}

/** `diff=semantic|summary|textual` (the CLI's name) or `format=` (the older one); anything else means the default. */
function diffKindOf(query: URLSearchParams): SchemaDiffKind | undefined {
  const kind = query.get('diff') ?? query.get('format');
  return (SCHEMA_DIFF_KINDS as readonly string[]).includes(kind ?? '') ? (kind as SchemaDiffKind) : undefined;
}

function isSchemaApiError(value: object): value is SchemaApiError {
  return 'httpStatus' in value && 'message' in value;
}

function result(value: object): HttpResponse {
  return isSchemaApiError(value) ? schemaError(value) : { status: 200, json: value };
}

function schemaError({ httpStatus, message }: SchemaApiError): HttpResponse {
  return { status: httpStatus, json: { error: { message } } };
}
