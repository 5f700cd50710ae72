import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { serveLogOptions } from '../src/cli/serve.js';
import { buildApp } from '../src/server/app.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

describe('serve on a terminal and elsewhere', () => {
  it('logs requests at debug on a TTY, and at info (JSON lines as always) otherwise', () => {
    expect(serveLogOptions({ isTTY: true })).toEqual({ requestLogLevel: 'debug' });
    expect(serveLogOptions({ isTTY: false })).toEqual({ requestLogLevel: 'info' });
  });
});

describeEachDatabase('the line logged per request', (database) => {
  let h: Harness | undefined;
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    await h?.close();
  });

  const logged = async (env: Record<string, string>, requestLogLevel?: 'info' | 'debug') => {
    h = await startHarness(database, env);
    const lines: Record<string, unknown>[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    app = await buildApp(h.services, { logStream, ...(requestLogLevel ? { requestLogLevel } : {}) });
    const ok = await app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth });
    expect(ok.statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: '/api/v1/accounts?token=s3cret' });
    expect(refused.statusCode).toBe(401);
    return lines;
  };

  it('is at info by default: what is logged when not on a terminal', async () => {
    const lines = await logged({});
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(2);
    expect(completed.every((line) => line.level === 30)).toBe(true);
  });

  it('at debug, a terminal at the default level gets no line per request, nor for the refused one', async () => {
    const lines = await logged({}, 'debug');
    expect(lines.filter((line) => line.reqId !== undefined)).toEqual([]);
  });

  it('at debug with WASYNC_LOG_LEVEL=debug, the lines per request are there, at debug, the URL redacted', async () => {
    const lines = await logged({ WASYNC_LOG_LEVEL: 'debug' }, 'debug');
    const incoming = lines.filter((line) => line.msg === 'incoming request');
    expect(incoming).toEqual([
      expect.objectContaining({
        level: 20,
        req: expect.objectContaining({ method: 'GET', url: '/api/v1/accounts' }),
      }),
      expect.objectContaining({ level: 20, req: expect.objectContaining({ method: 'GET' }) }),
    ]);
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({ level: 20, res: { statusCode: 200 }, responseTime: expect.any(Number) }),
      expect.objectContaining({ level: 20, res: { statusCode: 401 } }),
    ]);
    expect(lines.filter((line) => line.reqId !== undefined && Number(line.level) > 20)).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/s3cret|wsk_|Bearer/);
  });
});
