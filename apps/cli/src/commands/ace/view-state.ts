// What the person at `sase ace` is doing: the tab, the selected row of each tab, the filter, and the mode
// (the list, a detail pane, help, a prompt line, a confirmation). Keys go through reduceKey, a pure function
// that returns the next state and, for an action, the effect to run (approve, reject, retry, kill, quit).
import { TABS, type TabName } from './model.js';

export type Mode =
  | { kind: 'list' }
  | { kind: 'detail'; tab: TabName; key: string; scroll: number | 'end' }
  | { kind: 'help' }
  | { kind: 'filter'; text: string; previous: string }
  | { kind: 'reject'; plan: string; label: string; text: string }
  | { kind: 'confirm-kill'; agent: string };

export interface Status {
  text: string;
  isError: boolean;
}

export interface AceState {
  tab: TabName;
  /** Per tab: the selected row's key (it follows the row when rows move) and its last index. */
  selection: Record<TabName, { key: string | null; index: number }>;
  filter: string;
  mode: Mode;
  status: Status | null;
}

/** A key press, independent of the terminal library. */
export type KeyPress =
  | {
      name:
        | 'up'
        | 'down'
        | 'left'
        | 'right'
        | 'pageup'
        | 'pagedown'
        | 'home'
        | 'end'
        | 'tab'
        | 'backtab'
        | 'enter'
        | 'escape'
        | 'backspace'
        | 'clear-line';
    }
  | { name: 'char'; char: string };

export type Effect =
  | { type: 'quit' }
  | { type: 'approve'; plan: string; label: string }
  | { type: 'reject'; plan: string; label: string; feedback: string }
  | { type: 'retry'; agent: string }
  | { type: 'kill'; agent: string };

/** What the reducer needs to know of the rows on screen. */
export interface KeyContext {
  /** The keys of each tab's visible (filtered) items, in display order. */
  keys: Record<TabName, readonly string[]>;
  /** The plan an action on this row decides: the plan itself, or the plan an agent in `plan` awaits. */
  planOf(tab: TabName, key: string): { path: string; label: string } | undefined;
  /** How many rows a page of the list holds (page up/down). */
  pageSize: number;
}

export function initialState(tab: TabName = 'agents'): AceState {
  const selection = {} as AceState['selection'];
  for (const each of TABS) selection[each] = { key: null, index: 0 };
  return { tab, selection, filter: '', mode: { kind: 'list' }, status: null };
}

/** The index of the selected row among `keys` (the remembered key if still there, else the last index). */
export function selectedIndex(state: AceState, tab: TabName, keys: readonly string[]): number {
  if (keys.length === 0) return -1;
  const { key, index } = state.selection[tab];
  const found = key === null ? -1 : keys.indexOf(key);
  return found >= 0 ? found : Math.min(Math.max(0, index), keys.length - 1);
}

export function selectedKey(state: AceState, tab: TabName, keys: readonly string[]): string | undefined {
  const index = selectedIndex(state, tab, keys);
  return index < 0 ? undefined : keys[index];
}

function select(state: AceState, keys: readonly string[], index: number): AceState {
  if (keys.length === 0) return state;
  const clamped = Math.min(Math.max(0, index), keys.length - 1);
  return {
    ...state,
    selection: { ...state.selection, [state.tab]: { key: keys[clamped]!, index: clamped } },
  };
}

function withStatus(state: AceState, text: string, isError = false): AceState {
  return { ...state, status: { text, isError } };
}

function switchTab(state: AceState, tab: TabName): AceState {
  return { ...state, tab, mode: { kind: 'list' }, status: null };
}

function isPrintable(key: KeyPress): key is { name: 'char'; char: string } {
  return key.name === 'char' && !/[\x00-\x1f\x7f]/.test(key.char);
}

