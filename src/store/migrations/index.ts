import type { Migration } from 'kysely';

/**
 * Every migration, in order. Names sort lexically; never edit a released migration, add one.
 */
export const migrations: Record<string, Migration> = {};
