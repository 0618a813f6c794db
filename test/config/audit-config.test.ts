import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

describe('keywarden.yaml audit section', () => {
  it('defaults to a checkpoint every 100 records, nothing pinned, no anchor', () => {
    expect(parseConfig({}).audit).toEqual({ checkpointEvery: 100 });
  });

  it('takes a pinned fingerprint (normalised to lower case) and an anchor file', () => {
    const fp = 'AB'.repeat(32);
    expect(
      parseConfig({
        audit: { checkpointEvery: 20, checkpointKeyFingerprint: fp, anchorFile: '/var/kw/a.jsonl' },
      }).audit,
    ).toEqual({
      checkpointEvery: 20,
      checkpointKeyFingerprint: 'ab'.repeat(32),
      anchorFile: '/var/kw/a.jsonl',
    });
  });

  it('rejects a malformed fingerprint and unknown keys, naming the path', () => {
    expect(() => parseConfig({ audit: { checkpointKeyFingerprint: 'abc' } })).toThrow(
      /audit\.checkpointKeyFingerprint/,
    );
    expect(() => parseConfig({ audit: { anchor: 'x' } })).toThrow(/unknown key audit\.anchor/);
    expect(() => parseConfig({ audit: { checkpointEvery: 0 } })).toThrow(/audit\.checkpointEvery/);
  });
});
