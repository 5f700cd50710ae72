import { createHash } from 'node:crypto';
import { proto, type WAMessage } from 'baileys';
import { describe, expect, it } from 'vitest';
import { mapWebMessage } from './map.js';

const context = { accountId: 'acc_1' };
const AT = 1_795_000_000;

/** A message as the library hands it over in `messages.upsert`. */
function web(
  key: WAMessage['key'],
  message: proto.IMessage | null,
  extra: Partial<WAMessage> = {},
): WAMessage {
  return { key, message, messageTimestamp: AT, pushName: 'Ana Souza', ...extra } as WAMessage;
}

const ANA_LID = '123456789@lid';
const ANA_PN = '5511987654321@s.whatsapp.net';
const GROUP = '120363012345678901@g.us';

describe('linked-device messages in the ingest contract', () => {
  it('keeps both keys of a person addressed by @lid with the phone beside it, and the push name', () => {
    const [item] = mapWebMessage(
      web({ remoteJid: ANA_LID, remoteJidAlt: ANA_PN, fromMe: false, id: 'A1' }, { conversation: 'Oi!' }),
      context,
    );
    expect(item).toMatchObject({
      kind: 'message',
      sourceId: 'A1',
      chat: { kind: 'direct', partner: { lid: '123456789@lid', phone: '+5511987654321', name: 'Ana Souza' } },
      sender: { lid: '123456789@lid', phone: '+5511987654321' },
      fromMe: false,
      sentAt: AT * 1000,
      type: 'text',
      text: 'Oi!',
    });
  });

  it('stores a message sent from the phone as from me, with the message it replies to', () => {
    const [item] = mapWebMessage(
      web(
        { remoteJid: ANA_PN, fromMe: true, id: 'A2' },
        { extendedTextMessage: { text: 'Sim, temos', contextInfo: { stanzaId: 'A1', participant: ANA_PN } } },
        { pushName: 'Me' },
      ),
      context,
    );
    expect(item).toMatchObject({ fromMe: true, sender: undefined, text: 'Sim, temos', replyTo: 'A1' });
    expect(item?.kind === 'message' && item.chat).toEqual({
      kind: 'direct',
      partner: { phone: '+5511987654321' },
    });
  });

  it('maps a group image with its caption and sender, media to download later', () => {
    const [item] = mapWebMessage(
      web(
        { remoteJid: GROUP, participant: ANA_LID, participantAlt: ANA_PN, fromMe: false, id: 'G1' },
        {
          imageMessage: { caption: 'the shelf', mimetype: 'image/jpeg', contextInfo: { isForwarded: true } },
        },
      ),
      context,
    );
    expect(item).toMatchObject({
      chat: { kind: 'group', groupKey: GROUP },
      sender: { lid: ANA_LID, phone: '+5511987654321', name: 'Ana Souza' },
      type: 'image',
      text: 'the shelf',
      details: { forwarded: true },
      media: { kind: 'url', url: 'whatsapp-web://acc_1/G1', mimeType: 'image/jpeg' },
    });
  });

  it('tells voice notes, stickers, documents, locations and contact cards apart', () => {
    const key = (id: string) => ({ remoteJid: ANA_PN, fromMe: false, id });
    const types = [
      [{ audioMessage: { ptt: true, mimetype: 'audio/ogg; codecs=opus' } }, 'voice'],
      [{ audioMessage: { ptt: false, mimetype: 'audio/mp4' } }, 'audio'],
      [{ stickerMessage: { mimetype: 'image/webp' } }, 'sticker'],
      [{ documentMessage: { fileName: 'quote.pdf', mimetype: 'application/pdf' } }, 'document'],
      [{ locationMessage: { degreesLatitude: -23.55, degreesLongitude: -46.63, name: 'Loja' } }, 'location'],
      [
        {
          contactMessage: {
            displayName: 'Bruno',
            vcard: 'BEGIN:VCARD\nTEL;type=CELL:+55 11 91234-5678\nEND:VCARD',
          },
        },
        'contacts',
      ],
      [{ eventMessage: { name: 'Launch day' } }, 'unsupported'],
    ] as const;
    const mapped = types.map(
      ([message], i) => mapWebMessage(web(key(`T${i}`), message as proto.IMessage), context)[0],
    );
    expect(mapped.map((m) => (m?.kind === 'message' ? m.type : undefined))).toEqual(
      types.map(([, type]) => type),
    );
    expect(mapped[3]).toMatchObject({ media: { fileName: 'quote.pdf' } });
    expect(mapped[4]).toMatchObject({
      text: 'Loja',
      details: { location: { latitude: -23.55, longitude: -46.63 } },
    });
    expect(mapped[5]).toMatchObject({
      details: { contacts: [{ name: 'Bruno', phones: ['+55 11 91234-5678'] }] },
    });
    expect(mapped[6]).toMatchObject({ details: { originalType: 'eventMessage' } });
  });

  it('turns reactions, revokes and edits into events on their message', () => {
    const key = (id: string, fromMe = false) => ({ remoteJid: ANA_PN, fromMe, id });
    const [reaction] = mapWebMessage(
      web(key('R1'), { reactionMessage: { key: { id: 'A2' }, text: '👍' } }),
      context,
    );
    const [unreaction] = mapWebMessage(
      web(key('R2'), { reactionMessage: { key: { id: 'A2' }, text: '' } }),
      context,
    );
    const [revoke] = mapWebMessage(
      web(key('P1'), {
        protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'A1' } },
      }),
      context,
    );
    const [edit] = mapWebMessage(
      web(key('P2', true), {
        protocolMessage: {
          type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
          key: { id: 'A2' },
          editedMessage: { conversation: 'Sim, temos dois' },
        },
      }),
      context,
    );
    expect(reaction).toMatchObject({ kind: 'reaction', sourceId: 'R1', target: 'A2', emoji: '👍' });
    expect(unreaction).toMatchObject({ kind: 'reaction', emoji: '' });
    expect(revoke).toMatchObject({ kind: 'delete', target: 'A1', sender: { phone: '+5511987654321' } });
    expect(edit).toMatchObject({ kind: 'edit', target: 'A2', text: 'Sim, temos dois', fromMe: true });
  });

  it('unwraps ephemeral and view-once messages', () => {
    const [item] = mapWebMessage(
      web(
        { remoteJid: ANA_PN, fromMe: false, id: 'E1' },
        { ephemeralMessage: { message: { conversation: 'some secret' } } },
      ),
      context,
    );
    expect(item).toMatchObject({ type: 'text', text: 'some secret' });
  });

  it('keeps group notices as system messages, and skips broadcasts and undecryptable stubs', () => {
    const [notice] = mapWebMessage(
      web({ remoteJid: GROUP, fromMe: false, id: 'S1', participant: ANA_PN }, null, {
        messageStubType: proto.WebMessageInfo.StubType.GROUP_PARTICIPANT_ADD,
        messageStubParameters: [ANA_PN],
      }),
      context,
    );
    expect(notice).toMatchObject({ type: 'system', details: { stub: 'GROUP_PARTICIPANT_ADD' } });
    const broken = web({ remoteJid: ANA_PN, fromMe: false, id: 'S2' }, null, {
      messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT,
      messageStubParameters: ['Bad MAC'],
    });
    expect(mapWebMessage(broken, context)).toEqual([]);
    const status = web(
      { remoteJid: 'status@broadcast', participant: ANA_PN, fromMe: false, id: 'B1' },
      { conversation: 'story' },
    );
    expect(mapWebMessage(status, context)).toEqual([]);
  });

  it('skips a placeholder for a message not decrypted yet: the phone resends it under the same id', () => {
    const waiting = web({ remoteJid: ANA_PN, fromMe: false, id: 'P1' }, null, {
      messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT,
      messageStubParameters: ['Message absent from node'],
    });
    expect(mapWebMessage(waiting, context)).toEqual([]);
  });

  it('reads a message the library folded an edit or a revoke onto while buffering', () => {
    // The edit lands on the original: its content becomes the edited one.
    const [edited] = mapWebMessage(
      web(
        { remoteJid: ANA_PN, fromMe: false, id: 'F1' },
        { editedMessage: { message: { conversation: 'fixed' } } },
      ),
      context,
    );
    expect(edited).toMatchObject({ sourceId: 'F1', type: 'text', text: 'fixed', details: { edited: true } });
    // The revoke leaves an empty shell under the revoke's key: nothing to store (the revoke's own
    // protocol message carries the deletion).
    const shell = web({ remoteJid: ANA_PN, fromMe: false, id: 'F2' }, null, {
      messageStubType: proto.WebMessageInfo.StubType.REVOKE,
    });
    expect(mapWebMessage(shell, context)).toEqual([]);
  });

  it('records a pin and an unpin as notices from whoever did it, pointing at the message', () => {
    const pin = (id: string, type: proto.Message.PinInChatMessage.Type) =>
      mapWebMessage(
        web(
          { remoteJid: ANA_PN, fromMe: false, id },
          { pinInChatMessage: { key: { remoteJid: ANA_PN, id: 'A1' }, type } },
        ),
        context,
      );
    expect(pin('P1', proto.Message.PinInChatMessage.Type.PIN_FOR_ALL)).toMatchObject([
      {
        kind: 'message',
        type: 'system',
        text: '📌 Pinned a message',
        replyTo: 'A1',
        sender: { phone: '+5511987654321' },
        details: { pin: { target: 'A1', pinned: true } },
      },
    ]);
    expect(pin('P2', proto.Message.PinInChatMessage.Type.UNPIN_FOR_ALL)).toMatchObject([
      { type: 'system', text: 'Unpinned a message', details: { pin: { target: 'A1', pinned: false } } },
    ]);
  });

  it('records keeping a disappearing message in the chat, and undoing it', () => {
    const keep = (id: string, keepType: proto.KeepType) =>
      mapWebMessage(
        web(
          { remoteJid: ANA_PN, fromMe: true, id },
          { keepInChatMessage: { key: { remoteJid: ANA_PN, id: 'A1' }, keepType } },
        ),
        context,
      );
    expect(keep('K1', proto.KeepType.KEEP_FOR_ALL)).toMatchObject([
      {
        type: 'system',
        fromMe: true,
        text: '🔖 Kept a message in the chat',
        replyTo: 'A1',
        details: { keep: { kept: true } },
      },
    ]);
    expect(keep('K2', proto.KeepType.UNDO_KEEP_FOR_ALL)).toMatchObject([
      { text: 'Stopped keeping a message in the chat', details: { keep: { target: 'A1', kept: false } } },
    ]);
  });

  it('shows a poll with its options, and a history poll with the votes each option has', () => {
    const poll = {
      pollCreationMessageV3: {
        name: 'Which day?',
        options: [{ optionName: 'Monday' }, { optionName: 'Friday' }],
        selectableOptionsCount: 1,
      },
    };
    expect(
      mapWebMessage(web({ remoteJid: GROUP, participant: ANA_PN, id: 'Q1' }, poll), context),
    ).toMatchObject([
      {
        type: 'interactive',
        text: '📊 Which day?\n• Monday\n• Friday',
        details: { poll: { question: 'Which day?', options: ['Monday', 'Friday'], selectable: 1 } },
      },
    ]);
    const hash = (name: string) => createHash('sha256').update(name).digest();
    const voted = web({ remoteJid: GROUP, participant: ANA_PN, id: 'Q2' }, poll, {
      pollUpdates: [
        {
          pollUpdateMessageKey: { remoteJid: GROUP, participant: ANA_PN, id: 'V1' },
          vote: { selectedOptions: [hash('Friday')] },
        },
        {
          pollUpdateMessageKey: { remoteJid: GROUP, participant: '4915112345678@s.whatsapp.net', id: 'V2' },
          vote: { selectedOptions: [hash('Friday')] },
        },
      ],
    });
    expect(mapWebMessage(voted, context)).toMatchObject([
      {
        text: '📊 Which day?\n• Monday (0)\n• Friday (2)',
        details: { poll: { votes: { Monday: 0, Friday: 2 } } },
      },
    ]);
  });

  it('records a poll vote against its poll, with the options chosen once they are read', () => {
    const vote = web(
      { remoteJid: GROUP, participant: ANA_PN, id: 'V1' },
      {
        pollUpdateMessage: {
          pollCreationMessageKey: { remoteJid: GROUP, id: 'Q1' },
          vote: { encPayload: new Uint8Array(4) },
        },
      },
    );
    expect(mapWebMessage(vote, context)).toMatchObject([
      { type: 'system', text: '🗳 Voted in the poll', replyTo: 'Q1', details: { vote: { poll: 'Q1' } } },
    ]);
    expect(mapWebMessage(vote, { ...context, pollVotes: new Map([['V1', ['Friday']]]) })).toMatchObject([
      { text: '🗳 Voted: Friday', details: { vote: { poll: 'Q1', options: ['Friday'] } } },
    ]);
    expect(mapWebMessage(vote, { ...context, pollVotes: new Map([['V1', []]]) })).toMatchObject([
      { text: '🗳 Withdrew the vote' },
    ]);
  });
});
