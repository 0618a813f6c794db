/** `store.url` in keywarden.yaml and KEYWARDEN_STORE_URL (src/config/config.ts). */
import { describe, expect, it } from 'vitest';
import { applyEnv, parseConfig } from '../../src/config/config.js';

describe('store config', () => {
  it('defaults to SQLite (no url)', () => {
    expect(parseConfig({}).store.url).toBeUndefined();
  });

  it('takes a postgres:// or postgresql:// URL and rejects anything else without quoting it', () => {
    expect(parseConfig({ store: { url: 'postgres://kw@db:5432/kw' } }).store.url).toBe(
      'postgres://kw@db:5432/kw',
    );
    expect(parseConfig({ store: { url: 'postgresql://kw@db/kw' } }).store.url).toBe('postgresql://kw@db/kw');
    let message = '';
    try {
      parseConfig({ store: { url: 'mysql://kw:hunter2@db/kw' } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/store\.url/);
    expect(message).not.toMatch(/hunter2/);
  });

  it('rejects unknown keys under store', () => {
    expect(() => parseConfig({ store: { url: 'postgres://db/kw', pool: 3 } })).toThrow(
      /unknown key store\.pool/,
    );
  });

  it('lets KEYWARDEN_STORE_URL override the file, and only when set', () => {
    const file = parseConfig({ store: { url: 'postgres://a/kw' } });
    expect(applyEnv(file, { KEYWARDEN_STORE_URL: 'postgres://b/kw' }).store.url).toBe('postgres://b/kw');
    expect(applyEnv(file, {}).store.url).toBe('postgres://a/kw');
    expect(() => applyEnv(file, { KEYWARDEN_STORE_URL: 'sqlite:///x' })).toThrow(/store\.url/);
  });
});
