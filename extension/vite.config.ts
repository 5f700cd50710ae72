import fs from 'node:fs';
import path from 'node:path';
import { crx } from '@crxjs/vite-plugin';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import manifest from './manifest.config';

/** wa-js is Apache-2.0: its licence ships with the extension that bundles it. */
function waJsLicence(): Plugin {
  return {
    name: 'wasync-wa-js-licence',
    generateBundle() {
      const dir = path.resolve(import.meta.dirname, '../node_modules/@wppconnect/wa-js');
      // The licence, and the notices of what wa-js itself bundles.
      for (const [from, to] of [
        ['LICENSE', 'wa-js-LICENSE.txt'],
        ['dist/wppconnect-wa.js.LICENSE.txt', 'wa-js-bundled-LICENSES.txt'],
      ] as const) {
        this.emitFile({
          type: 'asset',
          fileName: `third-party/${to}`,
          source: fs.readFileSync(path.join(dir, from), 'utf8'),
        });
      }
    },
  };
}

/**
 * Two things crxjs leaves in the build that the extension does not want: its web-accessible entry for
 * wa-js's bridge on every site (the service worker registers the bridge with the scripting API, which
 * needs none, and a resource any site can load tells them the extension is installed), and the ES
 * module copy of the bridge beside its self-contained build, which nothing loads.
 */
function trimBridge(): Plugin {
  return {
    name: 'wasync-trim-bridge',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const [name, output] of Object.entries(bundle)) {
        if (output.type === 'chunk' && /^assets\/wa-js-bridge\.iife\.ts-/.test(name)) {
          const used = Object.values(bundle).some(
            (other) =>
              other.type === 'chunk' && (other.imports.includes(name) || other.dynamicImports.includes(name)),
          );
          if (!used) delete bundle[name];
        }
      }
    },
    // crxjs settles the manifest's resources last of all: it is trimmed once written.
    writeBundle(options) {
      const file = path.join(options.dir ?? '', 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
        web_accessible_resources?: { resources: string[]; matches?: string[] }[];
      };
      manifest.web_accessible_resources = (manifest.web_accessible_resources ?? []).filter(
        (entry) => !entry.resources.every((resource) => resource.includes('wa-js-bridge')),
      );
      fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    },
  };
}

/**
 * The browser extension (Manifest V3), built into dist/extension; `npm run build:extension` packs it
 * into dist/wasync-extension-<version>.zip too. The sidebar and options pages share the web app's
 * React components, styles and API client (../web/src).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), crx({ manifest }), waJsLicence(), trimBridge()],
  build: {
    outDir: '../dist/extension',
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: { input: { sidebar: 'sidebar.html' } },
  },
  // crxjs's dev server is not used: the extension is loaded from its build.
  server: { strictPort: true },
});
