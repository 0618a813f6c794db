/**
 * A browser-like client of the admin API over real sockets (fetch, i.e. undici): keeps the
 * cookies it was given and sends the CSRF header on writes; and the enrolment of an operator
 * from its one-time code, computing TOTP codes from the secret on a test clock.
 */
import { expect } from 'vitest';
import { totpCode } from '../../src/operators/index.js';

export const PASSWORD = 'a long enough password';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  contentType: string;
}

export class Session {
  cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly bearer?: string,
  ) {}
  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('kw_csrf');
    if (method !== 'GET' && csrf) h['x-keywarden-csrf'] = csrf;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (k) this.cookies.set(k, v.join('='));
    }
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body:
        text && contentType.includes('application/json') ? (JSON.parse(text) as Record<string, unknown>) : {},
      text,
      contentType,
    };
  }
}

export const errorCode = (a: Answer): string | undefined =>
  (a.body.error as { code?: string } | undefined)?.code;

export interface Person {
  name: string;
  session: Session;
  /** A fresh TOTP header: moves the clock one step first, so no code is used twice. */
  otp(): Record<string, string>;
}

/** The test clock the admin services read; `step()` moves it one TOTP step. */
export interface TestClock {
  now(): number;
  step(): void;
}

export async function enrol(
  base: string,
  clock: TestClock,
  name: string,
  enrolmentCode: string,
): Promise<Person> {
  const anon = new Session(base);
  const start = await anon.call('POST', '/api/v1/auth/enrol', { name, enrolmentCode, password: PASSWORD });
  expect(start.status).toBe(200);
  const secret = String(start.body.totpSecret);
  const confirmed = await anon.call('POST', '/api/v1/auth/enrol/confirm', {
    name,
    enrolmentCode,
    code: totpCode(secret, clock.now()),
  });
  expect(confirmed.status).toBe(200);
  clock.step();
  const session = new Session(base);
  const login = await session.call('POST', '/api/v1/auth/login', {
    name,
    password: PASSWORD,
    code: totpCode(secret, clock.now()),
  });
  expect(login.status).toBe(200);
  return {
    name,
    session,
    otp() {
      clock.step();
      return { 'x-keywarden-otp': totpCode(secret, clock.now()) };
    },
  };
}
