import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { BackgroundPass } from '../core/background-pass.js';
import { WasyncError } from '../core/errors.js';
import type { Workspace } from '../core/model.js';
import type { SecretBox } from '../core/secret-box.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { checkOutboundUrl, UrlForbiddenError } from '../net/outbound-url.js';
import type { Store } from '../store/index.js';
import {
  type AlertChannel,
  type AlertEvent,
  type AlertSubject,
  alertSmtpContext,
  alertWebhookContext,
  type SentAlert,
  type StoredAlertSettings,
  type Trouble,
} from '../store/repositories/alerts.js';
import { HealthService } from './health.js';

/** How often the server looks for troubles that started or cleared. */
export const ALERT_CHECK_MS = 60_000;
const SEND_TIMEOUT_MS = 10_000;
/**
 * Waits before each new try of an alert the receiver did not take (down, refusing, unreachable): five
 * more tries over about four and a half hours, so a short outage of the receiver loses nothing and a
 * broken one is not hammered. A test alert is not tried again: the admin who sent it sees the answer.
 */
export const ALERT_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 900_000, 3_600_000, 10_800_000];

/** Where alerts go, as an admin sees it: secrets never come back, only whether one is set. */
export interface AlertSettingsView {
  webhookUrl: string | undefined;
  webhookSigned: boolean;
  smtp:
    | {
        host: string;
        port: number;
        secure: boolean;
        user: string | undefined;
        passwordSet: boolean;
        from: string;
      }
    | undefined;
  /** Who the e-mail goes to: the workspace's admins. */
  recipients: string[];
}

/** An SMTP server as an admin sets it; `password` undefined keeps the one stored. */
export interface SmtpChange {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | null | undefined;
  from: string;
}

/** What an alert's receiver gets, as JSON. */
export interface AlertPayload {
  event: AlertEvent;
  workspace: { id: string; name: string };
  subject: AlertSubject;
  code: string;
  message: string;
  /** When the trouble started (started, cleared). */
  since: string | undefined;
  at: string;
}

/**
 * The signature header of a signed alert: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * under the webhook's secret. Receivers recompute it over the raw body and refuse an old `t`.
 */
