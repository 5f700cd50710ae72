import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the web app (web/ built by Vite): dist/web at the package root, reached
 * the same from src/server (tests, tsx) and dist/server (the installed CLI).
 */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Paths the web app never owns: the API, webhooks, health and metrics. */
const SERVER_PATHS = /^\/(api|webhooks)(\/|$)|^\/(healthz|readyz|metrics)$/;

/**
 * Serves the workspace web app at `/`: its files, and index.html for any other page address (the app
 * routes in the browser), so a reload of /team or an invite link opens the app. Without a build, `/`
 * says how to make one instead of failing obscurely.
 */
export async function registerWebApp(
  app: FastifyInstance,
  notFound: (request: FastifyRequest, reply: FastifyReply) => unknown,
  root = WEB_ROOT,
): Promise<void> {
  const index = path.join(root, 'index.html');
  const built = fs.existsSync(index);
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: false,
      wildcard: false,
      // Source maps are the app's source: not served, should a build have made them (answered 404).
      allowedPath: (pathname) => !pathname.toLowerCase().endsWith('.map'),
      // Hashed assets never change under their name; the page itself is checked every time.
      setHeaders: (res, file) => {
        res.header(
          'cache-control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  const page = (reply: FastifyReply) =>
    built
      ? reply
          .header('cache-control', 'no-cache')
          .header('x-frame-options', 'DENY')
          .header('referrer-policy', 'same-origin')
          .sendFile('index.html', root)
      : reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The wasync web app is not built. Run `npm run build` (npm install does it), then restart.');
  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply));
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !SERVER_PATHS.test(pathname) &&
      !path.extname(pathname) &&
      (request.headers.accept ?? '').includes('text/html');
    return wantsPage ? page(reply) : notFound(request, reply);
  });
}
