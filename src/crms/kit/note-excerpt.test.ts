import { expect, it } from 'vitest';
import { noteExcerpt } from './note-excerpt.js';

it('keeps a short note whole, on one line', () => {
  expect(noteExcerpt('  Called Ana.\n\nShe wants   the blue one. ', 40)).toBe(
    'Called Ana. She wants the blue one.',
  );
});

it('cuts a long note at the last word boundary before the length, with an ellipsis', () => {
  const note = 'Called Ana about the quote for the pallets, she will confirm on Monday';
  const cut = noteExcerpt(note, 30);
  expect(cut).toBe('Called Ana about the quote…');
  expect([...cut].length).toBeLessThanOrEqual(30);
  // Punctuation before the cut goes: "pallets,…" reads badly.
  expect(noteExcerpt(note, 45)).toBe('Called Ana about the quote for the pallets…');
});

it('cuts a single word longer than the excerpt where it must, and counts emoji as one character', () => {
  expect(noteExcerpt(`https://example.com/${'a'.repeat(50)}`, 20)).toBe('https://example.com…');
  expect(noteExcerpt('👍👍👍 great news today', 10)).toBe('👍👍👍 great…');
});
