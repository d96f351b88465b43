/**
 * A small `multipart/form-data` reader for the schema API (PROTOCOL.md §8): one part per FSL file, the part's
 * field name is the file path. Only what browsers' and Node's FormData produce is supported (no nested multipart,
 * no transfer encodings), which is what the Fauna CLI sends.
 */

/** The schema API's file limit, main.fsl included. */
export const MAX_SCHEMA_FILES = 1024;

export interface FormPart {
  name: string;
  filename: string | undefined;
  content: Buffer;
}

/** The body is not multipart/form-data, or is malformed; `message` is the client-facing text. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export const NOT_MULTIPART_MESSAGE = 'Request is not a valid multipart request';

/** Returns the boundary of a multipart/form-data Content-Type, or null for any other type. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const [mediaType, ...params] = contentType.split(';');
  if (mediaType?.trim().toLowerCase() !== 'multipart/form-data') return null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const value = unquote(param.slice(eq + 1).trim());
    return value === '' ? null : value;
  }
  return null;
}

/**
 * Splits a multipart body into its parts.
 * @throws MultipartError when the body does not follow the boundary framing, or has more than `maxParts` parts
 */
export function parseMultipart(body: Buffer, boundary: string, maxParts = MAX_SCHEMA_FILES): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at === -1) throw new MultipartError(NOT_MULTIPART_MESSAGE);
  for (;;) {
    at += delimiter.length;
    // `--boundary--` closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    at = skipLineBreak(body, at);
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), at);
    if (next === -1) throw new MultipartError(NOT_MULTIPART_MESSAGE);
    if (parts.length === maxParts) throw new MultipartError('Too many files');
    parts.push(parsePart(body.subarray(at, next)));
    at = next + CRLF.length;
  }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function skipLineBreak(body: Buffer, at: number): number {
  if (body[at] === 0x0d && body[at + 1] === 0x0a) return at + 2;
  throw new MultipartError(NOT_MULTIPART_MESSAGE);
}

function parsePart(raw: Buffer): FormPart {
  const headerEnd = raw.indexOf(HEADER_END);
  if (headerEnd === -1) throw new MultipartError(NOT_MULTIPART_MESSAGE);
  const headers = raw.subarray(0, headerEnd).toString('utf8').split('\r\n');
  const disposition = headers.find((line) => line.toLowerCase().startsWith('content-disposition:'));
  if (disposition === undefined) throw new MultipartError(NOT_MULTIPART_MESSAGE);
  const params = dispositionParams(disposition.slice('content-disposition:'.length));
  const name = params.get('name');
  if (name === undefined) throw new MultipartError(NOT_MULTIPART_MESSAGE);
  return { name, filename: params.get('filename'), content: raw.subarray(headerEnd + HEADER_END.length) };
}

/** `form-data; name="a.fsl"; filename="blob"` → {name, filename}. Quoted values may contain `;`. */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of value.matchAll(pattern)) {
    params.set(match[1]!.toLowerCase(), unquote(match[2]!.trim()));
  }
  return params;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    // FormData percent-encodes `"`, CR and LF in names; backslash escapes are RFC 7578 legacy.
    return value
      .slice(1, -1)
      .replace(/\\(.)/g, '$1')
      .replace(/%22/g, '"')
      .replace(/%0D/gi, '\r')
      .replace(/%0A/gi, '\n');
  }
  return value;
}
