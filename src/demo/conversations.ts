/**
 * The cast and the script of `wasync demo`: the people in the sandbox CRM (their numbers spelled the
 * way people type them into a CRM, not as WhatsApp sends them), the demo rep's WhatsApp account, and
 * the conversations it posts through the REST ingest. Message ids are fixed, so posting the script
 * again on a later run stores nothing new. The messages posted now and then are in live-threads.ts.
 */

/** The demo rep's WhatsApp number, a REST-ingest account. */
export const DEMO_ACCOUNT = { phone: '+1 415 555 0000', displayName: 'Demo rep' } as const;

export interface DemoPerson {
  name: string;
  /** The number as WhatsApp knows it (E.164). */
  phone: string;
  /** The CRM record seeded for this person, or none: then the person's chat stays unmatched. */
  record?: { type: 'Contact' | 'Lead'; fields: Record<string, string> };
}

export const PEOPLE = {
  ana: {
    name: 'Ana Souza',
    phone: '+5511987654321',
    // Brazilian national format, no country code: how a rep in São Paulo types it.
    record: {
      type: 'Contact',
      fields: { FirstName: 'Ana', LastName: 'Souza', Title: 'Purchasing manager', Phone: '(11) 98765-4321' },
    },
  },
  mike: {
    name: 'Mike Chen',
    phone: '+14155550100',
    record: {
      type: 'Contact',
      fields: {
        FirstName: 'Mike',
        LastName: 'Chen',
        Title: 'Facilities lead',
        MobilePhone: '+1 (415) 555-0100',
      },
    },
  },
  bruno: {
    name: 'Bruno Lima',
    phone: '+5521998765432',
    record: {
      type: 'Lead',
      fields: {
        FirstName: 'Bruno',
        LastName: 'Lima',
        Company: 'Lima Ltda',
        MobilePhone: '+55 21 99876-5432',
      },
    },
  },
  // No CRM record: her chat is listed as unmatched, to be linked or made a lead by hand.
  carmen: { name: 'Carmen Ruiz', phone: '+34612345678' },
} satisfies Record<string, DemoPerson>;

export type DemoPersonKey = keyof typeof PEOPLE;

/** The people seeded into the CRM, in seeding order. */
export function seededPeople(): (DemoPerson & { record: NonNullable<DemoPerson['record']> })[] {
  return Object.values(PEOPLE).flatMap((person: DemoPerson) =>
    person.record ? [{ ...person, record: person.record }] : [],
  );
}

/** The number as the CRM record holds it. */
export function crmSpelling(person: DemoPerson): string | undefined {
  const fields = person.record?.fields;
  return fields?.Phone ?? fields?.MobilePhone;
}

export const DEMO_GROUP = {
  id: '120363000000004242@g.us',
  title: 'Blue model rollout',
  members: ['ana', 'bruno'] as const satisfies readonly DemoPersonKey[],
};

/** An item of a REST ingest batch (docs/rest-ingest.md). */
export type IngestItem = Record<string, unknown> & { id: string };

const MINUTE = 60_000;

export function party(key: DemoPersonKey): { phone: string; name: string } {
  return { phone: PEOPLE[key].phone, name: PEOPLE[key].name };
}

export function groupChat() {
  return {
    type: 'group',
    id: DEMO_GROUP.id,
    title: DEMO_GROUP.title,
    participants: DEMO_GROUP.members.map(party),
  };
}

/**
 * The scripted conversations, timed in the hour before `now`: 1:1 chats with text, a reply, an edit, a
 * reaction and a PDF sent as base64, and a group chat with two of the CRM's people.
 */
