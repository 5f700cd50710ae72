import Fastify, { type FastifyInstance } from 'fastify';
import { RequestCounters } from '../kit/counters.js';
import { FaultGate } from '../kit/faults.js';
import { listenOn } from '../listen.js';
import { PortalCredentials } from './credentials.js';
import type { Dispatcher } from './dispatch.js';
import { bitrix24Inspection } from './inspection.js';
import { LeakyBucket, OperatingTime } from './limits.js';
import { oauthRoutes } from './oauth.js';
import {
  type Bitrix24FaultKind,
  type Bitrix24SandboxOptions,
  type ResolvedBitrix24Options,
  resolveBitrix24Options,
} from './options.js';
import { pageRoutes } from './pages.js';
import { Portal } from './portal.js';
import { registerBitrix24Errors, registerFormBodies, restRoutes } from './rest.js';
import { uploadRoutes } from './upload.js';

export { Bitrix24Error, type MethodContext, type MethodDefinition } from './method.js';
export {
  BITRIX24_FAULT_KINDS,
  type Bitrix24Application,
  type Bitrix24FaultKind,
  type Bitrix24SandboxOptions,
  type Bitrix24Webhook,
  DEMO_APPLICATION,
  DEMO_WEBHOOK,
} from './options.js';

/** A running (or ready to run) Bitrix24 sandbox. */
export interface Bitrix24Sandbox {
  readonly app: FastifyInstance;
  readonly options: ResolvedBitrix24Options;
  readonly portal: Portal;
  /** Listens on 127.0.0.1 (or `host`) and resolves with the base URL. Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening, cutting requests held by timeout faults. */
  close(): Promise<void>;
}

// The crm-apis notes §3.4: the cloud takes bodies up to 2 GB; files go base64 in JSON, so allow much.
const BODY_LIMIT = 200 * 1024 * 1024;

/**
 * A local stand-in for one Bitrix24 portal, in memory: the REST API over inbound webhooks and a local
 * application's OAuth (the portal and its OAuth server on one host), `batch`, the leaky bucket and
 * the operating-time limit, `time` in every answer, injected faults, and `/__sandbox/` inspection
 * routes. The REST methods are the portal's (methods/), or `options.methods` (method.ts is their contract). Every rule it
 * enforces cites the b24restdocs page it follows beside the code, or says it is unverified.
 */
export async function buildBitrix24Sandbox(options: Bitrix24SandboxOptions = {}): Promise<Bitrix24Sandbox> {
  const resolved = resolveBitrix24Options(options);
  const portal = new Portal({ clock: resolved.clock });
  const credentials = new PortalCredentials(resolved);
  const bucket = new LeakyBucket({ ...resolved.bucket, clock: resolved.clock });
  const operating = new OperatingTime({
    limitSeconds: resolved.operatingLimitSeconds,
    clock: resolved.clock,
  });
  const counters = new RequestCounters();
  const batchCommands = new RequestCounters();
  const faults = new FaultGate<Bitrix24FaultKind>(resolved.faults, counters);
  const dispatcher: Dispatcher = {
    methods: resolved.methods,
    portal,
    operating,
    clock: resolved.clock,
    operatingCost: resolved.operatingCost,
  };

  const app = Fastify({ logger: resolved.logger, bodyLimit: BODY_LIMIT });
  registerFormBodies(app);
  registerBitrix24Errors(app);
  faults.install(app);
  await app.register(oauthRoutes(credentials, resolved));
  await app.register(
    bitrix24Inspection({
      portal,
      credentials,
      bucket,
      operating,
      counters,
      batchCommands,
      faults,
      options: resolved,
      reset: () => {
        portal.reset();
        credentials.reset();
        bucket.reset();
        operating.reset();
        counters.reset();
        batchCommands.reset();
        faults.reset();
      },
    }),
  );
  await app.register(pageRoutes(portal));
  await app.register(uploadRoutes({ portal, bucket, counters, faults, options: resolved }));
  await app.register(
    restRoutes({ dispatcher, credentials, bucket, counters, batchCommands, faults, options: resolved }),
  );

  return {
    app,
    options: resolved,
    portal,
    listen: async (port = 0, host = '127.0.0.1') => {
      const url = await listenOn(app, port, host);
      // File links in the portal's answers point at where it listens.
      portal.options.baseUrl = url;
      return url;
    },
    close: () => app.close(),
  };
}
