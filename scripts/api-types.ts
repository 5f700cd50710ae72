/**
 * Writes web/src/api-types.ts: the TypeScript types of the server's OpenAPI document (openapi-typescript),
 * so the web app reads the API's shapes from the server instead of copying them by hand.
 * `npm run api-types` regenerates it; test/api-types.test.ts fails when it is stale.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import { openServices } from '../src/services.js';

export const API_TYPES_FILE = 'web/src/api-types.ts';

const HEADER = `/**
 * The API's types, generated from its OpenAPI document by \`npm run api-types\` (openapi-typescript).
 * Do not edit: change the server's schemas and regenerate; a test fails when this file is stale.
 */

`;

/** The app's OpenAPI document, from a whole app built on a throwaway SQLite database. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-api-types-'));
  try {
    const services = await openServices(loadConfig({ WASYNC_DATA_DIR: dataDir }), pino({ level: 'silent' }));
    try {
      const app = await buildApp(services, { logger: false });
      await app.ready();
      const document = app.swagger() as unknown as Record<string, unknown>;
      await app.close();
      return document;
    } finally {
      await services.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The text of web/src/api-types.ts for the app as it is now. */
export async function generateApiTypes(): Promise<string> {
  const document = await openApiDocument();
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]);
  return `${HEADER}${astToString(ast)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await generateApiTypes();
  fs.writeFileSync(API_TYPES_FILE, text);
  process.stdout.write(`wrote ${API_TYPES_FILE}\n`);
}
