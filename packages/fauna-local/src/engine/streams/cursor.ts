/**
 * Event cursors: a position in the change log, (txn time, place in the transaction). The core's cursor is an opaque
 * base64 value too (Value.EventSource.Cursor); the local one is base64 of `<ts>.<ord>`. A stream's `start_ts` is the
 * position after every change at that time, as in the core (StreamRequest.scala: `Cursor.MaxOrdinal`).
 */
export interface CursorPosition {
  ts: bigint;
  ord: number;
}

const CURSOR_TEXT = /^(\d{1,20})\.(-1|\d{1,16})$/;

export function encodeCursor(ts: bigint, ord: number): string {
  return Buffer.from(`${ts}.${ord}`, 'utf8').toString('base64');
}

/** The position a cursor names, or null when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | null {
  const match = CURSOR_TEXT.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match ? { ts: BigInt(match[1]!), ord: Number(match[2]!) } : null;
}

/** The position right after every change at `ts`. */
export function afterTs(ts: bigint): CursorPosition {
  return { ts, ord: Number.MAX_SAFE_INTEGER };
}
