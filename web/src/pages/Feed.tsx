/** The live request feed: server-sent events from GET /api/v1/feed, filtered by client and decision. */
import { useEffect, useState } from 'react';
import type { FeedItem } from '../api';
import { Page } from '../ui';

const KEEP = 200;

export default function Feed() {
  const [client, setClient] = useState('');
  const [decision, setDecision] = useState('');
  const [items, setItems] = useState<FeedItem[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  useEffect(() => {
    const q = new URLSearchParams();
    if (client.trim()) q.set('client', client.trim());
    if (decision) q.set('decision', decision);
    setItems([]);
    setState('connecting');
    const es = new EventSource(`/api/v1/feed${q.size > 0 ? `?${q}` : ''}`);
    es.onopen = () => setState('live');
    es.onerror = () => setState('reconnecting');
    es.addEventListener('request', (e) => {
      const item = JSON.parse((e as MessageEvent<string>).data) as FeedItem;
      setItems((old) => [item, ...old].slice(0, KEEP));
    });
    return () => es.close();
  }, [client, decision]);
  return (
    <Page title="Live feed">
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the feed">
        <label>
          Client (name or id)
          <input name="client" value={client} onChange={(e) => setClient(e.target.value)} />
        </label>
        <label>
          Decision
          <select name="decision" value={decision} onChange={(e) => setDecision(e.target.value)}>
            <option value="">any</option>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
            <option value="would-deny">would-deny</option>
          </select>
        </label>
        <span className={`pill ${state}`} role="status" data-testid="feed-state">
          {state}
        </span>
      </form>
      <table data-testid="feed">
        <caption className="sr-only">Gateway requests, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Client</th>
            <th scope="col">Exchange</th>
            <th scope="col">Action</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Symbol</th>
            <th scope="col">Decision</th>
            <th scope="col">Rule</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.seq} data-decision={r.decision}>
              <td>{new Date(r.at).toISOString().slice(11, 23)}</td>
              <td>{r.client ?? '—'}</td>
              <td>{r.exchange}</td>
              <td>{r.action}</td>
              <td>
                <code>{r.endpoint}</code>
              </td>
              <td>{r.symbol}</td>
              <td>
                <span className={`pill ${r.decision}`}>{r.decision}</span>
              </td>
              <td>{r.rule}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <p>No requests yet.</p>}
    </Page>
  );
}
