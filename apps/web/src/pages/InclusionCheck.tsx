import { useEffect, useState } from 'react';
import { api } from '../api';
import type { InclusionResult } from '../access-log-check';
import { useApp } from '../context';

/**
 * Checks in the browser that every entry loaded has its leaf in the signed tree head, signed by
 * the platform's key. The check's
 * code is fetched only here, so the first load stays within its budget.
 */
export default function InclusionCheck({ ids }: { ids: readonly string[] }) {
  const { t, formatDate } = useApp();
  const [result, setResult] = useState<InclusionResult | 'failed' | null>(null);
  const key = ids.join(',');
  useEffect(() => {
    let current = true;
    setResult(null);
    Promise.all([api.accessLogEvidence(), api.platformKeys(), import('../access-log-check')])
      .then(([evidence, platform, { checkInclusion }]) =>
        checkInclusion(evidence, platform.receipts.keys, ids),
      )
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
