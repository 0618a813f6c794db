/** The leak scanner's public surface. */
export { type Baseline, buildBaseline, filterBaseline, readBaseline, writeBaseline } from './baseline.js';
export { compileRules, findMatches, mergeMatches } from './engine.js';
export { FINGERPRINT_KEY, fingerprintParts } from './fingerprint.js';
export * from './hygiene.js';
export * from './hygiene-types.js';
export { formatJson, formatSarif, formatText, publicFinding, toSarif } from './report.js';
export { RULES } from './rules/index.js';
export { builtinRules, scanText } from './scan-text.js';
export type { Finding, Rule } from './scan-types.js';
export { defaultThreads, scanGit, scanTree } from './scanner.js';
export { linkRegisteredKeys } from './vault-link.js';
export { credentialOf, describeIntrospection, undiciTransport, verifyFindings } from './verify.js';
