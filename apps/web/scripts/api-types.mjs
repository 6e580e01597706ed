// The web client's and the agency SDK's API types, generated from the API's OpenAPI document:
//   node apps/web/scripts/api-types.mjs openapi.json [out.ts]   (stdout without out.ts)
// `npm run gen:api-types` at the root builds the API, writes its document and runs this for
// apps/web/src/api-types.ts and packages/sdk/src/api-types.ts; a unit test
// (apps/api/test/openapi/api-types.spec.ts) fails when either committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import openapiTS, { astToString } from 'openapi-typescript';

const HEADER = `// Generated from the API's OpenAPI document by \`npm run gen:api-types\`. Do not edit.\n\n`;

const [input, output] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: api-types.mjs openapi.json [out.ts]\n');
  process.exit(2);
}
const document = JSON.parse(readFileSync(input, 'utf8'));
// defaultNonNullable off: a field with a default in a request is still optional to send.
const ast = await openapiTS(document, { defaultNonNullable: false, alphabetize: true });
const text = HEADER + astToString(ast);
if (output) writeFileSync(output, text);
else process.stdout.write(text);
