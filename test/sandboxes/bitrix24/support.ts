import {
  Bitrix24Error,
  type Bitrix24Sandbox,
  type Bitrix24SandboxOptions,
  buildBitrix24Sandbox,
  DEMO_WEBHOOK,
  type MethodDefinition,
} from '../../../src/sandboxes/bitrix24/index.js';

/** A clock a test moves by hand, so the bucket's drain and token lifetimes need no waiting. */
export function manualClock(start = Date.parse('2026-08-01T09:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/**
 * Small methods of the tests' own, so the frame is tested apart from the portal's CRM methods:
 * `test.echo` answers its parameters and caller, `test.add` numbers what it is given, `test.list`
 * pages 0..119 by 50, `test.fail` refuses as a missing record does, `test.files` needs `disk`.
 */
export function testMethods(): Record<string, MethodDefinition> {
  let nextId = 0;
  const added: unknown[] = [];
  return {
    'test.echo': {
      scope: 'crm',
      handle: (params, context) => ({ result: { params, userId: context.userId, scopes: context.scopes } }),
    },
    'test.add': {
      scope: 'crm',
      handle: (params) => {
        added.push(params.fields);
        nextId += 1;
        return { result: nextId };
      },
    },
    'test.list': {
      scope: 'crm',
      handle: (params) => {
        const start = Number(params.start ?? 0);
        const rows = Array.from({ length: 120 }, (_, index) => ({ ID: String(index) })).slice(
          start,
          start + 50,
        );
        const next = start + 50 < 120 ? start + 50 : undefined;
        return { result: rows, total: 120, ...(next === undefined ? {} : { next }) };
      },
    },
    'test.fail': {
      scope: 'crm',
      handle: () => {
        throw new Bitrix24Error(400, 'NOT_FOUND', 'Not found.');
      },
    },
    'test.files': { scope: 'disk', handle: () => ({ result: true }) },
  };
}

export interface Bitrix24Harness {
  sandbox: Bitrix24Sandbox;
  url: string;
  clock: ReturnType<typeof manualClock>;
  /** The demo webhook's base, `{url}/rest/1/{secret}/`. */
  hook: string;
  /** POST JSON to the demo webhook. */
  call(method: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function json(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const postJson = (url: string, body: unknown = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(json);

export async function startBitrix24(options: Partial<Bitrix24SandboxOptions> = {}): Promise<Bitrix24Harness> {
  const clock = manualClock();
  const sandbox = await buildBitrix24Sandbox({ methods: testMethods(), clock: clock.now, ...options });
  const url = await sandbox.listen(0);
  const hook = `${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/`;
  return {
    sandbox,
    url,
    clock,
    hook,
    call: (method, body = {}) => postJson(`${hook}${method}`, body),
    close: () => sandbox.close(),
  };
}
