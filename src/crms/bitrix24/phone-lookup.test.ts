import { describe, expect, it } from 'vitest';
import { chunks, contactsFirst, isConvertedLead } from './phone-lookup.js';

describe('isConvertedLead', () => {
  it('reads the status semantics where the portal answers them, else the CONVERTED status', () => {
    expect(isConvertedLead({ STATUS_ID: 'CONVERTED', STATUS_SEMANTIC_ID: 'S' })).toBe(true);
    // A portal's own success status under another name is still a converted lead.
    expect(isConvertedLead({ STATUS_ID: 'UC_WON', STATUS_SEMANTIC_ID: 'S' })).toBe(true);
    expect(isConvertedLead({ STATUS_ID: 'JUNK', STATUS_SEMANTIC_ID: 'F' })).toBe(false);
    expect(isConvertedLead({ STATUS_ID: 'IN_PROCESS', STATUS_SEMANTIC_ID: 'P' })).toBe(false);
    expect(isConvertedLead({ STATUS_ID: 'CONVERTED' })).toBe(true);
    expect(isConvertedLead({ STATUS_ID: 'NEW' })).toBe(false);
  });
});

describe('contactsFirst', () => {
  const record = (type: 'contact' | 'lead', id: string, created?: string) => ({
    type,
    id,
    name: '',
    phones: [],
    url: '',
    createdAt: created === undefined ? undefined : new Date(created),
  });

  it('puts contacts before leads, the oldest first, then the lower id', () => {
    const sorted = [
      record('lead', '1', '2026-01-01T00:00:00Z'),
      record('contact', '9', '2026-03-01T00:00:00Z'),
      record('contact', '12', '2026-02-01T00:00:00Z'),
      record('contact', '10', '2026-02-01T00:00:00Z'),
    ].sort(contactsFirst);
    expect(sorted.map((r) => `${r.type}:${r.id}`)).toEqual([
      'contact:10',
      'contact:12',
      'contact:9',
      'lead:1',
    ]);
  });
});

describe('chunks', () => {
  it('cuts a list into pieces of at most the size', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 20)).toEqual([]);
  });
});