export function alertSignature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Alerts to the workspace's admins when a number stops capturing or a CRM connection stops syncing:
 * each trouble sign (see HealthService) is announced once when it starts and once when it clears,
 * to the workspace's webhook (a JSON POST, HMAC-signed when a secret is set). Runs on `wasync
 * serve`'s background rhythm; every alert sent, or tried, is recorded.
 */
export class AlertService {
  readonly health: HealthService;
  private readonly pass: BackgroundPass;

  constructor(
    private readonly options: {
      store: Store;
      workspace: Workspace;
      box: SecretBox;
      fetch: GuardedFetch;
      logger: Logger;
      pollMs?: number | undefined;
      now?: (() => number) | undefined;
    },
  ) {
    this.health = new HealthService(options.store);
    this.pass = new BackgroundPass(() => this.check(), {
      pollMs: options.pollMs ?? ALERT_CHECK_MS,
      onError: (error) => options.logger.error({ err: error }, 'alert check failed'),
    });
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  start(): void {
    this.pass.start();
  }

  stop(): Promise<void> {
    return this.pass.stop();
  }

  async settings(): Promise<AlertSettingsView> {
    const stored = await this.options.store.alerts.settings(this.options.workspace.id);
    const { smtp } = stored;
    return {
      webhookUrl: stored.webhookUrl,
      webhookSigned: stored.sealedWebhookSecret !== undefined,
      smtp: smtp && {
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        user: smtp.user,
        passwordSet: smtp.sealedPassword !== undefined,
        from: smtp.from,
      },
      recipients: await this.recipients(),
    };
  }

  /** The e-mail addresses of the workspace's admins. */
  private async recipients(): Promise<string[]> {
    const people = await this.options.store.people.list(this.options.workspace.id);
    return people.filter((p) => p.role === 'admin').map((p) => p.email);
  }

  /** Changes where alerts go; undefined keeps a field, null removes it. The URL is checked like any outbound URL. */
  async configure(change: {
    webhookUrl?: string | null | undefined;
    webhookSecret?: string | null | undefined;
    smtp?: SmtpChange | null | undefined;
  }): Promise<AlertSettingsView> {
    const workspaceId = this.options.workspace.id;
    if (typeof change.webhookUrl === 'string') {
      try {
        checkOutboundUrl(change.webhookUrl, this.options.fetch.allow);
      } catch (error) {
        if (error instanceof UrlForbiddenError)
          throw new WasyncError('url_forbidden', error.message, { field: 'webhookUrl' });
        throw error;
      }
    }
    await this.options.store.alerts.updateSettings(workspaceId, {
      ...(change.webhookUrl !== undefined ? { webhookUrl: change.webhookUrl } : {}),
      ...(change.webhookSecret !== undefined
        ? {
            sealedWebhookSecret:
              change.webhookSecret === null
                ? null
                : this.options.box.seal(change.webhookSecret, alertWebhookContext(workspaceId)),
          }
        : {}),
      ...(change.smtp !== undefined
        ? {
            smtp: change.smtp && {
              host: change.smtp.host,
              port: change.smtp.port,
              secure: change.smtp.secure,
              user: change.smtp.user,
              from: change.smtp.from,
              sealedPassword:
                typeof change.smtp.password === 'string'
                  ? this.options.box.seal(change.smtp.password, alertSmtpContext(workspaceId))
                  : change.smtp.password,
            },
          }
        : {}),
    });
    return this.settings();
  }

  /** The trouble signs of every number and connection now: what alerts are raised for. */
  async troubles(now: number): Promise<Trouble[]> {
    const { store, workspace } = this.options;
    const accounts = await store.accounts.list(workspace.id);
    const troubles: Trouble[] = [];
    const accountHealth = await this.health.accounts(accounts, now);
    for (const account of accounts) {
      for (const sign of accountHealth.get(account.id)?.signs ?? []) {
        if (sign.level !== 'trouble') continue;
        troubles.push({
          subject: { type: 'account', id: account.id, label: account.displayName ?? account.phone },
          code: sign.code,
          message: sign.message,
          since: sign.since ?? new Date(now),
        });
      }
    }
    for (const [id, health] of await this.health.connections(workspace.id)) {
      for (const sign of health.signs) {
        if (sign.level !== 'trouble') continue;
        troubles.push({
          subject: { type: 'connection', id, label: health.name },
          code: sign.code,
          message: sign.message,
          since: sign.since ?? new Date(now),
        });
      }
    }
    return troubles;
  }

  /**
   * Announces troubles that started since the last check and those that cleared. Without a channel
   * nothing is tracked, so troubles present when one is set are announced then.
   */
  async check(now = this.now()): Promise<{ started: number; cleared: number; retried: number }> {
    const { store, workspace } = this.options;
    const settings = await store.alerts.settings(workspace.id);
    if (!settings.webhookUrl && !settings.smtp) {
      await store.alerts.closeAll(workspace.id);
      return { started: 0, cleared: 0, retried: 0 };
    }
    const key = (t: Pick<Trouble, 'subject' | 'code'>) => `${t.subject.type}:${t.subject.id}:${t.code}`;
    const current = await this.troubles(now);
    const open = await store.alerts.openTroubles(workspace.id);
    const openKeys = new Set(open.map(key));
    const currentKeys = new Set(current.map(key));
    let started = 0;
    let cleared = 0;
    for (const trouble of current) {
      if (openKeys.has(key(trouble))) continue;
      // Only the process that notes it announces it.
      if (!(await store.alerts.open(workspace.id, trouble))) continue;
      await this.send('started', trouble, now);
      started++;
    }
    for (const trouble of open) {
      if (currentKeys.has(key(trouble))) continue;
      if (!(await store.alerts.close(workspace.id, trouble))) continue;
      await this.send('cleared', trouble, now);
      cleared++;
    }
    return { started, cleared, retried: await this.retryDue(settings, now) };
  }

  /** Tries again the alerts not delivered whose time has come, each on its own channel. */
  private async retryDue(settings: StoredAlertSettings, now: number): Promise<number> {
    const { store, workspace, logger } = this.options;
    let retried = 0;
    for (const alert of await store.alerts.dueRetries(workspace.id, now)) {
      if (!(await store.alerts.claimRetry(alert))) continue;
      const error = await this.deliver(alert.channel, settings, payloadOf(workspace, alert, now), now);
      const attempts = alert.attempts + 1;
      if (error)
        logger.warn({ event: alert.event, code: alert.code, attempts, error }, 'alert still not delivered');
      await store.alerts.recordRetry(alert.id, {
        delivered: error === undefined,
        error,
        attempts,
        retryAt: error === undefined ? undefined : retryAfter(attempts, now),
      });
      retried++;
    }
    return retried;
  }

  /** Sends a test alert to each channel set ("Send test alert"); throws when none is. */
  async sendTest(now = this.now()): Promise<SentAlert[]> {
    const settings = await this.options.store.alerts.settings(this.options.workspace.id);
    if (!settings.webhookUrl && !settings.smtp)
      throw new WasyncError(
        'validation_failed',
        'No alert channel is set: set a webhook URL or an SMTP server first.',
        { issues: [{ field: 'webhookUrl', message: 'a webhook URL or an SMTP server is required' }] },
      );
    return this.send(
      'test',
      {
        subject: { type: 'account', id: '-', label: 'test' },
        code: 'test',
        message: 'A test alert from wasync: alerts reach you here.',
        since: new Date(now),
      },
      now,
    );
  }

  /**
   * Sends one alert to each channel set and records each, delivered or not; one not delivered (but a
   * test) is tried again later (ALERT_RETRY_DELAYS_MS). A failure is logged, not thrown.
   */
  private async send(event: AlertEvent, trouble: Trouble, now: number): Promise<SentAlert[]> {
    const { store, workspace } = this.options;
    const settings = await store.alerts.settings(workspace.id);
    const alert = {
      event,
      subject: trouble.subject,
      code: trouble.code,
      message:
        event === 'cleared'
          ? `Cleared: ${trouble.subject.label} is fine again (${trouble.message})`
          : trouble.message,
      since: event === 'test' ? undefined : trouble.since,
    };
    const channels: AlertChannel[] = [];
    if (settings.webhookUrl) channels.push('webhook');
    if (settings.smtp) channels.push('email');
    const sent: SentAlert[] = [];
    for (const channel of channels) {
      const error = await this.deliver(channel, settings, payloadOf(workspace, alert, now), now);
      sent.push(
        await store.alerts.recordSent(workspace.id, {
          ...alert,
          channel,
          delivered: error === undefined,
          error,
          sentAt: new Date(now),
          attempts: 1,
          retryAt: error === undefined || event === 'test' ? undefined : retryAfter(1, now),
        }),
      );
    }
    return sent;
  }

  /** Delivers an alert on one channel; answers why it was not delivered, or undefined. */
  private async deliver(
    channel: AlertChannel,
    settings: StoredAlertSettings,
    payload: AlertPayload,
    now: number,
  ): Promise<string | undefined> {
    try {
      if (channel === 'webhook') {
        if (!settings.webhookUrl) return 'no webhook URL is set any more';
        await this.post(settings, payload, now);
      } else {
        if (!settings.smtp) return 'no SMTP server is set any more';
        await this.mail(settings, payload);
      }
      return undefined;
    } catch (caught) {
      const error = caught instanceof Error ? caught.message : String(caught);
      this.options.logger.warn(
        { event: payload.event, code: payload.code, channel, error },
        'alert not delivered',
      );
      return error;
    }
  }

  /** POSTs the alert as JSON to the webhook, signed when a secret is set; throws unless answered 2xx. */
  private async post(settings: StoredAlertSettings, payload: AlertPayload, now: number): Promise<void> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'wasync-alerts',
      'x-wasync-event': `alert.${payload.event}`,
    };
    if (settings.sealedWebhookSecret) {
      const secret = this.options.box.open(
        settings.sealedWebhookSecret,
        alertWebhookContext(this.options.workspace.id),
      );
      headers['x-wasync-signature'] = alertSignature(secret, Math.floor(now / 1000), body);
    }
    const response = await this.options.fetch(settings.webhookUrl as string, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
  }

  /** E-mails the alert to the workspace's admins through the SMTP server set (nodemailer). */
  private async mail(settings: StoredAlertSettings, payload: AlertPayload): Promise<void> {
    const smtp = settings.smtp;
    if (!smtp) return;
    const to = await this.recipients();
    if (to.length === 0) throw new Error('the workspace has no admin to e-mail');
    const pass = smtp.sealedPassword
      ? this.options.box.open(smtp.sealedPassword, alertSmtpContext(this.options.workspace.id))
      : undefined;
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.user ? { auth: { user: smtp.user, ...(pass === undefined ? {} : { pass }) } } : {}),
      connectionTimeout: SEND_TIMEOUT_MS,
      greetingTimeout: SEND_TIMEOUT_MS,
      socketTimeout: SEND_TIMEOUT_MS,
    });
    const what = { started: 'Trouble', cleared: 'Cleared', test: 'Test alert' }[payload.event];
    try {
      await transport.sendMail({
        from: smtp.from,
        to,
        subject: `[wasync] ${what}: ${payload.subject.label}${payload.event === 'test' ? '' : ` (${payload.code})`}`,
        text: [
          payload.message,
          '',
          ...(payload.since ? [`Since: ${payload.since}`] : []),
          `At: ${payload.at}`,
          `Workspace: ${payload.workspace.name}`,
          ...(payload.event === 'test' ? [] : [`${payload.subject.type}: ${payload.subject.id}`]),
        ].join('\n'),
      });
    } finally {
      transport.close();
    }
  }
}

/** The body of an alert, as sent the first time and at each try after. */
function payloadOf(
  workspace: Workspace,
  alert: Pick<SentAlert, 'event' | 'subject' | 'code' | 'message' | 'since'>,
  now: number,
): AlertPayload {
  return {
    event: alert.event,
    workspace: { id: workspace.id, name: workspace.name },
    subject: alert.subject,
    code: alert.code,
    message: alert.message,
    since: alert.since?.toISOString(),
    at: new Date(now).toISOString(),
  };
}

/** When an alert tried `attempts` times goes again; undefined once the tries are spent. */
function retryAfter(attempts: number, now: number): Date | undefined {
  const delay = ALERT_RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? undefined : new Date(now + delay);
}
