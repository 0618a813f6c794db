/**
 * Gateway clients: issue (the credential shown once, with copy buttons and a ready CCXT
 * snippet), freeze, unfreeze, revoke, the IP allow-list and the policy (validate, explain and the
 * dry-run diff where this server has them). Write controls only for a role that has them.
 */
import { useState } from 'react';
import { type ClientView, get, type Issued, type KeyView, post } from '../api';
import { useSession } from '../session';
import { Confirm, OneTime, Page, Show, useLoad, useStatus } from '../ui';

interface Connect {
  gatewayUrl: string;
  ccxtClass: string;
  ccxtOptions: Record<string, unknown>;
}

/** The snippet a bot author pastes: CCXT as is, only the urls pointed at the gateway. */
export function ccxtSnippet(issued: Issued, c: Connect): string {
  const options = {
    apiKey: issued.credential.apiKey,
    secret: issued.credential.secret,
    ...(issued.credential.password !== undefined ? { password: issued.credential.password } : {}),
    ...c.ccxtOptions,
  };
  return [
    "import ccxt from 'ccxt';",
    '',
    `const exchange = new ccxt.${c.ccxtClass}(${JSON.stringify(options, null, 2)});`,
    'console.log(await exchange.fetchBalance());',
  ].join('\n');
}

function IssuedCredential(props: { issued: Issued; onDone(): void }) {
  const { issued } = props;
  const [connect] = useLoad(
    () => get<Connect>(`/clients/${encodeURIComponent(issued.client.name)}/connect`),
    issued.client.name,
  );
  return (
    <section className="card issued" aria-labelledby="issued-title">
      <h2 id="issued-title">Credential for {issued.client.name}: shown once</h2>
      <p>Store it now. keywarden keeps only a hash; this page cannot show it again.</p>
      <OneTime label="apiKey" value={issued.credential.apiKey} />
      <OneTime label="secret" value={issued.credential.secret} />
      {issued.credential.password !== undefined && (
        <OneTime label="password" value={issued.credential.password} />
      )}
      <OneTime label="token" value={issued.token} />
      <Show data={connect} what="CCXT snippet">
        {(c) => <OneTime label="ccxt snippet" value={ccxtSnippet(issued, c)} />}
      </Show>
      <button type="button" onClick={props.onDone}>
        I have stored it: hide the credential
      </button>
    </section>
  );
}

function IssueForm(props: { keys: KeyView[]; onIssued(i: Issued): void }) {
  const [name, setName] = useState('');
  const [key, setKey] = useState(props.keys[0]?.label ?? '');
  const [policy, setPolicy] = useState('{\n  "actions": ["public", "read", "trade", "cancel"]\n}');
  const [ips, setIps] = useState('');
  const [run, status] = useStatus();
  return (
    <form
      className="card"
      aria-label="Issue a client"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const env = props.keys.find((k) => k.label === key)?.environment;
          const issued = await post<Issued>('/clients', {
            name,
            key,
            policy: JSON.parse(policy) as unknown,
            ...(ips.trim() ? { ipAllow: ips.split(/[\s,]+/).filter(Boolean) } : {}),
            ...(env ? { environment: env } : {}),
          });
          setName('');
          props.onIssued(issued);
          return `issued ${issued.client.name}`;
        });
      }}
    >
      <h2>Issue a client</h2>
      <label>
        Client name
        <input name="client-name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Exchange key
        <select name="client-key" value={key} onChange={(e) => setKey(e.target.value)} required>
          {props.keys.map((k) => (
            <option key={k.id} value={k.label}>
              {k.label} ({k.exchange}, {k.environment})
            </option>
          ))}
        </select>
      </label>
      <label>
        Policy (JSON, docs/policy.md)
        <textarea name="client-policy" rows={4} value={policy} onChange={(e) => setPolicy(e.target.value)} />
      </label>
      <label>
        Source IP allow-list (CIDRs, optional)
        <input name="client-ips" value={ips} onChange={(e) => setIps(e.target.value)} />
      </label>
      <button type="submit">Issue client</button>
      {status}
    </form>
  );
}

