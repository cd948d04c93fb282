import { describe, expect, it } from 'vitest';
import type { TabName } from './model.js';
import {
  type AceState,
  type Effect,
  initialState,
  type KeyContext,
  type KeyPress,
  reduceKey,
} from './view-state.js';

const KEYS: Record<TabName, string[]> = {
  agents: ['a1', 'a2', 'planner', 'a4'],
  beads: ['b-1'],
  plans: ['tales/202611/p.md', 'epics/202611/e.md'],
  changes: [],
};

const context: KeyContext = {
  keys: KEYS,
  pageSize: 2,
  planOf(tab, key) {
    if (tab === 'plans') return { path: key, label: key.split('/').at(-1)!.replace('.md', '') };
    return tab === 'agents' && key === 'planner' ? { path: 'tales/202611/p.md', label: 'p' } : undefined;
  },
};

/** Types a sequence of keys: text is split into characters; names in braces are keys (`{enter}`). */
function press(state: AceState, keys: string): { state: AceState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const token of keys.match(/\{[a-z-]+\}|[\s\S]/g) ?? []) {
    const key: KeyPress = token.startsWith('{')
      ? ({ name: token.slice(1, -1) } as KeyPress)
      : { name: 'char', char: token };
    const result = reduceKey(state, key, context);
    state = result.state;
    if (result.effect) effects.push(result.effect);
  }
  return { state, effects };
}

const selected = (state: AceState) => state.selection[state.tab].key;

describe('reduceKey', () => {
  it('moves with arrows, j k, g G and pages, within the rows', () => {
    let { state } = press(initialState(), 'jj');
    expect(selected(state)).toBe('planner');
    ({ state } = press(state, '{down}{down}{down}'));
    expect(selected(state)).toBe('a4');
    ({ state } = press(state, 'k{up}'));
    expect(selected(state)).toBe('a2');
    ({ state } = press(state, 'G'));
    expect(selected(state)).toBe('a4');
    ({ state } = press(state, '{pageup}'));
    expect(selected(state)).toBe('a2');
    ({ state } = press(state, 'g'));
    expect(selected(state)).toBe('a1');
  });

  it('switches tabs with 1-4, tab, shift-tab and left/right, each tab keeping its selection', () => {
    let { state } = press(initialState(), 'j3');
    expect(state.tab).toBe('plans');
    ({ state } = press(state, '{tab}'));
    expect(state.tab).toBe('changes');
    ({ state } = press(state, '{tab}'));
    expect(state.tab).toBe('agents');
    expect(selected(state)).toBe('a2');
    ({ state } = press(state, '{backtab}{left}'));
    expect(state.tab).toBe('plans');
    ({ state } = press(state, '{right}1'));
    expect(state.tab).toBe('agents');
  });

  it('approves the selected plan with a, or the plan of an agent in plan', () => {
    expect(press(initialState(), '3a').effects).toEqual([
      { type: 'approve', plan: 'tales/202611/p.md', label: 'p' },
    ]);
    expect(press(initialState(), 'jja').effects).toEqual([
      { type: 'approve', plan: 'tales/202611/p.md', label: 'p' },
    ]);
    const { state, effects } = press(initialState(), 'a');
    expect(effects).toEqual([]);
    expect(state.status).toEqual({ text: expect.stringContaining('Plans tab'), isError: true });
  });

  it('rejects with the feedback typed in the prompt line; esc cancels, an empty one is refused', () => {
    let { state, effects } = press(initialState('plans'), 'jrAdd a backoff.');
    expect(state.mode).toEqual({
      kind: 'reject',
      plan: 'epics/202611/e.md',
      label: 'e',
      text: 'Add a backoff.',
    });
    ({ state, effects } = press(state, '{backspace}!{enter}'));
    expect(effects).toEqual([
      { type: 'reject', plan: 'epics/202611/e.md', label: 'e', feedback: 'Add a backoff!' },
    ]);
    expect(state.mode.kind).toBe('list');
    ({ state, effects } = press(state, 'r{enter}'));
    expect(effects).toEqual([]);
    expect(state.status?.isError).toBe(true);
    ({ state } = press(state, 'q{escape}'));
    expect(state.mode.kind).toBe('list');
    expect(state.status?.text).toBe('rejection cancelled');
  });

  it('retries with R and kills with x after a y, on the Agents tab only', () => {
    expect(press(initialState(), 'jR').effects).toEqual([{ type: 'retry', agent: 'a2' }]);
    let { state, effects } = press(initialState(), 'x');
    expect(state.mode).toEqual({ kind: 'confirm-kill', agent: 'a1' });
    ({ state, effects } = press(state, 'y'));
    expect(effects).toEqual([{ type: 'kill', agent: 'a1' }]);
    ({ state, effects } = press(initialState(), 'xn'));
    expect(effects).toEqual([]);
    expect(state.status?.text).toBe('a1 not killed');
    ({ state, effects } = press(initialState('beads'), 'R'));
    expect(effects).toEqual([]);
    expect(state.status?.isError).toBe(true);
  });

  it('filters with /: typing filters at once, enter keeps it, esc restores the previous one', () => {
    let { state } = press(initialState(), '/pla');
    expect(state.filter).toBe('pla');
    ({ state } = press(state, '{enter}'));
    expect(state).toMatchObject({ filter: 'pla', mode: { kind: 'list' } });
    ({ state } = press(state, '/x{escape}'));
    expect(state.filter).toBe('pla');
    ({ state } = press(state, '{escape}'));
    expect(state.filter).toBe('');
  });

  it('opens and closes the detail pane, scrolls it, and shows help; q quits', () => {
    let { state } = press(initialState(), 'j{enter}');
    expect(state.mode).toEqual({ kind: 'detail', tab: 'agents', key: 'a2', scroll: 'end' });
    ({ state } = press(state, '{home}jj'));
    expect(state.mode).toMatchObject({ scroll: 2 });
    ({ state } = press(state, '{escape}?'));
    expect(state.mode.kind).toBe('help');
    ({ state } = press(state, 'x'));
    expect(state.mode.kind).toBe('list');
    expect(press(state, 'q').effects).toEqual([{ type: 'quit' }]);
    expect(press(initialState('changes'), '{enter}').state.status?.text).toBe('nothing to open here');
  });
});
