/**
 * What the extension knows of the chat open in WhatsApp Web: enough to find it in wasync
 * (GET /chats/lookup by number, lid or group id) and, when wasync has not captured it yet, to make it
 * (POST /accounts/{id}/chats) with the name and number the page shows. Two sources give it: the page's
 * markup (dom-chat.ts) and, where the rep turns it on, WhatsApp Web's own state through wa-js.
 */

/** A person as the page names them. WhatsApp ids are kept in WhatsApp's own spelling. */
export interface ChatParty {
  /** The number in digits as WhatsApp writes it in ids (`4915112345678`), when the page shows it. */
  phone?: string;
  /** The linked id, `<digits>@lid`, where WhatsApp hides the number. */
  lid?: string;
  /** The name the page shows (address book or push name). */
  name?: string;
}

export interface ActiveChat {
  type: 'direct' | 'group';
  /** The header's title: the contact's or the group's name, or the number for an unknown contact. */
  title?: string;
  /** A direct chat's other person. */
  partner?: ChatParty;
  /** A group's id, `<digits>@g.us` or `<digits>-<digits>@g.us`. */
  groupId?: string;
  /** A group's members the page names (from its header and its messages' senders). */
  participants?: ChatParty[];
  /** The number WhatsApp Web is signed in with, in digits, when the page says: picks the wasync account. */
  ownPhone?: string;
}

/** Where the open chat is read from. */
export interface ActiveChatSource {
  readonly kind: 'page' | 'wa-js';
  /** The chat open now, or undefined when none is (the start screen, or the page still loading). */
  current(): ActiveChat | undefined;
  /**
   * Calls `listener` with the new chat each time the open chat changes, or what is known of it does
   * (its participants, once their messages show), and with undefined when none is open. Returns the
   * function that stops it.
   */
  subscribe(listener: (chat: ActiveChat | undefined) => void): () => void;
}

/** Whether two readings name the same chat with the same details (no new card needed). */
export function sameChat(a: ActiveChat | undefined, b: ActiveChat | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
