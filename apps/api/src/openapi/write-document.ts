import { writeFileSync } from 'node:fs';
import { API_CONTROLLERS } from '../app.module';
import { buildOpenApiDocument } from './document';

/**
 * Writes /openapi.json without starting the API (for `npm run gen:api-types`):
 * `node dist/apps/api/src/openapi/write-document.js FILE`.
 */
const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: write-document.js FILE');
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(API_CONTROLLERS, '/'), null, 2)}\n`);
