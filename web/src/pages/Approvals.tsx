/** The approvals inbox: requests waiting for a second person; approve or reject with a fresh code. */
import { useState } from 'react';
import { type Approval, get, post, when } from '../api';
import { useSession } from '../session';
import { Confirm, Page, Show, useLoad, useStatus } from '../ui';

export default function Approvals() {
  const { can } = useSession();
  const [filter, setFilter] = useState('pending');
  const [list, reload] = useLoad(
    () => get<{ approvals: Approval[] }>(`/approvals${filter ? `?status=${filter}` : ''}`),
    filter,
    10_000,
  );
  const [deciding, setDeciding] = useState<{ a: Approval; d: 'approve' | 'reject' } | undefined>();
  const [run, status] = useStatus();
  return (
    <Page title="Approvals">
      <label>
        Show
        <select value={filter} onChange={(e) => setFilter(e.target.value)}>
          <option value="pending">pending</option>
          <option value="">all</option>
        </select>
      </label>
      {status}
      <Show data={list} what="Approvals">
        {(v) =>
          v.approvals.length === 0 ? (
            <p>Nothing waiting.</p>
          ) : (
            <table>
              <caption className="sr-only">Approvals</caption>
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col">Kind</th>
                  <th scope="col">What</th>
                  <th scope="col">By</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  {can('approvals.decide') && <th scope="col">Decide</th>}
                </tr>
              </thead>
              <tbody>
                {v.approvals.map((a) => (
                  <tr key={a.id}>
                    <td>{when(a.requestedAt)}</td>
                    <td>{a.kind}</td>
                    <td>{a.summary}</td>
                    <td>{a.requestedBy.name}</td>
                    <td>{a.status}</td>
                    <td>{when(a.expiresAt)}</td>
                    {can('approvals.decide') && (
                      <td className="row">
                        {a.status === 'pending' && (
                          <>
                            <button type="button" onClick={() => setDeciding({ a, d: 'approve' })}>
                              Approve
                            </button>
                            <button
                              type="button"
                              className="danger"
                              onClick={() => setDeciding({ a, d: 'reject' })}
                            >
                              Reject
                            </button>
                          </>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <Confirm
        open={deciding !== undefined}
        title={deciding ? `${deciding.d === 'approve' ? 'Approve' : 'Reject'}: ${deciding.a.summary}` : ''}
        otp
        confirmLabel={deciding?.d === 'approve' ? 'Approve' : 'Reject'}
        onCancel={() => setDeciding(undefined)}
        onConfirm={(otp) => {
          const d = deciding;
          setDeciding(undefined);
          if (d)
            void run(async () => {
              await post(`/approvals/${d.a.id}/${d.d}`, {}, otp);
              void reload();
              return `${d.d} done`;
            });
        }}
      />
    </Page>
  );
}
