import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../internal/terminal-text.js';
import { type AgentDetailData, formatDetail, markdownLines } from './detail.js';
import { plainLines } from './frame.js';

describe('the detail pane', () => {
  it("shows an agent's state, request, outcome and transcript", () => {
    const data: AgentDetailData = {
      kind: 'agent',
      name: 'lint',
      row: undefined,
      request: {
        prompt: 'run the linter\nand fix what it finds',
        launcher: 'shell',
        model: null,
        waits: ['build'],
        beadId: null,
        cwd: '.',
        isPlan: false,
        isApproved: false,
        implementsPlan: null,
      },
      done: {
        outcome: 'failed',
        exitCode: 3,
        error: 'the agent exited with code 3',
        finishedAt: '2026-11-28T09:00:00Z',
      },
      earlierAttempts: [],
      dir: '.sase/agents/lint',
      events: [
        { type: 'output', time: 't', stream: 'stdout', text: 'checking 12 files' },
        { type: 'tool-use', time: 't', name: 'Bash' },
        { type: 'outcome', time: 't', outcome: { outcome: 'failed', exitCode: 3, error: 'lint errors' } },
      ],
    };
    const text = plainLines(formatDetail(data, 60, 0).lines);
    expect(text).toEqual([
      'state:     being submitted',
      'launcher:  shell',
      'waits:     build',
      'outcome:   failed (exit 3) at 2026-11-28T09:00:00Z',
      'error:     the agent exited with code 3',
      'dir:       .sase/agents/lint',
      '',
      'Request',
      '  run the linter',
      '  and fix what it finds',
      '',
      'Transcript (live)',
      'checking 12 files',
      '[tool] Bash',
      '[failed (exit 3)] lint errors',
    ]);
  });

  it('renders a plan: headings, wrapped paragraphs and lists, code kept as it is', () => {
    const lines = plainLines(
      markdownLines(
        '# Retry the upload\n\nTry three times with an exponential\nbackoff between the attempts.\n\n- first step that is long enough to wrap\n1. numbered\n\n```\nconst x = 1;\n```\n',
        30,
      ),
    );
    expect(lines).toEqual([
      'Retry the upload',
      '',
      'Try three times with an',
      'exponential backoff between',
      'the attempts.',
      '',
      '• first step that is long',
      '  enough to wrap',
      '1. numbered',
      '',
      '  const x = 1;',
    ]);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
  });
});
