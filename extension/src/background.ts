/**
 * The extension's service worker: the toolbar button shows or hides the sidebar (or, before sign-in,
 * opens the options), and wa-js is registered into WhatsApp Web's page only while the rep has it
 * turned on, so it is not even loaded otherwise.
 */

import { onSettingsChanged, readSettings, type Settings, writeSettings } from './settings';
import bridgeScript from './wa-js-bridge.iife.ts?script';

const WA_JS_SCRIPT = 'wasync-wa-js';

async function registerWaJs(settings: Settings): Promise<void> {
  const registered = await chrome.scripting.getRegisteredContentScripts({ ids: [WA_JS_SCRIPT] });
  if (settings.useWaJs && registered.length === 0) {
    await chrome.scripting.registerContentScripts([
      {
        id: WA_JS_SCRIPT,
        matches: ['https://web.whatsapp.com/*'],
        js: [bridgeScript],
        // wa-js finds WhatsApp Web's modules as they load: it must be there from the start.
        runAt: 'document_start',
        world: 'MAIN',
        persistAcrossSessions: true,
      },
    ]);
  } else if (!settings.useWaJs && registered.length > 0) {
    await chrome.scripting.unregisterContentScripts({ ids: [WA_JS_SCRIPT] });
  }
}

chrome.runtime.onInstalled.addListener(() => void readSettings().then(registerWaJs));
chrome.runtime.onStartup.addListener(() => void readSettings().then(registerWaJs));
onSettingsChanged((settings) => void registerWaJs(settings));

chrome.action.onClicked.addListener(() => {
  void readSettings().then((settings) => {
    if (!settings.serverUrl || !settings.token) return chrome.runtime.openOptionsPage();
    return writeSettings({ sidebarHidden: !settings.sidebarHidden });
  });
});
