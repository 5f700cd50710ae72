import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../../../src/sandboxes/zoho/index.js';
import { json } from './support.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('wasync sandbox zoho', () => {
  it('prints its URL and the demo client, and answers a Self Client refresh with its own api_domain', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/run.ts', 'sandbox', 'zoho', '--port', '0', '--data-centre', 'eu'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 15 s; stderr: ${stderr}`)), 15_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match?.[1] && stdout.includes('inspect:')) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      expect(stdout).toContain(DEMO_CLIENT.clientId);
      expect(stdout).toContain(DEMO_CLIENT.clientSecret);
      expect(stdout).toContain('data centre eu');
      const minted = await json(fetch(`${url}/__sandbox/self-client`, { method: 'POST' }));
      const token = await json(
        fetch(`${url}/oauth/v2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: minted.client_id,
            client_secret: minted.client_secret,
            refresh_token: minted.refresh_token,
          }).toString(),
        }),
      );
      expect(token).toMatchObject({ api_domain: url, token_type: 'Bearer', expires_in: 3600 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
