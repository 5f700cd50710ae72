import type { Bitrix24Transport } from './transport.js';

/**
 * Whether the portal's CRM has leads: `crm.settings.mode.get` answers 1 (classic: leads and deals) or
 * 2 (simple: no leads; a new lead becomes a deal and a contact) (b24restdocs
 * `api-reference/crm/settings/crm-settings-mode-get.md`, the enum `crm.enum.settings.mode`). Read
 * once per destination (a sync run): an administrator may switch modes at any time.
 */
export class CrmMode {
  private once: Promise<boolean> | undefined;

  constructor(private readonly transport: Bitrix24Transport) {}

  usesLeads(): Promise<boolean> {
    this.once ??= this.transport
      .call<number | string>('crm.settings.mode.get')
      .then((answer) => Number(answer.result) !== 2)
      .catch((error: unknown) => {
        this.once = undefined;
        throw error;
      });
    return this.once;
  }
}
