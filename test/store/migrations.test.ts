/**
 * The migrations (src/store/migrations, src/store/columns.ts): one set of files, the same
 * logical schema on SQLite and on PostgreSQL, and on SQLite byte for byte the schema that
 * databases made before the migrations became dialect-neutral already have.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { SqlStore, Store } from '../../src/store/index.js';
import { describeStores } from './both-stores.js';

interface ColumnShape {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
}

/** Types by what they hold, so the two engines' spellings compare. */
const kind = (t: string): string =>
  ({ integer: 'int64', bigint: 'int64', real: 'float64', 'double precision': 'float64', text: 'text' })[
    t.toLowerCase()
  ] ?? `other:${t}`;

async function shape(store: SqlStore): Promise<ColumnShape[]> {
  if (store.dialect === 'sqlite') {
    const { sqlite } = store as Store;
    const tables = sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'",
      )
      .pluck()
      .all() as string[];
    return tables.flatMap((table) =>
      (
        sqlite
          .prepare(`SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?)`)
          .all(table) as Array<{
          name: string;
          type: string;
          nn: number;
          pk: number;
        }>
      ).map((c) => ({
        table,
        column: c.name,
        type: kind(c.type),
        notNull: c.nn === 1 || (c.pk > 0 && c.type !== ''),
      })),
    );
  }
  const { rows } = await sql<{ table: string; column: string; type: string; nullable: string }>`
    SELECT table_name AS "table", column_name AS "column", data_type AS "type", is_nullable AS nullable
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely_%'`.execute(store.db);
  return rows.map((r) => ({
    table: r.table,
    column: r.column,
    type: kind(r.type),
    notNull: r.nullable === 'NO',
  }));
}

const sorted = (cols: ColumnShape[]) =>
  [...cols].sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));

const shapes = new Map<string, ColumnShape[]>();

describeStores('migrations', (f) => {
  it('produce every table with 64-bit integers, doubles and text only', async () => {
    const cols = sorted(await shape(await f.open()));
    expect(cols.length).toBeGreaterThan(60);
    expect(cols.filter((c) => c.type.startsWith('other:'))).toEqual([]);
    shapes.set(f.dialect, cols);
  });

  it('let an insert omit a store-assigned id (key_checks)', async () => {
    const s = await f.open();
    const row = { key_id: 'k', key_version: 1, checked_at: 1, introspection_json: '{}', flags_json: '[]' };
    await s.db.insertInto('key_checks').values(row).execute();
    await s.db.insertInto('key_checks').values(row).execute();
    const ids = (await s.db.selectFrom('key_checks').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0] ?? Number.POSITIVE_INFINITY);
    expect(typeof ids[0]).toBe('number');
  });

  it('store a time in ms and a fractional amount without loss', async () => {
    const s = await f.open();
    const at = 4_102_444_800_123; // 2100-01-01, past 32 bits by far
    await s.db
      .insertInto('policy_usage')
      .values({ client_id: 'c', day: Math.floor(at / 86_400_000), item: 'notional', amount: 0.1 + 0.2 })
      .execute();
    await s.db
      .insertInto('lockdowns')
      .values({
        id: 'l',
        scope: 'all',
        target_id: null,
        target_label: null,
        reason: 'r',
        actor: 'a',
        started_at: at,
        ended_at: null,
        unlock_reason: null,
        unlock_actor: null,
        clients_json: '[]',
        frozen_json: '[]',
        cancel_json: null,
        report_path: null,
      })
      .execute();
    expect((await s.db.selectFrom('policy_usage').select('amount').executeTakeFirstOrThrow()).amount).toBe(
      0.1 + 0.2,
    );
    expect(
      (await s.db.selectFrom('lockdowns').select('started_at').executeTakeFirstOrThrow()).started_at,
    ).toBe(at);
  });
});

describe('migrations on both engines', () => {
  it('give the same tables, columns, kinds and nullability', () => {
    const lite = shapes.get('sqlite');
    const pg = shapes.get('postgres');
    if (pg === undefined) return; // PostgreSQL unreachable: both-stores.ts said so loudly
    expect(pg).toEqual(lite);
  });

  it('leave the SQLite schema byte-identical to databases migrated before they were dialect-neutral', async () => {
    const { openStore } = await import('../../src/store/index.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/kw-mig-');
    const s = await openStore(`${dir}/d`);
    try {
      const now = s.sqlite
        .prepare(
          "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'kysely_%' ORDER BY type, name",
        )
        .all();
      // Dumped from the migrations as of main 4c2fbba, before any took a `Columns`.
      const before = JSON.parse(
        readFileSync(new URL('../fixtures/sqlite-master-0013.json', import.meta.url), 'utf8'),
      );
      // Later migrations add rows; none may change one that existing files already have.
      expect(now).toEqual(expect.arrayContaining(before));
      expect(before.length).toBeGreaterThan(15);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