/** Applies one key press. Never throws; an action comes back as an effect for the caller to run. */
export function reduceKey(
  state: AceState,
  key: KeyPress,
  context: KeyContext,
): { state: AceState; effect?: Effect } {
  const mode = state.mode;

  // Prompt lines take every printable key as text.
  if (mode.kind === 'filter' || mode.kind === 'reject') {
    if (key.name === 'escape') {
      return mode.kind === 'filter'
        ? { state: { ...state, filter: mode.previous, mode: { kind: 'list' } } }
        : { state: withStatus({ ...state, mode: { kind: 'list' } }, 'rejection cancelled') };
    }
    if (key.name === 'enter') {
      if (mode.kind === 'filter') return { state: { ...state, filter: mode.text, mode: { kind: 'list' } } };
      if (mode.text.trim() === '') {
        return { state: withStatus(state, 'type the feedback first (what the plan should change)', true) };
      }
      return {
        state: withStatus({ ...state, mode: { kind: 'list' } }, `rejecting ${mode.label} …`),
        effect: { type: 'reject', plan: mode.plan, label: mode.label, feedback: mode.text },
      };
    }
    let text = mode.text;
    if (key.name === 'backspace') text = [...text].slice(0, -1).join('');
    else if (key.name === 'clear-line') text = '';
    else if (isPrintable(key)) text += key.char;
    else return { state };
    const next = { ...mode, text };
    return { state: { ...state, mode: next, ...(next.kind === 'filter' ? { filter: text } : {}) } };
  }

  if (mode.kind === 'confirm-kill') {
    if (key.name === 'char' && (key.char === 'y' || key.char === 'Y')) {
      return {
        state: withStatus({ ...state, mode: { kind: 'list' } }, `killing ${mode.agent} …`),
        effect: { type: 'kill', agent: mode.agent },
      };
    }
    return { state: withStatus({ ...state, mode: { kind: 'list' } }, `${mode.agent} not killed`) };
  }

  if (mode.kind === 'help') {
    if (key.name === 'char' && key.char === 'q') return { state, effect: { type: 'quit' } };
    return { state: { ...state, mode: { kind: 'list' } } };
  }

  const keys = context.keys[state.tab];
  const index = selectedIndex(state, state.tab, keys);
  const target = mode.kind === 'detail' ? mode.key : index < 0 ? undefined : keys[index];

  if (mode.kind === 'detail') {
    const scroll = mode.scroll;
    const scrolled = (by: number | 'top' | 'end') => ({
      state: {
        ...state,
        mode: {
          ...mode,
          scroll:
            by === 'top'
              ? 0
              : by === 'end'
                ? ('end' as const)
                : Math.max(0, (scroll === 'end' ? 1e9 : scroll) + by),
        },
      },
    });
    switch (key.name) {
      case 'escape':
      case 'enter':
      case 'left':
        return { state: { ...state, mode: { kind: 'list' } } };
      case 'up':
        return scrolled(-1);
      case 'down':
        return scrolled(1);
      case 'pageup':
        return scrolled(-context.pageSize);
      case 'pagedown':
        return scrolled(context.pageSize);
      case 'home':
        return scrolled('top');
      case 'end':
        return scrolled('end');
      default:
        break;
    }
    if (key.name === 'char' && (key.char === 'k' || key.char === 'j'))
      return scrolled(key.char === 'k' ? -1 : 1);
  }

  switch (key.name) {
    case 'up':
      return { state: select(state, keys, index - 1) };
    case 'down':
      return { state: select(state, keys, index + 1) };
    case 'pageup':
      return { state: select(state, keys, index - context.pageSize) };
    case 'pagedown':
      return { state: select(state, keys, index + context.pageSize) };
    case 'home':
      return { state: select(state, keys, 0) };
    case 'end':
      return { state: select(state, keys, keys.length - 1) };
    case 'tab':
    case 'right':
      return { state: switchTab(state, TABS[(TABS.indexOf(state.tab) + 1) % TABS.length]!) };
    case 'backtab':
    case 'left':
      return { state: switchTab(state, TABS[(TABS.indexOf(state.tab) + TABS.length - 1) % TABS.length]!) };
    case 'enter':
      if (target === undefined) return { state: withStatus(state, 'nothing to open here') };
      return { state: { ...state, mode: { kind: 'detail', tab: state.tab, key: target, scroll: 'end' } } };
    case 'escape':
      return { state: { ...state, filter: '', status: null } };
    default:
      break;
  }
  if (key.name !== 'char') return { state };

  switch (key.char) {
    case 'q':
      return { state, effect: { type: 'quit' } };
    case 'j':
      return { state: select(state, keys, index + 1) };
    case 'k':
      return { state: select(state, keys, index - 1) };
    case 'g':
      return { state: select(state, keys, 0) };
    case 'G':
      return { state: select(state, keys, keys.length - 1) };
    case '1':
    case '2':
    case '3':
    case '4':
      return { state: switchTab(state, TABS[Number(key.char) - 1]!) };
    case '?':
      return { state: { ...state, mode: { kind: 'help' } } };
    case '/':
      return { state: { ...state, mode: { kind: 'filter', text: state.filter, previous: state.filter } } };
    case 'a':
    case 'r': {
      const plan = target === undefined ? undefined : context.planOf(state.tab, target);
      if (plan === undefined) {
        return {
          state: withStatus(
            state,
            `${key.char} ${key.char === 'a' ? 'approves' : 'rejects'} a plan: select one on the Plans tab (3), or an agent in the plan state`,
            true,
          ),
        };
      }
      if (key.char === 'a') {
        return {
          state: withStatus(state, `approving ${plan.label} …`),
          effect: { type: 'approve', plan: plan.path, label: plan.label },
        };
      }
      return { state: { ...state, mode: { kind: 'reject', plan: plan.path, label: plan.label, text: '' } } };
    }
    case 'R':
    case 'x': {
      if (state.tab !== 'agents' || target === undefined) {
        return {
          state: withStatus(
            state,
            `${key.char} ${key.char === 'R' ? 'retries' : 'kills'} an agent: select one on the Agents tab (1)`,
            true,
          ),
        };
      }
      if (key.char === 'R') {
        return { state: withStatus(state, `retrying ${target} …`), effect: { type: 'retry', agent: target } };
      }
      return { state: { ...state, mode: { kind: 'confirm-kill', agent: target } } };
    }
    default:
      return { state };
  }
}
