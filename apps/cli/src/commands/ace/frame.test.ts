import type { Bead } from '@sase/beads';
import type { PlanListing } from '@sase/workspace';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../internal/terminal-text.js';
import {
  ansiText,
  clipLine,
  layoutColumns,
  lineWidth,
  plainLines,
  renderFrame,
  renderOnce,
} from './frame.js';
import { type AgentRow, emptyView, epicRowsOf, groupAgents, type WorkspaceView } from './model.js';
import { itemKeys, progressBar, tableOf } from './tables.js';
import { type AceState, initialState } from './view-state.js';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');

function agent(name: string, overrides: Partial<AgentRow> = {}): AgentRow {
  return {
    name,
    state: 'completed',
    attempt: 1,
    waits: [],
    waitsOn: [],
    reason: null,
    isParked: false,
    launcher: 'shell',
    model: null,
    group: null,
    beadId: null,
    isHidden: false,
    submittedAt: '2026-11-28T09:00:00.000Z',
    startedAt: '2026-11-28T09:00:00.000Z',
    finishedAt: '2026-11-28T09:00:12.000Z',
    exitCode: 0,
    error: null,
    pid: null,
    ...overrides,
  };
}

function bead(id: string, overrides: Partial<Bead> = {}): Bead {
  return {
    id,
    title: `Bead ${id}`,
    status: 'open',
    issueType: 'phase',
    createdAt: '2026-11-28T08:00:00.000Z',
    updatedAt: '2026-11-28T08:00:00.000Z',
    dependencies: [],
    ...overrides,
  };
}

function plan(name: string, overrides: Partial<PlanListing> = {}): PlanListing {
  return {
    path: `tales/202611/${name}.md`,
    name,
    tier: 'tale',
    title: `Plan ${name}`,
    status: 'wip',
    state: 'awaiting',
    round: 1,
    agent: null,
    bead: null,
    approvedBy: null,
    createTime: '2026-11-28T08:00:00.000Z',
    ...overrides,
  };
}

/** An epic with three phases being worked, a failed run of its own, a plan awaiting approval. */
function fleet(): WorkspaceView {
  const beads = [
    bead('sh-1', {
      issueType: 'plan',
      tier: 'epic',
      title: 'Login rework with a very long title that goes on',
    }),
    bead('sh-1.1', { parentId: 'sh-1', status: 'closed' }),
    bead('sh-1.2', { parentId: 'sh-1', status: 'in_progress' }),
    bead('sh-1.3', { parentId: 'sh-1', dependencies: [{ id: 'sh-1.2', type: 'blocks' }] }),
  ];
  return {
    ...emptyView('shop', '/tmp/shop'),
    beads,
    epics: epicRowsOf(beads, new Set(), new Set(['sh-1.3'])),
    agents: [
      agent('sh-1', {
        state: 'waiting',
        beadId: 'sh-1',
        waits: ['sh-1.3'],
        waitsOn: ['sh-1.3'],
        startedAt: null,
        finishedAt: null,
      }),
      agent('sh-1.1', { beadId: 'sh-1.1', model: 'claude/claude-opus-4-with-a-long-model-name' }),
      agent('sh-1.2', {
        state: 'running',
        beadId: 'sh-1.2',
        waits: ['sh-1.1'],
        finishedAt: null,
        startedAt: '2026-11-28T09:58:55.000Z',
      }),
      agent('sh-1.3', {
        state: 'waiting',
        beadId: 'sh-1.3',
        waits: ['sh-1.2'],
        waitsOn: ['sh-1.2'],
        startedAt: null,
        finishedAt: null,
      }),
      agent('lint', { state: 'failed', exitCode: 3, error: 'the agent exited with code 3', group: 'checks' }),
      agent('uploader', { state: 'plan' }),
      agent('loner'),
    ],
    plans: [plan('retry-upload', { agent: 'uploader' }), plan('old', { state: 'approved', bead: 'sh-2' })],
    supervisor: { isRunning: true, pid: 4242 },
  };
}

function stateOn(tab: AceState['tab'], overrides: Partial<AceState> = {}): AceState {
  return { ...initialState(tab), ...overrides };
}

