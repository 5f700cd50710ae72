import { Command, InvalidArgumentError } from 'commander';
import { buildBitrix24Sandbox, DEMO_APPLICATION, DEMO_WEBHOOK } from '../sandboxes/bitrix24/index.js';
import { buildSalesforceSandbox, DEMO_CLIENT, DEMO_USERNAME } from '../sandboxes/salesforce/index.js';
import { buildWhatsAppCloudSandbox, SANDBOX_ACCESS_TOKEN } from '../sandboxes/whatsapp-cloud/index.js';
import {
  buildZohoSandbox,
  DATA_CENTRES,
  type DataCentre,
  DEMO_CLIENT as ZOHO_DEMO_CLIENT,
} from '../sandboxes/zoho/index.js';
import { parsePort } from './arguments.js';

/** What every sandbox kind offers the CLI: start on a port, report how to reach it, stop. */
interface RunningSandbox {
  url: string;
  lines: string[];
  close(): Promise<void>;
}

interface SandboxKind {
  description: string;
  defaultPort: number;
  /** Extra options of this kind, added to its subcommand. */
  configure?(command: Command): Command;
  start(options: { port: number; host: string } & Record<string, unknown>): Promise<RunningSandbox>;
}

/** One entry per sandbox kind. */
const SANDBOX_KINDS: Record<string, SandboxKind> = {
  salesforce: {
    description:
      'a local Salesforce org: OAuth, REST data API, SOSL phone search, composite, Metadata createMetadata',
    defaultPort: 4100,
    configure: (command) =>
      command
        .option(
          '--fault-rate <rate>',
          'share of API requests that fail with the concurrency limit (403)/500/503/timeout (0..1)',
          parseRate,
        )
        .option('--deploy-custom-object', 'start with WhatsApp_Chat__c already deployed')
        .option(
          '--search-index-lag <seconds>',
          'how long after a write SOSL search finds the record (default 900, as in an org; 0 at once)',
          parseLagSeconds,
        ),
    async start(options) {
      const sandbox = await buildSalesforceSandbox({
        customObjectDeployed: options.deployCustomObject === true,
        ...searchAndFaultOptions(options),
      });
      const url = await sandbox.listen(options.port, options.host);
      return {
        url,
        lines: [
          `  login URL:      ${url}  (token endpoint ${url}/services/oauth2/token)`,
          `  allow-list it:  WASYNC_OUTBOUND_ALLOW=${new URL(url).host}  (for wasync; it is plain http)`,
          `  client id:      ${DEMO_CLIENT.clientId}`,
          `  client secret:  ${DEMO_CLIENT.clientSecret}`,
          `  JWT bearer:     username ${DEMO_USERNAME}, demo private key at ${url}/__sandbox/demo-jwt-key`,
          `  record pages:   ${url}/lightning/r/Contact/<id>/view  (and Lead, WhatsApp_Chat__c, Opportunity…)`,
          `  inspect:        ${url}/__sandbox  (test/demo only)`,
        ],
        close: () => sandbox.close(),
      };
    },
  },
  zoho: {
    description:
      "a local Zoho CRM: one data centre's accounts server (consent page, token endpoint, token limits) and the v8 API (records, search, COQL, notes, attachments, deals, lead conversion)",
    defaultPort: 4300,
    configure: (command) =>
      command
        .option(
          '--data-centre <dc>',
          `the data centre it stands for (${Object.keys(DATA_CENTRES).join(', ')}; default us)`,
          parseDataCentre,
        )
        .option(
          '--fault-rate <rate>',
          'share of API requests that fail with 429 RATE_LIMIT_EXCEEDED/500/INVALID_TOKEN/timeout/lost answer (0..1)',
          parseRate,
        )
        .option(
          '--search-index-lag <seconds>',
          'how long after a write /search finds the record (default 0; COQL sees it at once)',
          parseLagSeconds,
        ),
    async start(options) {
      const sandbox = await buildZohoSandbox({
        ...(typeof options.dataCentre === 'string' ? { dataCentre: options.dataCentre as DataCentre } : {}),
        ...searchAndFaultOptions(options),
      });
      const url = await sandbox.listen(options.port, options.host);
      return {
        url,
        lines: [
          `  accounts server: ${url}  (data centre ${sandbox.options.dataCentre}; api_domain answers the same URL)`,
          `  allow-list it:   WASYNC_OUTBOUND_ALLOW=${new URL(url).host}  (for wasync; it is plain http)`,
          `  client id:       ${ZOHO_DEMO_CLIENT.clientId}`,
          `  client secret:   ${ZOHO_DEMO_CLIENT.clientSecret}`,
          `  refresh token:   curl -X POST ${url}/__sandbox/self-client  (as a Self Client), or sign in at`,
          `                   ${url}/oauth/v2/auth?response_type=code&access_type=offline&scope=ZohoCRM.modules.ALL&client_id=…&redirect_uri=…`,
          `  record pages:    ${url}/crm/org${sandbox.options.zgid}/tab/Contacts/<id>  (the zgid GET /crm/v8/org answers)`,
          `  inspect:         ${url}/__sandbox  (test/demo only)`,
        ],
        close: () => sandbox.close(),
      };
    },
  },
  bitrix24: {
    description:
      "a local Bitrix24 portal: inbound webhooks and a local app's OAuth, the CRM methods (findbycomm, contacts, leads, companies, deals, timeline comments with files), Disk (uploads in one or two steps, trash, delete), users, batch, the leaky bucket",
    defaultPort: 4400,
    configure: (command) =>
      command
        .option(
          '--fault-rate <rate>',
          'share of REST calls that fail with 503 QUERY_LIMIT_EXCEEDED/500/expired_token/timeout/lost answer (0..1)',
          parseRate,
        )
        .option(
          '--enterprise',
          "the Enterprise plan's bucket (250, draining 5 a second) instead of 50 and 2",
        ),
    async start(options) {
      const sandbox = await buildBitrix24Sandbox({
        ...(options.enterprise === true ? { plan: 'enterprise' as const } : {}),
        ...searchAndFaultOptions(options),
      });
      const url = await sandbox.listen(options.port, options.host);
      return {
        url,
        lines: [
          `  webhook:        ${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/  (paste it as the connection's URL)`,
          `  allow-list it:  WASYNC_OUTBOUND_ALLOW=${new URL(url).host}  (for wasync; it is plain http)`,
          `  local app:      client id ${DEMO_APPLICATION.clientId}, secret ${DEMO_APPLICATION.clientSecret}`,
          `  OAuth:          ${url}/oauth/authorize/?client_id=…  and  ${url}/oauth/token/`,
          `  record pages:   ${url}/crm/contact/details/<id>/  (and /crm/lead/…, /crm/deal/…)`,
          `  seed records:   ${url}/__sandbox/records  (and /__sandbox/users; test/demo only)`,
          `  inspect:        ${url}/__sandbox  (test/demo only)`,
        ],
        close: () => sandbox.close(),
      };
    },
  },
  'whatsapp-cloud': {
    description:
      'a local WhatsApp Cloud API: Graph API media download, and signed webhooks for simulated messages, statuses, echoes, history and more',
    defaultPort: 4200,
    configure: (command) =>
      command.option(
        '--media-url-ttl <seconds>',
        'how long a media URL stays valid (default 300)',
        parseSeconds,
      ),
    async start(options) {
      const sandbox = await buildWhatsAppCloudSandbox({
        ...(typeof options.mediaUrlTtl === 'number' ? { mediaUrlTtlMs: options.mediaUrlTtl * 1000 } : {}),
      });
      const url = await sandbox.listen(options.port, options.host);
      return {
        url,
        lines: [
          `  Graph base URL: ${url}  (use as cloud.graphBaseUrl)`,
          `  allow-list it:  WASYNC_OUTBOUND_ALLOW=${new URL(url).host}  (for wasync; it is plain http)`,
          `  access token:   ${SANDBOX_ACCESS_TOKEN}`,
          `  configure:      POST ${url}/__sandbox/numbers {phoneNumberId, displayPhoneNumber, webhookUrl, appSecret}`,
          `  send inbound:   POST ${url}/__sandbox/messages {phoneNumberId, from, text | media}`,
          `  other webhooks: POST ${url}/__sandbox/webhooks/{statuses|echoes|history|system|errors|standby}`,
          `  inspect:        ${url}/__sandbox/deliveries  (test/demo only)`,
        ],
        close: () => sandbox.close(),
      };
    },
  },
};

