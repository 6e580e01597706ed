import { DomainError } from '#errors';
import { actingAs, heldScope, holdScope, mailboxToWrite, ownerScope, readOnly } from '#access';

const mailbox = { id: '0190f3c2-7d1e-7000-8000-000000000001' };

describe('mailbox scope', () => {
  it('lets the owner read and write their own mailbox, confidential letters included', () => {
    const scope = ownerScope(mailbox);
    expect(scope).toMatchObject({
      mailboxId: mailbox.id,
      access: 'read_write',
      confidential: true,
    });
    expect(mailboxToWrite(scope)).toBe(mailbox.id);
  });

  it('refuses a write through a read-only scope with a 403 naming why', () => {
    const scope = readOnly(ownerScope(mailbox));
    expect(scope.access).toBe('read');
    let refused: unknown;
    try {
      mailboxToWrite(scope);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ status: 403, code: 'mailbox.read_only' });
  });

  it('cannot be changed after the access check made it', () => {
    const scope = ownerScope(mailbox);
    expect(Object.isFrozen(scope)).toBe(true);
    expect(() => {
      (scope as { access: string }).access = 'read';
    }).toThrow(TypeError);
  });

  it('names who acts without changing what they may do, through narrowing and a held ticket', () => {
    const actor = { ref: 'cmVmLW9mLWEtZ3VhcmRpYW4', name: 'Gro Verge' };
    const named = actingAs(ownerScope(mailbox), actor);
    expect(named).toMatchObject({ access: 'read_write', role: 'owner', actor });
    expect(Object.isFrozen(named)).toBe(true);
    expect(readOnly(named).actor).toEqual(actor);
    const back = heldScope(JSON.parse(JSON.stringify(holdScope(named))));
    expect(back).toMatchObject({ access: 'read', actor });
    expect(holdScope(ownerScope(mailbox))).not.toHaveProperty('actor');
  });
});
