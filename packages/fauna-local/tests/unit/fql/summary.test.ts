import { describe, expect, it } from '@jest/globals';
import { FqlSyntaxError } from '../../../src/fql/errors.ts';
import { parseQuery } from '../../../src/fql/parser.ts';
import { lineColumn, renderSummary, renderSyntaxError } from '../../../src/fql/summary.ts';

function renderedParseError(source: string): string {
  try {
    parseQuery(source);
  } catch (error) {
    if (error instanceof FqlSyntaxError) return renderSyntaxError(source, error);
    throw error;
  }
  throw new Error(`expected a syntax error for: ${source}`);
}

describe('renderSummary', () => {
  it('renders the runtime error example from Fauna\'s HTTP reference exactly', () => {
    // Arrange
    const expected = "error: The function `al` doesn't exist on `Collection`\nat *query*:1:12\n  |\n1 | Collection.al()\n  |            ^^\n  |";

    // Act
    const summary = renderSummary('Collection.al()', { start: 11, end: 13 }, "The function `al` doesn't exist on `Collection`");

    // Assert
    expect(summary).toBe(expected);
  });

  it('shows only the line of the span and widens the gutter for two-digit line numbers', () => {
    // Arrange
    const source = `${'1\n'.repeat(9)}let x = y\nx`;

    // Act
    const summary = renderSummary(source, { start: 26, end: 27 }, 'Unbound variable `y`', 'error');

    // Assert
    expect(summary).toBe('error: Unbound variable `y`\nat *query*:10:9\n   |\n10 | let x = y\n   |         ^\n   |');
  });

  it('draws a bracket for a span over several lines', () => {
    // Arrange
    const source = 'let x = f(\n  1,\n  2)\nx';

    // Act
    const summary = renderSummary(source, { start: 8, end: 20 }, 'Oops');

    // Assert
    expect(summary).toBe([
      'error: Oops',
      'at *query*:1:9',
      '  |',
      '1 |   let x = f(',
      '  |  _________^',
      '2 | |   1,',
      '3 | |   2)',
      '  | |____^',
      '  |',
    ].join('\n'));
  });

  it('moves a span past the end of the text back onto the last visible character', () => {
    // Act
    const summary = renderSummary('1 +\n\n', { start: 5, end: 6 }, 'Unexpected end of query. Expected expression');

    // Assert
    expect(summary).toBe('error: Unexpected end of query. Expected expression\nat *query*:1:4\n  |\n1 | 1 +\n  |    ^\n  |');
  });

  it('uses the given kind, source name and annotation', () => {
    // Act
    const summary = renderSummary('collection A {}', { start: 11, end: 12 }, 'Something', 'warning', {
      sourceName: 'main.fsl',
      annotation: 'here',
    });

    // Assert
    expect(summary).toBe('warning: Something\nat main.fsl:1:12\n  |\n1 | collection A {}\n  |            ^ here\n  |');
  });

  it('shows template value placeholders as <valueN>', () => {
    // Act
    const summary = renderSummary('f(\u0000value0>)', { start: 0, end: 1 }, 'Boom');

    // Assert
    expect(summary).toContain('1 | f(<value0>)');
    expect(summary).not.toContain('\u0000');
  });
});

describe('renderSyntaxError', () => {
  it('renders Missing return expression with its cause, omitting the location of a cause on the same line', () => {
    // Act
    const summary = renderedParseError('let x = 1');

    // Assert
    expect(summary).toBe([
      'error: Missing return expression',
      'at *query*:1:10',
      '  |',
      '1 | let x = 1',
      '  |          ^',
      '  |',
      'cause: Statement does not return a value',
      '  |',
      '1 | let x = 1',
      '  | ^^^^^^^^^',
      '  |',
    ].join('\n'));
  });

  it('prints the location of a cause on another line', () => {
    // Act
    const summary = renderedParseError('let x = 1\n// end');

    // Assert
    expect(summary.split('\n')[1]).toBe('at *query*:2:7');
    expect(summary).toContain('cause: Statement does not return a value\nat *query*:1:1\n  |\n1 | let x = 1\n  | ^^^^^^^^^');
  });

  it('renders a reserved word used as a variable exactly as the core does', () => {
    // Act
    const summary = renderedParseError('{ let join = 3; join }');

    // Assert
    expect(summary).toBe('error: Invalid identifier\nat *query*:1:7\n  |\n1 | { let join = 3; join }\n  |       ^^^^ `join` is a keyword\n  |');
  });

  it('renders the annotation of an invalid identifier after the underline', () => {
    // Act
    const summary = renderedParseError('let if = 3\n1');

    // Assert
    expect(summary).toBe('error: Invalid identifier\nat *query*:1:5\n  |\n1 | let if = 3\n  |     ^^ `if` is a keyword\n  |');
  });
});

describe('lineColumn', () => {
  it.each([
    [0, 1, 1],
    [3, 1, 4],
    [4, 2, 1],
    [7, 3, 1],
    [8, 3, 2],
  ])('maps offset %s of "abc\\nde\\nfg" to line %s column %s', (offset, line, column) => {
    // Act + Assert
    expect(lineColumn('abc\nde\nfg', offset)).toEqual({ line, column });
  });
});
