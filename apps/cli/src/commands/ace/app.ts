// The terminal side of `sase ace`, on ink (React for the terminal; what Claude Code and Gemini CLI use). Thin
// on purpose: the frame is computed by renderFrame (frame.ts) and keys by reduceKey (view-state.ts); this maps
// the frame's segments to <Text>, ink keys to key presses, and effects to session calls. Loaded only by an
// interactive `sase ace` (with ink and react).
import { Box, type Key, render, Text, useApp, useInput, useStdout } from 'ink';
import { createElement as h, type ReactElement, useEffect, useRef, useState } from 'react';
import type { DetailData } from './detail.js';
import { formatDetail } from './detail.js';
import { ansiText, type Line, renderFrame } from './frame.js';
import { awaitingPlanOf, TABS, type TabName, type WorkspaceView } from './model.js';
import type { AceSession } from './session.js';
import { itemKeys, tableOf } from './tables.js';
import {
  type AceState,
  type Effect,
  initialState,
  type KeyContext,
  type KeyPress,
  reduceKey,
} from './view-state.js';

export interface AceAppProps {
  session: AceSession;
  /** False under NO_COLOR: no colour, bold, dim or inverse. */
  isColor: boolean;
  initialTab?: TabName;
}

/**
 * An ink key as key presses: none for a key ACE does not use, several for text that arrived in one chunk
 * (typed fast, pasted: ink hands over `j\r` as one input).
 */
export function keyPressesOf(input: string, key: Key): KeyPress[] {
  if (key.upArrow) return [{ name: 'up' }];
  if (key.downArrow) return [{ name: 'down' }];
  if (key.leftArrow) return [{ name: 'left' }];
  if (key.rightArrow) return [{ name: 'right' }];
  if (key.pageUp) return [{ name: 'pageup' }];
  if (key.pageDown) return [{ name: 'pagedown' }];
  if (key.home) return [{ name: 'home' }];
  if (key.end) return [{ name: 'end' }];
  if (key.tab) return [{ name: key.shift ? 'backtab' : 'tab' }];
  if (key.return) return [{ name: 'enter' }];
  if (key.escape) return [{ name: 'escape' }];
  if (key.backspace || key.delete) return [{ name: 'backspace' }];
  if (key.ctrl && input === 'u') return [{ name: 'clear-line' }];
  if (key.ctrl || key.meta) return [];
  const presses: KeyPress[] = [];
  for (const character of input) {
    if (character === '\r' || character === '\n') presses.push({ name: 'enter' });
    else if (character === '\t') presses.push({ name: 'tab' });
    else if (character === '\x7f' || character === '\b') presses.push({ name: 'backspace' });
    else if (character === '\x15') presses.push({ name: 'clear-line' });
    else if (character >= ' ') presses.push({ name: 'char', char: character });
  }
  return presses;
}

function isDetailOf(data: DetailData, tab: TabName, key: string): boolean {
  switch (data.kind) {
    case 'agent':
      return tab === 'agents' && data.name === key;
    case 'plan':
      return tab === 'plans' && data.plan.path === key;
    case 'epic':
      return tab === 'beads' && data.epic.id === key;
    case 'change':
      return tab === 'changes' && data.name === key;
    default:
      return true;
  }
}

function keyContextOf(view: WorkspaceView, state: AceState, now: number, pageSize: number): KeyContext {
  // Computed when asked: only the tab the key acts on is needed.
  const keys = {} as Record<TabName, readonly string[]>;
  for (const tab of TABS) {
    let cached: readonly string[] | undefined;
    Object.defineProperty(keys, tab, {
      enumerable: true,
      get: () => {
        cached ??= itemKeys(tableOf(view, tab, { filter: state.filter, now }));
        return cached;
      },
    });
  }
  return {
    keys,
    pageSize,
    planOf(tab, key) {
      if (tab === 'plans') {
        const plan = view.plans.find((each) => each.path === key);
        return plan === undefined ? undefined : { path: plan.path, label: plan.name };
      }
      if (tab !== 'agents') return undefined;
      const plan = awaitingPlanOf(view, key);
      return plan === undefined ? undefined : { path: plan.path, label: plan.name };
    },
  };
}

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? `${message} [${code}]` : message;
}

