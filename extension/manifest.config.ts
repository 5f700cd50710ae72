import { defineManifest } from '@crxjs/vite-plugin';
import pkg from '../package.json' with { type: 'json' };

/**
 * The extension's manifest (Manifest V3). It asks for nothing up front beyond WhatsApp Web itself: the
 * wasync server's origin is asked for at sign-in (optional_host_permissions), for that origin only.
 */
export default defineManifest({
  manifest_version: 3,
  name: 'wasync: CRM beside WhatsApp Web',
  short_name: 'wasync',
  description: "Shows the CRM record of the chat open in WhatsApp Web, from your team's own wasync server.",
  version: pkg.version,
  icons: { 16: 'icons/16.png', 48: 'icons/48.png', 128: 'icons/128.png' },
  action: { default_title: 'wasync: show or hide the CRM card' },
  options_ui: { page: 'options.html', open_in_tab: true },
  background: { service_worker: 'src/background.ts', type: 'module' },
  content_scripts: [
    { matches: ['https://web.whatsapp.com/*'], js: ['src/content.ts'], run_at: 'document_idle' },
  ],
  // The sidebar is a page of the extension in a frame on WhatsApp Web: it alone talks to wasync.
  web_accessible_resources: [{ resources: ['sidebar.html'], matches: ['https://web.whatsapp.com/*'] }],
  // storage: the server URL, the token, the choices. scripting: wa-js is registered only when turned on.
  permissions: ['storage', 'scripting'],
  host_permissions: ['https://web.whatsapp.com/*'],
  optional_host_permissions: ['https://*/*', 'http://*/*'],
});
