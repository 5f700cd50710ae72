/** `crm.settings.mode.get` (b24restdocs api-reference/crm/crm-settings-mode-get.md): 1 classic, 2 simple. */
import type { MethodDefinition } from '../method.js';

export const settingsModeGet: MethodDefinition = {
  scope: 'crm',
  handle: (_params, context) => ({ result: context.portal.mode }),
};
