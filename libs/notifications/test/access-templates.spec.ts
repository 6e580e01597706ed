import { renderAccessEmail, type Language } from '../src/templates';

const url = 'https://post.example/access-log';
const LANGUAGES: Language[] = ['nb', 'da', 'en'];

describe('the access-log emails', () => {
  it('say only that something was recorded, with the link, in every language', () => {
    for (const language of LANGUAGES) {
      const one = renderAccessEmail({ language, count: 1, digest: false, accessLogUrl: url });
      const week = renderAccessEmail({ language, count: 3, digest: true, accessLogUrl: url });
      for (const email of [one, week]) {
        expect(email.text).toContain(url);
        expect(email.html).toContain(`href="${url}"`);
        expect(email.html).toContain(`<html lang="${language}">`);
      }
      expect(one.text).not.toBe(week.text);
      expect(week.text).toContain('3');
    }
    expect(
      renderAccessEmail({ language: 'en', count: 1, digest: false, accessLogUrl: url }),
    ).toMatchObject({
      subject: 'New in your access log in Postkasse',
      text: expect.stringMatching(/^Something was recorded in your access log in Postkasse\.\n/),
    });
    expect(
      renderAccessEmail({ language: 'en', count: 3, digest: true, accessLogUrl: url }).text,
    ).toMatch(/^This week 3 new entries were recorded/);
  });
});
