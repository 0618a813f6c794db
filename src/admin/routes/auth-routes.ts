/**
 * Sign-in, sign-out, who am I, and enrolment (the one-time code from `operator add` or
 * POST /operators, then a TOTP code computed from the secret shown once).
 */
import { z } from 'zod';
import { KeywardenError } from '../../core/index.js';
import type { Operators } from '../../operators/index.js';
import { route } from '../route-types.js';
import { ok, operatorView, otp, role } from './schemas.js';

const SESSION = 'kw_session';
const CSRF = 'kw_csrf';
const name = z.string().min(1).max(64);
const password = z.string().min(1).max(256);
const enrolmentCode = z.string().min(1).max(128);

export function authRoutes(operators: Operators) {
  return [
    route({
      method: 'POST',
      url: '/api/v1/auth/login',
      id: 'auth.login',
      summary: 'Sign in with password and a TOTP code (or a recovery code); sets a new session cookie',
      tag: 'auth',
      permission: 'public',
      auditedByService: true,
      body: z
        .object({ name, password, code: otp.optional(), recoveryCode: z.string().min(1).max(64).optional() })
        .strict(),
      response: z.object({ operator: operatorView, csrfToken: z.string(), expiresAt: z.number() }),
      async handler({ body, ip, cookies, setCookie }) {
        // Whatever session cookie came with the login is ended, never adopted (no fixation).
        const old = cookies[SESSION];
        if (old !== undefined) await operators.discardSession(old);
        const s = await operators.login({ ...body, ip });
        const maxAgeSeconds = Math.floor(operators.config.sessionAbsoluteMs / 1000);
        setCookie(SESSION, s.id, { httpOnly: true, maxAgeSeconds });
        setCookie(CSRF, s.csrf, { httpOnly: false, maxAgeSeconds });
        return { operator: s.operator, csrfToken: s.csrf, expiresAt: s.expiresAt };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/auth/logout',
      id: 'auth.logout',
      summary: 'End this session',
      tag: 'auth',
      permission: 'self',
      auditedByService: true,
      response: ok,
      async handler({ actor, cookies, clearCookie }) {
        const sid = cookies[SESSION];
        if (sid !== undefined && actor) await operators.logout(sid, actor);
        clearCookie(SESSION);
        clearCookie(CSRF);
        return { ok: true as const };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/auth/me',
      id: 'auth.me',
      summary: 'The signed-in operator or token',
      tag: 'auth',
      permission: 'self',
      response: z.object({
        kind: z.enum(['operator', 'token', 'local']),
        id: z.string(),
        name: z.string(),
        role,
      }),
      async handler({ actor }) {
        if (!actor) throw new KeywardenError('session_required');
        return actor;
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/auth/enrol',
      id: 'auth.enrol',
      summary: 'Set the password with the one-time enrolment code; answers the TOTP secret, once',
      tag: 'auth',
      permission: 'public',
      auditedByService: true,
      body: z.object({ name, enrolmentCode, password }).strict(),
      response: z.object({ totpSecret: z.string(), otpauthUri: z.string() }),
      handler: ({ body }) => operators.enrolStart(body),
    }),
    route({
      method: 'POST',
      url: '/api/v1/auth/enrol/confirm',
      id: 'auth.enrol.confirm',
      summary:
        'Confirm TOTP with a code from the authenticator; activates the account and answers the recovery codes, once',
      tag: 'auth',
      permission: 'public',
      auditedByService: true,
      body: z.object({ name, enrolmentCode, code: otp }).strict(),
      response: z.object({ operator: operatorView, recoveryCodes: z.array(z.string()) }),
      handler: ({ body }) => operators.enrolFinish(body),
    }),
  ];
}
