/**
 * How the SSM stand-in (shims/aws-sdk-client-ssm) signs with `aws4`, against the AWS SDK's own signer
 * (`@smithy/signature-v4`, the real one from node_modules): for the same request, credentials and time, both must
 * produce the same `Authorization` header. This checks our use of the library (headers, time, path), not SigV4 itself.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { type AwsCredentials, signedSsmHeaders } from '../../../../shims/aws-sdk-client-ssm/index.ts';

/** The SDK's hash interface over node:crypto (what @smithy/hash-node does). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
class NodeSha256 {
  readonly #secret: SourceData | undefined;
  #hash;
  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  reset(): void {
    this.#hash = this.#secret ? createHmac('sha256', bytes(this.#secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

interface Case {
  host: string;
  path: string;
  region: string;
  target: string;
  body: string;
  credentials: AwsCredentials;
  date: Date;
}

async function sdkAuthorization(c: Case): Promise<string> {
  const signer = new SignatureV4({ credentials: c.credentials, region: c.region, service: 'ssm', sha256: NodeSha256, applyChecksum: false });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: c.host.split(':')[0]!,
    // The path as it goes on the wire (percent-encoded, as the SDK's serializers leave it); both signers encode it again.
    path: new URL(`https://${c.host}${c.path}`).pathname,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(c.body)),
      host: c.host,
      'x-amz-target': c.target,
    },
    body: c.body,
  });
  const signed = await signer.sign(request, { signingDate: c.date });
  return signed.headers.authorization!;
}

function ourAuthorization(c: Case): string {
  const url = new URL(`https://${c.host}${c.path}`);
  const operation = c.target.replace('AmazonSSM.', '');
  return signedSsmHeaders({ url, operation, body: c.body, region: c.region, credentials: c.credentials, date: c.date }).authorization!;
}

const LAMBDA_LIKE: Case = {
  host: 'ssm.eu-west-1.amazonaws.com',
  path: '/',
  region: 'eu-west-1',
  target: 'AmazonSSM.GetParameters',
  body: JSON.stringify({ Names: ['/cognito-fauna/dev/fauna-secret'], WithDecryption: true }),
  credentials: { accessKeyId: 'ASIAEXAMPLEKEY', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE+/=' },
  date: new Date('2026-11-25T05:06:07.891Z'),
};

describe('SSM requests signed with aws4 (compared with the real @smithy/signature-v4)', () => {
  it('gives the same Authorization header as the SDK for a GetParameters call with Lambda-style temporary credentials', async () => {
    // Act
    const ours = ourAuthorization(LAMBDA_LIKE);
    const sdk = await sdkAuthorization(LAMBDA_LIKE);

    // Assert
    expect(ours).toBe(sdk);
    expect(ours).toContain('SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target');
  });

  it('gives the same Authorization header as the SDK without a session token and with a host:port endpoint', async () => {
    // Arrange
    const local: Case = { ...LAMBDA_LIKE, host: '127.0.0.1:45678', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' } };

    // Act
    const ours = ourAuthorization(local);

    // Assert
    expect(ours).toBe(await sdkAuthorization(local));
    expect(ours).not.toContain('x-amz-security-token');
  });

  it('differs when the secret access key differs (the signature depends on it)', () => {
    // Act
    const one = ourAuthorization(LAMBDA_LIKE);
    const other = ourAuthorization({ ...LAMBDA_LIKE, credentials: { ...LAMBDA_LIKE.credentials, secretAccessKey: 'another-secret' } });

    // Assert
    expect(one).not.toBe(other);
  });

  it('matches the SDK for generated bodies, regions, paths, credentials and times', async () => {
    // Arrange
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const cases = fc.record({
      host: fc.constantFrom('ssm.us-east-1.amazonaws.com', 'ssm.cn-north-1.amazonaws.com.cn', 'localhost:4566'),
      path: fc.constantFrom('/', '/ssm/', '/a b/c'),
      region: fc.constantFrom('us-east-1', 'eu-central-1', 'cn-north-1', 'ap-southeast-2'),
      target: fc.constantFrom('AmazonSSM.GetParameters', 'AmazonSSM.GetParametersByPath'),
      body: text.map((name) => JSON.stringify({ Names: [name], WithDecryption: true })),
      credentials: fc.record(
        { accessKeyId: fc.stringMatching(/^[A-Z0-9]{16,20}$/), secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{20,40}$/), sessionToken: fc.stringMatching(/^[A-Za-z0-9/+=]{10,60}$/) },
        { requiredKeys: ['accessKeyId', 'secretAccessKey'] },
      ),
      date: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
    });

    // Act + Assert
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        expect(ourAuthorization(c)).toBe(await sdkAuthorization(c));
      }),
      { numRuns: 200 },
    );
  });
});
