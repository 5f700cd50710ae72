import { Command } from 'commander';
import type { AccountHealth, HealthSign } from '../health/health.js';
import { openServices, type Services } from '../services.js';
import { stateCounts } from '../store/repositories/crm-chat-state.js';
import { type Clock, count, table, when } from './format.js';
import { describeSummary } from './sync.js';
import { dataDirOption, withConfig } from './with-config.js';

export function statusCommand(): Command {
  return new Command('status')
    .description(
      'Show accounts with their chats, messages, last message time, (Cloud API) webhook health and (linked device) session state, and each CRM connection with its state, last and next sync, and linked contacts and leads with their last sync time.',
    )
    .option('--json', 'print JSON instead of a table')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: { json?: boolean }) => {
        const services = await openServices(config);
        try {
          const { store, workspace } = services;
          const [accounts, stats] = await Promise.all([
            store.accounts.list(workspace.id),
            store.accounts.stats(workspace.id),
          ]);
          const rows: AccountStatus[] = [];
          const sessions = await store.whatsappWebSessions.getMany(accounts.map((a) => a.id));
          const access = await store.access.of(accounts.map((a) => a.id));
          const health = await services.alerts.health.accounts(accounts, Date.now());
          for (const a of accounts) {
            const cloud = a.sourceKind === 'whatsapp_cloud' ? await services.cloud.view(a.id) : undefined;
            const linked = sessions.get(a.id);
            rows.push({
              id: a.id,
              phone: a.phone,
              source: a.sourceKind,
              chats: stats.get(a.id)?.chats ?? 0,
              messages: stats.get(a.id)?.messages ?? 0,
              lastMessageAt: a.lastMessageAt?.toISOString() ?? null,
              // Who reads its chats: the owner, the visibility, the people it is shared with.
              owner: access.get(a.id)?.owner?.email ?? null,
              visibility: a.visibility,
              sharedWith: access.get(a.id)?.sharedWith.map((p) => p.email) ?? [],
              health: healthStatus(health.get(a.id)),
              // Cloud API webhook health: last signed delivery, refused signatures, deliveries waiting.
              webhook: cloud
                ? {
                    lastDeliveryAt: cloud.lastDeliveryAt?.toISOString() ?? null,
                    signatureFailures: cloud.signatureFailures,
                    pending: cloud.deliveries.pending,
                    lastError: cloud.deliveries.lastError ?? null,
                    parked: cloud.deliveries.parked,
                    lastParkedReason: cloud.deliveries.lastParkedReason ?? null,
                  }
                : null,
              // A number shared with the WhatsApp Business app: the sync requests and history received.
              coexistence: cloud?.coexistence
                ? {
                    onboardedAt: cloud.coexistence.onboardedAt.toISOString(),
                    windowClosesAt: cloud.coexistence.windowClosesAt.toISOString(),
                    requests: cloud.coexistence.requests.map((r) => ({
                      syncType: r.syncType,
                      requestId: r.requestId ?? null,
                      requestedAt: r.requestedAt?.toISOString() ?? null,
                      error: r.error ?? null,
                    })),
                    history: Object.fromEntries(
                      Object.entries(cloud.historyProgress).map(([phase, p]) => [
                        phase,
                        { chunks: p.chunks.length, progress: p.progress },
                      ]),
                    ),
                  }
                : null,
              // Linked-device session: state, why, last event, the gap being filled, history progress.
              linkedDevice:
                a.sourceKind === 'linked_device'
                  ? {
                      state: linked?.state ?? 'unpaired',
                      reason: linked?.reason ?? null,
                      since: linked?.stateAt.toISOString() ?? null,
                      lastEventAt: linked?.lastEventAt?.toISOString() ?? null,
                      gapSince: linked?.gapSince?.toISOString() ?? null,
                      history: Object.fromEntries(
                        Object.entries(linked?.history ?? {}).map(([phase, h]) => [
                          phase,
                          { messages: h.messages, progress: h.progress, complete: h.complete },
                        ]),
                      ),
                    }
                  : null,
            });
          }
          const totals = {
            accounts: rows.length,
            chats: rows.reduce((n, r) => n + r.chats, 0),
            messages: rows.reduce((n, r) => n + r.messages, 0),
          };
          const connections = await connectionStatuses(services);
          const document = { database: config.database.dialect, totals, accounts: rows, connections };
          if (options.json) {
            process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
            return;
          }
          const { timeZone } = await store.workspaces.settings(workspace.id);
          process.stdout.write(statusText(document, { now: new Date(), timeZone }));
        } finally {
          await services.close();
        }
      }),
    );
}

type ConnectionStatus = Awaited<ReturnType<typeof connectionStatuses>>[number];

