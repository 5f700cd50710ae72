import type { FastifyInstance } from 'fastify';

/** Listens on `host:port` (0 picks a free port) and answers the base URL a client should use. */
export async function listenOn(app: FastifyInstance, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
}