export function scriptedConversations(now: number): IngestItem[] {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * MINUTE).toISOString();
  const direct = (key: DemoPersonKey) => ({ type: 'direct', with: party(key) });
  return [
    // Ana, a contact: a quote with a PDF, a reply to it, an edit and a reaction.
    {
      id: 'demo.ana.1',
      chat: direct('ana'),
      timestamp: at(50),
      text: 'Hi! Do you still have the blue model in stock?',
    },
    {
      id: 'demo.ana.2',
      chat: direct('ana'),
      fromMe: true,
      timestamp: at(48),
      text: 'Hi Ana, yes: 40 units in São Paulo. Sending the quote now.',
    },
    {
      id: 'demo.ana.3',
      chat: direct('ana'),
      fromMe: true,
      timestamp: at(47),
      type: 'document',
      text: 'Quote Q-1042',
      media: {
        base64: quotePdf().toString('base64'),
        mimeType: 'application/pdf',
        fileName: 'quote-Q-1042.pdf',
      },
    },
    {
      id: 'demo.ana.4',
      chat: direct('ana'),
      timestamp: at(45),
      text: 'Thanks! Could you do 5% off for 30 units?',
      replyTo: 'demo.ana.3',
    },
    {
      kind: 'edit',
      id: 'demo.ana.5',
      target: 'demo.ana.2',
      fromMe: true,
      timestamp: at(44),
      text: 'Hi Ana, yes: 42 units in São Paulo. Sending the quote now.',
    },
    {
      id: 'demo.ana.6',
      chat: direct('ana'),
      fromMe: true,
      timestamp: at(40),
      text: 'Deal: 5% off for 30 units.',
    },
    {
      kind: 'reaction',
      id: 'demo.ana.7',
      target: 'demo.ana.6',
      emoji: '👍',
      from: PEOPLE.ana.phone,
      timestamp: at(39),
    },

    // Mike, a contact stored with a US mobile number.
    {
      id: 'demo.mike.1',
      chat: direct('mike'),
      timestamp: at(35),
      text: 'Hey, is the install still on for Thursday?',
    },
    {
      id: 'demo.mike.2',
      chat: direct('mike'),
      fromMe: true,
      timestamp: at(33),
      text: 'Yes, 9 am. I will bring the spare parts.',
    },
    {
      id: 'demo.mike.3',
      chat: direct('mike'),
      timestamp: at(32),
      text: 'Perfect, see you then',
      replyTo: 'demo.mike.2',
    },

    // Bruno, a lead.
    {
      id: 'demo.bruno.1',
      chat: direct('bruno'),
      timestamp: at(30),
      text: 'Boa tarde! I saw your booth at the fair. Do you ship to Rio?',
    },
    {
      id: 'demo.bruno.2',
      chat: direct('bruno'),
      fromMe: true,
      timestamp: at(28),
      text: 'We do, two days to Rio. What volume are you looking at?',
    },
    {
      id: 'demo.bruno.3',
      chat: direct('bruno'),
      timestamp: at(27),
      text: 'About 200 units a month to start.',
    },

    // A group with Ana and Bruno: it lands on both their records.
    {
      id: 'demo.group.1',
      chat: groupChat(),
      fromMe: true,
      timestamp: at(25),
      text: 'Welcome both! Ana runs the blue model in São Paulo, Bruno is starting in Rio.',
    },
    {
      id: 'demo.group.2',
      chat: groupChat(),
      from: party('ana'),
      timestamp: at(24),
      text: 'Hi Bruno! Happy to share how we set it up.',
    },
    {
      id: 'demo.group.3',
      chat: groupChat(),
      from: party('bruno'),
      timestamp: at(22),
      text: 'Obrigado, Ana!',
    },
    {
      kind: 'reaction',
      id: 'demo.group.4',
      target: 'demo.group.3',
      emoji: '🙏',
      fromMe: true,
      timestamp: at(21),
    },

    // Carmen has no CRM record: unmatched.
    {
      id: 'demo.carmen.1',
      chat: direct('carmen'),
      timestamp: at(20),
      text: 'Hola, I got your number at the expo. Can you send me the catalogue?',
    },
    {
      id: 'demo.carmen.2',
      chat: direct('carmen'),
      fromMe: true,
      timestamp: at(18),
      text: 'Hi Carmen! Sending it today.',
    },
  ];
}

/** A one-page PDF quote, small enough to send as base64, with a correct cross-reference table. */
export function quotePdf(): Buffer {
  const lines = [
    'Quote Q-1042',
    'Blue model x 30 @ USD 120.00, less 5%',
    'Total: USD 3,420.00',
    'Valid 30 days. Made by wasync demo.',
  ];
  const text = lines.map((line, i) => `BT /F1 14 Tf 72 ${720 - i * 24} Td (${line}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