/** Health as `status --json` carries it. */
export interface HealthStatusJson {
  status: 'ok' | 'warning' | 'trouble';
  signs: { code: string; level: 'warning' | 'trouble'; message: string; since: string | null }[];
}

function healthStatus(health: AccountHealth | undefined): AccountStatus['health'] {
  return {
    status: health?.status ?? 'ok',
    connected: health?.connected ?? null,
    signs: signsJson(health?.signs ?? []),
  };
}

function signsJson(signs: readonly HealthSign[]): HealthStatusJson['signs'] {
  return signs.map((s) => ({
    code: s.code,
    level: s.level,
    message: s.message,
    since: s.since?.toISOString() ?? null,
  }));
}

/** An account as `status --json` carries it: absent values are null, times ISO 8601 UTC. */
export interface AccountStatus {
  id: string;
  phone: string;
  source: string;
  chats: number;
  messages: number;
  lastMessageAt: string | null;
  owner: string | null;
  visibility: string;
  sharedWith: string[];
  /** ok, warning or trouble, whether messages arrive, and the signs (see src/health). */
  health: HealthStatusJson & { connected: boolean | null };
  webhook: {
    lastDeliveryAt: string | null;
    signatureFailures: number;
    pending: number;
    lastError: string | null;
    parked: number;
    lastParkedReason: string | null;
  } | null;
  coexistence: {
    onboardedAt: string;
    windowClosesAt: string;
    requests: {
      syncType: string;
      requestId: string | null;
      requestedAt: string | null;
      error: string | null;
    }[];
    /** Per history phase (0, 1, 2): chunks received and Meta's progress in percent. */
    history: Record<string, { chunks: number; progress: number }>;
  } | null;
  linkedDevice: {
    state: string;
    reason: string | null;
    since: string | null;
    lastEventAt: string | null;
    gapSince: string | null;
    history: Record<string, { messages: number; progress: number; complete: boolean }>;
  } | null;
}

/** What `status --json` prints. */
export interface StatusDocument {
  database: string;
  totals: { accounts: number; chats: number; messages: number };
  accounts: AccountStatus[];
  connections: ConnectionStatus[];
}

/** Each CRM connection as `status --json` carries it: absent values are null, times ISO 8601 UTC. */
export async function connectionStatuses(services: Services) {
  const { connections, sync, records, workspace } = services;
  const result = [];
  const health = await services.alerts.health.connections(workspace.id);
  for (const connection of await connections.list(workspace.id)) {
    const connectionHealth = health.get(connection.id);
    const status = await sync.status(connection.id);
    const links = await records.linkedRecords(connection.id);
    const { job } = status;
    const parked = connection.state === 'parked';
    // The kind as the registry knows it; a connection of a kind this build lacks says so.
    const definition = connections.registry.get(connection.kind);
    result.push({
      id: connection.id,
      name: connection.name,
      kind: connection.kind,
      kindName: definition?.displayName ?? null,
      capabilities: definition?.capabilities ?? null,
      state: connection.state,
      parkedReason: connection.parkedReason ?? null,
      health: {
        status: connectionHealth?.status ?? 'ok',
        signs: signsJson(connectionHealth?.signs ?? []),
      } satisfies HealthStatusJson,
      running: job?.running !== undefined,
      lastRun: job?.lastStartedAt
        ? {
            startedAt: job.lastStartedAt.toISOString(),
            finishedAt: job.lastFinishedAt?.toISOString() ?? null,
            summary: job.lastSummary ?? null,
          }
        : null,
      lastError: job?.lastError ?? null,
      // A parked connection does not run, whatever its queue row says.
      nextRunAt: parked ? null : (job?.runAt?.toISOString() ?? null),
      chats: stateCounts(status.chats),
      writes: status.writes,
      links: links.map(({ identity, link }) => ({
        phone: identity.phone ?? null,
        name: identity.name ?? null,
        record: { type: link.record.type, id: link.record.id, name: link.record.name ?? null },
        linkedBy: link.linkedBy,
        linkedAt: link.linkedAt.toISOString(),
        lastSyncedAt: link.lastSyncedAt?.toISOString() ?? null,
      })),
    });
  }
  return result;
}

