// Runs in the root Jest `unit` project (pure TypeScript, no DOM).
import { ACCESS_ACTIONS } from '#access';
import { evidenceQuerySchema } from '../../api/src/audit/audit.schemas';
import { describeEntry } from './access-log-texts';
import { LANGUAGES, MESSAGES, guessLanguage, translator } from './i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the web client texts', () => {
  it('has every text in Danish, Norwegian Bokmål and English, with the same placeholders', () => {
    const keys = Object.keys(MESSAGES.en);
    for (const language of LANGUAGES) {
      expect(Object.keys(MESSAGES[language]).sort()).toEqual([...keys].sort());
      for (const key of keys) {
        const text = MESSAGES[language][key as keyof typeof MESSAGES.en];
        expect(text.trim()).not.toBe('');
        expect(placeholders(text)).toEqual(
          placeholders(MESSAGES.en[key as keyof typeof MESSAGES.en]),
        );
      }
    }
  });

  it('translates the interface, not just copies it', () => {
    expect(MESSAGES.da.inbox).not.toBe(MESSAGES.en.inbox);
    expect(MESSAGES.nb.reservationHelp).not.toBe(MESSAGES.da.reservationHelp);
  });

  it('fills in placeholders', () => {
    expect(translator('nb')('unreadCount', { n: 3 })).toBe('3 uleste');
  });

  it("picks the browser's language, with Norwegian variants as Bokmål", () => {
    expect(guessLanguage(['da-DK'])).toBe('da');
    expect(guessLanguage(['nn-NO', 'en'])).toBe('nb');
    expect(guessLanguage(['fr-FR', 'en-GB'])).toBe('en');
    expect(guessLanguage(['fr-FR'])).toBe('nb');
  });

  it('says every access-log action, and the default audit purpose, in every language', () => {
    const defaultPurpose = evidenceQuerySchema.parse({}).purpose;
    for (const language of LANGUAGES) {
      const t = translator(language);
      const seen = new Set<string>();
      for (const action of ACCESS_ACTIONS) {
        const text = describeEntry(t, { action, purpose: defaultPurpose });
        expect(text.action).not.toContain(action);
        expect(text.action.trim()).not.toBe('');
        seen.add(text.action);
        if (language !== 'en') expect(text.purpose).not.toBe(defaultPurpose);
      }
      // Each code has a text of its own, not one shared fallback.
      expect(seen.size).toBe(ACCESS_ACTIONS.length);
    }
    expect(
      describeEntry(translator('nb'), { action: 'recipient.lookup', purpose: 'Egen tekst' }),
    ).toEqual({ action: 'Sjekket om du kan motta digital post', purpose: 'Egen tekst' });
  });
});
