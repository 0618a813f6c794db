import { createRequire } from 'node:module';

/** keywarden's version, from package.json (two levels above src/core and dist/core). */
export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;
