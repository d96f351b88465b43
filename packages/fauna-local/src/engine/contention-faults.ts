/**
 * The fault switch for contention (DESIGN.md "Contention"): forces 409 `contended_transaction` on read-write
 * transactions, the next N of them or a fraction, optionally only in one database or for one key. A forced query is
 * evaluated and its writes discarded, then answered as a transaction that used up its retries (without waiting for
 * them); read-only queries are never forced, because Fauna never contends them either, nor are schema or
 * child-database changes (they commit at once, see contention.ts).
 */
import type { Principal } from '../auth/principal.ts';
import type { ContentionFault } from './api.ts';

interface ActiveRule {
  remaining: number | null;
  fraction: number | null;
  database: string | undefined;
  keyId: string | undefined;
}

/** The forced-contention rules in force; the first that matches a transaction decides. */
export class ForcedContention {
  #rules: ActiveRule[] = [];
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  /**
   * Adds a rule.
   * @throws RangeError naming the field when the rule is not usable
   */
  add(fault: ContentionFault): void {
    const { count, fraction } = fault;
    if ((count === undefined) === (fraction === undefined)) {
      throw new RangeError('A contention fault needs exactly one of count (the next N read-write queries) or fraction (0 < f ≤ 1).');
    }
    if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
      throw new RangeError(`A contention fault's count must be a whole number of queries, 1 or more (got ${count}).`);
    }
    if (fraction !== undefined && !(fraction > 0 && fraction <= 1)) {
      throw new RangeError(`A contention fault's fraction must be above 0 and at most 1 (got ${fraction}).`);
    }
    this.#rules.push({ remaining: count ?? null, fraction: fraction ?? null, database: fault.database, keyId: fault.keyId });
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  get active(): boolean {
    return this.#rules.length > 0;
  }

  /** True when a rule forces this read-write transaction to contend (a counted rule is used up by it). */
  take(principal: Principal): boolean {
    if (this.#rules.length === 0) return false;
    const database = (principal.database ?? []).join('/');
    for (const rule of this.#rules) {
      if (rule.database !== undefined && rule.database !== database) continue;
      if (rule.keyId !== undefined && !(principal.kind === 'key' && principal.keyId === rule.keyId)) continue;
      if (rule.remaining !== null) {
        rule.remaining--;
        if (rule.remaining === 0) this.#rules = this.#rules.filter((r) => r !== rule);
        return true;
      }
      return this.#random() < rule.fraction!;
    }
    return false;
  }
}
