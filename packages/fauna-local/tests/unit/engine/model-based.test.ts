import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { makeDb } from '../helpers/test-db.ts';

const FSL = `
collection Person {
  email: String
  n: Int
  unique [.email]
  index byEmail {
    terms [.email]
  }
  index byN {
    terms [.n]
    values [desc(.email)]
  }
}
`;

type Op =
  | { kind: 'create'; email: string; n: number }
  | { kind: 'update'; email: string; newEmail: string }
  | { kind: 'delete'; email: string };

const emails = fc.constantFrom('a@x', 'b@x', 'c@x', 'd@x', 'e@x');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), email: emails, n: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('update' as const), email: emails, newEmail: emails }),
  fc.record({ kind: fc.constant('delete' as const), email: emails }),
);

function fql(o: Op): string {
  switch (o.kind) {
    case 'create': return `Person.create({ email: "${o.email}", n: ${o.n} })`;
    case 'update': return `Person.byEmail("${o.email}").first()!.update({ email: "${o.newEmail}" })`;
    case 'delete': return `Person.byEmail("${o.email}").first()!.delete()`;
  }
}

/** Applies an operation to the model; returns false when the engine must reject it. */
function applyToModel(model: Map<string, number>, o: Op): boolean {
  switch (o.kind) {
    case 'create':
      if (model.has(o.email)) return false;
      model.set(o.email, o.n);
      return true;
    case 'update': {
      if (!model.has(o.email)) return false;
      if (o.newEmail !== o.email && model.has(o.newEmail)) return false;
      const n = model.get(o.email)!;
      model.delete(o.email);
      model.set(o.newEmail, n);
      return true;
    }
    case 'delete':
      if (!model.has(o.email)) return false;
      model.delete(o.email);
      return true;
  }
}

describe('the engine against a model (property-based)', () => {
  it('keeps unique emails, index lookups and atomic batches in line with a model over random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 3 }), abort: fc.boolean() }), { maxLength: 12 }), (batches) => {
        // Arrange
        const db = makeDb(FSL);
        const model = new Map<string, number>();
        for (const batch of batches) {
          // Act: one query per batch; it must apply entirely or not at all
          const trial = new Map(model);
          const accepted = batch.ops.every((o) => applyToModel(trial, o));
          const query = batch.ops.map(fql).join('\n') + (batch.abort ? '\nabort("stop")' : '\nnull');
          const outcome = db.run(query);
          // Assert
          expect(outcome.ok).toBe(accepted && !batch.abort);
          if (outcome.ok) {
            model.clear();
            for (const [k, v] of trial) model.set(k, v);
          }
          const stored = db.data('Person.all().map(p => [p.email, p.n]).toArray()') as [string, { '@int': string }][];
          expect(new Map(stored.map(([e, n]) => [e, Number(n['@int'])]))).toEqual(model);
          for (const n of [0, 1, 2, 3]) {
            const expected = [...model].filter(([, v]) => v === n).map(([e]) => e).sort().reverse();
            expect(db.data(`Person.byN(${n}).map(.email).toArray()`)).toEqual(expected);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
