import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../src/config/index.js';
import { ERROR_CODES } from '../src/core/errors.js';
import { ITEM_ERROR_CODES } from '../src/sources/rest/parse.js';

/** Rows of the markdown table that follows `heading`, as arrays of trimmed cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(heading);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replaceAll('`', '');

describe('documentation stays in step with the code', () => {
  const errors = fs.readFileSync('docs/errors.md', 'utf8');

  it('docs/errors.md lists every API error code with its HTTP status', () => {
    const rows = tableAfter(errors, '## Request errors');
    const documented = Object.fromEntries(
      rows.map(([code, status]) => [unquote(code ?? ''), Number(status)]),
    );
    const actual = Object.fromEntries(
      Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]),
    );
    expect(documented).toEqual(actual);
  });

  it('docs/errors.md lists every ingest item error code', () => {
    const rows = tableAfter(errors, '## Ingest item errors');
    expect(rows.map(([code]) => unquote(code ?? '')).sort()).toEqual([...ITEM_ERROR_CODES].sort());
  });

  it("the README's configuration table lists every environment variable", () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const rows = tableAfter(readme, '## Configuration');
    expect(rows.map(([name]) => unquote(name ?? '')).sort()).toEqual([...ENV_VARIABLES].sort());
  });
});
