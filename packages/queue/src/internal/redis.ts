import { Redis, type RedisOptions } from 'ioredis';
import { parseQueueUrl } from '../queue-url.js';

/**
 * An ioredis client for `url` that outlives Redis restarts: commands wait (offline queue, no retry limit)
 * until the server is back, reconnecting every 100 ms to 1 s. Connection errors go to `log`, once per
 * outage rather than once per try.
 */
export function createRedisClient(url: string, role: string, log: (line: string) => void): Redis {
  const address = parseQueueUrl(url);
  const options: RedisOptions = {
    host: address.host,
    port: address.port,
    db: address.db,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    connectionName: `sase-${role}`,
  };
  if (address.username !== undefined) options.username = address.username;
  if (address.password !== undefined) options.password = address.password;
  const client = new Redis(options);
  let isDown = false;
  client.on('error', (error: Error) => {
    if (isDown) return;
    isDown = true;
    log(`redis ${address.host}:${address.port} (${role}): ${error.message}; retrying`);
  });
  client.on('ready', () => {
    if (isDown) log(`redis ${address.host}:${address.port} (${role}): connected again`);
    isDown = false;
  });
  return client;
}

/** Parses the flat [field, value, ...] list of a stream entry into type and data. */
export function parseStreamFields(fields: string[]): { type: string; data: unknown } {
  let type = '';
  let data: unknown = null;
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === 'type') type = fields[index + 1]!;
    else if (fields[index] === 'data') {
      try {
        data = JSON.parse(fields[index + 1]!);
      } catch {
        data = fields[index + 1];
      }
    }
  }
  return { type, data };
}
