import { afterEach, describe, expect, it } from 'vitest';
import { type Bitrix24Harness, json, postJson, startBitrix24 } from './support.js';

let b24: Bitrix24Harness;
afterEach(async () => b24?.close());

type Sections = Record<'result' | 'result_error' | 'result_total' | 'result_next' | 'result_time', unknown>;

describe('Bitrix24 sandbox: batch', () => {
  it('runs commands in order with $result references, totals, next and times', async () => {
    b24 = await startBitrix24();
    const answer = await b24.call('batch', {
      halt: 0,
      cmd: {
        made: 'test.add?fields[NAME]=Jane',
        list: 'test.list',
        echo: 'test.echo?id=$result[made]&first=$result[list][1][ID]&label=n-$result[made]-x&all=$result[list]',
      },
    });
    expect(answer.status).toBe(200);
    const sections = answer.body.result as Sections;
    const results = sections.result as Record<string, unknown>;
    expect(results.made).toBe(1);
    const echoed = (results.echo as { params: Record<string, unknown> }).params;
    expect(echoed.id).toBe(1);
    expect(echoed.first).toBe('1');
    expect(echoed.label).toBe('n-1-x');
    expect((echoed.all as unknown[]).length).toBe(50);
    expect(sections.result_error).toEqual([]);
    expect(sections.result_total).toEqual({ list: 120 });
    expect(sections.result_next).toEqual({ list: 50 });
    expect(Object.keys(sections.result_time as object)).toEqual(['made', 'list', 'echo']);
    expect(Object.keys((sections.result_time as Record<string, object>).made ?? {}).sort()).toEqual(
      ['date_finish', 'date_start', 'duration', 'finish', 'processing', 'start'].sort(),
    );
    expect(answer.body.time).toMatchObject({ start: expect.any(Number), date_start: expect.any(String) });
  });

  it('answers 200 with result_error when commands fail, and halt stops at the first', async () => {
    b24 = await startBitrix24();
    const webhook = await postJson(`${b24.url}/__sandbox/webhooks`, { scopes: ['crm'] });
    const cmd = {
      a: 'test.echo',
      b: 'test.fail',
      c: 'test.files',
      d: 'no.such.method',
      e: 'batch?cmd[x]=test.echo',
    };
    const going = await postJson(`${webhook.body.url}batch`, { halt: 0, cmd });
    expect(going.status).toBe(200);
    const sections = going.body.result as Sections;
    expect(Object.keys(sections.result as object)).toEqual(['a']);
    expect(sections.result_error).toEqual({
      b: { error: 'NOT_FOUND', error_description: 'Not found.' },
      c: {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the webhook token',
      },
      d: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
      e: {
        error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
        error_description: 'Method is not allowed for batch usage',
      },
    });
    const halted = await postJson(`${webhook.body.url}batch`, { halt: 1, cmd });
    expect(halted.status).toBe(200);
    expect((halted.body.result as Sections).result_error).toEqual({
      b: { error: 'NOT_FOUND', error_description: 'Not found.' },
    });
    const counters = await json(await fetch(`${b24.url}/__sandbox/counters`));
    expect(counters.body.batchCommands).toEqual({
      'test.echo': 2,
      'test.fail': 2,
      'test.files': 1,
      'no.such.method': 1,
      batch: 1,
    });
  });

  it('answers empty sections as lists when every command fails', async () => {
    b24 = await startBitrix24();
    const answer = await b24.call('batch', { cmd: { a: 'test.fail' } });
    expect(answer.body.result).toEqual({
      result: [],
      result_error: { a: { error: 'NOT_FOUND', error_description: 'Not found.' } },
      result_total: [],
      result_next: [],
      result_time: [],
    });
  });

  it('refuses more than 50 commands', async () => {
    b24 = await startBitrix24();
    const cmd = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`c${index}`, 'test.echo']));
    expect(await b24.call('batch', { cmd })).toEqual({
      status: 400,
      body: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
  });

  it('takes cmd as a list and over a URL with double-encoded commands', async () => {
    b24 = await startBitrix24();
    const listed = await b24.call('batch', { cmd: ['test.add?fields[TITLE]=a', 'test.echo?id=$result[0]'] });
    const results = (listed.body.result as Sections).result as unknown[];
    expect(results[0]).toBe(1);
    expect((results[1] as { params: unknown }).params).toEqual({ id: 1 });
    // data-encoding.md: `John%26Martin` inside a command is `John%2526Martin` in the batch URL.
    const viaUrl = await json(
      await fetch(`${b24.hook}batch?cmd[0]=test.echo%3Ffields%5BTITLE%5D%3DJohn%2526Martin`),
    );
    const echoed = ((viaUrl.body.result as Sections).result as { params: unknown }[])[0]?.params;
    expect(echoed).toEqual({ fields: { TITLE: 'John&Martin' } });
  });
});
