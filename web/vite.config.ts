import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The workspace web app: built into dist/web, which `wasync serve` serves at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // No source maps in the build: serve would hand the app's source to anyone (it refuses *.map too).
    sourcemap: false,
  },
  server: {
    // `npm run dev:web` next to `npm run dev`: the API is the serve on its default port.
    proxy: { '/api': 'http://127.0.0.1:3000', '/webhooks': 'http://127.0.0.1:3000' },
  },
});
