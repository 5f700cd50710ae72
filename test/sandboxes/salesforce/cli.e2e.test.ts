import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs `wasync sandbox salesforce` with the options given; `use` gets its URL and printed lines. */
async function withCliSandbox(
  options: string[],
  use: (url: string, stdout: string) => Promise<void>,
): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/run.ts', 'sandbox', 'salesforce', '--port', '0', ...options],
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
        if (match?.[1] && stdout.includes('client secret')) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    await use(url, stdout);
  } finally {
    child.kill('SIGTERM');
  }
  return exited;
}

async function signIn(url: string): Promise<Response> {
  return fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=wasync-sandbox&client_secret=wasync-sandbox-secret',
  });
}

describe('wasync sandbox salesforce', () => {
  it('starts, prints the URL and demo credentials, answers a token request, and exits 0 on SIGTERM', async () => {
    const code = await withCliSandbox([], async (url, stdout) => {
      expect(stdout).toContain('client id:      wasync-sandbox');
      expect(stdout).toContain('client secret:  wasync-sandbox-secret');
      const token = await signIn(url);
      expect(token.status).toBe(200);
      expect(((await token.json()) as { instance_url: string }).instance_url).toBe(url);
    });
    expect(code).toBe(0);
  });

  it('--search-index-lag 0 makes a record searchable by SOSL as soon as it is written', async () => {
    await withCliSandbox(['--search-index-lag', '0'], async (url) => {
      const { access_token: token } = (await (await signIn(url)).json()) as { access_token: string };
      await fetch(`${url}/__sandbox/records/Contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'Ana', Phone: '(11) 98765-4321' }),
      });
      const sosl = 'FIND {11987654321} IN PHONE FIELDS RETURNING Contact(Name)';
      const answer = await fetch(`${url}/services/data/v62.0/search?q=${encodeURIComponent(sosl)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await answer.json()) as { searchRecords: { Name: string }[] }).searchRecords).toEqual([
        expect.objectContaining({ Name: 'Ana' }),
      ]);
    });
  });
});
