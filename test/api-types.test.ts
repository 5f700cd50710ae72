import fs from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '../scripts/api-types.js';

it('web/src/api-types.ts is what the OpenAPI document generates (run npm run api-types)', async () => {
  const generated = await generateApiTypes();
  expect(generated).toContain('SalesforceConnectionInput');
  expect(
    fs.readFileSync(API_TYPES_FILE, 'utf8') === generated,
    'web/src/api-types.ts is stale: run npm run api-types',
  ).toBe(true);
}, 60_000);
