/**
 * A note's text as the card shows it: on one line, and when longer than `length` characters, cut at
 * the last word boundary before it with an ellipsis (a word cut in half reads as a typo). A single
 * word longer than the excerpt (a link) is cut where it must be.
 */
export function noteExcerpt(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  if (chars.length <= length) return flat;
  const room = chars.slice(0, length - 1).join('');
  // The room may end with a whole word: the next character says so.
  const boundary = chars[length - 1] === ' ' ? room.length : room.lastIndexOf(' ');
  const cut = boundary > 0 ? room.slice(0, boundary) : room;
  return `${cut.replace(/[\s,;:.–—-]+$/u, '')}…`;
}
