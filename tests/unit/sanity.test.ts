import { describe, expect, it } from '@jest/globals';
describe('toolchain', () => {
  it('runs TypeScript tests on Node 22 in ESM mode', async () => {
    const mw = await import('@middy/core');
    expect(typeof mw.default).toBe('function');
    expect(process.version.startsWith('v22')).toBe(true);
  });
});
