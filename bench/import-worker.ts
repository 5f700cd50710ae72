import fs from 'node:fs';
import { parseString } from 'whatsapp-chat-parser';
import { classify } from '../src/sources/chat-export/markers.js';
import {
  type DateOrder,
  DateOrderDetector,
  ExportLineParser,
  formatLocal,
  localDateTime,
  ZonedClock,
} from '../src/sources/chat-export/parser.js';
import { ExportScanner } from '../src/sources/chat-export/scan.js';
import { readLineBlocks, readLines } from '../src/sources/chat-export/text.js';

/** One parser on one file, in a process of its own; prints {seconds, messages, peakRssMb}. */
const [which, file] = process.argv.slice(2);
if (!file) throw new Error('usage: import-worker wasync|package FILE');
const started = performance.now();
let messages = 0;
if (which === 'wasync') {
  // The import's two passes: a scan that decides the date order, then the pass that builds messages.
  const detector = new DateOrderDetector();
  const scan = new ExportScanner((m) => {
    detector.observe(m);
    if (m.firstLine !== undefined) classify(m.firstLine);
  });
  await readLineBlocks(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), (block) => {
    scan.pushBlock(block);
  });
  const order = detector.decide() as DateOrder;
  const clock = new ZonedClock('UTC');
  const parser = new ExportLineParser(
    (m) => {
      const local = localDateTime(m, order);
      if (local) {
        formatLocal(local);
        clock.toEpoch(local);
      }
      classify(m.text);
      messages++;
    },
    () => {},
  );
  await readLines(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), (lines) => {
    for (const line of lines) parser.push(line);
  });
  parser.end();
} else {
  messages = parseString(fs.readFileSync(file, 'utf8'), { parseAttachments: true }).length;
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, messages, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
