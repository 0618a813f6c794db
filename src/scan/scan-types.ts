/**
 * Shapes shared by the leak scanner: rules, raw matches and reported findings.
 * A finding never carries a secret in clear: only a redacted preview and a keyed fingerprint.
 */

export type Confidence = 'high' | 'medium' | 'low';

/** Which part of a multi-part credential a match is. */
export type CredentialPart = 'apiKey' | 'secret' | 'password' | 'privateKey' | 'token';

export interface Rule {
  /** Stable id, e.g. `binance-api-key`. */
  id: string;
  description: string;
  /** Lower-case literals; the rule's pattern runs only on lines near one of them. Empty: the rule runs on lines holding a run of 12+ short words (seed phrases). */
  keywords: string[];
  /** Global regex. Group `secret` (or group 0) is the credential. */
  pattern: RegExp;
  /**
   * Cheap necessary condition on a line (non-global): a line it rejects cannot match `pattern`.
   * Rules sharing one prefilter object test each line once, so most window lines skip the pattern.
   */
  prefilter?: RegExp;
  /** Lines before/after a keyword hit that the pattern may match on (exchange names often sit a few lines above the key). */
  before?: number;
  after?: number;
  /** Minimum Shannon entropy (bits per char) of the secret. */
  entropy?: number;
  /** Secret shapes that are known not to be credentials (placeholders, docs examples). */
  falsePositives?: RegExp[];
  /**
   * Extra validation on the secret; `match` is the whole matched text (assignment name included),
   * `line` the line (or segment, or block) it was found in (a `test vector` remark next to it).
   */
  validate?: (secret: string, match: string, line: string) => boolean;
  /**
   * A text that is nothing but a key (a Solana keypair file) has no keyword: this runs on every
   * text of at most KEY_FILE_MAX_CHARS (engine.ts), once, besides the keyword windows.
   */
  keyFile?: (text: string) => Array<{ index: number; secret: string }>;
  /** Replaces `pattern` for rules a regex cannot express (seed phrases with a checksum). */
  extract?: (line: string) => Array<{ index: number; secret: string }>;
  /** Family of a multi-part credential, e.g. `binance`; parts of one family near each other merge into one finding. */
  family?: string;
  part?: CredentialPart;
  confidence: Confidence;
  /** Generic rules lose to specific ones that match the same text. */
  generic?: boolean;
  /** Pattern spans several lines (PEM blocks). */
  multiline?: boolean;
}

/** One rule match inside one text, before merging. Holds the secret in memory only. */
export interface Match {
  ruleId: string;
  family?: string;
  part?: CredentialPart;
  confidence: Confidence;
  generic: boolean;
  /** 1-based. */
  line: number;
  column: number;
  /** Last line the match covers (PEM blocks span many). */
  endLine: number;
  /** Lines between the match and the keyword that enabled it (picks the exchange when several are near). */
  distance: number;
  secret: string;
}

export interface SecretPart {
  part: CredentialPart;
  value: string;
}

/** A reported finding. `parts` stays in memory (verification, vault link) and is never serialised. */
export interface Finding {
  ruleId: string;
  description: string;
  file: string;
  line: number;
  column: number;
  /** Last line of a multi-part finding. */
  endLine: number;
  confidence: Confidence;
  fingerprint: string;
  /** First and last 4 characters of the main secret. */
  redacted: string;
  family?: string;
  commit?: string;
  author?: string;
  date?: string;
  verification?: string;
  registeredKey?: string;
  lockdownCommand?: string;
  parts: SecretPart[];
}
