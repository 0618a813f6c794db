/** Sign in with name, password and a TOTP code (or a recovery code). */
import { useState } from 'react';
import { errorText, post } from '../api';

export function SignIn(props: { onSignedIn(): void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main className="signin" id="main">
      <h1>keywarden</h1>
      <p>Sign in to the dashboard with your password and authenticator code.</p>
      <form
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          post('/auth/login', {
            name,
            password,
            ...(recovery ? { recoveryCode: code } : { code }),
          })
            .then(() => {
              setPassword('');
              props.onSignedIn();
            })
            .catch((err: unknown) => setError(errorText(err)))
            .finally(() => setBusy(false));
        }}
      >
        <label>
          Operator name
          <input
            name="name"
            autoComplete="username"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label>
          {recovery ? 'Recovery code' : 'Authenticator code (TOTP)'}
          <input
            name="code"
            inputMode={recovery ? 'text' : 'numeric'}
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={recovery} onChange={(e) => setRecovery(e.target.checked)} />
          Use a recovery code instead
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <p className="error" role="alert">
          {error}
        </p>
      </form>
    </main>
  );
}
