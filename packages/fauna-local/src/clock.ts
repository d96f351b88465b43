/**
 * The emulator's clock, injected so tests control time (token and document TTLs) without sleeping.
 * Times are microseconds since the Unix epoch, Fauna's `txn_ts` unit.
 */
export interface Clock {
  nowMicros(): bigint;
}

/** Real time plus an adjustable offset: `advance()` moves it forward, as if the time had passed. */
export class AdjustableClock implements Clock {
  #offsetMicros = 0n;

  nowMicros(): bigint {
    return BigInt(Date.now()) * 1000n + this.#offsetMicros;
  }

  /** Moves the clock forward by the given number of milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance() takes a non-negative number of milliseconds, got ${ms}`);
    this.#offsetMicros += BigInt(Math.round(ms * 1000));
  }
}