/**
 * The frame as one <Text>: its lines joined, each with its styles as escape sequences (ansiText). Every line
 * already fits the width, so ink wraps nothing; a node per line (or per segment) only made ink's layout of
 * each frame slower.
 */
function frameElement(lines: readonly Line[], width: number): ReactElement {
  return h(Box, { width }, h(Text, null, lines.map(ansiText).join('\n')));
}

function sizeOf(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

export function AceApp({ session, isColor, initialTab }: AceAppProps): ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  const [, setVersion] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [state, setState] = useState(() => initialState(initialTab));
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => session.subscribe(() => setVersion((version) => version + 1)), [session]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  const mode = state.mode;
  const detailTab = mode.kind === 'detail' ? mode.tab : undefined;
  const detailKey = mode.kind === 'detail' ? mode.key : undefined;
  useEffect(() => {
    session.setDetailTarget(detailTab === undefined ? null : { tab: detailTab, key: detailKey! });
  }, [session, detailTab, detailKey]);

  const view = session.view();
  const width = Math.max(10, size.columns);
  // One row less than the terminal: ink clears the whole screen on every frame as tall as the terminal.
  const height = Math.max(3, size.rows - 1);
  // The keys of one chunk of input (`3j`, `/two⏎`) each see the state the previous one left.
  const contextOfRef = useRef<(state: AceState) => KeyContext>(() => undefined as unknown as KeyContext);
  contextOfRef.current = (current) => keyContextOf(view, current, now, Math.max(1, height - 4));

  const run = (effect: Effect) => {
    if (effect.type === 'quit') {
      exit();
      return;
    }
    const onWait = (agent: string) =>
      setState((current) => ({
        ...current,
        status: { text: `waiting for ${agent} to end its run before the decision …`, isError: false },
      }));
    const action =
      effect.type === 'approve'
        ? session.approve(effect.plan, onWait)
        : effect.type === 'reject'
          ? session.reject(effect.plan, effect.feedback, onWait)
          : effect.type === 'retry'
            ? session.retry(effect.agent)
            : session.kill(effect.agent);
    action.then(
      (text) => setState((current) => ({ ...current, status: { text, isError: false } })),
      (error: unknown) =>
        setState((current) => ({
          ...current,
          status: { text: `${effect.type} failed: ${messageOf(error)}`, isError: true },
        })),
    );
  };

  useInput((input, key) => {
    for (const press of keyPressesOf(input, key)) {
      const { state: next, effect } = reduceKey(
        stateRef.current,
        press,
        contextOfRef.current(stateRef.current),
      );
      stateRef.current = next;
      setState(next);
      if (effect !== undefined) run(effect);
    }
  });

  const data = session.detail();
  const detail =
    mode.kind === 'detail' && data !== undefined && isDetailOf(data, mode.tab, mode.key)
      ? formatDetail(data, width, now)
      : undefined;
  let lines: Line[];
  try {
    lines = renderFrame({ view, state, width, height, now, isColor, detail });
  } catch (error) {
    lines = [[{ text: `sase ace: cannot draw the view: ${messageOf(error)}` }]];
  }
  return frameElement(lines, width);
}

export interface RunAceAppOptions extends AceAppProps {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/**
 * Runs the full-screen view until `q` (or ctrl-c): on the terminal's alternate screen, so that the shell's
 * screen comes back as it was.
 */
export async function runAceApp(options: RunAceAppOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  stdout.write('\x1b[?1049h\x1b[H\x1b[2J');
  let hasLeft = false;
  const leave = () => {
    if (hasLeft) return;
    hasLeft = true;
    stdout.write('\x1b[?1049l');
  };
  process.once('exit', leave);
  const instance = render(
    h(AceApp, {
      session: options.session,
      isColor: options.isColor,
      ...(options.initialTab === undefined ? {} : { initialTab: options.initialTab }),
    }),
    { stdout, stdin, exitOnCtrlC: true, patchConsole: false, incrementalRendering: false, maxFps: 60 },
  );
  const stop = () => instance.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.off('exit', leave);
    leave();
  }
}
