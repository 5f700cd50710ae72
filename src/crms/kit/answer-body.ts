/** An answer's body: JSON when it is JSON, undefined when empty (a 204), a proxy's HTML page as text. */
export async function readAnswerBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
