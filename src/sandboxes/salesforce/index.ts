import Fastify, { type FastifyInstance } from 'fastify';
import { listenOn } from '../listen.js';
import { notFound } from './errors.js';
import { registerBodyParsers, registerSalesforceErrors } from './http-errors.js';
import { resolveOptions, type SalesforceSandboxOptions } from './options.js';
import { SandboxOrg } from './org.js';
import { recordPageRoutes } from './record-page.js';
import { NODE_MAX_HEADER_SIZE, refuseOversizedRequest } from './request-size.js';
import {
  addLatency,
  admitApiRequest,
  isSubrequest,
  REST_RENDERER,
  releaseRequestLock,
} from './routes/api-guard.js';
import { authorizeRoutes } from './routes/authorize.js';
import { collectionRoutes } from './routes/collections.js';
import { compositeRoutes } from './routes/composite.js';
import { describeRoutes, versionList } from './routes/describe.js';
import { inspectionRoutes } from './routes/inspection.js';
import { metadataRoutes } from './routes/metadata.js';
import { oauthRoutes } from './routes/oauth.js';
import { queryRoutes } from './routes/query.js';
import { searchRoutes } from './routes/search.js';
import { sobjectRoutes } from './routes/sobjects.js';

export { DEMO_JWT_PRIVATE_KEY_PEM, DEMO_JWT_PUBLIC_KEY_PEM } from './auth/demo-jwt-key.js';
export {
  DEMO_CLIENT,
  DEMO_USERNAME,
  type FaultKind,
  type FaultKindOption,
  type FaultOptions,
  type JwtAudience,
  type OAuthClient,
  type SalesforceSandboxOptions,
} from './options.js';
export { fileDownloadPath, recordPagePath } from './record-page.js';
export { WHATSAPP_CHAT_METADATA } from './schema/whatsapp-chat.js';

/** A running (or ready to run) Salesforce sandbox. */
export interface SalesforceSandbox {
  /** The Fastify app; tests drive it with `app.inject()` without listening. */
  readonly app: FastifyInstance;
  /** Listens on 127.0.0.1 (or `host`) and resolves with the base URL, e.g. `http://127.0.0.1:4100`. Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening, cutting requests held by timeout faults. */
  close(): Promise<void>;
}

// Salesforce accepts JSON bodies up to 50 MB (base64 file content up to 37.5 MB); leave room for that.
const BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Builds a local stand-in for a Salesforce org: OAuth token endpoint, REST data API (query, SOSL
 * search in phone fields, sObjects, composite, collections), the Metadata API's createMetadata, Lightning
 * record pages and file downloads for people (record-page.ts), and `/__sandbox/`
 * inspection routes for tests. State is in memory and belongs to this instance.
 */
export async function buildSalesforceSandbox(
  options: SalesforceSandboxOptions = {},
): Promise<SalesforceSandbox> {
  const org = new SandboxOrg(resolveOptions(options));
  const app = Fastify({
    logger: org.options.logger,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    http: { maxHeaderSize: NODE_MAX_HEADER_SIZE },
  });
  registerBodyParsers(app);
  registerSalesforceErrors(app);

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/services/') || isSubrequest(org, request)) return;
    // Refused at the org's front door: not an API request, so neither counted nor faulted.
    if (refuseOversizedRequest(request, reply)) return reply;
    org.counters.recordRequest(`${request.method} ${request.routeOptions.url ?? '(no route)'}`);
    await addLatency(org);
  });
  app.addHook('onResponse', async (request) => releaseRequestLock(request));
  app.addHook('onRequestAbort', async (request) => releaseRequestLock(request));
  org.faults.install(app);

  app.get('/services/data', async () => versionList(org.options.apiVersion));
  await app.register(oauthRoutes(org));
  await app.register(authorizeRoutes(org));
  await app.register(metadataRoutes(org));
  await app.register(inspectionRoutes(org));
  await app.register(recordPageRoutes(org));
  await app.register(
    async (data) => {
      data.addHook('preHandler', async (request, reply) => {
        const { version } = request.params as { version?: string };
        if (version !== undefined && !/^v\d+\.\d$/.test(version)) throw notFound();
        const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (!(await admitApiRequest(org, request, reply, { token, renderer: REST_RENDERER }))) return reply;
      });
      await data.register(queryRoutes(org));
      await data.register(searchRoutes(org));
      await data.register(describeRoutes(org));
      await data.register(sobjectRoutes(org));
      await data.register(compositeRoutes(org, () => app));
      await data.register(collectionRoutes(org));
    },
    { prefix: '/services/data' },
  );

  return {
    app,
    listen: (port = 0, host = '127.0.0.1') => listenOn(app, port, host),
    close: () => app.close(),
  };
}
