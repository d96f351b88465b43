import { describe, expect, it } from '@jest/globals';
import { parseQuery } from '../../../src/fql/parser.ts';
import { renderSummary } from '../../../src/fql/summary.ts';
import { assembleTemplate, InvalidTemplateError, isPlaceholderName, quoteFqlString } from '../../../src/fql/template.ts';
import { sexpr } from '../helpers/sexpr.ts';

/** The assembled source with the NUL sigil shown as `<`, as the summary shows it. */
function readable(source: string): string {
  return source.replaceAll('\u0000', '<');
}

describe('assembleTemplate', () => {
  it('passes a plain string query through unchanged', () => {
    // Act
    const assembled = assembleTemplate('Customer.all()');

    // Assert
    expect(assembled).toEqual({ source: 'Customer.all()', placeholders: [] });
  });

  it('turns the driver\'s encoding of the guide query into source whose values are placeholders', () => {
    // Arrange: what fauna 2.5.0 sends for fql`let user = Customer.byEmail(${email}).first() ?? Customer.create({email: ${email}}) …`
    const query = {
      fql: [
        'let user = Customer.byEmail(', { value: 'a@b.co' }, ').first() ?? Customer.create({email: ', { value: 'a@b.co' },
        "})\nlet token = Token.create({ document: user, ttl: Time.now().add(30, 'minutes') })\n"
        + 'let payload = { userId: user!.id, token: token.secret }\npayload',
      ],
    };

    // Act
    const assembled = assembleTemplate(query);
    const program = parseQuery(assembled.source);

    // Assert
    expect(assembled.placeholders.map(({ name, encoded }) => ({ name, encoded }))).toEqual([
      { name: '<value0>', encoded: 'a@b.co' },
      { name: '<value1>', encoded: 'a@b.co' },
    ]);
    expect(sexpr(program.body[0]!.kind === 'Let' ? program.body[0]!.value : program)).toBe(
      '(?? (call (. (call (. Customer byEmail) <value0>) first)) (call (. Customer create) (obj "email"=<value1>)))',
    );
  });

  it('splices a nested fql fragment as text at the top level', () => {
    // Arrange: fql`5 + ${fql`${17} + 3`}`
    const query = { fql: ['5 + ', { fql: [{ value: { '@int': '17' } }, ' + 3'] }] };

    // Act
    const assembled = assembleTemplate(query);

    // Assert
    expect(readable(assembled.source)).toBe('5 + <value0> + 3');
    expect(assembled.placeholders).toEqual([{ name: '<value0>', encoded: { '@int': '17' }, span: { start: 4, end: 12 } }]);
  });

  it('builds array and object literals, wrapping nested fql in parentheses and quoting keys', () => {
    // Arrange
    const query = {
      fql: ['let x = ', {
        object: {
          a: { value: { '@int': '1' } },
          'odd "key" #{x}': { array: [{ value: 2 }, { fql: ['1 + ', { value: 3 }] }] },
          empty: { object: {} },
        },
      }, '\nx'],
    };

    // Act
    const assembled = assembleTemplate(query);
    const program = parseQuery(assembled.source);

    // Assert
    expect(readable(assembled.source)).toBe('let x = { "a": <value0>, "odd \\"key\\" \\#{x}": [<value1>, (1 + <value2>)], "empty": {} }\nx');
    expect(sexpr(program)).toBe('(block (let x (obj "a"=<value0> "odd \\"key\\" #{x}"=[<value1> (+ 1 <value2>)] "empty"=(obj))) x)');
    expect(assembled.placeholders.map((p) => p.encoded)).toEqual([{ '@int': '1' }, 2, 3]);
  });

  it('records where each placeholder sits, so a summary can point at a value that fails to decode', () => {
    // Arrange
    const query = { fql: ['Customer.byEmail(', { value: { '@int': 'x' } }, ')'] };

    // Act
    const { source, placeholders } = assembleTemplate(query);
    const summary = renderSummary(source, placeholders[0]!.span, 'Invalid value');

    // Assert
    expect(summary).toBe('error: Invalid value\nat *query*:1:18\n  |\n1 | Customer.byEmail(<value0>)\n  |                  ^^^^^^^^\n  |');
  });

  it('names placeholders so that users cannot write them', () => {
    // Act
    const { placeholders } = assembleTemplate({ fql: [{ value: 1 }] });

    // Assert
    expect(isPlaceholderName(placeholders[0]!.name)).toBe(true);
    expect(() => parseQuery(placeholders[0]!.name)).toThrow();
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an array', ['x']],
    ['an object without fql', { query: 'x' }],
    ['fql that is not an array', { fql: 'x' }],
    ['an object with fql and another key', { fql: [], extra: 1 }],
    ['an unknown fragment key', { fql: [{ nope: 1 }] }],
    ['a fragment with two keys', { fql: [{ value: 1, fql: [] }] }],
    ['a number fragment', { fql: [1] }],
    ['a raw string inside an array', { fql: [{ array: ['x'] }] }],
    ['an array fragment that is not an array', { fql: [{ array: {} }] }],
    ['an object fragment that is an array', { fql: [{ object: [] }] }],
    ['a NUL character in FQL text', { fql: ['1 + \u0000value0>'] }],
  ])('rejects %s with InvalidTemplateError', (_name, query) => {
    // Act + Assert
    expect(() => assembleTemplate(query)).toThrow(InvalidTemplateError);
  });
});

describe('quoteFqlString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a "quote"', '"a \\"quote\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['#{not code}', '"\\#{not code}"'],
    ['line\nbreak\ttab', '"line\\nbreak\\ttab"'],
    ['bell\u0007', '"bell\\u{7}"'],
    ['é – “ok”', '"é – “ok”"'],
  ])('quotes %j so that the parser reads it back', (text, quoted) => {
    // Act
    const result = quoteFqlString(text);

    // Assert
    expect(result).toBe(quoted);
    expect(sexpr(parseQuery(result))).toBe(`(block ${JSON.stringify(text)})`);
  });
});
