import { useApp } from '../context';
import { GrantsManager } from './GrantsManager';

/** "Access to my post": the owner gives, limits and takes back access to their own mailbox. */
export default function GrantsPage() {
  const { t, me } = useApp();
  const own = me?.mailboxes[0];
  if (!own) return <p role="status">{t('loading')}</p>;
  return (
    <>
      <h1 className="page-title">{t('accessToMyPost')}</h1>
      <p>{t('accessToMyPostIntro')}</p>
      <GrantsManager mailboxId={own.id} organisation={false} />
    </>
  );
}
