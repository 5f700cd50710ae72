/** Words for people: a count with its noun, "1 chat", "2 chats", "3 people". */
export function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}
