/** Audit search (filters, pages through nextCursor) and verification of the hash chain. */
import { useState } from 'react';
import { type AuditRecord, get, when } from '../api';
import { Page, useStatus } from '../ui';

interface Verify {
  ok: boolean;
  records: number;
  problems: string[];
}

const FIELDS = ['kind', 'clientId', 'action', 'decision'] as const;
const KINDS = ['request', 'outcome', 'admin', 'alert'];
const DECISIONS = ['allow', 'deny', 'would-deny'];

export default function Audit() {
  const [filter, setFilter] = useState<Record<string, string>>({});
  const [records, setRecords] = useState<AuditRecord[] | undefined>();
  const [next, setNext] = useState<number | null>(null);
  const [verify, setVerify] = useState<Verify | undefined>();
  const [run, status] = useStatus();
  const search = (cursor?: number) =>
    run(async () => {
      const q = new URLSearchParams({ limit: '100' });
      for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
      if (cursor !== undefined) q.set('cursor', String(cursor));
      const page = await get<{ records: AuditRecord[]; nextCursor: number | null }>(`/audit?${q}`);
      setRecords(cursor === undefined ? page.records : [...(records ?? []), ...page.records]);
      setNext(page.nextCursor);
      return `${page.records.length} records`;
    });
  return (
    <Page title="Audit">
      <section className="card" aria-labelledby="verify-title">
        <h2 id="verify-title">Chain status</h2>
        <button
          type="button"
          onClick={() =>
            void run(async () => {
              setVerify(await get<Verify>('/audit/verify'));
              return undefined;
            })
          }
        >
          Verify the audit chain
        </button>
        {verify && (
          <p className={verify.ok ? 'ok' : 'error'} data-testid="chain-status">
            {verify.ok ? 'Chain intact' : 'Chain BROKEN'}: {verify.records} records, hash-chained, signed
            checkpoints
            {verify.problems.length > 0 && ` — ${verify.problems.join('; ')}`}
          </p>
        )}
      </section>
      <form
        className="filters"
        aria-label="Search the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        {FIELDS.map((f) => {
          const set = (v: string) => setFilter({ ...filter, [f]: v });
          const options = f === 'kind' ? KINDS : f === 'decision' ? DECISIONS : undefined;
          return options ? (
            <label key={f}>
              {f}
              <select value={filter[f] ?? ''} onChange={(e) => set(e.target.value)}>
                <option value="">any</option>
                {options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </label>
          ) : (
            <label key={f}>
              {f}
              <input value={filter[f] ?? ''} onChange={(e) => set(e.target.value)} />
            </label>
          );
        })}
        <button type="submit">Search</button>
      </form>
      {status}
      {records && (
        <table data-testid="audit-results">
          <caption className="sr-only">Audit records, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Decision</th>
              <th scope="col">Rule</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.seq}>
                <td>{r.seq}</td>
                <td>{when(r.at)}</td>
                <td>{r.kind}</td>
                <td>{r.actor}</td>
                <td>{r.action ?? r.endpoint}</td>
                <td>{r.decision}</td>
                <td>{r.rule}</td>
                <td>
                  <code>{r.hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" onClick={() => void search(next)}>
          More
        </button>
      )}
    </Page>
  );
}
