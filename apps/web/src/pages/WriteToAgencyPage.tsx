import { useEffect, useState } from 'react';
import { useApp } from '../context';
import { replies, type DirectoryAgency } from '../replies';
import { navigate } from '../router';
import Composer from './Composer';

/** A new message to an agency that takes them, on one of the topics it lists. */
export default function WriteToAgencyPage() {
  const { t, onError, writable } = useApp();
  const [agencies, setAgencies] = useState<DirectoryAgency[] | null>(null);
  const [agencyId, setAgencyId] = useState('');
  const [topic, setTopic] = useState('');

  useEffect(() => {
    replies
      .agencies()
      .then((all) => setAgencies(all.filter((a) => a.acceptsMessages && a.encryptionKey)))
      .catch(onError);
  }, [onError]);

  const agency = agencies?.find((a) => a.id === agencyId) ?? null;
  if (!writable) return <p>{t('replyReadOnly')}</p>;
  if (!agencies) return <p role="status">{t('loading')}</p>;
  return (
    <>
      <h1 className="page-title">{t('writeToAgency')}</h1>
      <p>{t('writeIntro')}</p>
      {agencies.length === 0 ? <p className="empty">{t('noAgenciesTakeMessages')}</p> : null}
      <Composer
        idPrefix="message"
        agencyKey={agency?.encryptionKey?.publicKey ?? ''}
        submitLabel={t('sendMessage')}
        ready={Boolean(agency && topic)}
        extraFields={
          <>
            <div className="field">
              <label htmlFor="message-agency">{t('agency')}</label>
              <select
                id="message-agency"
                value={agencyId}
                onChange={(e) => {
                  setAgencyId(e.target.value);
                  setTopic('');
                }}
              >
                <option value="">{t('chooseAgency')}</option>
                {agencies.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="message-topic">{t('topic')}</label>
              <select
                id="message-topic"
                value={topic}
                disabled={!agency}
                onChange={(e) => setTopic(e.target.value)}
              >
                <option value="">{t('chooseTopic')}</option>
                {agency?.topics.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
          </>
        }
        onSend={async (documents) => {
          await replies.message(agencyId, topic, documents);
          navigate('/sent');
        }}
      />
    </>
  );
}