describe('the view model', () => {
  it('groups agents by their epic (phase → its epic), then %group, then other; waiters after what they wait on', () => {
    const view = fleet();
    expect(
      groupAgents(view.agents, view.beads).map((group) => [
        group.label,
        group.agents.map((each) => each.name),
      ]),
    ).toEqual([
      [
        'epic sh-1 · Login rework with a very long title that goes on',
        ['sh-1.1', 'sh-1.2', 'sh-1.3', 'sh-1'],
      ],
      ['group checks', ['lint']],
      ['other', ['uploader', 'loner']],
    ]);
  });

  it('counts the progress, ready and blocked phases of an epic', () => {
    expect(fleet().epics).toEqual([
      expect.objectContaining({
        id: 'sh-1',
        kind: 'epic',
        done: 1,
        total: 3,
        inProgress: 1,
        ready: 0,
        blocked: 1,
      }),
    ]);
    expect(progressBar(1, 3)).toBe('###------- 1/3');
    expect(progressBar(0, 0)).toBe('---------- 0/0');
  });

  it('filters rows by text and keeps the group heading of what matches', () => {
    const table = tableOf(fleet(), 'agents', { filter: 'LINT', now: NOW });
    expect(table.rows.map((row) => (row.kind === 'group' ? `# ${row.label}` : row.key))).toEqual([
      '# group checks',
      'lint',
    ]);
    expect(itemKeys(tableOf(fleet(), 'plans', { now: NOW }))).toEqual([
      'tales/202611/retry-upload.md',
      'tales/202611/old.md',
    ]);
  });

  it('shrinks flexible columns first, down to their minimums', () => {
    const columns = [
      { header: 'NAME', min: 4, max: 30, isFlexible: true },
      { header: 'STATE', min: 5, max: 9 },
      { header: 'NOTE', min: 4, max: 40, isFlexible: true },
    ];
    const rows = [[{ text: 'a-rather-long-agent-name' }, { text: 'completed' }, { text: 'x'.repeat(40) }]];
    expect(layoutColumns(columns, rows, 200)).toEqual([24, 9, 40]);
    expect(layoutColumns(columns, rows, 50)).toEqual([19, 9, 20]);
    expect(layoutColumns(columns, rows, 10)).toEqual([4, 5, 4]);
  });

  it('writes a line with its styles as SGR sequences, and none for a line without styles', () => {
    expect(
      ansiText([
        { text: '> ', isBold: true, isInverse: true },
        { text: 'failed', color: 'red', isInverse: true },
        { text: ' plain' },
        { text: 'note', isDim: true },
      ]),
    ).toBe('\x1b[1;7m> \x1b[22;27m\x1b[7;31mfailed\x1b[27;39m plain\x1b[2mnote\x1b[22m');
    expect(ansiText([{ text: 'no styles' }])).toBe('no styles');
  });

  it('clips a line of segments with an ellipsis', () => {
    const line = [{ text: 'abc' }, { text: 'defgh', color: 'red' as const }, { text: 'ij' }];
    expect(clipLine(line, 10)).toEqual(line);
    expect(clipLine(line, 6)).toEqual([{ text: 'abc' }, { text: 'de…', color: 'red' }]);
    expect(lineWidth(clipLine(line, 3))).toBe(3);
    expect(clipLine(line, 0)).toEqual([]);
  });
});