/** What `status` prints, from the document `status --json` prints: times relative to the clock, in its zone. */
export function statusText(document: StatusDocument, clock: Clock): string {
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const { totals, accounts: rows } = document;
  out(
    `${count(totals.accounts, 'account')}, ${count(totals.chats, 'chat')}, ${count(totals.messages, 'message')} (${document.database}; times in ${clock.timeZone})`,
  );
  if (rows.length > 0) {
    out('');
    out(
      table(
        ['phone', 'source', 'health', 'owner', 'visibility', 'chats', 'messages', 'last message'],
        rows.map((r) => [
          r.phone,
          r.source,
          r.health.status,
          r.owner ?? '',
          r.visibility,
          r.chats,
          r.messages,
          when(r.lastMessageAt, clock),
        ]),
      ),
    );
  }
  for (const r of rows) {
    for (const sign of r.health.signs) {
      out(
        `${sign.level} ${r.phone}: ${sign.message}${sign.since ? ` (since ${when(sign.since, clock)})` : ''}`,
      );
    }
  }
  for (const r of rows) {
    if (!r.webhook) continue;
    const w = r.webhook;
    out(
      `webhook ${r.phone}: last delivery ${when(w.lastDeliveryAt, clock)}, ${count(w.signatureFailures, 'signature failure')}, ${w.pending} waiting${w.lastError ? ` (last error: ${w.lastError})` : ''}, ${w.parked} parked${w.lastParkedReason ? ` (last: ${w.lastParkedReason})` : ''}`,
    );
  }
  for (const r of rows) {
    const c = r.coexistence;
    if (!c) continue;
    const requests = c.requests
      .map((q) =>
        q.requestId
          ? `${q.syncType} asked ${when(q.requestedAt, clock)}`
          : `${q.syncType} not accepted${q.error ? ` (${q.error})` : ''}`,
      )
      .join(', ');
    const phases = Object.entries(c.history)
      .map(([phase, h]) => `phase ${phase} ${count(h.chunks, 'chunk')} (${h.progress}%)`)
      .join(', ');
    const open = Date.parse(c.windowClosesAt) > clock.now.getTime();
    out(
      `coexistence ${r.phone}: ${requests || 'nothing asked yet'}; ${phases ? `history ${phases}` : 'no history yet'}; request window ${open ? `open until ${when(c.windowClosesAt, clock)}` : 'closed'}`,
    );
  }
  for (const r of rows) {
    const d = r.linkedDevice;
    if (!d) continue;
    const history = Object.entries(d.history)
      .map(([phase, h]) => `${phase} ${count(h.messages, 'message')}${h.complete ? '' : ` (${h.progress}%)`}`)
      .join(', ');
    out(
      `linked device ${r.phone}: ${d.state.replace('_', ' ')}${d.reason ? ` (${d.reason})` : ''}; last event ${when(d.lastEventAt, clock)}${d.gapSince ? `; filling the gap since ${when(d.gapSince, clock)}` : ''}${history ? `; history: ${history}` : ''}`,
    );
    if (d.state === 'unpaired' || d.state === 'logged_out') {
      out(`  pair it: wasync link-device --account ${r.phone}`);
    }
  }
  for (const connection of document.connections) lines.push(...connectionLines(connection, clock));
  return `${lines.join('\n')}\n`;
}

function connectionLines(connection: ConnectionStatus, clock: Clock): string[] {
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const state =
    connection.state === 'parked' ? `parked: ${connection.parkedReason ?? 'a person must act'}` : 'active';
  out('');
  out(
    `CRM connection ${connection.name} (${connection.kind}${connection.kindName ? '' : ', a kind this build does not know'}): ${state}${connection.running ? ', syncing now' : ''}`,
  );
  const { lastRun } = connection;
  if (!lastRun) out('  last run: never');
  else {
    out(
      `  last run: ${when(lastRun.startedAt, clock)}${lastRun.summary ? `: ${describeSummary(lastRun.summary)}` : ''}`,
    );
  }
  if (connection.lastError) out(`  last error: ${connection.lastError}`);
  for (const sign of connection.health.signs) out(`  ${sign.level}: ${sign.message}`);
  out(`  next run: ${when(connection.nextRunAt, clock, 'none queued')}`);
  const { chats, writes } = connection;
  out(
    `  chats: ${chats.inCrm} in CRM, ${chats.waiting} waiting, ${chats.failed} failed, ${chats.notInCrm} not in CRM, ${chats.excluded} excluded; writes: ${writes.done} done, ${writes.failed} failed, ${writes.rejected} rejected`,
  );
  const notDone = writes.intent + writes.failed + writes.rejected;
  if (notDone > 0) {
    out(`  ${count(notDone, 'write')} not done: GET /api/v1/connections/${connection.id}/sync says why`);
  }
  if (connection.links.length === 0) {
    out('  no linked contacts or leads yet');
    return lines;
  }
  out('');
  out(
    table(
      ['phone', 'name', 'record', 'type', 'id', 'linked by', 'last synced'],
      connection.links.map((link) => [
        link.phone ?? '',
        link.name ?? '',
        link.record.name ?? '',
        link.record.type,
        link.record.id,
        link.linkedBy,
        when(link.lastSyncedAt, clock),
      ]),
    ).replace(/^/gm, '  '),
  );
  return lines;
}
