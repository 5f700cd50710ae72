import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.js';

function capture(isTTY: boolean) {
  const written: string[] = [];
  return { written, output: { isTTY, write: (text: string) => written.push(text) } };
}

describe('import progress', () => {
  it('draws a bar in place on a terminal, at most every 100 ms, always at the end of a phase', () => {
    const { written, output } = capture(true);
    let clock = 1_000;
    const progress = progressReporter({ quiet: false, output, now: () => clock });
    progress.update({ phase: 'scan', done: 0, total: 200 });
    clock += 50;
    progress.update({ phase: 'scan', done: 50, total: 200 }); // too soon: not drawn
    clock += 60;
    progress.update({ phase: 'scan', done: 100, total: 200 });
    clock += 1;
    progress.update({ phase: 'scan', done: 200, total: 200 }); // the end: drawn however soon
    progress.update({ phase: 'media', done: 1, total: 3 }); // a new phase: drawn at once
    progress.done();
    expect(written).toEqual([
      `\rscan   [${'-'.repeat(30)}]   0%`,
      `\rscan   [${'#'.repeat(15)}${'-'.repeat(15)}]  50%`,
      `\rscan   [${'#'.repeat(30)}] 100%`,
      `\rmedia  [${'#'.repeat(10)}${'-'.repeat(20)}]  33%`,
      '\n',
    ]);
  });

  it('writes one line per phase to a pipe, and nothing when quiet', () => {
    const pipe = capture(false);
    const progress = progressReporter({ quiet: false, output: pipe.output });
    for (const phase of ['scan', 'scan', 'media', 'import', 'import'] as const)
      progress.update({ phase, done: 1, total: 2 });
    progress.done();
    expect(pipe.written).toEqual(['scan…\n', 'media…\n', 'import…\n']);

    const tty = capture(true);
    const quiet = progressReporter({ quiet: true, output: tty.output });
    quiet.update({ phase: 'scan', done: 1, total: 2 });
    quiet.done();
    expect(tty.written).toEqual([]);
  });
});
