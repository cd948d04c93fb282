/**
 * A stand-in for the `sase` binary in the scheduler's process tests, bundled by the tests with esbuild:
 *   serve <root> [--in-process] [--idle-exit-ms N] [--reload]
 *                                    runs a supervisor in the foreground (agent hosts unless --in-process);
 *                                    --reload watches <root>/sase.yml and restarts on a change
 *   host <root> [<name> <attempt>]   runs one attempt (the agent host; a warm host without a name)
 *   start <root> [serve flags]       starts a detached supervisor and prints its pid as JSON
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAgentHost, serveSupervisor, startSupervisorProcess } from '../index.js';
import { resolveShell } from './test-workspace.js';

const self = fileURLToPath(import.meta.url);
const [command, root, ...rest] = process.argv.slice(2);
if (root === undefined) throw new Error('usage: serve|host|start <root> ...');

if (command === 'serve') {
  const isInProcess = rest.includes('--in-process');
  const idleFlag = rest.indexOf('--idle-exit-ms');
  const options = {
    workspaceRoot: root,
    resolveLauncher: resolveShell,
    pollMs: 200,
    ...(isInProcess ? {} : { agentHost: { command: [process.execPath, self, 'host'] } }),
    ...(idleFlag === -1 ? {} : { idleExitMs: Number(rest[idleFlag + 1]) }),
  };
  let reloads = 0;
  process.exitCode = await serveSupervisor({
    ...options,
    ...(rest.includes('--reload')
      ? {
          watchFiles: ['sase.yml'],
          reload: () => {
            reloads++;
            if (readFileSync(join(root, 'sase.yml'), 'utf8').includes('invalid'))
              throw new Error('sase.yml: invalid');
            process.stdout.write(`reload ${reloads}\n`);
            return options;
          },
        }
      : {}),
  });
} else if (command === 'host') {
  const [name, attempt] = rest;
  await runAgentHost({
    workspaceRoot: root,
    ...(name === undefined ? {} : { name, attempt: Number(attempt) }),
    resolveLauncher: resolveShell,
    supervisorPid: Number(process.env.SASE_SUPERVISOR_PID) || null,
    pollMs: 200,
  });
} else if (command === 'start') {
  const result = await startSupervisorProcess({
    workspaceRoot: root,
    command: [process.execPath, self, 'serve', root, ...rest],
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  throw new Error(`unknown command ${command}`);
}
