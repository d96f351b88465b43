/** The schema API's multipart/form-data reader, fed with bodies built by the platform's own FormData. */
import { describe, expect, it } from '@jest/globals';
import { MultipartError, multipartBoundary, parseMultipart } from '../../../src/http/multipart.ts';

async function encode(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

describe('multipartBoundary', () => {
  it('reads the boundary of multipart/form-data, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=abc')).toBe('abc');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe('a b');
  });

  it('returns null for other content types and for a missing boundary', () => {
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
    expect(multipartBoundary(undefined)).toBeNull();
  });
});

describe('parseMultipart', () => {
  it('returns each part with its field name and exact content, as the Fauna CLI builds them', async () => {
    const form = new FormData();
    form.set('main.fsl', new Blob(['collection A {}\n']));
    form.set('dir/sub dir/b.fsl', new Blob(['// ünïcode\r\n\r\n--not a boundary\n']));
    const { body, contentType } = await encode(form);

    const parts = parseMultipart(body, multipartBoundary(contentType)!);

    expect(parts.map((p) => [p.name, p.content.toString('utf8')])).toEqual([
      ['main.fsl', 'collection A {}\n'],
      ['dir/sub dir/b.fsl', '// ünïcode\r\n\r\n--not a boundary\n'],
    ]);
  });

  it('decodes field names containing quotes', async () => {
    const form = new FormData();
    form.set('we"ird.fsl', new Blob(['x']));
    const { body, contentType } = await encode(form);

    expect(parseMultipart(body, multipartBoundary(contentType)!)[0]!.name).toBe('we"ird.fsl');
  });

  it('returns no parts for an empty form', async () => {
    const { body, contentType } = await encode(new FormData());

    expect(parseMultipart(body, multipartBoundary(contentType)!)).toEqual([]);
  });

  it('throws "Request is not a valid multipart request" for a body without the boundary framing', () => {
    expect(() => parseMultipart(Buffer.from('collection A {}'), 'xyz')).toThrow(new MultipartError('Request is not a valid multipart request'));
  });

  it('throws "Too many files" past the part limit', async () => {
    const form = new FormData();
    for (let i = 0; i < 4; i += 1) form.set(`f${i}.fsl`, new Blob(['']));
    const { body, contentType } = await encode(form);

    expect(() => parseMultipart(body, multipartBoundary(contentType)!, 3)).toThrow('Too many files');
  });
});
