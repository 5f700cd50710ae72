import { describe, expect, it } from 'vitest';
import { SalesforceError } from '../errors.js';
import { parseSoql } from './parser.js';

describe('SOQL parser', () => {
  it('parses fields, relationship paths, nested conditions, order and limit', () => {
    const query = parseSoql(
      "SELECT Id, Owner.Name FROM Lead WHERE (Phone IN ('+1 555', '555') OR MobilePhone = '555') AND NOT IsConverted = true ORDER BY LastModifiedDate DESC NULLS LAST LIMIT 5",
    );
    expect(query.select).toEqual([
      { path: ['Id'], offset: 7 },
      { path: ['Owner', 'Name'], offset: 11 },
    ]);
    expect(query.from.name).toBe('Lead');
    expect(query.where).toMatchObject({
      kind: 'and',
      operands: [
        {
          kind: 'or',
          operands: [
            { kind: 'in', values: [{ value: '+1 555' }, { value: '555' }] },
            { kind: 'compare', operator: '=' },
          ],
        },
        { kind: 'not', operand: { kind: 'compare', value: { kind: 'boolean', value: true } } },
      ],
    });
    expect(query.orderBy).toEqual([
      {
        field: { path: ['LastModifiedDate'], offset: expect.any(Number) },
        descending: true,
        nullsLast: true,
      },
    ]);
    expect(query.limit).toBe(5);
  });

  it('reads escapes, keeping escaped LIKE wildcards apart from real ones', () => {
    const where = parseSoql("SELECT Id FROM Contact WHERE Name LIKE 'O\\'Neil\\_%'").where;
    expect(where).toMatchObject({
      kind: 'like',
      value: { kind: 'string', value: "O'Neil_%", likeText: "O'Neil\\_%" },
    });
  });

  it('reads numbers, null, datetimes and dates as typed literals', () => {
    const where = parseSoql(
      'SELECT Id FROM Opportunity WHERE Amount > -10.5 AND CloseDate = 2026-01-31 AND CreatedDate >= 2026-01-01T00:00:00Z AND AccountId = null',
    ).where;
    expect(where).toMatchObject({
      operands: [
        { value: { kind: 'number', value: -10.5 } },
        { value: { kind: 'datetime', dateOnly: true } },
        { value: { kind: 'datetime', dateOnly: false, ms: Date.UTC(2026, 0, 1) } },
        { value: { kind: 'null' } },
      ],
    });
  });

  it.each([
    ['SELECT FROM Contact', 'unexpected token: FROM'],
    ['SELECT Id Contact', 'unexpected token: Contact'],
    ["SELECT Id FROM Contact WHERE Phone = 'a\\qb'", "Illegal character sequence '\\q'"],
    ['SELECT Id FROM Contact LIMIT x', 'unexpected token: x'],
    ['SELECT Id FROM Contact WHERE Phone = ?', "unexpected token: '?'"],
  ])('refuses %s', (soql, detail) => {
    try {
      parseSoql(soql);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SalesforceError);
      expect((error as SalesforceError).errorCode).toBe('MALFORMED_QUERY');
      expect((error as SalesforceError).message).toContain(detail);
    }
  });
});
