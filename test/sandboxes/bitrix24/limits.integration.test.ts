import { afterEach, describe, expect, it } from 'vitest';
import { type Bitrix24Harness, json, postJson, startBitrix24 } from './support.js';

let b24: Bitrix24Harness;
afterEach(async () => b24?.close());

const batchOf = (count: number, method = 'test.echo') =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`c${index}`, method]));

describe('Bitrix24 sandbox: limits', () => {
  it('serves a burst of 50, answers 503 QUERY_LIMIT_EXCEEDED past it, and drains 2 a second', async () => {
    b24 = await startBitrix24();
    for (let index = 0; index < 50; index++) expect((await b24.call('test.echo')).status).toBe(200);
    expect(await b24.call('test.echo')).toEqual({
      status: 503,
      body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
    });
    // The refused request counted too: after one second (2 drained) one more fits, not two.
    b24.clock.advance(1000);
    expect((await b24.call('test.echo')).status).toBe(200);
    expect((await b24.call('test.echo')).status).toBe(503);
    b24.clock.advance(60_000);
    expect((await b24.call('test.echo')).status).toBe(200);
    const counters = await json(await fetch(`${b24.url}/__sandbox/counters`));
    expect(counters.body.bucket).toMatchObject({ burst: 50, refused: 2 });
  });

  it('gives an enterprise portal 250 and 5 a second', async () => {
    b24 = await startBitrix24({ plan: 'enterprise' });
    for (let index = 0; index < 250; index++) expect((await b24.call('test.echo')).status).toBe(200);
    expect((await b24.call('test.echo')).status).toBe(503);
    b24.clock.advance(1000);
    for (let index = 0; index < 4; index++) expect((await b24.call('test.echo')).status).toBe(200);
  });

  it('counts a batch of 50 commands once against the bucket', async () => {
    b24 = await startBitrix24();
    for (let index = 0; index < 50; index++) {
      const answer = await b24.call('batch', { cmd: batchOf(50) });
      expect(answer.status).toBe(200);
    }
    expect((await b24.call('batch', { cmd: batchOf(1) })).status).toBe(503);
    const counters = await json(await fetch(`${b24.url}/__sandbox/counters`));
    expect(counters.body.byRoute).toEqual({ batch: 51 });
    expect(counters.body.batchCommands).toEqual({ 'test.echo': 2500 });
  });

  it('blocks a method past 480 s of operating time in 10 minutes, 429 OPERATION_TIME_LIMIT, others go on', async () => {
    b24 = await startBitrix24({ operatingCost: (method) => (method === 'test.add' ? 100 : 0.01) });
    let operating = 0;
    for (let index = 0; index < 5; index++) {
      const answer = await b24.call('test.add', { fields: {} });
      expect(answer.status).toBe(200);
      operating = (answer.body.time as { operating: number }).operating;
      b24.clock.advance(60_000);
    }
    expect(operating).toBe(500);
    expect(await b24.call('test.add')).toEqual({
      status: 429,
      body: {
        error: 'OPERATION_TIME_LIMIT',
        error_description: 'Method is blocked due to operation time limit.',
      },
    });
    const other = await b24.call('test.echo');
    expect(other.status).toBe(200);
    // Inside a batch the blocked method fails alone.
    const batch = await b24.call('batch', { cmd: { a: 'test.add', b: 'test.echo' } });
    expect(batch.status).toBe(200);
    const sections = batch.body.result as Record<string, Record<string, unknown>>;
    expect(sections.result_error).toEqual({
      a: { error: 'OPERATION_TIME_LIMIT', error_description: expect.any(String) },
    });
    expect(Object.keys(sections.result ?? {})).toEqual(['b']);
    // The first minute's 100 s leave the window 10 minutes after they were spent: 400 s left, unblocked.
    b24.clock.advance(5 * 60_000);
    const after = await b24.call('test.add');
    expect(after.status).toBe(200);
    expect((after.body.time as { operating: number }).operating).toBe(500);
  });

  it('reports operating_reset_at as when the oldest minute of the method leaves the window', async () => {
    b24 = await startBitrix24({ operatingCost: () => 1 });
    await b24.call('test.echo');
    b24.clock.advance(3 * 60_000);
    const answer = await b24.call('test.echo');
    const time = answer.body.time as { operating: number; operating_reset_at: number };
    expect(time.operating).toBe(2);
    expect(time.operating_reset_at).toBe(Date.parse('2026-08-01T09:10:00Z') / 1000);
  });

  it('a reset empties the bucket', async () => {
    b24 = await startBitrix24();
    for (let index = 0; index < 51; index++) await b24.call('test.echo');
    expect((await b24.call('test.echo')).status).toBe(503);
    await postJson(`${b24.url}/__sandbox/reset`);
    expect((await b24.call('test.echo')).status).toBe(200);
  });
});
