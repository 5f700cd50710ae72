import type { FastifyInstance } from 'fastify';

export interface InspectionOptions {
  /** What the sandbox is; says that these routes are for tests and demos, not the vendor's API. */
  description: string;
  /** Further facts the index reports (an org id, the configured clients). */
  details?: () => Record<string, unknown>;
  /** The request and fault counters, and anything else the vendor counts. */
  counters: () => Record<string, unknown>;
  /** Returns the sandbox to its starting state. */
  reset: () => void;
  /** The vendor's own inspection routes, each under `/__sandbox/`. */
  routes: (app: FastifyInstance) => void | Promise<void>;
}

/**
 * Test and demo controls under `/__sandbox/`, without auth, as every sandbox offers them: an index
 * listing the routes (read from the routes registered, so it cannot fall behind), the counters, a
 * reset, and the vendor's own seeding and reading routes. Adapters must never call them.
 */
export function inspectionRoutes(options: InspectionOptions) {
  return async (app: FastifyInstance) => {
    const listed: string[] = [];
    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/__sandbox/')) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) if (method !== 'HEAD') listed.push(`${method} ${route.url}`);
    });
    app.get('/__sandbox', async () => ({
      description: options.description,
      ...options.details?.(),
      routes: listed,
    }));
    app.get('/__sandbox/counters', async () => options.counters());
    app.post('/__sandbox/reset', async () => {
      options.reset();
      return { reset: true };
    });
    await options.routes(app);
  };
}
