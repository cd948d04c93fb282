// `sase run --launcher claude|codex|gemini` with the built CLI (apps/cli/dist/bin.cjs) and the real agent CLIs,
// configured in sase.yml (launcher.<id>.executable and env), against the mock model server.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscript } from '@sase/launcher-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCliSandbox,
  createGitWorkspace,
  MOCK_MODELS,
  PINNED_VERSIONS,
  removeHostAgentVariables,
} from './agent-clis.js';
import { RUN_TIMEOUT_MS, toolEvents } from './harness.js';
import { type MockModelServer, startMockModelServer } from './mock-model-server.js';
import { isSaseBuilt, launcherYml, runSase, SASE_BIN } from './sase-cli.js';

const isBuilt = isSaseBuilt;
if (!isBuilt) {
  console.warn(`sase-run.test.ts: skipped, ${SASE_BIN} is not built (run \`pnpm build\` first)`);
}

removeHostAgentVariables();
let mock: MockModelServer;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  if (isBuilt) mock = await startMockModelServer();
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await mock?.close();
});

describe.skipIf(!isBuilt)(
  'sase run with the real agent CLIs (apps/cli/dist/bin.cjs)',
  { timeout: RUN_TIMEOUT_MS },
  () => {
    it.each(['claude', 'codex', 'gemini'] as const)(
      'sase run --launcher %s: %approve, a tool call, completed',
      async (cli) => {
        const marker = `sase-run-${cli}-${Date.now()}`;
        const script = mock.script([
          { type: 'shell', command: `echo ${marker} > marker.txt && cat marker.txt` },
          { type: 'text', text: `Wrote ${marker}.` },
        ]);
        const sandbox = createCliSandbox(cli, mock.url);
        const workspace = createGitWorkspace();
        const home = mkdtempSync(join(tmpdir(), 'sase-e2e-home-'));
        cleanups.push(
          sandbox.dispose,
          () => rmSync(workspace, { recursive: true, force: true }),
          () => rmSync(home, { recursive: true, force: true }),
        );
        writeFileSync(
          join(workspace, 'sase.yml'),
          `launcher:\n${launcherYml(cli, sandbox.executable, sandbox.env)}\n`,
        );
        const name = `e2e-${cli}`;
        const result = await runSase(
          [
            'run',
            '--launcher',
            cli,
            '--model',
            MOCK_MODELS[cli],
            '--name',
            name,
            `%approve Write the marker. ${script.tag}`,
          ],
          workspace,
          home,
        );
        const agentDirectory = join(workspace, '.sase', 'agents', name);
        const done = existsSync(join(agentDirectory, 'done.json'))
          ? (JSON.parse(readFileSync(join(agentDirectory, 'done.json'), 'utf8')) as Record<string, unknown>)
          : undefined;
        expect({ code: result.code, done, stderr: result.stderr.slice(-2000) }).toMatchObject({
          code: 0,
          done: { name, outcome: 'completed', launcher: cli, error: null },
        });
        expect(readFileSync(join(workspace, 'marker.txt'), 'utf8')).toBe(`${marker}\n`);
        const tools = toolEvents(readTranscript(join(agentDirectory, 'transcript.jsonl')));
        expect(tools.map((event) => event.type)).toEqual(['tool-use', 'tool-result']);
        expect(JSON.stringify(tools[1])).toContain(marker);
        expect(script.requests().length).toBeGreaterThanOrEqual(2);
        expect(PINNED_VERSIONS[cli]).toMatch(/^\d+\.\d+\.\d+$/);
      },
    );
  },
);
