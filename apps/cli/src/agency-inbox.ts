import { readFileSync } from 'node:fs';
import { readEncryptionKey } from '#crypto';
import { TOPIC } from '#letters';
import type { AgenciesStore } from '#stores';
import { UsageError, type CliContext } from './context';

/**
 * What an agency receives (replies, messages): the key they are encrypted to and the topics
 * citizens may write about unprompted. Both are operator changes, in the operator audit log.
 */
export async function addEncryptionKey(
  ctx: CliContext,
  agencies: AgenciesStore,
  agencyId: string,
  file: string,
): Promise<string> {
  if (!(await agencies.exists(agencyId))) throw new UsageError(`No agency ${agencyId}`);
  const key = await readEncryptionKey(readFileSync(file, 'utf8'));
  const { replaced } = await agencies.setEncryptionKey(agencyId, key);
  await agencies.audit({
    actor: ctx.actor,
    action: 'agency.encryption_key_set',
    subject: agencyId,
    details: { fingerprint: key.fingerprint, replaced },
  });
  return replaced
    ? `Encryption key ${key.fingerprint} replaces ${replaced}; replies are encrypted to it from now on`
    : `Encryption key ${key.fingerprint}: replies to this agency's letters are encrypted to it`;
}

/** `--topics a,b` takes new messages on those topics; `--none` takes none. */
export async function setTopics(
  ctx: CliContext,
  agencies: AgenciesStore,
  agencyId: string,
  values: { topics?: string; none?: boolean },
): Promise<string> {
  if (values.none === (values.topics !== undefined))
    throw new UsageError('agency set-topics: give either --topics LIST or --none');
  const topics = [...new Set((values.topics ?? '').split(',').map((t) => t.trim()))].filter(
    Boolean,
  );
  const bad = topics.filter((t) => !TOPIC.test(t));
  if (bad.length > 0 || (!values.none && topics.length === 0))
    throw new UsageError(
      `--topics: ${bad.join(', ') || 'none given'}: topics are lowercase letters, digits, - and _ (up to 64), comma-separated`,
    );
  if (!(await agencies.setMessageTopics(agencyId, !values.none, topics)))
    throw new UsageError(`No agency ${agencyId}`);
  await agencies.audit({
    actor: ctx.actor,
    action: 'agency.message_topics_set',
    subject: agencyId,
    details: { topics },
  });
  return values.none
    ? 'The agency takes no new messages (replies to its letters still arrive)'
    : `The agency takes new messages on: ${topics.join(', ')}`;
}
