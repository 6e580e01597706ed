import type { AccessLogEntry } from '../api';
import { ACTION_TEXTS } from '../access-log-texts';
import type { AccessLogFilter, Who } from '../access-log-filter';
import { useApp } from '../context';
import type { MessageKey } from '../i18n';

const WHO: Record<Who, MessageKey> = {
  all: 'filterAll',
  agency: 'filterAgencies',
  auditor: 'filterAuditors',
  person: 'filterPeople',
  notice: 'filterNotices',
};

/** Who, what and when, over the entries loaded; the actions offered are those among them. */
export default function AccessLogFilters({
  entries,
  filter,
  onChange,
}: {
  entries: readonly AccessLogEntry[];
  filter: AccessLogFilter;
  onChange: (filter: AccessLogFilter) => void;
}) {
  const { t } = useApp();
  const actions = [...new Set(entries.map((e) => e.action))];
  const set = (changes: Partial<AccessLogFilter>) => onChange({ ...filter, ...changes });
  return (
    <fieldset className="filters">
      <legend>{t('filterTitle')}</legend>
      <div className="field">
        <label htmlFor="filter-who">{t('filterWho')}</label>
        <select
          id="filter-who"
          value={filter.who}
          onChange={(e) => set({ who: e.target.value as Who })}
        >
          {(Object.keys(WHO) as Who[]).map((who) => (
            <option key={who} value={who}>
              {t(WHO[who])}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-what">{t('what')}</label>
        <select
          id="filter-what"
          value={filter.action}
          onChange={(e) => set({ action: e.target.value })}
        >
          <option value="">{t('filterAll')}</option>
          {actions.map((action) => (
            <option key={action} value={action}>
              {t(ACTION_TEXTS[action])}
            </option>
          ))}
        </select>
      </div>
      <DateField
        id="filter-from"
        label={t('filterFrom')}
        value={filter.from}
        onChange={(from) => set({ from })}
      />
      <DateField
        id="filter-to"
        label={t('filterTo')}
        value={filter.to}
        onChange={(to) => set({ to })}
      />
    </fieldset>
  );
}

function DateField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="date"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  );
}
