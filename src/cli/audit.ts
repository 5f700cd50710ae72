import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/units.js';
import { openServices } from '../services.js';
import type { AuditEvent } from '../store/repositories/audit.js';
import { dataDirOption, withConfig } from './with-config.js';

/** `--since`: a time (`2026-03-01`, `2026-03-01T09:00Z`) or how long ago (`24h`, `7d`), as epoch ms. */
export function parseSince(value: string, now = Date.now()): number {
  const ago = /^\d/.test(value) && !value.includes('-') ? parseDuration(value) : undefined;
  if (ago !== undefined) return now - ago;
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new InvalidArgumentError('a time such as 2026-03-01 or how long ago, such as 24h or 7d');
  return at;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new InvalidArgumentError('a number from 1 to 10000');
  }
  return limit;
}

export function auditCommand(): Command {
  return new Command('audit')
    .description(
      "Print the workspace's audit log, newest first: who did what, when, to what (the same events as GET /api/v1/audit).",
    )
    .option('--since <time>', 'from this time on: 2026-03-01, an ISO time, or how long ago (24h, 7d)', (v) =>
      parseSince(v),
    )
    .option('--action <action>', 'an action, or its start (token lists every token.* event)')
    .option('--limit <n>', 'at most this many events (default 100)', parseLimit, 100)
    .option('--json', 'print JSON lines, one event per line')
    .addOption(dataDirOption())
    .action(
      withConfig(
        async (config, options: { since?: number; action?: string; limit: number; json?: boolean }) => {
          const services = await openServices(config);
          try {
            const page = await services.store.audit.list(
              services.workspace.id,
              { since: options.since, action: options.action },
              { limit: options.limit },
            );
            for (const event of page.data) {
              process.stdout.write(`${options.json ? JSON.stringify(eventJson(event)) : eventLine(event)}\n`);
            }
            if (page.nextCursor && !options.json) {
              process.stderr.write(`(more events: raise --limit or narrow with --since / --action)\n`);
            }
          } finally {
            await services.close();
          }
        },
      ),
    );
}

function eventJson(event: AuditEvent) {
  return { ...event, occurredAt: event.occurredAt.toISOString() };
}

function eventLine(event: AuditEvent): string {
  const target = event.target ? ` ${event.target.label ?? event.target.id ?? event.target.type}` : '';
  const details = Object.keys(event.details).length > 0 ? ` ${JSON.stringify(event.details)}` : '';
  const count = event.count > 1 ? ` ×${event.count}` : '';
  return `${event.occurredAt.toISOString()}  ${event.actor.label} (${event.actor.via})  ${event.action}${target}${count}${details}`;
}
