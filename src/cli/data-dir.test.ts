import path from 'node:path';
import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Config } from '../config/index.js';
import { buildCli } from './main.js';
import { commandEnv, dataDirOption, withConfig } from './with-config.js';

/** Every command that runs something (no subcommands), with its full name. */
function leaves(command: Command, name = ''): [string, Command][] {
  if (command.commands.length === 0) return [[name, command]];
  return command.commands.flatMap((sub) => leaves(sub, name ? `${name} ${sub.name()}` : sub.name()));
}

describe('--data-dir', () => {
  it('is an option of every command that opens the store', () => {
    const commands = leaves(buildCli());
    const opening = commands.filter(([name]) => !/^(sandbox|demo)\b/.test(name));
    expect(opening.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'serve',
        'migrate',
        'rotate-key',
        'token create',
        'audit',
        'status',
        'sync',
        'setup salesforce',
        'import',
        'link-device',
        'erase',
        'export-person',
        'tombstone list',
        'tombstone lift',
      ]),
    );
    for (const [name, command] of opening) {
      expect(
        command.options.map((o) => o.long),
        name,
      ).toContain('--data-dir');
    }
  });

  it('takes the place of WASYNC_DATA_DIR, and only when given', () => {
    const env = { WASYNC_DATA_DIR: '/srv/wasync', WASYNC_PORT: '4000' };
    expect(commandEnv({ dataDir: './demo-data' }, env)).toEqual({
      WASYNC_DATA_DIR: './demo-data',
      WASYNC_PORT: '4000',
    });
    expect(commandEnv({}, env)).toBe(env);
  });

  it("reaches the command's config: the data dir and the SQLite file in it, whatever the position", async () => {
    const seen: Config[] = [];
    const program = buildCli().exitOverride();
    const probe = program
      .command('probe')
      .argument('<thing>')
      .addOption(dataDirOption())
      .option('--json')
      .action(
        withConfig(async (config) => {
          seen.push(config);
        }),
      );
    probe.exitOverride();
    await program.parseAsync(['probe', 'x', '--data-dir', 'somewhere/else', '--json'], { from: 'user' });
    await program.parseAsync(['probe', '--data-dir=/tmp/wasync-probe', 'x'], { from: 'user' });
    expect(seen.map((c) => [c.dataDir, c.database])).toEqual([
      [
        path.resolve('somewhere/else'),
        { dialect: 'sqlite', file: path.resolve('somewhere/else', 'wasync.db') },
      ],
      ['/tmp/wasync-probe', { dialect: 'sqlite', file: '/tmp/wasync-probe/wasync.db' }],
    ]);
  });

  it('wants a value', async () => {
    const program = buildCli().exitOverride();
    const status = program.commands.find((c) => c.name() === 'status');
    status?.exitOverride().configureOutput({ writeErr: () => {} });
    await expect(program.parseAsync(['status', '--data-dir'], { from: 'user' })).rejects.toBeInstanceOf(
      CommanderError,
    );
  });
});
