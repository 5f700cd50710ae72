/** Builders for REST ingest items, so tests say what differs and not the whole JSON shape. */

let counter = 0;
const BASE_TIME = Date.UTC(2026, 10, 20, 9, 0, 0) / 1000;

export function textMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    id: `wamid.test-${counter}`,
    chat: { type: 'direct', with: { phone: '+55 11 98765-4321', name: 'Ana Souza' } },
    timestamp: BASE_TIME + counter,
    text: `message ${counter}`,
    ...overrides,
  };
}

export function groupMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return textMessage({
    chat: {
      type: 'group',
      id: '120363012345678901@g.us',
      title: 'Acme buyers',
      participants: [
        { phone: '+49 1512 3456789', name: 'Jonas' },
        { phone: '+1 201-555-0123', name: 'Mary' },
      ],
    },
    from: { phone: '+49 1512 3456789', name: 'Jonas' },
    ...overrides,
  });
}
