/** The posture checklist with its fixes (GET /api/v1/posture, where this server has it). */
import { get, type PostureCheck, type PostureReport } from '../api';
import { Page, Show, useLoad } from '../ui';

function Checks(props: { title: string; score: number; checks: PostureCheck[] }) {
  return (
    <section className="card">
      <h2>
        {props.title}: {props.score} / 100
      </h2>
      <ul className="checks">
        {props.checks.map((c) => (
          <li key={c.id} className={c.status}>
            <strong>
              {c.status === 'pass' ? '✓' : c.status === 'fail' ? '✗' : '?'} {c.title}
            </strong>{' '}
            <span className="muted">({c.severity})</span>
            <div>{c.evidence}</div>
            {c.fix && (
              <div className="fix">
                Fix: {c.fix.action}
                {c.fix.commands.map((cmd) => (
                  <pre key={cmd}>{cmd}</pre>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function Posture() {
  const [report] = useLoad(() => get<PostureReport>('/posture'));
  return (
    <Page title="Posture">
      <Show data={report} what="Posture">
        {(r) => (
          <>
            <p className="score" data-testid="posture-total">
              Score {r.score} / 100 — {r.counts.pass} pass, {r.counts.fail} fail, {r.counts.unknown} unknown
            </p>
            <Checks title="Gateway" score={r.gateway.score} checks={r.gateway.checks} />
            {r.keys.map((k) => (
              <Checks key={k.id} title={`Key ${k.label}`} score={k.score} checks={k.checks} />
            ))}
            {r.clients.map((c) => (
              <Checks key={c.id} title={`Client ${c.name}`} score={c.score} checks={c.checks} />
            ))}
          </>
        )}
      </Show>
    </Page>
  );
}
