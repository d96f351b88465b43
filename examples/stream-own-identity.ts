/**
 * A client app showing the signed-in user's own data live: an event stream of the user's `Customer` document, opened
 * with the `fauna_token_secret` from the ID token (a client from examples/query-as-user.ts `faunaClientForUser`).
 *
 * The stream watches `Customer.all()`, yet the user sees only their own document: Fauna checks every event against the
 * reader's role, and the `customer` role may read a Customer only where `Query.identity() == doc` (fauna/roles.fsl).
 * So another user's sign-in, or an operator's change to another Customer, never reaches this client.
 */
import { fql } from 'fauna';
import type { Client, Document, StreamClient, StreamToken } from 'fauna';

/** One change of the user's identity document, as the app shows it. */
export interface IdentityChange {
  /** `update` when a sign-in or an operator changed it; `remove` if it was deleted (the user was removed). */
  type: 'add' | 'update' | 'remove';
  id: string;
  email: string | undefined;
  groups: string[];
  /** The transaction time (µs) of the change. */
  txnTs: number;
  /** Where to resume from after a reconnect (`watchOwnIdentity(client, onChange, { cursor })`). */
  cursor: string;
}

export interface IdentityWatch {
  /** Resolves once the stream is open (its start event came): every change after this is delivered. */
  ready: Promise<void>;
  /** Stops watching and closes the stream. */
  stop(): void;
  /** Settles when the stream ends: resolved after `stop()`, rejected with the driver's error otherwise. */
  done: Promise<void>;
}

type CustomerDocument = Document & { email?: string | null; groups?: string[] | null };

/**
 * Streams the user's own identity document until `stop()`; `onChange` receives each change.
 *
 * @param client a client authenticated with the user's `fauna_token_secret`.
 * @param options.cursor resume after this event (the `cursor` of the last change seen), e.g. after a reconnect.
 */
export function watchOwnIdentity(client: Client, onChange: (change: IdentityChange) => void, options: { cursor?: string } = {}): IdentityWatch {
  let stopped = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  // Status events on: the first one (Fauna's start event) says the stream is open.
  const streamOptions = { status_events: true, ...(options.cursor === undefined ? {} : { cursor: options.cursor }) };
  // With a cursor the stream needs its token first (the driver resumes only a token, not a query).
  const stream: Promise<StreamClient<CustomerDocument>> = options.cursor === undefined
    ? Promise.resolve(client.stream<CustomerDocument>(fql`Customer.all().eventSource()`, streamOptions))
    : client.query<StreamToken>(fql`Customer.all().eventSource()`).then(({ data }) => client.stream<CustomerDocument>(data, streamOptions));
  const done = (async () => {
    const opened = await stream;
    if (stopped) return opened.close();
    try {
      for await (const event of opened) {
        if (event.type === 'status') {
          markReady();
          continue;
        }
        const doc = event.data;
        onChange({ type: event.type, id: doc.id, email: doc.email ?? undefined, groups: doc.groups ?? [], txnTs: event.txn_ts, cursor: event.cursor });
      }
    } catch (error) {
      // The driver rejects a stream closed by `stop()` only on some transports; that is the expected end.
      if (!stopped) throw error;
    }
  })();
  return {
    ready,
    stop() {
      stopped = true;
      void stream.then((opened) => opened.close(), () => undefined);
    },
    done,
  };
}