export function sandboxCommand(): Command {
  const sandbox = new Command('sandbox').description(
    'Run a local stand-in for a CRM or WhatsApp API, for tests and demos (in memory, no TLS).',
  );
  for (const [name, kind] of Object.entries(SANDBOX_KINDS)) {
    const command = new Command(name)
      .description(`Run ${kind.description}.`)
      .option(
        '-p, --port <port>',
        `port to listen on (default ${kind.defaultPort}; 0 picks a free one)`,
        parsePort,
      )
      .option('--host <host>', 'interface to bind', '127.0.0.1');
    (kind.configure?.(command) ?? command).action(
      async (options: { port?: number; host: string } & Record<string, unknown>) => {
        const running = await kind.start({
          ...options,
          port: options.port ?? kind.defaultPort,
          host: options.host,
        });
        process.stdout.write(`${name} sandbox listening on ${running.url}\n${running.lines.join('\n')}\n`);
        const shutdown = async () => {
          await running.close();
          process.exit(0);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      },
    );
    sandbox.addCommand(command);
  }
  return sandbox;
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (!(rate >= 0 && rate <= 1)) throw new InvalidArgumentError('a fault rate is a number from 0 to 1');
  return rate;
}

function parseDataCentre(value: string): DataCentre {
  if (!(value in DATA_CENTRES))
    throw new InvalidArgumentError(`a data centre: ${Object.keys(DATA_CENTRES).join(', ')}`);
  return value as DataCentre;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0)) throw new InvalidArgumentError('a number of seconds greater than 0');
  return seconds;
}

function parseLagSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds >= 0 && Number.isFinite(seconds)))
    throw new InvalidArgumentError('a number of seconds from 0');
  return seconds;
}

/** The search-index lag and fault rate a CRM sandbox's subcommand takes, as its build options. */
function searchAndFaultOptions(options: Record<string, unknown>): {
  searchIndexLagMs?: number;
  faults?: { rate: number };
} {
  return {
    ...(typeof options.searchIndexLag === 'number'
      ? { searchIndexLagMs: options.searchIndexLag * 1000 }
      : {}),
    ...(typeof options.faultRate === 'number' ? { faults: { rate: options.faultRate } } : {}),
  };
}
