/**
 * A Bitrix24 sandbox for destination tests: started on a free port, reached through its demo webhook or
 * its demo application's OAuth; tests seed and read the portal in process (never through the adapter).
 */

import {
  Bitrix24ConnectionInput,
  bitrix24Access,
  bitrix24Destination,
  splitBitrix24Input,
} from '../../src/crms/bitrix24/connection.js';
import type { Bitrix24Destination } from '../../src/crms/bitrix24/destination.js';
import { bitrix24Budget } from '../../src/crms/bitrix24/limits.js';
import { OperatingTimes } from '../../src/crms/bitrix24/operating-time.js';
import type { Bitrix24Access } from '../../src/crms/bitrix24/sign-in.js';
import { Bitrix24Transport } from '../../src/crms/bitrix24/transport.js';
import { InMemoryBucketStore, LeakyBucketLimiter } from '../../src/crms/kit/leaky-bucket.js';
import type { RateLimiter } from '../../src/crms/kit/rate-limiter.js';
import {
  type Bitrix24Sandbox,
  type Bitrix24SandboxOptions,
  buildBitrix24Sandbox,
  DEMO_APPLICATION,
  DEMO_WEBHOOK,
} from '../../src/sandboxes/bitrix24/index.js';
import type { Portal } from '../../src/sandboxes/bitrix24/portal.js';

export interface TestBitrix24 {
  url: string;
  sandbox: Bitrix24Sandbox;
  portal: Portal;
  /** The demo webhook, `{url}/rest/1/{secret}/`. */
  webhookUrl: string;
  /** The body that connects wasync to this sandbox through the demo webhook (POST /connections). */
  connectionInput(name?: string): Record<string, unknown>;
  /** The body that connects through the demo application, with a refresh token minted for it. */
  oauthConnectionInput(name?: string): Promise<Record<string, unknown>>;
  access(options?: { flow?: 'webhook' | 'oauth'; limiter?: RateLimiter }): Promise<Bitrix24Access>;
  transport(options?: { flow?: 'webhook' | 'oauth'; limiter?: RateLimiter }): Promise<Bitrix24Transport>;
  destination(options?: {
    flow?: 'webhook' | 'oauth';
    limiter?: RateLimiter;
    clock?: () => number;
  }): Promise<Bitrix24Destination>;
  /** `/__sandbox/{path}`. */
  inspect(method: string, path: string, body?: unknown): Promise<unknown>;
  counters(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The portal's bucket as a stored connection keeps it (80% of the standard plan's), in this process. */
const portalBucket = () =>
  new LeakyBucketLimiter(new InMemoryBucketStore(), 'bitrix24:test', bitrix24Budget('standard'));

export async function startTestBitrix24(options: Bitrix24SandboxOptions = {}): Promise<TestBitrix24> {
  const sandbox = await buildBitrix24Sandbox(options);
  const url = await sandbox.listen(0);
  const webhookUrl = `${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/`;
  const inspect = async (method: string, path: string, body?: unknown) => {
    const answer = await fetch(`${url}/__sandbox/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!answer.ok)
      throw new Error(`${method} /__sandbox/${path} answered ${answer.status}: ${await answer.text()}`);
    const text = await answer.text();
    return text ? JSON.parse(text) : undefined;
  };
  const oauthConnectionInput = async (name = 'Bitrix24 sandbox') => {
    const minted = (await inspect('POST', 'tokens', { clientId: DEMO_APPLICATION.clientId })) as {
      refresh_token: string;
    };
    return {
      kind: 'bitrix24',
      name,
      auth: {
        flow: 'oauth',
        portalUrl: url,
        oauthServer: url,
        clientId: DEMO_APPLICATION.clientId,
        clientSecret: DEMO_APPLICATION.clientSecret,
        refreshToken: minted.refresh_token,
      },
    };
  };
  const connectionInput = (name = 'Bitrix24 sandbox') => ({
    kind: 'bitrix24',
    name,
    auth: { flow: 'webhook', webhookUrl },
  });
  const access = async (extra: { flow?: 'webhook' | 'oauth'; limiter?: RateLimiter } = {}) => {
    const input =
      extra.flow === 'oauth' ? await oauthConnectionInput() : (connectionInput() as Record<string, unknown>);
    const { settings, secrets } = splitBitrix24Input(Bitrix24ConnectionInput.parse(input));
    return bitrix24Access(settings, secrets, extra.limiter ?? portalBucket());
  };
  return {
    url,
    sandbox,
    portal: sandbox.portal,
    webhookUrl,
    connectionInput,
    oauthConnectionInput,
    access,
    transport: async (extra = {}) => new Bitrix24Transport(await access(extra)),
    destination: async (extra = {}) =>
      bitrix24Destination(
        { flow: 'webhook', portalUrl: url },
        { access: await access(extra), operating: new OperatingTimes() },
        extra.clock ? { clock: extra.clock } : {},
      ),
    inspect,
    counters: async () => (await inspect('GET', 'counters')) as Record<string, unknown>,
    close: () => sandbox.close(),
  };
}
