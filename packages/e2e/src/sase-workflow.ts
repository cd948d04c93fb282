// `sase bead work` and `sase agent retry` with a real agent CLI: the tests of one CLI, defined once and run
// in a file per CLI (so that the three CLIs run side by side).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscript } from '@sase/launcher-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentCli, removeHostAgentVariables } from './agent-clis.js';
import { RUN_TIMEOUT_MS, toolEvents } from './harness.js';
import { type MockModelServer, startMockModelServer } from './mock-model-server.js';
import { createSaseWorkspace, isSaseBuilt, SASE_BIN } from './sase-cli.js';

const xprompt = (input: string, body: string) =>
  `---\ninput:\n  - {name: ${input}, type: word}\n---\n${body}\n`;

export function describeSaseWorkflows(cli: AgentCli): void {
  if (!isSaseBuilt) console.warn(`${cli}: the sase workflow tests are skipped, ${SASE_BIN} is not built`);
  removeHostAgentVariables();
  let mock: MockModelServer;
  beforeAll(async () => {
    if (isSaseBuilt) mock = await startMockModelServer();
  });
  afterAll(async () => {
    await mock?.close();
  });

  describe.skipIf(!isSaseBuilt)(`sase with the real ${cli} CLI`, { timeout: 3 * RUN_TIMEOUT_MS }, () => {
    it('bead work: a two-phase epic, each phase in its own worktree with %approve, committed and landed', async () => {
      // Each phase agent writes a file named after its bead with the CLI's shell tool; the land agent runs
      // `sase change land` the same way.
      const phase = mock.script([
        { type: 'shell', command: 'echo "$SASE_BEAD_ID" > "phase-$SASE_BEAD_ID.txt" && ls' },
        { type: 'text', text: 'The phase is done.' },
      ]);
      const land = mock.script([
        {
          type: 'shell',
          command: `${JSON.stringify(process.execPath)} ${JSON.stringify(SASE_BIN)} change land ep-1`,
        },
        { type: 'text', text: 'Landed.' },
      ]);
      const workspace = await createSaseWorkspace(cli, mock.url, {
        xprompts: {
          'bead/work_phase': xprompt('bead', `Work on bead {{ bead }}. ${phase.tag}`),
          'bead/land_epic': xprompt('epic', `Land epic {{ epic }}. ${land.tag}`),
        },
      });
      try {
        for (const argv of [
          ['bead', 'create', '-t', 'Epic', '--tier', 'epic'],
          ['bead', 'create', '-t', 'Schema', '--parent', '1'],
          ['bead', 'create', '-t', 'API', '--parent', '1', '--deps', '1.1'],
        ]) {
          expect((await workspace.sase(argv)).code).toBe(0);
        }
        const work = await workspace.sase(['bead', 'work', '1', '--wait', '--json'], 3 * RUN_TIMEOUT_MS);
        const agents =
          work.stdout === '' ? [] : (JSON.parse(work.stdout).agents as { name: string; state: string }[]);
        expect({ code: work.code, agents, stderr: work.stderr.slice(-3000) }).toMatchObject({
          code: 0,
          agents: [
            { name: 'ep-1', state: 'completed' },
            { name: 'ep-1.1', state: 'completed' },
            { name: 'ep-1.2', state: 'completed' },
          ],
        });
        // Each phase's work is committed on its branch by SASE; the second phase started from the first's.
        expect(workspace.git('log', '-1', '--format=%s%n%b', 'sase/ep-1.2')).toContain(
          'ep-1.2: API\nSase-Agent: ep-1.2#1',
        );
        expect(workspace.git('show', 'sase/ep-1.2:phase-ep-1.1.txt')).toBe('ep-1.1\n');
        // Landed in dependency order on main, by the land agent running `sase change land`.
        expect(
          workspace.git('log', '--first-parent', '--format=%s', '-2', 'main').trim().split('\n'),
        ).toEqual(['Land ep-1.2: API', 'Land ep-1.1: Schema']);
        expect(readFileSync(join(workspace.root, 'phase-ep-1.2.txt'), 'utf8')).toBe('ep-1.2\n');
        const beads = JSON.parse((await workspace.sase(['bead', 'list', '--json'])).stdout) as {
          status: string;
        }[];
        expect(beads.map((bead) => bead.status)).toEqual(['closed', 'closed', 'closed']);
        // The phase agent's transcript has the tool call and its result.
        const tools = toolEvents(
          readTranscript(join(workspace.root, '.sase/agents/ep-1.1/transcript.jsonl')),
        );
        expect(tools.map((event) => event.type)).toEqual(['tool-use', 'tool-result']);
        expect(JSON.stringify(tools[1])).toContain('phase-ep-1.1.txt');
      } finally {
        await workspace.dispose();
      }
    });

    it('agent retry resumes the CLI session with what went wrong (a failing check)', async () => {
      // Attempt 1 writes a.txt and stops; the check wants ok.txt, so it fails. The retry resumes the session
      // and is told so; the conversation goes on with the script's next turns.
      const script = mock.script([
        { type: 'shell', command: 'echo first > a.txt' },
        { type: 'text', text: 'Wrote a.txt.' },
        { type: 'shell', command: 'touch ok.txt' },
        { type: 'text', text: 'Added ok.txt.' },
      ]);
      const workspace = await createSaseWorkspace(cli, mock.url, {
        extraYml: 'changes:\n  hooks:\n    - {name: check, command: [test, -f, ok.txt]}\n',
      });
      try {
        const first = await workspace.sase([
          'run',
          '--worktree',
          '--name',
          'fixer',
          `%approve Fix it. ${script.tag}`,
        ]);
        expect({ code: first.code, stderr: first.stderr.slice(-2000) }).toMatchObject({ code: 1 });
        expect(first.stderr).toContain('hook check failed (exit 1)');
        const done = JSON.parse(readFileSync(join(workspace.root, '.sase/agents/fixer/done.json'), 'utf8'));
        expect(done.session_id).toEqual(expect.any(String));

        expect((await workspace.sase(['agent', 'retry', 'fixer'])).code).toBe(0);
        const waited = await workspace.sase(['agent', 'wait', 'fixer', '--json'], 2 * RUN_TIMEOUT_MS);
        expect({ code: waited.code, stdout: waited.stdout }).toMatchObject({ code: 0 });
        expect(JSON.parse(waited.stdout)).toMatchObject({ state: 'completed', attempt: 2 });
        // The resumed request carries the earlier conversation (the first tool call) and the retry's prompt.
        const resumed = script.requests().map((request) => JSON.stringify(request.body));
        const retryRequest = resumed.find((body) => body.includes('Your previous attempt 1 ended failed'));
        expect(retryRequest).toBeDefined();
        expect(retryRequest).toContain('echo first > a.txt');
        expect(retryRequest).toContain('hook check failed');
        expect(workspace.git('show', 'sase/fixer:ok.txt')).toBe('');
      } finally {
        await workspace.dispose();
      }
    });
  });
}
