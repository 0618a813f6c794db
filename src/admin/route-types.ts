/**
 * An admin route as data: method, URL, the permission it needs, whether it needs a fresh TOTP
 * code, and the zod schemas that validate its input and shape its answer. The server registers
 * these, the OpenAPI document is generated from them, and the meta-test walks them.
 */
import type { z } from 'zod';
import type { ApprovalKind } from '../approvals/index.js';
import type { Actor } from '../core/index.js';
import type { PendingChange } from './gated-changes.js';
import type { Permission } from './permissions.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined only on `public` routes. */
  actor: Actor | undefined;
  ip: string;
  /** Cookie values the route may read (auth routes: the session being replaced). */
  cookies: Record<string, string | undefined>;
  /** Set a cookie on the answer (auth routes only). */
  setCookie(name: string, value: string, options: { httpOnly: boolean; maxAgeSeconds?: number }): void;
  clearCookie(name: string): void;
}

export interface AdminRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Fastify syntax (`/api/v1/keys/:ref`). */
  url: string;
  /** Stable id: the OpenAPI operationId and the audit action of a write. */
  id: string;
  summary: string;
  tag: string;
  permission: Permission;
  /** A fresh TOTP code in `x-keywarden-otp` is required (sensitive operations). */
  mfa?: boolean;
  /** The domain service writes the audit record itself (with the actor); the server does not add one. */
  auditedByService?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** 201 for a create; 200 otherwise. */
  status?: number;
  /**
   * The change may wait for a second person (`approvals.require` lists this kind): the handler
   * then answers a PendingChange and the route 202 with the approval (src/admin/gated-changes.ts).
   */
  approval?: ApprovalKind;
  /**
   * The answer is NDJSON streamed as it is read: the handler answers an async iterable of
   * `response` items, each validated and written as one line.
   */
  stream?: boolean;
  handler(
    ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>,
  ): Promise<z.input<R> | PendingChange | AsyncIterable<z.input<R>>>;
  /**
   * Server-sent events: when the request accepts `text/event-stream`, after the same gate the
   * answer is a stream: `events` sends events until the returned stop is called (the client left
   * or the server closes); `lastEventId` is the browser's Last-Event-ID on a reconnect. Otherwise
   * `handler` answers JSON (shaped by `response`).
   */
  events?(
    ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>,
    send: (event: ServerEvent) => void,
    lastEventId: string | undefined,
  ): () => void;
}

/** One server-sent event: `id` lets a reconnecting EventSource resume (Last-Event-ID). */
export interface ServerEvent {
  id?: string;
  event?: string;
  data: unknown;
}

/** Erase the generic parameters so routes of different shapes sit in one list. */
export const route = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  r: AdminRoute<P, Q, B, R>,
): AdminRoute => r as unknown as AdminRoute;
