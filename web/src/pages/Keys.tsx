/** Exchange keys: metadata only (never the secret), verification, rotation due, rotate and retire. */
import { useState } from 'react';
import { get, type KeyView, post, when } from '../api';
import { useSession } from '../session';
import { Confirm, Page, Show, useLoad, useStatus } from '../ui';

interface Pending {
  key: KeyView;
  what: 'retire' | 'rotate' | 'verify';
}

export default function Keys() {
  const { can } = useSession();
  const [keys, reload] = useLoad(() => get<{ keys: KeyView[] }>('/keys'));
  const [overview] = useLoad(() =>
    get<{ keysDue: Array<{ id: string; status: string; dueAt: number }> | null }>('/overview?minutes=1'),
  );
  const [pending, setPending] = useState<Pending | undefined>();
  // The new credential for a rotation: typed by the operator, sent once, never shown back.
  const [next, setNext] = useState({ apiKey: '', secret: '', password: '' });
  const [run, status] = useStatus();
  const due = new Map(overview.state === 'ok' ? (overview.value.keysDue ?? []).map((d) => [d.id, d]) : []);
  const act = (p: Pending, otp: string) =>
    run(async () => {
      const credential = {
        apiKey: next.apiKey,
        secret: next.secret,
        ...(next.password !== '' ? { password: next.password } : {}),
      };
      setNext({ apiKey: '', secret: '', password: '' });
      const answer = await post<Record<string, unknown>>(
        `/keys/${encodeURIComponent(p.key.label)}/${p.what}`,
        p.what === 'rotate' ? { credential } : {},
        otp || undefined,
      );
      void reload();
      return `${p.key.label}: ${p.what} ${typeof answer.status === 'string' ? answer.status : 'done'}`;
    });
  return (
    <Page title="Keys">
      {status}
      <Show data={keys} what="Keys">
        {(v) => (
          <table>
            <caption className="sr-only">Registered exchange keys</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Exchange</th>
                <th scope="col">Env</th>
                <th scope="col">API key</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Rotation</th>
                {can('keys.write') && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {v.keys.map((k) => {
                const d = due.get(k.id);
                return (
                  <tr key={k.id}>
                    <th scope="row">{k.label}</th>
                    <td>{k.exchange}</td>
                    <td>{k.environment}</td>
                    <td>…{k.last4}</td>
                    <td>
                      <code>{k.fingerprint.slice(0, 16)}</code>
                    </td>
                    <td>{k.version}</td>
                    <td>
                      <span className={`pill ${k.status}`}>{k.status}</span>
                    </td>
                    <td>{d ? `${d.status.replace('_', ' ')} (${when(d.dueAt).slice(0, 10)})` : 'not due'}</td>
                    {can('keys.write') && (
                      <td className="row">
                        <button type="button" onClick={() => setPending({ key: k, what: 'verify' })}>
                          Verify
                        </button>
                        <button type="button" onClick={() => setPending({ key: k, what: 'rotate' })}>
                          Rotate
                        </button>
                        {k.status === 'active' && (
                          <button
                            type="button"
                            className="danger"
                            onClick={() => setPending({ key: k, what: 'retire' })}
                          >
                            Retire
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Show>
      <Confirm
        open={pending !== undefined}
        title={pending ? `${pending.what} ${pending.key.label}?` : ''}
        otp={pending?.what !== 'verify'}
        confirmLabel={pending?.what ?? 'Confirm'}
        onCancel={() => setPending(undefined)}
        onConfirm={(otp) => {
          if (pending) void act(pending, otp);
          setPending(undefined);
        }}
      >
        {pending?.what === 'retire' && <p>Its clients stop signing at once.</p>}
        {pending?.what === 'rotate' && (
          <>
            <p>Verifies the new credential, then switches every client of this key to it.</p>
            <label>
              New API key
              <input
                autoComplete="off"
                value={next.apiKey}
                onChange={(e) => setNext({ ...next, apiKey: e.target.value })}
              />
            </label>
            <label>
              New secret
              <input
                type="password"
                autoComplete="off"
                value={next.secret}
                onChange={(e) => setNext({ ...next, secret: e.target.value })}
              />
            </label>
            <label>
              Passphrase (OKX, KuCoin, Bitget)
              <input
                type="password"
                autoComplete="off"
                value={next.password}
                onChange={(e) => setNext({ ...next, password: e.target.value })}
              />
            </label>
          </>
        )}
        {pending?.what === 'verify' && <p>Asks the exchange what this key may do.</p>}
      </Confirm>
    </Page>
  );
}
