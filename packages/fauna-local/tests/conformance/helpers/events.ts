/**
 * Reading event streams in tests without ever hanging: the next events of a driver stream, bounded by a deadline
 * that fails the test with what had arrived, and the stream closed in every case.
 */
import type { QueryValue, StreamClient, StreamEventData, StreamEventStatus } from 'fauna';

/** What iterating a driver stream yields (an error event is thrown instead). */
export type StreamEvent<T extends QueryValue> = StreamEventData<T> | StreamEventStatus;

/** How long a test waits for an event it expects (a real Fauna delivers within a second or two). */
export const EVENT_WAIT_MS = 5_000;

/**
 * The first `count` events of the stream (status events included when the stream was opened with status_events),
 * or a rejection naming what arrived when they do not come within `waitMs`. Closes the stream either way.
 */
export async function nextEvents<T extends QueryValue = QueryValue>(stream: StreamClient<T>, count: number, waitMs = EVENT_WAIT_MS): Promise<StreamEvent<T>[]> {
  const events: StreamEvent<T>[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stream.close();
      reject(new Error(`expected ${count} events within ${waitMs} ms, received ${events.length}: ${JSON.stringify(events.map((e) => e.type))}`));
    }, waitMs);
  });
  const read = (async () => {
    for await (const event of stream) {
      events.push(event);
      if (events.length === count) break;
    }
    return events;
  })();
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
    stream.close();
  }
}

/**
 * The stream's events that arrive within `quietMs` after `count` of them: used to show that nothing else came.
 * Resolves with every event seen; never rejects for lack of events.
 */
export async function eventsWithin<T extends QueryValue = QueryValue>(stream: StreamClient<T>, quietMs: number): Promise<StreamEvent<T>[]> {
  const events: StreamEvent<T>[] = [];
  const read = (async () => {
    try {
      for await (const event of stream) events.push(event);
    } catch {
      // Closed by the timer below.
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  stream.close();
  await Promise.race([read, new Promise((resolve) => setTimeout(resolve, 100))]);
  return events;
}

/** The error the stream ended with (rejects when it ends without one or none comes within `waitMs`). */
export async function streamFailure(stream: StreamClient, waitMs = EVENT_WAIT_MS): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (async () => {
        try {
          for await (const _event of stream) {
            // Events before the failure are not what the caller asks about.
          }
        } catch (error) {
          return error;
        }
        throw new Error('the stream ended without an error');
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no stream error within ${waitMs} ms`)), waitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    stream.close();
  }
}
