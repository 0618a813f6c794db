import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's built files: `npm run build` puts web/ into dist/web, next to dist/cli. Undefined
 * when they are not there (a build without the dashboard): the admin listener then serves the API alone.
 */
export function dashboardWebRoot(): string | undefined {
  const dir = fileURLToPath(new URL('../web/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : undefined;
}
