import type { ClientRecord, ThirdParty } from '../clients/index.js';
import type { ExchangeId } from '../core/index.js';
import type { Environment, KeyCheck, KeyRecord } from '../keys/index.js';
import type { RotationPolicy } from '../rotation/index.js';
import type { HygieneReport } from '../scan/index.js';

/**
 * The posture report's contract (`keywarden posture`, DESIGN capability 9): what goes in, what
 * comes out. The JSON form is the `PostureReport` object as is, so its field names and check ids
 * are a stable interface for CI jobs and dashboards: add fields, never rename them.
 */

/** `not_applicable` items carry no weight; `unknown` earns half (not proven good, not known bad). */
export type CheckStatus = 'pass' | 'fail' | 'unknown' | 'not_applicable';

export type CheckSeverity = 'critical' | 'high' | 'medium' | 'low';

export const SEVERITY_WEIGHT: Readonly<Record<CheckSeverity, number>> = Object.freeze({
  critical: 10,
  high: 6,
  medium: 3,
  low: 1,
});

/** Stable check ids (the JSON contract). */
export const CHECK_IDS = [
  'key.withdraw_disabled',
  'key.transfer_disabled',
  'key.ip_restricted',
  'key.rotation',
  'key.single_environment',
  'key.unique',
  'client.ip_allowlist',
  'client.policy_no_withdraw',
  'client.policy_enforced',
  'client.credential_age',
  'client.third_party_least_privilege',
  'client.third_party_vendor_ips',
  'client.third_party_review',
  'client.third_party_no_withdraw',
  'client.third_party_own_credential',
  'gateway.tls',
  'monitor.sinks',
  'admin.mfa',
  'audit.key_pinned',
  'repo.env_tracked',
  'repo.env_ignored',
  'repo.env_history',
  'repo.ci_secrets',
  'repo.compose_secrets',
  'repo.dockerfile_secrets',
  'repo.key_material',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** How to fix a failing (or unproven) item: what to change, and the commands to run, in order. */
export interface Fix {
  /** The setting to change, by name (an exchange console path, a keywarden.yaml key), or what the commands do. */
  action: string;
  /** Exact `keywarden …` commands; `<…>` marks a value only the operator knows (an IP, a file). */
  commands: string[];
  /** Another way to the same result (e.g. replace the key instead of editing it on the exchange). */
  alternative?: Fix;
}

export interface CheckItem {
  id: CheckId;
  title: string;
  status: CheckStatus;
  severity: CheckSeverity;
  weight: number;
  /** What was looked at and what it showed. Never secret material. */
  evidence: string;
  /** Present when status is `fail` or `unknown`. */
  fix?: Fix;
}

export interface KeyPosture {
  id: string;
  label: string;
  exchange: ExchangeId;
  environment: Environment;
  /** Over this key's own checks and those of the clients bound to it. */
  score: number;
  checks: CheckItem[];
}

export interface ClientPosture {
  id: string;
  name: string;
  keyId: string;
  /** Label of the bound key, or its id when the key is not active. */
  key: string;
  environment: Environment;
  status: ClientRecord['status'];
  /** Present for a third-party integration (its checklist items are in `checks`). */
  thirdParty?: Pick<ThirdParty, 'vendor' | 'purpose' | 'reviewBy'>;
  score: number;
  checks: CheckItem[];
}

export interface PostureReport {
  schema: 'keywarden.posture/v1';
  generatedAt: string;
  /** 0–100: weighted share of proven-good checks over every applicable check. */
  score: number;
  counts: { pass: number; fail: number; unknown: number; notApplicable: number };
  keys: KeyPosture[];
  clients: ClientPosture[];
  gateway: { score: number; checks: CheckItem[] };
  /** Present when the report was run with `--repo PATH`: that repository's hygiene. */
  repository?: { path: string; score: number; checks: CheckItem[] };
}

/** The slice of the `monitor:` config posture reads. */
export interface MonitorView {
  enabled: boolean;
  sinks: ReadonlyArray<{ name: string; type: string; minSeverity: string }>;
}

export interface PostureInput {
  now: number;
  /** Active keys (retired ones are ignored). */
  keys: readonly KeyRecord[];
  /** Every client; revoked ones are left out of the report. */
  clients: readonly ClientRecord[];
  /** Newest verification per key id. */
  checks: ReadonlyMap<string, KeyCheck>;
  rotation: RotationPolicy;
  /** Issue time of each client's newest live credential (default: the client's creation time). */
  credentialIssuedAt?: ReadonlyMap<string, number>;
  /** The gateway's configured listener (`host:port`) and whether TLS is configured. */
  gateway: { listen: string; tls: boolean; requireClientCert?: boolean };
  /** The `monitor:` section; undefined when the config has none. */
  monitor: MonitorView | undefined;
  /**
   * keywarden.yaml's audit anchoring: whether the checkpoint-key fingerprint is pinned there
   * (outside the store), and the anchor file, if any.
   */
  audit: { fingerprintPinned: boolean; anchorFile?: string };
  /** Operator accounts; undefined while keywarden has none (admin MFA is then not applicable). */
  operators?: { total: number; withMfa: number };
  /** The gateway host's public address, when known, for the IP-restriction fix. */
  egressIp?: string;
  /** How fix commands start: `keywarden`, plus `--data-dir DIR` when the report was run with one. */
  cli?: string;
  /** The config file the report was run with, when given explicitly (for `alerts test --config`). */
  configPath?: string;
  /** Hygiene findings of the repository given with `--repo`. */
  repository?: HygieneReport;
}
