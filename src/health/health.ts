import type { Account } from '../core/model.js';
import { count } from '../core/words.js';
import type { Store } from '../store/index.js';
import type { ConnectionSignal, SessionSignal } from '../store/repositories/health.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When a Cloud API webhook counts as silent: longer than max(6 h, 4 × the median gap between its
 * deliveries over the last 14 days). Meta delivers every message and every status update of a number,
 * so a busy number's gaps are minutes and one that goes quiet for hours has lost its webhook; a quiet
 * number's gaps are long and its threshold grows with them. The median (not the mean) ignores the
 * night and the weekend; four times it is beyond a normal lull; six hours is the floor so a burst of
 * deliveries does not make a normal pause look like trouble. With fewer than 10 gaps the number has no
 * usual rhythm yet and 72 h applies.
 */
export const WEBHOOK_SILENCE = {
  windowMs: 14 * DAY,
  minimumGaps: 10,
  floorMs: 6 * HOUR,
  factor: 4,
  withoutRhythmMs: 72 * HOUR,
} as const;

/** A linked device disconnected (reconnecting) for longer than this has stopped capturing. */
export const DISCONNECTED_TROUBLE_MS = 30 * MINUTE;
/** Media that failed for good within this window are a sign. */
export const MEDIA_FAILURE_WINDOW_MS = DAY;
/** Sync runs failed in a row before a connection counts as failing. */
export const FAILING_RUNS = 3;

export type HealthLevel = 'warning' | 'trouble';
export type HealthStatus = 'ok' | HealthLevel;

/** One sign of trouble: a stable code, words for people, and since when it holds where that is known. */
export interface HealthSign {
  code: string;
  level: HealthLevel;
  message: string;
  since: Date | undefined;
}

export interface Health {
  /** trouble when any sign is trouble (it stopped capturing or syncing), warning when any is a warning. */
  status: HealthStatus;
  signs: HealthSign[];
}

export interface AccountHealth extends Health {
  /** Whether messages are arriving: a linked device's socket is up, a webhook is not silent; undefined for numbers fed by REST or imports. */
  connected: boolean | undefined;
  lastMessageAt: Date | undefined;
}

function healthOf(signs: HealthSign[]): Health {
  const status: HealthStatus = signs.some((s) => s.level === 'trouble')
    ? 'trouble'
    : signs.length > 0
      ? 'warning'
      : 'ok';
  return { status, signs };
}

/** The median of the gaps between consecutive times (sorted ascending); undefined with fewer than two. */
export function medianGap(times: readonly number[]): number | undefined {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push((times[i] as number) - (times[i - 1] as number));
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  const middle = Math.floor(gaps.length / 2);
  return gaps.length % 2 === 1
    ? (gaps[middle] as number)
    : ((gaps[middle - 1] as number) + (gaps[middle] as number)) / 2;
}

/** How long this webhook may stay quiet before it counts as silent (see WEBHOOK_SILENCE). */
export function silenceThreshold(deliveryTimes: readonly number[]): number {
  const median = medianGap(deliveryTimes);
  if (median === undefined || deliveryTimes.length - 1 < WEBHOOK_SILENCE.minimumGaps)
    return WEBHOOK_SILENCE.withoutRhythmMs;
  return Math.max(WEBHOOK_SILENCE.floorMs, WEBHOOK_SILENCE.factor * median);
}

const hours = (ms: number) => {
  const h = ms / HOUR;
  return h < 1 ? `${Math.round(ms / MINUTE)} min` : `${Math.round(h * 10) / 10} h`;
};

/**
 * The health of numbers and CRM connections, computed in this one place for the API, `wasync status`,
 * the workspace and the alerts to admins. `now` is the clock (tests fix it).
 */
export class HealthService {
  constructor(private readonly store: Pick<Store, 'health'>) {}

  async accounts(accounts: readonly Account[], now: number): Promise<Map<string, AccountHealth>> {
    const ids = accounts.map((a) => a.id);
    const [sessions, media] = await Promise.all([
      this.store.health.sessions(ids.filter((_, i) => accounts[i]?.sourceKind === 'linked_device')),
      this.store.health.mediaFailures(ids, now - MEDIA_FAILURE_WINDOW_MS),
    ]);
    const result = new Map<string, AccountHealth>();
    for (const account of accounts) {
      const signs: HealthSign[] = [];
      let connected: boolean | undefined;
      if (account.sourceKind === 'linked_device') {
        const session = sessions.get(account.id);
        connected = session?.state === 'connected';
        signs.push(...linkedDeviceSigns(account, session, now));
      } else if (account.sourceKind === 'whatsapp_cloud') {
        const webhook = await this.webhookSigns(account, now);
        connected = webhook.connected;
        signs.push(...webhook.signs);
      }
      const failed = media.get(account.id);
      if (failed) {
        signs.push({
          code: 'media_failing',
          level: 'warning',
          message: `${count(failed.count, 'media file')} could not be downloaded in the last day${failed.lastFailure ? ` (last: ${failed.lastFailure})` : ''}.`,
          since: failed.lastAt,
        });
      }
      result.set(account.id, { ...healthOf(signs), connected, lastMessageAt: account.lastMessageAt });
    }
    return result;
  }

