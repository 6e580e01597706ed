// Runs in the root Jest `unit` project (pure TypeScript, no DOM).
import { canWrite, endOfDay, isOwn, lastDay, type MailboxChoice, type Me } from './mailboxes';

const mailbox = (id: string, access: MailboxChoice['access'] = 'read_write'): MailboxChoice => ({
  id,
  kind: 'person',
  name: 'Kari Nordmann',
  role: id === 'own' ? 'owner' : 'guardian',
  access,
  confidential: false,
  until: null,
});

describe('the mailboxes a person may open', () => {
  it('takes the first GET /v1/me lists as their own, and nothing listed as their own too', () => {
    const me: Me = { principal: { name: 'Kari' }, mailboxes: [mailbox('own'), mailbox('son')] };
    expect(isOwn(me, me.mailboxes[0]!)).toBe(true);
    expect(isOwn(me, me.mailboxes[1]!)).toBe(false);
    expect(isOwn(null, null)).toBe(true);
  });

  it('offers writing only with read_write access', () => {
    expect(canWrite(mailbox('son', 'read'))).toBe(false);
    expect(canWrite(mailbox('son'))).toBe(true);
    expect(canWrite(null)).toBe(true);
  });

  it('sends the last day picked as the first instant after it, and shows it back as that day', () => {
    const until = endOfDay('2031-12-31');
    expect(new Date(until).getTime()).toBe(new Date(2032, 0, 1).getTime());
    const shown = new Date(lastDay(until));
    expect([shown.getFullYear(), shown.getMonth(), shown.getDate()]).toEqual([2031, 11, 31]);
  });
});
