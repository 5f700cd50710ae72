import { describe, expect, it } from 'vitest';
import { contactDay, dayContent } from '../../../test/support/day-content.js';
import { dayMarker } from '../kit/day-marker.js';
import { bbLink, bbText, commentOf } from './comment-text.js';

describe('Bitrix24 comment text', () => {
  it('keeps text that reads as a BBCode tag from being markup, and leaves other brackets alone', () => {
    expect(bbText('[b]bold[/b] [URL=x]y[/URL] [*] [1] [ ] [m0001] [file] [bold] [USER=1]')).toBe(
      '［b]bold［/b] ［URL=x]y［/URL] ［*] [1] [ ] [m0001] [file] [bold] ［USER=1]',
    );
    expect(bbLink('https://x.test/a]b', '[b]')).toBe('[URL=https://x.test/a%5Db]［b][/URL]');
  });

  it('renders the day in BBCode with its files, the refused ones and the marker last', () => {
    const write = {
      ...contactDay('7', 'chat-1:day', 'unused'),
      content: dayContent('WhatsApp chat with Ana — 2026-11-20', ['09:15', 'Ana', 'see https://x.test\nbye']),
      refusedAttachments: [
        {
          fileName: 'film.mov',
          sizeBytes: 2048,
          senderName: 'Ana',
          time: '09:20',
          reason: 'too_large' as const,
        },
      ],
    };
    write.content.blocks[0]?.lines[0]?.splice(0, 1, 'see ', { link: 'https://x.test' });
    const text = commentOf(write, {
      files: [
        { fileName: 'a.jpg', sizeBytes: 3, senderName: 'Ana', time: '09:16', where: { onComment: true } },
        {
          fileName: 'b.mp4',
          sizeBytes: 1024,
          senderName: 'Ana',
          time: '09:17',
          where: { onComment: false, url: 'https://portal.test/disk/showFile/9/' },
        },
      ],
      maxBytes: 1024,
    });
    expect(text.split('\n')).toEqual([
      '[B]WhatsApp chat with Ana — 2026-11-20[/B]',
      '',
      '09:15 [B]Ana[/B]: see [URL=https://x.test]https://x.test[/URL]',
      'bye',
      '',
      '[B]Files[/B]',
      '📎 a.jpg (from Ana, 2026-11-20 09:16, 3 B): attached to this comment',
      '📎 b.mp4 (from Ana, 2026-11-20 09:17, 1.0 KB): [URL=https://portal.test/disk/showFile/9/]open on Drive[/URL]',
      '',
      '[B]Files not attached[/B]',
      '📎 film.mov (from Ana, 2026-11-20 09:20, 2.0 KB): larger than the 1.0 KB wasync puts on Bitrix24 per file',
      '',
      dayMarker('chat-1:day'),
    ]);
  });
});
