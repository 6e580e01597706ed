import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { API_CONTROLLERS } from '../../src/app.module';
import { buildOpenApiDocument } from '../../src/openapi/document';

const ROOT = resolve(__dirname, '../../../..');
// The web client and the agency SDK each commit their copy, generated from the same document.
const COMMITTED = {
  'the web client': join(ROOT, 'apps/web/src/api-types.ts'),
  'the agency SDK': join(ROOT, 'packages/sdk/src/api-types.ts'),
};
const GENERATOR = join(ROOT, 'apps/web/scripts/api-types.mjs');

/** What `npm run gen:api-types` would write for the API as it is now. */
function generate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'postkasse-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(buildOpenApiDocument(API_CONTROLLERS, '/')));
    const run = spawnSync(process.execPath, [GENERATOR, file], { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) {
      // e.g. the web client's dependencies are not installed (npm run build:web installs them)
      throw new Error(`the generator failed: ${run.stderr}`);
    }
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the generated API types', () => {
  const current = generate();

  it.each(Object.entries(COMMITTED))(
    'of %s are up to date with the OpenAPI document (else run npm run gen:api-types)',
    (_, file) => {
      expect(current).toContain('MailboxLetter');
      expect(current).toContain('LettersController_create');
      expect(readFileSync(file, 'utf8')).toBe(current);
    },
  );
});
