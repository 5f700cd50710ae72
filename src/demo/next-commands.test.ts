import { describe, expect, it } from 'vitest';
import { nextCommands, shellWord } from './index.js';

describe('the commands the demo prints to try next', () => {
  it("each works on the demo's data dir", () => {
    const commands = nextCommands('./demo-data');
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) expect(command).toMatch(/^wasync [a-z-]+ .*--data-dir \.\/demo-data$/);
    expect(commands).toContain('wasync status --data-dir ./demo-data');
    expect(commands).toContain('wasync sync --once --data-dir ./demo-data');
  });

  it('quotes a data dir the shell would split or expand', () => {
    expect(shellWord('/tmp/demo-data')).toBe('/tmp/demo-data');
    expect(shellWord('/tmp/my demo')).toBe("'/tmp/my demo'");
    expect(shellWord("/tmp/ana's $HOME")).toBe("'/tmp/ana'\\''s $HOME'");
    expect(nextCommands('/tmp/my demo')[0]).toBe("wasync status --data-dir '/tmp/my demo'");
  });
});
