import { QueueError } from './queue-error.js';

/** A Redis address as `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` names it. */
export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/**
 * Parses `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (port 6379 and database 0 by default). Anything else
 * is QUEUE_URL_INVALID, with a message that shows a valid address.
 */
export function parseQueueUrl(url: string): QueueAddress {
  const invalid = (why: string) =>
    new QueueError(
      'QUEUE_URL_INVALID',
      `the queue address "${url}" ${why}; write redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379/0`,
      { exitCode: 2 },
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('is not a URL');
  }
  if (parsed.protocol !== 'redis:') throw invalid(`has the scheme "${parsed.protocol}" instead of redis:`);
  if (parsed.hostname === '') throw invalid('names no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw invalid(`has "/${path}" where a database number belongs`);
  if (parsed.search !== '' || parsed.hash !== '') throw invalid('has a query or fragment');
  const address: QueueAddress = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path === '' ? 0 : Number(path),
  };
  if (parsed.username !== '') address.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') address.password = decodeURIComponent(parsed.password);
  return address;
}

/** The address without its password, for messages and listings. */
export function describeQueueUrl(url: string): string {
  try {
    const address = parseQueueUrl(url);
    return `redis://${address.host}:${address.port}/${address.db}`;
  } catch {
    return url;
  }
}
