import { describe, expect, it } from '@jest/globals';
import { displayType, isNullable, isSubtype, parseSchemaTypeExpr, typeOfExpr, UnknownTypeError } from '../../../src/schema/field-type.ts';

// The migration validator's model of the core's field types
// (https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/migration/CollectionShape.scala):
// parsed from FSL type text, shown as the core's messages show them, compared with the typer's subtyping.
const names = { collections: new Set(['Address']), checked: true };
const type = (text: string) => typeOfExpr(parseSchemaTypeExpr(text, 0, names));

describe('field types for migrations', () => {
  it.each([
    ['Int?', 'Int | Null'],
    ['{ *: Any }?', '{ *: Any } | Null'],
    ['Ref<Address>', 'Ref<Address>'],
    ['Address | Null', 'Address | Null'],
    ['Array<String>', 'Array<String>'],
    ['"a" | "b"', '"a" | "b"'],
    ['Int | (String | Boolean)', 'Int | String | Boolean'],
  ])('shows %s as the core does: %s', (text, shown) => {
    expect(displayType(type(text))).toBe(shown);
  });

  it('reads a bare object as a nested schema object with its fields and defaults', () => {
    const te = parseSchemaTypeExpr('{\n    street: String = ""\n    city: String?\n  }', 10, names);

    expect(te).toMatchObject({ kind: 'object', fields: [{ name: 'street', default: '""' }, { name: 'city', default: null }], wildcard: null });
    expect(te.kind === 'object' && te.fields[0]!.nameSpan).toEqual({ start: 16, end: 22 });
  });

  it.each([
    ['Int', 'Number', true],
    ['Int', 'Int | String', true],
    ['Int | String', 'Int', false],
    ['"a"', 'String', true],
    ['Null', 'Ref<Address>', true],
    ['{ a: Int }', '{ a: Int | String }', true],
    ['{ *: Int }', '{ a: String }', false],
    ['Array<Int>', 'Array<Number>', true],
  ])('%s is a subtype of %s: %s', (a, b, expected) => {
    expect(isSubtype(type(a), type(b))).toBe(expected);
  });

  it('treats Any as compatible both ways for the typer, and as the top type only for schema constraints', () => {
    expect(isSubtype(type('Any'), type('Int'))).toBe(true);
    expect(isSubtype(type('Any'), type('Int'), true)).toBe(false);
    expect(isSubtype(type('Int'), type('Any'), true)).toBe(true);
    expect(isNullable(type('Any'))).toBe(true);
  });

  it('refuses an unknown type name in the submitted schema, pointing at it, and keeps it in the live one', () => {
    const failure = (() => {
      try {
        parseSchemaTypeExpr('Ref<Adress>', 5, names);
        return null;
      } catch (error) {
        return error;
      }
    })();

    expect(failure).toBeInstanceOf(UnknownTypeError);
    expect(failure).toMatchObject({ message: 'Unknown type `Adress`', span: { start: 9, end: 15 } });
    expect(displayType(typeOfExpr(parseSchemaTypeExpr('Ref<Adress>', 0, { ...names, checked: false })))).toBe('Ref<Adress>');
  });
});
