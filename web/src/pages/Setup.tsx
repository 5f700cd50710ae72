import { Accounts } from './setup/Accounts';
import { Alerts } from './setup/Alerts';
import { Connections } from './setup/Connections';
import { Exclusions, Settings } from './setup/Settings';

/** Setup (admins): CRM connections, WhatsApp numbers, settings, alerts, and what is never backed up. */
export function SetupPage() {
  return (
    <div className="stack-lg">
      <Connections />
      <Accounts />
      <Settings />
      <Alerts />
      <Exclusions />
    </div>
  );
}