  /** Each CRM connection's health: parked (needs attention) or its runs failing. */
  async connections(workspaceId: string): Promise<Map<string, Health & { name: string }>> {
    const result = new Map<string, Health & { name: string }>();
    for (const connection of await this.store.health.connections(workspaceId)) {
      result.set(connection.id, { ...healthOf(connectionSigns(connection)), name: connection.name });
    }
    return result;
  }

  private async webhookSigns(
    account: Account,
    now: number,
  ): Promise<{ connected: boolean | undefined; signs: HealthSign[] }> {
    const cloud = await this.store.health.webhook(account.id);
    if (!cloud) return { connected: undefined, signs: [] };
    const signs: HealthSign[] = [];
    const last = cloud.lastDeliveryAt?.getTime();
    if (
      cloud.lastSignatureFailureAt &&
      (last === undefined || cloud.lastSignatureFailureAt.getTime() > last)
    ) {
      signs.push({
        code: 'webhook_signature_failing',
        level: 'warning',
        message:
          "Webhooks arrive but are refused: their signature does not match the app secret. Check the app secret in the number's settings.",
        since: cloud.lastSignatureFailureAt,
      });
    }
    if (last === undefined) {
      if (now - account.createdAt.getTime() > DAY) {
        signs.push({
          code: 'webhook_never',
          level: 'warning',
          message:
            "No webhook has arrived since the number was connected: check the webhook URL and verify token in Meta's App Dashboard.",
          since: account.createdAt,
        });
      }
      return { connected: false, signs };
    }
    const times = await this.store.health.deliveryTimes(account.id, now - WEBHOOK_SILENCE.windowMs, 5_000);
    const threshold = silenceThreshold(times);
    const silent = now - last > threshold;
    if (silent) {
      signs.push({
        code: 'webhook_silent',
        level: 'trouble',
        message: `No webhook for ${hours(now - last)}, longer than this number's usual gaps allow (${hours(threshold)}): check the webhook subscription in Meta's App Dashboard.`,
        since: new Date(last),
      });
    }
    return { connected: !silent, signs };
  }
}

function linkedDeviceSigns(account: Account, session: SessionSignal | undefined, now: number): HealthSign[] {
  const state = session?.state ?? 'unpaired';
  const since = session?.stateAt ?? account.createdAt;
  const why = session?.reason ? ` (${session.reason})` : '';
  switch (state) {
    case 'connected':
      return [];
    case 'unpaired':
    case 'pairing':
      return [
        {
          code: 'not_paired',
          level: 'warning',
          message: 'Not paired: scan the QR code with the phone to start capturing.',
          since,
        },
      ];
    case 'connecting':
    case 'disconnected': {
      // Each reconnect attempt restamps the state; the open gap says when the connection was lost.
      const lost = session?.gapSince && session.gapSince < since ? session.gapSince : since;
      const long = now - lost.getTime() > DISCONNECTED_TROUBLE_MS;
      return [
        {
          code: 'disconnected',
          level: long ? 'trouble' : 'warning',
          message: long
            ? `Disconnected for ${hours(now - lost.getTime())}, still reconnecting${why}: nothing is captured meanwhile.`
            : `Reconnecting${why}.`,
          since: lost,
        },
      ];
    }
    case 'logged_out':
      return [
        {
          code: 'logged_out',
          level: 'trouble',
          message: `Logged out${why}: the device was unlinked on the phone. Pair it again to resume capturing.`,
          since,
        },
      ];
    case 'replaced':
      return [
        {
          code: 'replaced',
          level: 'trouble',
          message:
            'Another copy of this linked device connected (a second wasync, or a restored backup) and replaced this one, which stopped capturing.',
          since,
        },
      ];
    case 'banned': {
      const until = session?.pausedUntil;
      return [
        {
          code: 'banned',
          level: 'trouble',
          message: `WhatsApp has temporarily banned this number${until ? ` until ${until.toISOString()}` : ''}${why}: nothing is captured meanwhile.`,
          since,
        },
      ];
    }
    default:
      return [{ code: `state_${state}`, level: 'warning', message: `Linked device ${state}${why}.`, since }];
  }
}

function connectionSigns(connection: ConnectionSignal): HealthSign[] {
  if (connection.state === 'parked') {
    return [
      {
        code: 'needs_attention',
        level: 'trouble',
        message: `Needs attention, not syncing: ${connection.parkedReason ?? 'a person must act'}.`,
        since: connection.updatedAt,
      },
    ];
  }
  if (connection.attempts >= FAILING_RUNS) {
    return [
      {
        code: 'runs_failing',
        level: 'trouble',
        message: `The last ${connection.attempts} sync runs failed${connection.lastError ? `: ${connection.lastError}` : ''}.`,
        since: connection.lastSuccessAt ?? connection.lastFinishedAt,
      },
    ];
  }
  return [];
}
