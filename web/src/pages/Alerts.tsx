/** Alerts raised, newest first, with who acknowledged them. */
import { type Alert, get, post, when } from '../api';
import { useSession } from '../session';
import { Page, Show, useLoad, useStatus } from '../ui';

export default function Alerts() {
  const { can } = useSession();
  const [alerts, reload] = useLoad(() => get<{ alerts: Alert[] }>('/alerts?limit=200'), '', 10_000);
  const [run, status] = useStatus();
  return (
    <Page title="Alerts">
      {status}
      <Show data={alerts} what="Alerts">
        {(v) =>
          v.alerts.length === 0 ? (
            <p>No alerts.</p>
          ) : (
            <table>
              <caption className="sr-only">Alerts</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Message</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {v.alerts.map((a) => (
                  <tr key={a.seq}>
                    <td>{when(a.at)}</td>
                    <td>{a.rule}</td>
                    <td>{a.message}</td>
                    <td>
                      {a.acknowledgedBy ??
                        (can('alerts.ack') ? (
                          <button
                            type="button"
                            onClick={() =>
                              void run(async () => {
                                await post(`/alerts/${a.seq}/ack`);
                                void reload();
                                return `alert ${a.seq} acknowledged`;
                              })
                            }
                          >
                            Acknowledge
                          </button>
                        ) : (
                          'open'
                        ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </Page>
  );
}
