/**
 * `@sase/queue/testing`: a throw-away `redis-server` for tests and benchmarks, on 127.0.0.1 and a free port,
 * with its append-only file in a directory of its own (so that a restart keeps every job, as in production).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** The directory of its append-only file. */
  dir: string;
  /** Stops it (SIGTERM: Redis writes its append-only file and exits) and starts it again on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** The `redis-server` executable on PATH, or undefined when there is none. */
export function findRedisServer(): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path !== '' ? path : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    const done = (isUp: boolean) => {
      socket.destroy();
      resolve(isUp);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      // A server still loading its append-only file answers -LOADING: not up yet.
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port with `--appendonly yes` in a new temporary directory,
 * and resolves once it answers PING. Throws when redis-server is not installed (see findRedisServer).
 */
export async function startRedisServer(): Promise<TestRedisServer> {
  const executable = findRedisServer();
  if (executable === undefined) {
    throw new Error(
      'redis-server is not installed (Debian: apt-get install redis-server); the queue tests need a real one',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'sase-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(
      executable,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    child = started;
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (started.exitCode !== null)
        throw new Error(`redis-server exited (code ${started.exitCode}) on port ${port}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const halt = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async restart(options = {}) {
      await halt();
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
