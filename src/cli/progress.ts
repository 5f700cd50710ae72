import type { ImportProgress } from '../sources/chat-export/import.js';

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * The import's progress on stderr: on a terminal, a bar redrawn in place at most ten times a second
 * (and always at 100%); on a pipe or a log file, one line per phase and no noise; nothing when quiet.
 */
export function progressReporter(options: { quiet: boolean; output?: ProgressOutput; now?: () => number }) {
  const output = options.output ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = output.isTTY === true && !options.quiet;
  let phase = '';
  let drawn = Number.NEGATIVE_INFINITY;
  return {
    update: (p: ImportProgress) => {
      if (options.quiet) return;
      if (!tty) {
        if (p.phase !== phase) output.write(`${p.phase}…\n`);
        phase = p.phase;
        return;
      }
      const at = now();
      if (p.phase === phase && at - drawn < 100 && p.done < p.total) return;
      drawn = at;
      const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
      const width = 30;
      const filled = Math.round(share * width);
      output.write(
        `\r${p.phase.padEnd(6)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`,
      );
      phase = p.phase;
    },
    done: () => {
      if (tty && phase !== '') output.write('\n');
      phase = '';
    },
  };
}
