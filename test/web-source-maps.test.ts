import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerWebApp } from '../src/server/web.js';
import viteConfig from '../web/vite.config.js';

describe('source maps of the web app', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are not made by the production build', () => {
    expect(viteConfig).toMatchObject({ build: { sourcemap: false } });
  });

  it('are not served, should a build have left one: 404, while the asset beside it is served', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-web-'));
    dirs.push(root);
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>wasync</title>');
    fs.writeFileSync(
      path.join(root, 'assets', 'index-abc.js'),
      'console.log(1)\n//# sourceMappingURL=index-abc.js.map',
    );
    fs.writeFileSync(
      path.join(root, 'assets', 'index-abc.js.map'),
      '{"version":3,"sources":["../src/App.tsx"]}',
    );
    const app = Fastify();
    await registerWebApp(app, (_request, reply) => reply.status(404).send({ error: 'not found' }), root);
    try {
      const asset = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
      expect(asset.statusCode).toBe(200);
      for (const url of [
        '/assets/index-abc.js.map',
        '/assets/INDEX-ABC.JS.MAP',
        '/assets/index-abc.js.map?x=1',
      ]) {
        const map = await app.inject({ method: 'GET', url, headers: { accept: 'text/html,*/*' } });
        expect(map.statusCode, url).toBe(404);
        expect(map.body).not.toContain('sources');
      }
    } finally {
      await app.close();
    }
  });

  it('are not in the built app this checkout serves', () => {
    const assets = path.join(import.meta.dirname, '..', 'dist', 'web', 'assets');
    // The global setup builds dist/web when web/ is newer, so this is the build of this config.
    expect(fs.readdirSync(assets).filter((name) => name.endsWith('.map'))).toEqual([]);
  });
});
