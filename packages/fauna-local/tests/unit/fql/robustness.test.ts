import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FqlSyntaxError } from '../../../src/fql/errors.ts';
import { parseQuery } from '../../../src/fql/parser.ts';
import { renderSyntaxError } from '../../../src/fql/summary.ts';
import { quoteFqlString } from '../../../src/fql/template.ts';
import { FslSyntaxError } from '../../../src/fsl/errors.ts';
import { parseSchemaFile } from '../../../src/fsl/parser.ts';

/** Pieces of FQL and FSL that, shuffled together, reach most branches of the lexer and parser. */
const FRAGMENTS = [
  'let', 'x', '=', '1', '2.5', '"s"', '"#{', '}', '{', '(', ')', '[', ']', ',', ';', '\n', '.', '?.', '!', '??', '=>',
  '...', '+', '-', '*', '**', '==', 'isa', 'if', 'else', 'at', 'match', ':', 'Customer', 'where', '.email', '//c\n',
  '/*', '*/', "'", '<<-E\n', 'E', 'null', 'true', '@', 'collection', 'role', 'function', 'index', 'terms', 'unique',
  'predicate', 'privileges', 'membership', 'read', 'check', 'compute', '*: Any', ' ',
];

const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(' '));

describe('parser robustness', () => {
  it('either parses or throws FqlSyntaxError with a renderable span, for any mix of FQL fragments', () => {
    fc.assert(fc.property(soup, (source) => {
      try {
        parseQuery(source);
      } catch (error) {
        expect(error).toBeInstanceOf(FqlSyntaxError);
        const span = (error as FqlSyntaxError).span;
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.end).toBeGreaterThanOrEqual(span.start);
        expect(renderSyntaxError(source, error as FqlSyntaxError)).toMatch(/^error: .+\nat \*query\*:\d+:\d+\n/);
      }
    }), { numRuns: 3000 });
  });

  it('either parses or throws FqlSyntaxError for arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (source) => {
      try {
        parseQuery(source);
      } catch (error) {
        expect(error).toBeInstanceOf(FqlSyntaxError);
      }
    }), { numRuns: 3000 });
  });

  it('either parses or throws FslSyntaxError naming the file, for any mix of FSL fragments', () => {
    fc.assert(fc.property(soup, (content) => {
      try {
        parseSchemaFile({ filename: 'fuzz.fsl', content });
      } catch (error) {
        expect(error).toBeInstanceOf(FslSyntaxError);
        expect((error as FslSyntaxError).message).toContain('at fuzz.fsl:');
      }
    }), { numRuns: 3000 });
  });

  it('reads back any string quoted by quoteFqlString', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
      const program = parseQuery(quoteFqlString(text));
      const stmt = program.body[0]!;
      expect(stmt.kind === 'ExprStmt' && stmt.expr.kind === 'Literal' ? stmt.expr.value : undefined).toBe(text);
    }), { numRuns: 2000 });
  });
});
