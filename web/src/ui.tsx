/** Small shared pieces: a page frame, async loading, a status line, the fresh-MFA dialog. */
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, errorText } from './api';

export function Page(props: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">{props.title}</h1>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ok'; value: T }
  | { state: 'missing' }
  | { state: 'error'; message: string };

/**
 * Load on mount, again when `key` changes (what the load depends on) and every `everyMs`; a
 * route absent from this server is `missing`.
 */
export function useLoad<T>(load: () => Promise<T>, key = '', everyMs?: number) {
  const [data, setData] = useState<Loaded<T>>({ state: 'loading' });
  const latest = useRef(load);
  latest.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what the load depends on
  const run = useCallback(async () => {
    try {
      setData({ state: 'ok', value: await latest.current() });
    } catch (err) {
      setData(
        err instanceof ApiError && err.missing
          ? { state: 'missing' }
          : { state: 'error', message: errorText(err) },
      );
    }
  }, [key]);
  useEffect(() => {
    void run();
    if (everyMs === undefined) return;
    const t = setInterval(() => void run(), everyMs);
    return () => clearInterval(t);
  }, [run, everyMs]);
  return [data, run] as const;
}

export function Show<T>(props: { data: Loaded<T>; what: string; children: (value: T) => ReactNode }) {
  const { data } = props;
  if (data.state === 'loading') return <p aria-busy="true">Loading {props.what}…</p>;
  if (data.state === 'missing')
    return (
      <p className="notice" role="status">
        {props.what}: not available on this server
      </p>
    );
  if (data.state === 'error')
    return (
      <p className="error" role="alert">
        {data.message}
      </p>
    );
  return <>{props.children(data.value)}</>;
}

/** The outcome of the last action on a page, announced to screen readers. */
export function useStatus() {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();
  const run = useCallback(async (what: () => Promise<string | undefined>) => {
    try {
      const text = await what();
      setStatus(text ? { ok: true, text } : undefined);
    } catch (err) {
      setStatus({
        ok: false,
        text: err instanceof ApiError && err.missing ? 'not available on this server' : errorText(err),
      });
    }
  }, []);
  const view = (
    <p className={status?.ok === false ? 'error' : 'ok'} role="status" aria-live="polite">
      {status?.text ?? ''}
    </p>
  );
  return [run, view] as const;
}

/**
 * A modal dialog (native <dialog>: focus is trapped, Escape cancels) that asks to confirm and,
 * when `otp` is set, for a fresh TOTP code. `onConfirm` gets the code.
 */
export function Confirm(props: {
  open: boolean;
  title: string;
  children?: ReactNode;
  otp?: boolean;
  confirmLabel?: string;
  onConfirm(code: string): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [code, setCode] = useState('');
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setCode('');
      d.showModal();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={`${id}-t`} onCancel={props.onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          props.onConfirm(code);
        }}
      >
        <h2 id={`${id}-t`}>{props.title}</h2>
        {props.children}
        {props.otp && (
          <label>
            Fresh authenticator code
            <input
              name="otp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value.trim())}
            />
          </label>
        )}
        <div className="row">
          <button type="submit" className="danger">
            {props.confirmLabel ?? 'Confirm'}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** A one-time value (an issued credential, an enrolment code) with its copy button. */
export function OneTime(props: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="onetime">
      <span className="onetime-label">{props.label}</span>
      <code data-testid={`onetime-${props.label}`}>{props.value}</code>
      <button
        type="button"
        aria-label={`Copy ${props.label}`}
        onClick={() => {
          void navigator.clipboard?.writeText(props.value).then(() => setCopied(true));
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
