import { describe, expect, it } from 'vitest';
import {
  directChat,
  fromMe,
  groupChat,
  media,
  message,
  textOf,
} from '../../../test/support/transcript-fixtures.js';
import type { DayTranscript } from '../../sync/transcript.js';
import { renderDayTranscripts } from '../../sync/transcript.js';
import { escapeHtml, noteHtml } from './note-html.js';

const T = '2026-11-20T10:00:00Z';
const htmlOf = (day: DayTranscript | undefined) => (day === undefined ? '' : noteHtml(day.content));
const SCRIPT = '<script>alert("x")</script>';

describe('transcript HTML', () => {
  it('is a bold header and a paragraph per message, lines joined by <br>', () => {
    const messages = [message(T, { text: 'Hi\nthere' }), fromMe('2026-11-20T10:01:00Z', { text: 'Hello' })];
    const [day] = renderDayTranscripts(groupChat(messages));
    expect(htmlOf(day)).toBe(
      '<p><b>WhatsApp group &#34;Acme buyers&#34; — 2026-11-20</b></p>' +
        '<p>10:00 <b>Ana Souza</b>: Hi<br>there</p>' +
        '<p>10:01 <b>You</b>: Hello</p>',
    );
  });

  it('escapes text, names, file names, the owner name and the group title', () => {
    const evil = { identityId: 'idn_evil', name: `Tom & ${SCRIPT}`, phone: undefined };
    const messages = [
      message(T, { senderIdentityId: evil.identityId, text: `A&B ${SCRIPT} 'quoted'` }),
      fromMe(T, { type: 'document', text: undefined, media: media({ fileName: `${SCRIPT}&.pdf` }) }),
    ];
    const [day] = renderDayTranscripts(
      groupChat(messages, {
        chat: { id: 'g', kind: 'group', title: `R&D ${SCRIPT}` },
        ownerName: 'Me <b>',
        participants: new Map([[evil.identityId, evil]]),
      }),
    );
    const html = htmlOf(day) ?? '';
    expect(html).not.toContain('<script');
    expect(html).toContain(
      '<b>WhatsApp group &#34;R&amp;D &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#34;',
    );
    expect(html).toContain('<b>Tom &amp; &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</b>');
    expect(html).toContain('A&amp;B &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &#39;quoted&#39;');
    expect(html).toContain(
      '<b>Me &lt;b&gt;</b>: 📎 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;.pdf',
    );
    // Every tag left is one the renderer wrote.
    expect(html.match(/<[^>]*>/g)?.filter((tag) => !/^<\/?(p|b|br)>$/.test(tag))).toEqual([]);
  });

  it('writes no named entity but &amp;, &lt; and &gt;, which a ContentNote insert is reported to refuse', () => {
    const text = `Tom's "quote" & <tag> café ÷ ©`;
    const evil = { identityId: 'idn_q', name: `O'Brien "Bob"`, phone: undefined };
    const [day] = renderDayTranscripts(
      groupChat([message(T, { senderIdentityId: evil.identityId, text })], {
        chat: { id: 'g', kind: 'group', title: `"Bob's" group` },
        participants: new Map([[evil.identityId, evil]]),
      }),
    );
    const named = htmlOf(day).match(/&[A-Za-z][A-Za-z0-9]*;/g) ?? [];
    expect(named.filter((entity) => !['&amp;', '&lt;', '&gt;'].includes(entity))).toEqual([]);
    expect(htmlOf(day)).toContain('Tom&#39;s &#34;quote&#34; &amp; &lt;tag&gt; café ÷ ©');
    expect(htmlOf(day)).toContain('<b>O&#39;Brien &#34;Bob&#34;</b>');
  });

  it('escapes the partner’s name in a direct chat header', () => {
    const participant = { identityId: 'idn_ana', name: 'Ana <i>&</i>', phone: undefined };
    const [day] = renderDayTranscripts(
      directChat([message(T)], { participants: new Map([['idn_ana', participant]]) }),
    );
    expect(htmlOf(day)).toContain(
      '<p><b>WhatsApp chat with Ana &lt;i&gt;&amp;&lt;/i&gt; — 2026-11-20</b></p>',
    );
  });

  it('never contains a newline character, whatever the input', () => {
    const messages = [
      message(T, { text: 'one\ntwo\r\nthree\rfour\u2028five' }),
      message(T, { type: 'document', media: media({ fileName: 'a\nb.pdf', mimeType: 'application/pdf\n' }) }),
      message(T, { type: 'contacts', details: { contacts: [{ name: 'X\nY', phones: ['1\n2'] }] } }),
      message(T, { replyToSourceId: 'wamid.\nodd' }),
    ];
    const [day] = renderDayTranscripts(
      groupChat(messages, { ownerName: 'Me\n', chat: { id: 'g', kind: 'group', title: 'A\nB' } }),
    );
    expect(htmlOf(day)).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(htmlOf(day)).toContain('one<br>two<br>three<br>four<br>five');
  });

  it('makes the maps link of a location clickable', () => {
    const details = { location: { latitude: 1.5, longitude: -2 } };
    const [day] = renderDayTranscripts(
      groupChat([message(T, { type: 'location', text: undefined, details })]),
    );
    expect(htmlOf(day)).toContain(
      '📍 Location: <a href="https://maps.google.com/?q=1.5,-2">https://maps.google.com/?q=1.5,-2</a>',
    );
  });

  it('drops control characters a CRM would refuse', () => {
    const [day] = renderDayTranscripts(groupChat([message(T, { text: 'bell\u0007 null\u0000 tab\there' })]));
    expect(htmlOf(day)).toContain('bell null tab\there');
    expect(textOf(day)).toContain('bell null tab\there');
  });
});

describe('escapeHtml', () => {
  it('escapes the five special characters, quotes as numeric references, and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a> é 👍`)).toBe(
      '&lt;a href=&#34;x&#34;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; é 👍',
    );
  });
});
