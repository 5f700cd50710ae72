import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import type { AlertSentTable, Database } from '../schema.js';

/** The context a workspace's alert webhook secret is sealed under. */
export const alertWebhookContext = (workspaceId: string) => `alert-webhook:${workspaceId}`;

/** The context a workspace's SMTP password is sealed under. */
export const alertSmtpContext = (workspaceId: string) => `alert-smtp:${workspaceId}`;

/** The SMTP server alerts are e-mailed through; the password still sealed. */
export interface StoredSmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | undefined;
  sealedPassword: string | undefined;
  from: string;
}

/** Where a workspace's alerts go; the secrets still sealed. */
export interface StoredAlertSettings {
  webhookUrl: string | undefined;
  sealedWebhookSecret: string | undefined;
  smtp: StoredSmtpSettings | undefined;
}

/** What an alert is about: a number (account) or a CRM connection. */
export interface AlertSubject {
  type: 'account' | 'connection';
  id: string;
  /** The number or the connection's name, for people. */
  label: string;
}

/** A trouble an alert is raised for, keyed by its subject and its sign's code. */
export interface Trouble {
  subject: AlertSubject;
  code: string;
  message: string;
  since: Date;
}

export type AlertEvent = 'started' | 'cleared' | 'test';
export type AlertChannel = 'webhook' | 'email';

export interface SentAlert {
  id: string;
  event: AlertEvent;
  subject: AlertSubject;
  code: string;
  message: string;
  channel: AlertChannel;
  delivered: boolean;
  error: string | undefined;
  /** When the trouble started (none for a test alert). */
  since: Date | undefined;
  sentAt: Date;
  attempts: number;
  /** When an alert not delivered is tried again; undefined once delivered or given up. */
  retryAt: Date | undefined;
}

