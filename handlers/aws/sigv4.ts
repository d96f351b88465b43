/**
 * AWS Signature Version 4 for one JSON POST, the only kind of request `ssm-lite.ts` sends. Kept apart so a test can
 * compare its `Authorization` header with `@smithy/signature-v4`'s for the same request, credentials and time.
 */
import { createHash, createHmac } from 'node:crypto';

/** The algorithm name, as it appears in the string to sign and in the header. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present with temporary credentials, as Lambda's are. */
  sessionToken?: string;
}

export interface SignableRequest {
  method: string;
  /** The URL path; `/` for AWS JSON protocols. */
  path: string;
  /** Header names in lower case; every one of them is signed. */
  headers: Record<string, string>;
  body: string;
}

export interface SigningScope {
  region: string;
  service: string;
  credentials: AwsCredentials;
  /** The signing time; the caller sets the same instant as `x-amz-date`. */
  date: Date;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20260101T000000Z`, the form of `x-amz-date`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// RFC 3986 encoding of each path segment, as SigV4 requires for services other than S3.
const encodePath = (path: string): string =>
  path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

/**
 * Returns the `Authorization` header value for `request`: every header in `request.headers` is signed, so they must
 * already include `host` and `x-amz-date` (and `x-amz-security-token` with temporary credentials).
 */
export function signRequest(request: SignableRequest, scope: SigningScope): string {
  const timestamp = amzDate(scope.date);
  const day = timestamp.slice(0, 8);
  const names = Object.keys(request.headers).map((name) => name.toLowerCase()).sort();
  const lowerCased = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const canonicalHeaders = names.map((name) => `${name}:${lowerCased[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [request.method, encodePath(request.path), '', canonicalHeaders, signedHeaders, sha256Hex(request.body)].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, timestamp, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${scope.credentials.secretAccessKey}`, day), scope.region), scope.service), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `${SIGV4_ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
