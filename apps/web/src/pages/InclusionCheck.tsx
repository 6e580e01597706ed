import { useEffect, useState } from 'react';
import { api } from '../api';
import type { InclusionResult } from '../access-log-check';
import { useApp } from '../context';

// An entry is written first and its leaf appended by the receipt sequencer a moment later, so a
// missing leaf is asked again a few times before it is shown as a failure.
const ATTEMPTS = 3;
const RETRY_MS = 2_000;

async function check(ids: readonly string[]): Promise<InclusionResult> {
  const [keys, { checkInclusion }] = await Promise.all([
    api.platformKeys().then((platform) => platform.receipts.keys),
    import('../access-log-check'),
  ]);
  let result: InclusionResult = { ok: false, problems: [] };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    result = await checkInclusion(await api.accessLogEvidence(), keys, ids);
    if (result.ok || attempt === ATTEMPTS) break;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  return result;
}

/**
 * Checks in the browser that every entry loaded has its leaf in the signed tree head, signed by
 * the platform's key. The check's code is fetched only here, so the first load stays within its
 * budget.
 */
export default function InclusionCheck({ ids }: { ids: readonly string[] }) {
  const { t, formatDate } = useApp();
  const [result, setResult] = useState<InclusionResult | 'failed' | null>(null);
  const key = ids.join(',');
  useEffect(() => {
    let current = true;
    setResult(null);
    check(ids)
      .then((r) => current && setResult(r))
      .catch(() => current && setResult('failed'));
    return () => {
      current = false;
    };
  }, [key]);
  if (ids.length === 0) return null;
  return (
    <p
      role="status"
      className={`inclusion ${result === null ? '' : result !== 'failed' && result.ok ? 'ok' : 'bad'}`}
    >
      {result === null
        ? t('inclusionChecking')
        : result === 'failed'
          ? t('inclusionUnavailable')
          : result.ok
            ? `✓ ${t('inclusionOk', {
                count: String(result.entries),
                size: String(result.treeSize),
                time: formatDate(result.signedAt, true),
              })}`
            : t('inclusionFailed', { problems: result.problems.join('; ') })}
    </p>
  );
}
