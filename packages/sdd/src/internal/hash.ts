import { createHash } from 'node:crypto';

/** sha256 of a text's UTF-8 bytes, as 64 lowercase hex digits (what `prompt_sha256` holds). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
