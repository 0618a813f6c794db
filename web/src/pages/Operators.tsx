/** Operators (owner only): list, add (the enrolment code shown once), change role, disable. */
import { useState } from 'react';
import { get, type OperatorView, post, when } from '../api';
import { Confirm, OneTime, Page, Show, useLoad, useStatus } from '../ui';

const ROLES = ['owner', 'admin', 'operator', 'auditor'] as const;

type Pending =
  | { what: 'add'; name: string; role: string }
  | { what: 'role'; op: OperatorView; role: string }
  | { what: 'disable'; op: OperatorView };

export default function Operators() {
  const [list, reload] = useLoad(() => get<{ operators: OperatorView[] }>('/operators'));
  const [name, setName] = useState('');
  const [role, setRole] = useState('operator');
  const [pending, setPending] = useState<Pending | undefined>();
  const [enrolment, setEnrolment] = useState<{ name: string; code: string } | undefined>();
  const [run, status] = useStatus();
  return (
    <Page title="Operators">
      {enrolment && (
        <section className="card issued" aria-label="Enrolment code">
          <h2>Enrolment code for {enrolment.name}: shown once</h2>
          <p>Give it to them out of band; they set their password and TOTP with it.</p>
          <OneTime label="enrolment code" value={enrolment.code} />
          <button type="button" onClick={() => setEnrolment(undefined)}>
            Hide
          </button>
        </section>
      )}
      <form
        className="card"
        aria-label="Add an operator"
        onSubmit={(e) => {
          e.preventDefault();
          setPending({ what: 'add', name, role });
        }}
      >
        <h2>Add an operator</h2>
        <label>
          Name
          <input
            name="operator-name"
            required
            minLength={2}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          Role
          <select name="operator-role" value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit">Add operator…</button>
      </form>
      {status}
      <Show data={list} what="Operators">
        {(v) => (
          <table>
            <caption className="sr-only">Operators</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">MFA</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {v.operators.map((o) => (
                <tr key={o.id}>
                  <th scope="row">{o.name}</th>
                  <td>
                    <label>
                      <span className="sr-only">Role of {o.name}</span>
                      <select
                        value={o.role}
                        disabled={o.status === 'disabled'}
                        onChange={(e) => setPending({ what: 'role', op: o, role: e.target.value })}
                      >
                        {ROLES.map((r) => (
                          <option key={r}>{r}</option>
                        ))}
                      </select>
                    </label>
                  </td>
                  <td>{o.status}</td>
                  <td>{o.mfaEnrolled ? 'enrolled' : 'not yet'}</td>
                  <td>
                    {when(o.createdAt)} by {o.createdBy}
                  </td>
                  <td>
                    {o.status !== 'disabled' && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => setPending({ what: 'disable', op: o })}
                      >
                        Disable
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      <Confirm
        open={pending !== undefined}
        otp
        title={
          pending?.what === 'add'
            ? `Add ${pending.name} as ${pending.role}?`
            : pending?.what === 'role'
              ? `Make ${pending.op.name} ${pending.role}? (ends their sessions)`
              : pending
                ? `Disable ${pending.op.name}? (ends their sessions)`
                : ''
        }
        onCancel={() => setPending(undefined)}
        onConfirm={(otp) => {
          const p = pending;
          setPending(undefined);
          if (!p) return;
          void run(async () => {
            if (p.what === 'add') {
              const r = await post<{ enrolmentCode: string }>(
                '/operators',
                { name: p.name, role: p.role },
                otp,
              );
              setEnrolment({ name: p.name, code: r.enrolmentCode });
              setName('');
            } else if (p.what === 'role')
              await post(`/operators/${encodeURIComponent(p.op.name)}/role`, { role: p.role }, otp);
            else await post(`/operators/${encodeURIComponent(p.op.name)}/disable`, {}, otp);
            void reload();
            return 'done';
          });
        }}
      />
    </Page>
  );
}