/** Alert settings, the troubles announced and not yet cleared, and the record of alerts sent. */
export class AlertRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async settings(workspaceId: string): Promise<StoredAlertSettings> {
    const row = await this.db
      .selectFrom('alert_settings')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return {
      webhookUrl: row?.webhook_url ?? undefined,
      sealedWebhookSecret: row?.webhook_secret ?? undefined,
      smtp:
        row?.smtp_host && row.smtp_from
          ? {
              host: row.smtp_host,
              port: Number(row.smtp_port ?? 587),
              secure: Number(row.smtp_secure ?? 0) === 1,
              user: row.smtp_user ?? undefined,
              sealedPassword: row.smtp_password ?? undefined,
              from: row.smtp_from,
            }
          : undefined,
    };
  }

  /**
   * Changes the settings; a field left undefined stays, null removes it. `smtp` replaces the SMTP
   * server whole (its password stays when `sealedPassword` is undefined); null removes it.
   */
  async updateSettings(
    workspaceId: string,
    change: {
      webhookUrl?: string | null | undefined;
      sealedWebhookSecret?: string | null | undefined;
      smtp?:
        | (Omit<StoredSmtpSettings, 'sealedPassword'> & { sealedPassword?: string | null | undefined })
        | null
        | undefined;
    },
  ): Promise<StoredAlertSettings> {
    const { smtp } = change;
    const set = {
      ...(change.webhookUrl !== undefined ? { webhook_url: change.webhookUrl } : {}),
      ...(change.sealedWebhookSecret !== undefined ? { webhook_secret: change.sealedWebhookSecret } : {}),
      ...(smtp === null
        ? {
            smtp_host: null,
            smtp_port: null,
            smtp_secure: null,
            smtp_user: null,
            smtp_password: null,
            smtp_from: null,
          }
        : {}),
      ...(smtp
        ? {
            smtp_host: smtp.host,
            smtp_port: smtp.port,
            smtp_secure: smtp.secure ? 1 : 0,
            smtp_user: smtp.user ?? null,
            smtp_from: smtp.from,
            ...(smtp.sealedPassword !== undefined ? { smtp_password: smtp.sealedPassword } : {}),
          }
        : {}),
      updated_at: Date.now(),
    };
    await this.db
      .insertInto('alert_settings')
      .values({
        workspace_id: workspaceId,
        webhook_url: null,
        webhook_secret: null,
        smtp_host: null,
        smtp_port: null,
        smtp_secure: null,
        smtp_user: null,
        smtp_password: null,
        smtp_from: null,
        ...set,
      })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(set))
      .execute();
    return this.settings(workspaceId);
  }

  /** The troubles announced as started and not yet as cleared. */
  async openTroubles(workspaceId: string): Promise<Trouble[]> {
    const rows = await this.db
      .selectFrom('alert_troubles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('since')
      .execute();
    return rows.map((row) => ({
      subject: subjectOf(row),
      code: row.code,
      message: row.message,
      since: new Date(Number(row.since)),
    }));
  }

  /**
   * Notes a trouble as open. True for the one caller that noted it: several processes checking at
   * once, only one announces it.
   */
  async open(workspaceId: string, trouble: Trouble): Promise<boolean> {
    const inserted = await this.db
      .insertInto('alert_troubles')
      .values({
        workspace_id: workspaceId,
        subject_type: trouble.subject.type,
        subject_id: trouble.subject.id,
        subject_label: trouble.subject.label,
        code: trouble.code,
        message: trouble.message,
        since: trouble.since.getTime(),
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'subject_type', 'subject_id', 'code']).doNothing())
      .returning('code')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Forgets an open trouble. True for the one caller that removed it (it announces the clearing). */
  async close(workspaceId: string, trouble: Pick<Trouble, 'subject' | 'code'>): Promise<boolean> {
    const result = await this.db
      .deleteFrom('alert_troubles')
      .where('workspace_id', '=', workspaceId)
      .where('subject_type', '=', trouble.subject.type)
      .where('subject_id', '=', trouble.subject.id)
      .where('code', '=', trouble.code)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Forgets every open trouble: with no channel left there is nobody to tell that one cleared. */
  async closeAll(workspaceId: string): Promise<void> {
    await this.db.deleteFrom('alert_troubles').where('workspace_id', '=', workspaceId).execute();
  }

  async recordSent(workspaceId: string, alert: Omit<SentAlert, 'id'>): Promise<SentAlert> {
    const id = newId('alr');
    await this.db
      .insertInto('alerts_sent')
      .values({
        id,
        workspace_id: workspaceId,
        event: alert.event,
        subject_type: alert.subject.type,
        subject_id: alert.subject.id,
        subject_label: alert.subject.label,
        code: alert.code,
        message: alert.message,
        channel: alert.channel,
        delivered: alert.delivered ? 1 : 0,
        error: alert.error ?? null,
        since: alert.since?.getTime() ?? null,
        sent_at: alert.sentAt.getTime(),
        attempts: alert.attempts,
        retry_at: alert.retryAt?.getTime() ?? null,
      })
      .execute();
    return { id, ...alert };
  }

  /** Alerts sent, newest first. */
  async sent(workspaceId: string, limit: number): Promise<SentAlert[]> {
    const rows = await this.db
      .selectFrom('alerts_sent')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('sent_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toSentAlert);
  }

  /** Alerts not delivered whose next try is due, oldest first. */
  async dueRetries(workspaceId: string, now: number): Promise<SentAlert[]> {
    const rows = await this.db
      .selectFrom('alerts_sent')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('retry_at', '<=', now)
      .orderBy('retry_at')
      .execute();
    return rows.map(toSentAlert);
  }

  /**
   * Takes a due retry for this process: true for exactly one of the processes that ask, as the try
   * clears `retry_at` from the value it read.
   */
  async claimRetry(alert: SentAlert): Promise<boolean> {
    if (alert.retryAt === undefined) return false;
    const result = await this.db
      .updateTable('alerts_sent')
      .set({ retry_at: null })
      .where('id', '=', alert.id)
      .where('retry_at', '=', alert.retryAt.getTime())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Records the outcome of another try of an alert. */
  async recordRetry(
    id: string,
    outcome: { delivered: boolean; error: string | undefined; attempts: number; retryAt: Date | undefined },
  ): Promise<void> {
    await this.db
      .updateTable('alerts_sent')
      .set({
        delivered: outcome.delivered ? 1 : 0,
        error: outcome.error ?? null,
        attempts: outcome.attempts,
        retry_at: outcome.retryAt?.getTime() ?? null,
      })
      .where('id', '=', id)
      .execute();
  }
}

function toSentAlert(row: Selectable<AlertSentTable>): SentAlert {
  return {
    id: row.id,
    event: row.event as AlertEvent,
    subject: subjectOf(row),
    code: row.code,
    message: row.message,
    channel: row.channel as AlertChannel,
    delivered: Number(row.delivered) === 1,
    error: row.error ?? undefined,
    since: row.since === null ? undefined : new Date(Number(row.since)),
    sentAt: new Date(Number(row.sent_at)),
    attempts: Number(row.attempts),
    retryAt: row.retry_at === null ? undefined : new Date(Number(row.retry_at)),
  };
}

/** Who a stored trouble or alert is about. */
function subjectOf(row: { subject_type: string; subject_id: string; subject_label: string }): AlertSubject {
  return { type: row.subject_type as AlertSubject['type'], id: row.subject_id, label: row.subject_label };
}
