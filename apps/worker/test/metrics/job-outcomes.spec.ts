import { outcomeLabel } from '../../src/metrics/job-outcomes';

describe('job outcome labels', () => {
  it('reduce a print job’s spool directory, which names the letter, to spooled', () => {
    const dir = 'var/print-spool/3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e4c3a21';
    expect(outcomeLabel('print', dir)).toBe('spooled');
    expect(outcomeLabel('print', null)).toBe('skipped');
  });

  it('keep the closed sets the processors answer with, and nothing else', () => {
    expect(outcomeLabel('deliver', 'forwarded_to_print')).toBe('forwarded_to_print');
    expect(outcomeLabel('notify', 'already_done')).toBe('already_done');
    expect(outcomeLabel('webhook', 'delivered')).toBe('delivered');
    expect(outcomeLabel('deliver', '3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e4c3a21')).toBe('other');
    expect(outcomeLabel('notify', undefined)).toBe('other');
  });
});
