/** Requests per minute by decision, denials by rule, latency, open alerts, keys due, posture score. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import { get, type Overview as OverviewData, type PostureReport } from '../api';
import { Page, Show, useLoad } from '../ui';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

// Colours chosen for contrast on white and for colour-blind readers (blue, orange-red, grey).
const COLOURS = { allow: '#1f5fbf', deny: '#b3261e', wouldDeny: '#6b5b00' };

function useChart(config: () => ChartConfiguration<'line' | 'bar', number[], string>, data: OverviewData) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line' | 'bar', number[], string> | null>(null);
  const latest = useRef(config);
  latest.current = config;
  // biome-ignore lint/correctness/useExhaustiveDependencies: redrawn when the data changes
  useEffect(() => {
    if (!canvas.current) return;
    const c = latest.current();
    if (chart.current) {
      chart.current.data = c.data;
      chart.current.update('none');
    } else chart.current = new Chart(canvas.current, c);
  }, [data]);
  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );
  return canvas;
}

function RequestsChart({ data }: { data: OverviewData }) {
  const labels = data.requestsPerMinute.map((b) => new Date(b.minute).toISOString().slice(11, 16));
  const canvas = useChart(
    () => ({
      type: 'line',
      data: {
        labels,
        datasets: [
          { label: 'allowed', data: data.requestsPerMinute.map((b) => b.allow), borderColor: COLOURS.allow },
          { label: 'denied', data: data.requestsPerMinute.map((b) => b.deny), borderColor: COLOURS.deny },
          {
            label: 'would deny (observe)',
            data: data.requestsPerMinute.map((b) => b.wouldDeny),
            borderColor: COLOURS.wouldDeny,
            borderDash: [4, 4],
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true } },
      },
    }),
    data,
  );
  const total = data.requestsPerMinute.reduce((n, b) => n + b.allow + b.deny + b.wouldDeny, 0);
  return (
    <figure className="chart">
      <div className="canvas">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Requests per minute over the last ${data.minutes} minutes by decision: ${total} in all`}
        />
      </div>
      <figcaption>Requests per minute by decision (last {data.minutes} minutes)</figcaption>
    </figure>
  );
}

function DenialsChart({ data }: { data: OverviewData }) {
  const canvas = useChart(
    () => ({
      type: 'bar',
      data: {
        labels: data.denialsByRule.map((d) => d.rule),
        datasets: [
          { label: 'denials', data: data.denialsByRule.map((d) => d.count), backgroundColor: COLOURS.deny },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
      },
    }),
    data,
  );
  return (
    <figure className="chart">
      <div className="canvas">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Denials by rule: ${data.denialsByRule.map((d) => `${d.rule} ${d.count}`).join(', ') || 'none'}`}
        />
      </div>
      <figcaption>Denials by rule</figcaption>
    </figure>
  );
}

const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} ms`);

export default function Overview() {
  const [data] = useLoad(() => get<OverviewData>('/overview?minutes=30'), '', 5000);
  const [posture] = useLoad(() => get<PostureReport>('/posture'), '', 60_000);
  return (
    <Page title="Overview">
      <Show data={data} what="Overview">
        {(d) => (
          <>
            <dl className="tiles">
              <div>
                <dt>Latency p50</dt>
                <dd data-testid="p50">{ms(d.latency.p50)}</dd>
              </div>
              <div>
                <dt>Latency p99</dt>
                <dd data-testid="p99">{ms(d.latency.p99)}</dd>
              </div>
              <div>
                <dt>Open alerts</dt>
                <dd data-testid="open-alerts">{d.openAlerts}</dd>
              </div>
              <div>
                <dt>Keys due for rotation</dt>
                <dd>{d.keysDue === null ? 'not visible to this role' : d.keysDue.length}</dd>
              </div>
              <div>
                <dt>Posture score</dt>
                <dd data-testid="posture-score">
                  {posture.state === 'ok'
                    ? `${posture.value.score} / 100`
                    : posture.state === 'loading'
                      ? '…'
                      : 'not available'}
                </dd>
              </div>
            </dl>
            <div className="charts">
              <RequestsChart data={d} />
              <DenialsChart data={d} />
            </div>
            {d.keysDue && d.keysDue.length > 0 && (
              <>
                <h2>Keys due for rotation</h2>
                <ul>
                  {d.keysDue.map((k) => (
                    <li key={k.id}>
                      {k.label}: {k.status.replace('_', ' ')} (due{' '}
                      {new Date(k.dueAt).toISOString().slice(0, 10)})
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </Show>
    </Page>
  );
}
