import type { FastifyInstance } from 'fastify';
import { ensureFirstAdminToken, type Services } from '../services.js';
import { buildApp } from './app.js';
import { buildProbeApp } from './probe-app.js';
import { readinessChecks } from './readiness.js';

/** A wasync serving HTTP with its background work running: what `wasync serve` and `wasync demo` start. */
export interface RunningServer {
  app: FastifyInstance;
  /** The port bound (the one asked for, or the free one picked for port 0). */
  port: number;
  /** Where to reach it, e.g. `http://127.0.0.1:3000` (a wildcard host shows as 127.0.0.1). */
  url: string;
  /** The admin token created on the very first start, to be shown once; undefined on every later start. */
  firstToken: string | undefined;
  /** Starts the sync worker, when `deferSync` kept it stopped. */
  startSync(): void;
  /** Stops serving and the background work, then closes the services. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the app on `services`, listens, makes the first admin token if none exists, and starts the
 * media fetcher and the sync worker. A listen that fails (bad or busy port) throws before the token
 * is made, so the one-time token is not used up by a start that did not happen.
 */
export async function startServer(
  services: Services,
  options: {
    port: number;
    host: string;
    logger?: boolean;
    /** The level of the line logged per request (see AppOptions); info by default. */
    requestLogLevel?: 'info' | 'debug';
    /** Leave the sync worker stopped until `startSync()` (the demo posts its chats first). */
    deferSync?: boolean;
    /**
     * `all` (the default): the API and every background part in this process. `api` (scale mode's
     * `wasync serve --role api`): HTTP only; the background work is the workers'.
     */
    role?: 'all' | 'api';
  },
): Promise<RunningServer> {
  const app = await buildApp(services, {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.requestLogLevel === undefined ? {} : { requestLogLevel: options.requestLogLevel }),
  });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const firstToken = await ensureFirstAdminToken(services);
  const port = boundPort(app, options.port);
  const role = options.role ?? 'all';
  // Messages ingested here (the REST ingest) ask for their real-time runs, whichever process runs them.
  services.realtime.start();
  if (role === 'all') {
    startBackground(services);
    if (!options.deferSync) services.syncWorker.start();
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    port,
    url: localUrl(options.host, port),
    firstToken,
    startSync: () => {
      if (role === 'all') services.syncWorker.start();
    },
    close: () => {
      closing ??= (async () => {
        await app.close();
        await services.close();
      })();
      return closing;
    },
  };
}

/** The background parts every worker runs beside the queue's jobs (each shares its work through the store). */
function startBackground(services: Services): void {
  services.mediaFetcher.start();
  services.webhookProcessor.start();
  services.imports.start();
  services.linkedDevices.start();
  services.audit.start();
  services.alerts.start();
}

/** A `wasync worker`: the background work and the queue's jobs, with `/healthz`, `/readyz`, `/metrics`. */
export interface RunningWorker {
  probe: FastifyInstance;
  port: number;
  url: string;
  /** Stops taking jobs, waits for the ones in progress, gives its sessions back, closes the services. */
  close(): Promise<void>;
}

/**
 * Starts the background work of scale mode's `wasync worker` (or of a process that serves no API):
 * sync runs and background passes from the queue, linked-device sessions up to the worker's share,
 * media and webhook sweeps, alerts, audit pruning; and a small HTTP listener for the probes.
 */
export async function startWorker(
  services: Services,
  options: { port: number; host: string },
): Promise<RunningWorker> {
  const probe = await buildProbeApp({
    metrics: services.metrics,
    metricsToken: services.config.metricsToken,
    checks: readinessChecks(services),
  });
  try {
    await probe.listen({ port: options.port, host: options.host });
  } catch (error) {
    await probe.close();
    throw error;
  }
  const port = boundPort(probe, options.port);
  services.realtime.start();
  startBackground(services);
  services.syncWorker.start();
  let closing: Promise<void> | undefined;
  return {
    probe,
    port,
    url: localUrl(options.host, port),
    close: () => {
      closing ??= (async () => {
        await probe.close();
        await services.close();
      })();
      return closing;
    },
  };
}

/** The port bound: the one asked for, or the free one picked for port 0. */
function boundPort(app: FastifyInstance, asked: number): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : asked;
}

/** Where this machine reaches a listener on `host` (a wildcard host shows as 127.0.0.1). */
function localUrl(host: string, port: number): string {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
}
