import { allRuleIds, describeRule } from './rules/index.js';
import type { Finding } from './scan-types.js';

/** The JSON shape of a finding: everything except the secret parts. */
export function publicFinding(f: Finding): Omit<Finding, 'parts'> {
  const { parts: _parts, ...rest } = f;
  return rest;
}

export function formatText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No secrets found.\n';
  const lines = findings.map((f) => {
    const where = `${f.file}:${f.line}:${f.column}`;
    const commit = f.commit ? ` commit ${f.commit.slice(0, 12)} (${f.author ?? '?'}, ${f.date ?? '?'})` : '';
    const extra = [
      f.verification ? `  verification: ${f.verification}` : '',
      f.registeredKey ? `  registered key ${f.registeredKey} leaked: run \`${f.lockdownCommand}\`` : '',
    ].filter(Boolean);
    return [
      `${where}  ${f.ruleId}  [${f.confidence}]  ${f.redacted}  fp:${f.fingerprint.slice(0, 16)}${commit}`,
      `  ${f.description}`,
      ...extra,
    ].join('\n');
  });
  return `${lines.join('\n')}\n\n${findings.length} finding(s).\n`;
}

export function formatJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ findings: findings.map(publicFinding) }, null, 2)}\n`;
}

const LEVEL = { high: 'error', medium: 'error', low: 'warning' } as const;

/** SARIF 2.1.0 log (validated against the OASIS schema in test/scan/sarif.test.ts). */
export function toSarif(findings: readonly Finding[], toolVersion: string): unknown {
  const ids = allRuleIds();
  const index = new Map(ids.map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'keywarden-scan',
            informationUri: 'https://github.com/keywarden/keywarden',
            version: toolVersion,
            rules: ids.map((id) => ({
              id,
              shortDescription: { text: describeRule(id) },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? 0,
          level: LEVEL[f.confidence],
          message: {
            text: `${f.description} (${f.redacted})${f.registeredKey ? `: registered key ${f.registeredKey} leaked` : ''}`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: f.file.split('\\').join('/').split('/').map(encodeURIComponent).join('/'),
                },
                region: { startLine: f.line, startColumn: f.column, endLine: Math.max(f.endLine, f.line) },
              },
            },
          ],
          partialFingerprints: { 'keywardenSecret/v1': f.fingerprint },
          properties: {
            confidence: f.confidence,
            ...(f.commit ? { commit: f.commit, author: f.author, date: f.date } : {}),
            ...(f.verification ? { verification: f.verification } : {}),
          },
        })),
      },
    ],
  };
}

export function formatSarif(findings: readonly Finding[], toolVersion: string): string {
  return `${JSON.stringify(toSarif(findings, toolVersion), null, 2)}\n`;
}
