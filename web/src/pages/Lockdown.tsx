/**
 * Lockdown: freeze every client of a scope at once. The confirm dialog previews what the scope
 * covers (from the client list, when the role may read it) and asks for a fresh TOTP code.
 */
import { useState } from 'react';
import { type ClientView, get, type KeyView, post } from '../api';
import { useSession } from '../session';
import { Confirm, Page, useLoad, useStatus } from '../ui';

type Kind = 'all' | 'key' | 'client';

export default function Lockdown() {
  const { can } = useSession();
  const [kind, setKind] = useState<Kind>('all');
  const [ref, setRef] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<'lockdown' | 'unlock' | undefined>();
  const [result, setResult] = useState<string[] | undefined>();
  const [run, status] = useStatus();
  const [clients] = useLoad(() =>
    can('clients.read') ? get<{ clients: ClientView[] }>('/clients') : Promise.resolve({ clients: [] }),
  );
  const [keys] = useLoad(() =>
    can('keys.read') ? get<{ keys: KeyView[] }>('/keys') : Promise.resolve({ keys: [] }),
  );
  const all = clients.state === 'ok' ? clients.value.clients : [];
  const keyList = keys.state === 'ok' ? keys.value.keys : [];
  const key = keyList.find((k) => k.label === ref || k.id === ref);
  const covered = all.filter(
    (c) =>
      c.status === 'active' &&
      (kind === 'all' ||
        (kind === 'client' && (c.name === ref || c.id === ref)) ||
        (kind === 'key' && c.keyId === key?.id)),
  );
  const scope = kind === 'all' ? { kind } : { kind, ref };
  const scopeText = kind === 'all' ? 'every client' : `${kind} ${ref || '(none chosen)'}`;
  return (
    <Page title="Lockdown">
      <form
        className="card"
        aria-label="Lockdown scope"
        onSubmit={(e) => {
          e.preventDefault();
          setConfirming('lockdown');
        }}
      >
        <fieldset>
          <legend>Scope</legend>
          {(['all', 'key', 'client'] as const).map((k) => (
            <label key={k} className="inline">
              <input type="radio" name="scope" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {k === 'all' ? 'Everything' : k === 'key' ? 'One exchange key' : 'One client'}
            </label>
          ))}
        </fieldset>
        {kind !== 'all' && (
          <label>
            {kind === 'key' ? 'Key label or id' : 'Client name or id'}
            <input
              name="scope-ref"
              required
              value={ref}
              list={`${kind}-options`}
              onChange={(e) => setRef(e.target.value)}
            />
            <datalist id="key-options">
              {keyList.map((k) => (
                <option key={k.id} value={k.label} />
              ))}
            </datalist>
            <datalist id="client-options">
              {all.map((c) => (
                <option key={c.id} value={c.name} />
              ))}
            </datalist>
          </label>
        )}
        <label>
          Reason
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" className="danger">
            Lock down…
          </button>
          {can('lockdown.unlock') && (
            <button type="button" onClick={() => setConfirming('unlock')}>
              Unlock…
            </button>
          )}
        </div>
      </form>
      {status}
      {result && (
        <p data-testid="lockdown-result">
          Frozen: {result.length === 0 ? 'nothing (already frozen)' : result.join(', ')}
        </p>
      )}
      <Confirm
        open={confirming !== undefined}
        title={confirming === 'unlock' ? `Unlock ${scopeText}?` : `Lock down ${scopeText}?`}
        otp
        confirmLabel={confirming === 'unlock' ? 'Unlock' : 'Lock down now'}
        onCancel={() => setConfirming(undefined)}
        onConfirm={(otp) => {
          const what = confirming;
          setConfirming(undefined);
          void run(async () => {
            if (what === 'unlock') {
              await post('/unlock', { scope, reason: reason || 'unlocked from the dashboard' }, otp);
              setResult(undefined);
              return 'unlocked';
            }
            const r = await post<{ id: string; frozen: string[] }>(
              '/lockdown',
              { scope, ...(reason ? { reason } : {}) },
              otp,
            );
            setResult(r.frozen);
            return `lockdown ${r.id} engaged`;
          });
        }}
      >
        {confirming === 'lockdown' && (
          <div data-testid="lockdown-preview">
            <p>
              Scope: <strong>{scopeText}</strong>.{' '}
              {can('clients.read')
                ? `${covered.length} active client${covered.length === 1 ? '' : 's'} will be frozen:`
                : 'Every active client in the scope will be frozen.'}
            </p>
            <ul>
              {covered.map((c) => (
                <li key={c.id}>{c.name}</li>
              ))}
            </ul>
            <p>
              Their requests are denied from the next one on; requests in flight finish. Unlock gives them
              back.
            </p>
          </div>
        )}
        {confirming === 'unlock' && <p>Unfreezes what the lockdown of this scope froze.</p>}
      </Confirm>
    </Page>
  );
}