function PolicyEditor(props: { client: ClientView; onSaved(): void }) {
  const { client } = props;
  const [text, setText] = useState(JSON.stringify(client.policy, null, 2));
  const [result, setResult] = useState('');
  const [run, status] = useStatus();
  const parsed = () => JSON.parse(text) as unknown;
  const [sample, setSample] = useState(
    'POST /api/v3/order?symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01',
  );
  const explainBody = () => {
    const [method = 'GET', target = '/'] = sample.trim().split(/\s+/, 2);
    const [path = '/', query] = target.split('?', 2);
    return { exchange: client.exchange, method: method.toUpperCase(), path, ...(query ? { query } : {}) };
  };
  const tool = (label: string, path: string, extra: () => object = () => ({})) => (
    <button
      type="button"
      onClick={() =>
        void run(async () => {
          const answer = await post<unknown>(path, { policy: parsed(), ...extra() });
          setResult(JSON.stringify(answer, null, 2));
          return `${label}: done`;
        })
      }
    >
      {label}
    </button>
  );
  const ref = encodeURIComponent(client.name);
  return (
    <div className="policy">
      <label>
        Policy of {client.name}
        <textarea rows={8} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <label>
        Request to explain (method, path and query as the exchange sees them)
        <input value={sample} onChange={(e) => setSample(e.target.value)} />
      </label>
      <div className="row">
        {tool('Validate', '/policies/validate')}
        {tool('Explain', '/policies/explain', explainBody)}
        {tool('Dry-run diff', '/policies/dry-run', () => ({ client: client.name }))}
        <button
          type="button"
          onClick={() =>
            void run(async () => {
              await post(`/clients/${ref}/policy`, { policy: parsed() });
              props.onSaved();
              return 'policy saved';
            })
          }
        >
          Save policy
        </button>
      </div>
      {status}
      {result && <pre className="result">{result}</pre>}
    </div>
  );
}

function ClientRow(props: { client: ClientView; keyLabel: string; onChange(): void }) {
  const { client } = props;
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const [ips, setIps] = useState(client.ipAllow.join(', '));
  const [run, status] = useStatus();
  const ref = encodeURIComponent(client.name);
  const act = (what: 'freeze' | 'unfreeze' | 'revoke') =>
    run(async () => {
      await post(`/clients/${ref}/${what}`);
      props.onChange();
      return `${client.name}: ${what} done`;
    });
  return (
    <>
      <tr data-client={client.name}>
        <th scope="row">{client.name}</th>
        <td>{client.exchange}</td>
        <td>{props.keyLabel}</td>
        <td>{client.environment}</td>
        <td>
          <span className={`pill ${client.status}`} data-testid="client-status">
            {client.status}
          </span>
        </td>
        <td>{client.ipAllow.join(', ') || 'any'}</td>
        <td className="row">
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Close' : 'Details'}
          </button>
          {can('clients.freeze') && client.status === 'active' && (
            <button type="button" onClick={() => void act('freeze')}>
              Freeze
            </button>
          )}
          {can('clients.freeze') && client.status === 'frozen' && (
            <button type="button" onClick={() => void act('unfreeze')}>
              Unfreeze
            </button>
          )}
          {can('clients.write') && client.status !== 'revoked' && (
            <button type="button" className="danger" onClick={() => setRevoking(true)}>
              Revoke
            </button>
          )}
        </td>
      </tr>
      <tr className="status-row">
        <td colSpan={7}>{status}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={7}>
            {can('clients.write') ? (
              <div className="details">
                <form
                  aria-label={`IP allow-list of ${client.name}`}
                  onSubmit={(e) => {
                    e.preventDefault();
                    void run(async () => {
                      await post(`/clients/${ref}/ip`, { cidrs: ips.split(/[\s,]+/).filter(Boolean) });
                      props.onChange();
                      return 'IP allow-list saved';
                    });
                  }}
                >
                  <label>
                    IP allow-list of {client.name} (CIDRs; empty = any)
                    <input value={ips} onChange={(e) => setIps(e.target.value)} />
                  </label>
                  <button type="submit">Save IP list</button>
                </form>
                <PolicyEditor client={client} onSaved={props.onChange} />
              </div>
            ) : (
              <pre className="result">{JSON.stringify(client.policy, null, 2)}</pre>
            )}
          </td>
        </tr>
      )}
      <Confirm
        open={revoking}
        title={`Revoke ${client.name}?`}
        confirmLabel="Revoke for good"
        onCancel={() => setRevoking(false)}
        onConfirm={() => {
          setRevoking(false);
          void act('revoke');
        }}
      >
        <p>Its credentials stop working now and cannot be restored.</p>
      </Confirm>
    </>
  );
}

export default function Clients() {
  const { can } = useSession();
  const [clients, reload] = useLoad(() => get<{ clients: ClientView[] }>('/clients'));
  const [keys] = useLoad(() => get<{ keys: KeyView[] }>('/keys'));
  const [issued, setIssued] = useState<Issued | undefined>();
  const labels = new Map(keys.state === 'ok' ? keys.value.keys.map((k) => [k.id, k.label]) : []);
  return (
    <Page title="Clients">
      {issued && <IssuedCredential issued={issued} onDone={() => setIssued(undefined)} />}
      {can('clients.write') && keys.state === 'ok' && (
        <IssueForm
          keys={keys.value.keys}
          onIssued={(i) => {
            setIssued(i);
            void reload();
          }}
        />
      )}
      <Show data={clients} what="Clients">
        {(v) => (
          <table>
            <caption className="sr-only">Clients</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Exchange</th>
                <th scope="col">Key</th>
                <th scope="col">Env</th>
                <th scope="col">Status</th>
                <th scope="col">IP allow-list</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {v.clients.map((c) => (
                <ClientRow
                  key={c.id}
                  client={c}
                  keyLabel={labels.get(c.keyId) ?? c.keyId}
                  onChange={() => void reload()}
                />
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </Page>
  );
}