describe('renderFrame', () => {
  it('fills exactly the height with lines no wider than the width, at any size and on every tab', () => {
    const view = fleet();
    for (const width of [20, 40, 80, 132]) {
      for (const height of [5, 12, 23]) {
        for (const tab of ['agents', 'beads', 'plans', 'changes'] as const) {
          for (const mode of [
            { kind: 'list' },
            { kind: 'help' },
            { kind: 'filter', text: 'sh', previous: '' },
          ] as const) {
            const lines = renderFrame({
              view,
              state: stateOn(tab, { mode }),
              width,
              height,
              now: NOW,
              isColor: true,
            });
            expect(lines).toHaveLength(height);
            for (const line of lines) expect(lineWidth(line)).toBeLessThanOrEqual(width);
          }
        }
      }
    }
  });

  it('draws the Agents tab at 80 columns: tabs, header, groups, the selection, status and keys', () => {
    const lines = plainLines(
      renderFrame({
        view: fleet(),
        state: stateOn('agents'),
        width: 80,
        height: 14,
        now: NOW,
        isColor: false,
      }),
    ).map((line) => line.trimEnd());
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "ACE shop │[1 Agents 7]│ 2 Beads 1 │ 3 Plans 1 awaiting │ 4 Changes 0 │ axe on
        NAME     STATE     TRY WAITS ON ELAPSED LAUNCHER MODEL
      ▸ epic sh-1 · Login rework with a very long title that goes on  1/4 done
      > sh-1.1   completed   1              12s shell    claude/claude-opus-4-with-a-…
        sh-1.2   running     1            1m05s shell
        sh-1.3   waiting     1 sh-1.2           shell
        sh-1     waiting     1 sh-1.3           shell
      ▸ group checks  0/1 done
        lint     failed      1              12s shell
      ▸ other  1/2 done
        uploader plan        1              12s shell
        loner    completed   1              12s shell
      1/7
      ↑↓ j k move · ⏎ open · R retry · x kill · / filter · ? help · q quit"
    `);
  });

  it('shortens the tab bar to fit: the workspace name first, then the counts', () => {
    const view = { ...fleet(), name: 'a-rather-long-workspace-directory-name' };
    const at = (width: number) =>
      plainLines(
        renderFrame({ view, state: stateOn('agents'), width, height: 5, now: NOW, isColor: false }),
      )[0]!;
    expect(at(120)).toBe(
      'ACE a-rather-long-workspace… │[1 Agents 7]│ 2 Beads 1 │ 3 Plans 1 awaiting │ 4 Changes 0 │ axe on',
    );
    expect(at(80)).toBe('ACE a-rath… │[1 Agents 7]│ 2 Beads 1 │ 3 Plans 1 awaiting │ 4 Changes 0 │ axe on');
    expect(at(66)).toBe('ACE │[1 Agents 7]│ 2 Beads 1 │ 3 Plans 1! │ 4 Changes 0 │ axe on');
  });

  it('pages the body so the selected row is always on screen', () => {
    const view = fleet();
    const state = stateOn('agents', {
      selection: { ...initialState().selection, agents: { key: 'loner', index: 0 } },
    });
    const text = plainLines(
      renderFrame({ view, state, width: 80, height: 8, now: NOW, isColor: false }),
    ).join('\n');
    expect(text).toMatch(/^> loner/m);
    expect(text).not.toMatch(/sh-1\.1/);
  });

  it('uses no colour, bold, dim or inverse without colour (NO_COLOR), and marks the selection with >', () => {
    const lines = renderFrame({
      view: fleet(),
      state: stateOn('plans'),
      width: 80,
      height: 10,
      now: NOW,
      isColor: false,
    });
    for (const segment of lines.flat()) expect(Object.keys(segment)).toEqual(['text']);
    expect(plainLines(lines)[2]).toMatch(/^> awaiting tale +retry-upload/);
    const colored = renderFrame({
      view: fleet(),
      state: stateOn('plans'),
      width: 80,
      height: 10,
      now: NOW,
      isColor: true,
    });
    expect(colored[2]!.every((segment) => segment.isInverse)).toBe(true);
    expect(colored.flat().some((segment) => segment.color === 'magenta')).toBe(true);
  });

  it('shows prompts and messages on the status line', () => {
    const reject = renderFrame({
      view: fleet(),
      state: stateOn('plans', {
        mode: { kind: 'reject', plan: 'p', label: 'retry-upload', text: 'Back off' },
      }),
      width: 80,
      height: 8,
      now: NOW,
      isColor: false,
    });
    expect(plainLines(reject).at(-2)).toBe('feedback for retry-upload: Back off_');
    const error = renderFrame({
      view: fleet(),
      state: stateOn('agents', { status: { text: 'retry failed: cannot retry', isError: true } }),
      width: 80,
      height: 8,
      now: NOW,
      isColor: true,
    });
    expect(error.at(-2)).toEqual([{ text: 'retry failed: cannot retry', color: 'red' }]);
  });

  it('shows the detail pane scrolled to its end (a live tail) or where it was scrolled', () => {
    const detail = {
      title: 'agent lint',
      lines: Array.from({ length: 30 }, (_, index) => [{ text: `line ${index}` }]),
    };
    const atEnd = plainLines(
      renderFrame({
        view: fleet(),
        state: stateOn('agents', { mode: { kind: 'detail', tab: 'agents', key: 'lint', scroll: 'end' } }),
        width: 80,
        height: 10,
        now: NOW,
        isColor: false,
        detail,
      }),
    );
    expect(atEnd.slice(1, 8)).toEqual([
      'agent lint',
      'line 24',
      'line 25',
      'line 26',
      'line 27',
      'line 28',
      'line 29',
    ]);
    const scrolled = plainLines(
      renderFrame({
        view: fleet(),
        state: stateOn('agents', { mode: { kind: 'detail', tab: 'agents', key: 'lint', scroll: 2 } }),
        width: 80,
        height: 10,
        now: NOW,
        isColor: false,
        detail,
      }),
    );
    expect(scrolled[2]).toBe('line 2');
  });

  it('renders --once as plain text at the width, every row', () => {
    const lines = renderOnce(fleet(), { width: 60, now: NOW });
    expect(lines[0]).toBe('ACE shop · axe on · 7 agents: 1 running, 2 waiting, 1 plan,…');
    expect(lines).toHaveLength(12);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(lines.join('\n')).not.toMatch(/\x1b/);
  });
});
