/** Repository hygiene (`posture --repo PATH`) as checklist items: one per hygiene check. */
import type { HygieneCheck, HygieneReport } from '../scan/index.js';
import { item } from './posture-item.js';
import type { CheckId, CheckItem, CheckSeverity } from './posture-types.js';

const ITEMS: ReadonlyArray<{ check: HygieneCheck; id: CheckId; title: string; severity: CheckSeverity }> = [
  {
    check: 'env-tracked',
    id: 'repo.env_tracked',
    title: '.env files not tracked by git',
    severity: 'critical',
  },
  {
    check: 'env-not-ignored',
    id: 'repo.env_ignored',
    title: '.env files covered by .gitignore',
    severity: 'high',
  },
  {
    check: 'env-in-history',
    id: 'repo.env_history',
    title: 'no .env file in the git history',
    severity: 'critical',
  },
  {
    check: 'ci-secret-literal',
    id: 'repo.ci_secrets',
    title: 'no literal secrets in CI configuration',
    severity: 'critical',
  },
  {
    check: 'compose-secret-literal',
    id: 'repo.compose_secrets',
    title: 'no literal secrets in compose environment: blocks',
    severity: 'high',
  },
  {
    check: 'dockerfile-secret',
    id: 'repo.dockerfile_secrets',
    title: 'no secrets in Dockerfile ENV/ARG',
    severity: 'high',
  },
  {
    check: 'key-material-tracked',
    id: 'repo.key_material',
    title: 'no key files tracked (*.pem, *.key, keystores)',
    severity: 'critical',
  },
];

const MAX_PLACES = 10;

export function repositoryItems(report: HygieneReport): CheckItem[] {
  return ITEMS.map(({ check, id, title, severity }) => {
    const found = report.findings.filter((f) => f.check === check);
    if (found.length === 0) return item(id, title, severity, 'pass', 'none found');
    const places = found.map(
      (f) =>
        `${f.file}${f.line !== undefined ? `:${f.line}` : ''}${f.name ? ` (${f.name})` : ''}${f.commit ? ` (commit ${f.commit.slice(0, 12)})` : ''}`,
    );
    const more = places.length > MAX_PLACES ? ` and ${places.length - MAX_PLACES} more` : '';
    const actions = [...new Set(found.map((f) => f.fix.action))];
    return item(id, title, severity, 'fail', `${places.slice(0, MAX_PLACES).join(', ')}${more}`, {
      action:
        actions.length === 1
          ? (actions[0] ?? '')
          : `${actions[0]} (each place's own fix: keywarden scan --hygiene)`,
      commands: [...new Set(found.flatMap((f) => f.fix.commands))],
    });
  });
}
