import { describe, expect, it } from 'vitest';
import type { TranscriptContent } from '../types.js';
import { plainLine, renderRich, renderText } from './transcript-render.js';

const content: TranscriptContent = {
  header: 'WhatsApp chat with Ana — 2026-11-20',
  blocks: [
    { time: '09:15', sender: 'Ana', lines: [['hello'], ['second line'], [''], ['after a blank']] },
    { time: '09:16', sender: 'You', lines: [['📍 Location: ', { link: 'https://maps.google.com/?q=1,2' }]] },
    { time: '09:17', sender: 'Ana', lines: [[]] },
  ],
};

describe('transcript rendering', () => {
  it('writes plain text: header, blank line, a line per message, continuation lines indented', () => {
    expect(renderText(content)).toBe(
      [
        'WhatsApp chat with Ana — 2026-11-20',
        '',
        '09:15 Ana: hello',
        '      second line',
        '',
        '      after a blank',
        '09:16 You: 📍 Location: https://maps.google.com/?q=1,2',
        '09:17 Ana:',
      ].join('\n'),
    );
    expect(plainLine(['a ', { link: 'https://x.test' }])).toBe('a https://x.test');
  });

  it('escapes every piece of a rich format through it and marks links up its way', () => {
    const bbcode = renderRich(content, {
      text: (value) => value.replace(/\[/g, '(').replace(/\]/g, ')'),
      link: (address) => `[URL=${address}]${address}[/URL]`,
      lineBreak: '\n',
      header: (header) => `[B]${header}[/B]`,
      block: (time, sender, body) => `${time} [B]${sender}[/B]: ${body}`,
      separator: '\n',
    });
    expect(bbcode.split('\n')).toEqual([
      '[B]WhatsApp chat with Ana — 2026-11-20[/B]',
      '09:15 [B]Ana[/B]: hello',
      'second line',
      '',
      'after a blank',
      '09:16 [B]You[/B]: 📍 Location: [URL=https://maps.google.com/?q=1,2]https://maps.google.com/?q=1,2[/URL]',
      '09:17 [B]Ana[/B]: ',
    ]);
  });
});
