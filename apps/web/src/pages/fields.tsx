import { useCallback, useEffect, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { api, ApiError, type Settings } from '../api';
import { useApp } from '../context';

/** A radio button or checkbox with its text beside it. */
export function Choice({
  type,
  name,
  checked,
  onChange,
  children,
}: {
  type: 'radio' | 'checkbox';
  name?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <label className="check">
      <input
        type={type}
        name={name}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />{' '}
      {children}
    </label>
  );
}

/** A labelled input with its help text read out with it. */
export function TextField({
  id,
  label,
  help,
  children,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & {
  id: string;
  label: string;
  help: string;
  children?: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={`${id}-help`} {...input} />
      <p id={`${id}-help`} className="help">
        {help}
      </p>
      {children}
    </div>
  );
}

/**
 * One action at a time with its outcome: busy while it runs, and the API's own detail (a
 * problem document's) when it fails, so the citizen reads what to fix.
 */
export function useAction() {
  const { t, onError } = useApp();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const run = useCallback(
    async (action: () => Promise<void>) => {
      setBusy(true);
      setProblem(null);
      try {
        await action();
      } catch (error) {
        onError(error);
        setProblem(error instanceof ApiError ? error.message : t('error'));
      } finally {
        setBusy(false);
      }
    },
    [onError, t],
  );
  return { busy, problem, setProblem, run };
}

/** The open mailbox's settings, with a hook to fill a form from them once they arrive. */
export function useSettings(onLoad: (settings: Settings) => void) {
  const { onError } = useApp();
  const [saved, setSaved] = useState<Settings | null>(null);
  useEffect(() => {
    api
      .settings()
      .then((s) => {
        setSaved(s);
        onLoad(s);
      })
      .catch(onError);
    // Loaded once per page: onLoad only fills the form.
  }, [onError]);
  return [saved, setSaved] as const;
}

/** What came of the last action: said politely when it worked, at once when it did not. */
export function Outcome({ status, problem }: { status: string | null; problem: string | null }) {
  return (
    <>
      <p role="status" className="status">
        {status}
      </p>
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
    </>
  );
}
