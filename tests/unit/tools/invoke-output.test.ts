import { describe, expect, it } from '@jest/globals';
import { extractInvokeResult, maskSecrets } from '../../../tools/invoke-output.ts';

describe('maskSecrets', () => {
  it('shortens every Fauna secret to its first six characters', () => {
    // Arrange
    const text = 'key fnAFG_ebIVAARNZYT2Z1nMonmzHlw6wWxI6mLpTa and token fnEGYRJvM2oQAQAAAAAAAAAAg7_Cf2-OoTycxue33GVXbLyzYKs';

    // Act
    const masked = maskSecrets(text);

    // Assert
    expect(masked).toBe('key fnAFG_… and token fnEGYR…');
  });

  it('leaves words that merely start with fn alone', () => {
    expect(maskSecrets('fn_token_secret function fnord')).toBe('fn_token_secret function fnord');
  });
});

describe('extractInvokeResult', () => {
  it('finds the indented result after one-line JSON log records', () => {
    // Arrange
    const output = 'Warning: something\n{"level":"INFO","message":"hi"}\n{\n    "version": "1",\n    "response": {}\n}\n';

    // Act
    const result = extractInvokeResult(output);

    // Assert
    expect(result?.value).toEqual({ version: '1', response: {} });
    expect(output.slice(0, result?.start)).toBe('Warning: something\n{"level":"INFO","message":"hi"}');
  });

  it('returns undefined when the CLI printed no result', () => {
    expect(extractInvokeResult('× Error: Cannot find module\n')).toBeUndefined();
  });
});
