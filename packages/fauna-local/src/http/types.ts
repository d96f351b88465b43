/**
 * The HTTP layer's own request/response shapes: routes are plain functions from a fully read request to a response,
 * so they are independent of HTTP/1.1 vs HTTP/2 and easy to test without sockets.
 */
import type { Engine } from '../engine/api.ts';

export interface HttpRequest {
  method: string;
  /** The path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names, as Node delivers them (repeated headers joined with ", " or first one kept; set-cookie is an array). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The whole body; an empty buffer when the request had none. */
  body: Buffer;
  /** `performance.now()` when the request's headers arrived: the client's deadline runs from here. */
  receivedAt?: number;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised with JSON.stringify and sent as `application/json;charset=utf-8`. */
  json: unknown;
}

export interface RouteContext {
  engine: Engine;
}

/** A response, or its promise (a query in contention mode answers once its transaction has committed or failed). */
export type HttpAnswer = HttpResponse | Promise<HttpResponse>;

export type RouteHandler = (request: HttpRequest, context: RouteContext) => HttpAnswer;

/** One route: a path matcher and a handler per method. */
export interface Route {
  /** Returns the path parameters when the path matches, else null. */
  match(path: string): string[] | null;
  methods: Partial<Record<string, (request: HttpRequest, context: RouteContext, params: string[]) => HttpAnswer>>;
}
