/** Files given inline as `[name, base64]` (b24restdocs api-reference/files/how-to-upload-files.md). */
import { Bitrix24Error } from '../method.js';

export interface InlineFile {
  name: string;
  content: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One `[name, base64]` pair. Content that is not base64 is refused (unverified: the docs only say the
 * content is a base64 string), as is an empty name.
 */
export function inlineFile(value: unknown, what: string): InlineFile {
  if (
    !Array.isArray(value) ||
    value.length < 2 ||
    typeof value[0] !== 'string' ||
    typeof value[1] !== 'string'
  )
    throw new Bitrix24Error(400, 'ERROR_CORE', `${what} must be [file name, base64 content].`);
  const [name, data] = value as [string, string];
  const compact = data.replace(/\s/g, '');
  if (name.trim() === '' || compact.length % 4 !== 0 || !BASE64.test(compact))
    throw new Bitrix24Error(400, 'ERROR_CORE', `${what} is not a file name with base64 content.`);
  return { name, content: Buffer.from(compact, 'base64') };
}

const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;
export const isImage = (name: string) => IMAGE.test(name);
