/**
 * Zoho connections opened as another wasync process opens them: its own ConnectionService (own token
 * lease holder, own token holder) over the harness's store, with a clock the test moves. The stored
 * session and the sign-in lease are the store's, shared with every other process of the connection.
 */

import { ConnectionService } from '../../src/crms/connections.js';
import { CrmRegistry } from '../../src/crms/registry.js';
import type { ZohoToken } from '../../src/crms/zoho/auth.js';
import { zohoDestination, zohoSignIn } from '../../src/crms/zoho/connection.js';
import { zohoKind } from '../../src/crms/zoho/kind.js';
import { createGuardedFetch } from '../../src/net/guarded-fetch.js';
import type { Harness } from './harness.js';

/** A process's connections, where Zoho's token window and "today" are read on `clock`. */
export function zohoProcess(h: Harness, clock: () => number): ConnectionService {
  const registry = new CrmRegistry();
  registry.register({
    ...zohoKind,
    // As the kind opens a stored connection (kind.ts), the clock aside.
    open: (connection) => {
      const signIn = zohoSignIn(
        connection.settings,
        connection.secrets,
        connection.guarded,
        connection.tokenStore<ZohoToken>(),
        { clock },
      );
      return { destination: () => zohoDestination(connection.settings, signIn, { clock }) };
    },
  });
  return new ConnectionService(
    h.services.store.connections,
    h.services.secretKey,
    createGuardedFetch({ allow: h.config.outboundAllow }),
    registry,
  );
}
