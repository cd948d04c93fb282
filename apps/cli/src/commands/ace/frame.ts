// One frame of `sase ace` as lines of styled segments, each line at most `width` columns: the tab bar, the
// table (or a detail pane, or help), a status line and the key hints. The ink components only map segments
// to <Text>; `--once` prints the same lines as plain text. Pure.
import { displayWidth, fitToWidth, sanitizeText, truncateToWidth } from '../../internal/terminal-text.js';
import { awaitingPlanOf, TAB_TITLES, TABS, type TabName, type WorkspaceView } from './model.js';
import {
  type Cell,
  type Color,
  type Column,
  itemKeys,
  type Table,
  type TableRow,
  tableOf,
} from './tables.js';
import { type AceState, selectedIndex } from './view-state.js';

export interface Segment {
  text: string;
  color?: Color;
  isBold?: boolean;
  isDim?: boolean;
  isInverse?: boolean;
}

export type Line = Segment[];

/** The content of the detail pane (see detail.ts). */
export interface DetailContent {
  title: string;
  lines: Line[];
}

export interface FrameInput {
  view: WorkspaceView;
  state: AceState;
  width: number;
  /** The rows to fill. ACE draws one row less than the terminal has (see app.ts). */
  height: number;
  /** Milliseconds since the epoch, for elapsed times. */
  now: number;
  /** False: no colour, bold, dim or inverse at all (NO_COLOR); the selection is marked with `>`. */
  isColor: boolean;
  detail?: DetailContent | undefined;
}

/** The frame's lines of plain text (no escape sequences). */
export function plainLines(lines: readonly Line[]): string[] {
  return lines.map((line) => line.map((segment) => segment.text).join(''));
}

const SGR_COLORS: Record<Color, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
};

/**
 * A line as text with SGR escape sequences for its styles (16 colours, bold, dim, inverse), each segment's
 * styles switched on before it and off after it. A line without styles has no escape at all.
 */
export function ansiText(line: Line): string {
  let text = '';
  for (const segment of line) {
    const on: number[] = [];
    const off: number[] = [];
    if (segment.isBold) on.push(1);
    if (segment.isDim) on.push(2);
    if (segment.isBold || segment.isDim) off.push(22);
    if (segment.isInverse) {
      on.push(7);
      off.push(27);
    }
    if (segment.color !== undefined) {
      on.push(SGR_COLORS[segment.color]);
      off.push(39);
    }
    text += on.length === 0 ? segment.text : `\x1b[${on.join(';')}m${segment.text}\x1b[${off.join(';')}m`;
  }
  return text;
}

/** The width of a line in columns. */
export function lineWidth(line: Line): number {
  return line.reduce((total, segment) => total + displayWidth(segment.text), 0);
}

/** Cuts a line of segments to `width` columns (an ellipsis where it was cut) and drops empty segments. */
export function clipLine(line: Line, width: number): Line {
  if (width <= 0) return [];
  if (lineWidth(line) <= width) return line.filter((segment) => segment.text !== '');
  const result: Line = [];
  let room = width - 1; // one column for the ellipsis
  for (const segment of line) {
    const segmentWidth = displayWidth(segment.text);
    if (segmentWidth <= room) {
      if (segment.text !== '') result.push(segment);
      room -= segmentWidth;
      continue;
    }
    result.push({ ...segment, text: `${prefixOfWidth(segment.text, room)}…` });
    return result;
  }
  return result;
}

/** The longest start of `text` that takes at most `width` columns. */
function prefixOfWidth(text: string, width: number): string {
  let result = '';
  let used = 0;
  for (const character of text) {
    const columns = displayWidth(character);
    if (used + columns > width) break;
    result += character;
    used += columns;
  }
  return result;
}

/** Fills a line with spaces up to `width` (so that an inverse selection bar spans the whole row). */
function padLine(line: Line, width: number, style: Omit<Segment, 'text'> = {}): Line {
  const room = width - lineWidth(line);
  return room > 0 ? [...line, { ...style, text: ' '.repeat(room) }] : line;
}

/** Drops styles when colour is off: NO_COLOR means no colour escape at all. */
function styled(segment: Segment, isColor: boolean): Segment {
  return isColor ? segment : { text: segment.text };
}

/**
 * Column widths for a table at `width` columns: each column as wide as its widest cell (within its min and
 * max), then the flexible columns shrink (widest first) until the row fits, then the others, down to their
 * minimums. A table narrower than the sum of minimums is cut at the edge by clipLine.
 */
export function layoutColumns(columns: readonly Column[], rows: readonly Cell[][], width: number): number[] {
  const widths = columns.map((column, index) => {
    const widest = Math.max(
      displayWidth(column.header),
      ...rows.map((cells) => displayWidth(sanitizeText(cells[index]?.text ?? ''))),
    );
    return Math.min(column.max, Math.max(column.min, widest));
  });
  const gaps = Math.max(0, columns.length - 1);
  let excess = widths.reduce((total, each) => total + each, 0) + gaps - width;
  for (const isFlexiblePass of [true, false]) {
    while (excess > 0) {
      let widest = -1;
      columns.forEach((column, index) => {
        if (Boolean(column.isFlexible) !== isFlexiblePass || widths[index]! <= column.min) return;
        if (widest < 0 || widths[index]! > widths[widest]!) widest = index;
      });
      if (widest < 0) break;
      widths[widest]!--;
      excess--;
    }
  }
  return widths;
}

function cellsLine(cells: readonly Cell[], columns: readonly Column[], widths: readonly number[]): Line {
  const line: Line = [];
  cells.forEach((cell, index) => {
    const column = columns[index]!;
    const text = fitToWidth(sanitizeText(cell.text), widths[index]!, column.align ?? 'left');
    if (index > 0) line.push({ text: ' ' });
    line.push(cell.color === undefined ? { text } : { text, color: cell.color });
  });
  return line;
}

function headerLine(columns: readonly Column[], widths: readonly number[]): Line {
  return cellsLine(
    columns.map((column) => ({ text: column.header })),
    columns,
    widths,
  ).map((segment) => ({ ...segment, isBold: true }));
}

const MARKER = 2;

/**
 * The tab bar: the workspace, the four tabs with their counts, the supervisor. Narrower variants (no
 * workspace name, short counts) when the full one does not fit.
 */
function tabBar(view: WorkspaceView, state: AceState, isColor: boolean, width: number): Line {
  const awaiting = view.plans.filter((plan) => plan.state === 'awaiting').length;
  const variant = (nameWidth: number, isShort: boolean): Line => {
    const counts: Record<TabName, string> = {
      agents: String(view.agents.length),
      beads: String(view.epics.length),
      plans: awaiting > 0 ? (isShort ? `${awaiting}!` : `${awaiting} awaiting`) : String(view.plans.length),
      changes: String(view.changes.length),
    };
    const name = truncateToWidth(sanitizeText(view.name), nameWidth);
    const line: Line = [{ text: name === '' ? 'ACE ' : `ACE ${name} `, isBold: true }];
    TABS.forEach((tab, index) => {
      const label = `${index + 1} ${TAB_TITLES[tab]} ${counts[tab]}`;
      line.push({ text: '│', isDim: true });
      if (tab === state.tab) {
        line.push(isColor ? { text: ` ${label} `, isInverse: true, isBold: true } : { text: `[${label}]` });
      } else {
        line.push({
          text: ` ${label} `,
          ...(tab === 'plans' && awaiting > 0 ? { color: 'magenta' as const } : {}),
        });
      }
    });
    line.push({ text: '│', isDim: true });
    line.push(
      view.supervisor.isRunning ? { text: ' axe on', color: 'green' } : { text: ' axe off', color: 'yellow' },
    );
    return line;
  };
  // The name gets what the rest leaves (at least 6 columns, at most 24), else it goes; then counts shorten.
  for (const isShort of [false, true]) {
    const room = Math.min(24, width - lineWidth(variant(0, isShort)) - 1);
    if (room >= 0) return variant(room >= 6 ? room : 0, isShort);
  }
  return variant(0, true);
}

function groupLine(row: Extract<TableRow, { kind: 'group' }>): Line {
  return [
    { text: '▸ ', isDim: true },
    { text: sanitizeText(row.label), isBold: true },
    { text: `  ${row.note}`, isDim: true },
  ];
}

interface Body {
  lines: Line[];
  /** 1-based position of the selection and the number of items, for the status line. */
  position: { index: number; count: number };
}

/** The table's rows for a body of `height` rows: the page that holds the selected item. */
function tableBody(
  table: Table,
  state: AceState,
  width: number,
  height: number,
  isColor: boolean,
): Body & {
  header: Line;
} {
  const items = table.rows.filter((row): row is Extract<TableRow, { kind: 'item' }> => row.kind === 'item');
  const widths = layoutColumns(
    table.columns,
    items.map((row) => row.cells),
    width - MARKER,
  );
  const header: Line = [{ text: ' '.repeat(MARKER) }, ...headerLine(table.columns, widths)];
  const keys = itemKeys(table);
  const selected = selectedIndex(state, state.tab, keys);
  if (table.rows.length === 0) {
    const message =
      table.total > 0 ? `no row matches the filter "${state.filter}" (esc clears it)` : table.empty;
    return { header, lines: [[{ text: `  ${message}`, isDim: true }]], position: { index: 0, count: 0 } };
  }
  // The row index of the selected item among all rows (groups included), then the page holding it.
  let itemIndex = -1;
  let selectedRow = 0;
  table.rows.forEach((row, index) => {
    if (row.kind === 'item' && ++itemIndex === selected) selectedRow = index;
  });
  const pageSize = Math.max(1, height);
  const top = Math.floor(selectedRow / pageSize) * pageSize;
  const lines: Line[] = [];
  for (const [offset, row] of table.rows.slice(top, top + pageSize).entries()) {
    if (row.kind === 'group') {
      lines.push(groupLine(row));
      continue;
    }
    const isSelected = top + offset === selectedRow;
    const cells = cellsLine(row.cells, table.columns, widths);
    if (isSelected) {
      const line: Line = [{ text: '> ', isBold: true }, ...cells];
      lines.push(
        isColor
          ? padLine(
              line.map((segment) => ({ ...segment, isInverse: true })),
              width,
              { isInverse: true },
            )
          : line,
      );
    } else {
      lines.push([{ text: '  ' }, ...cells]);
    }
  }
  return { header, lines, position: { index: selected + 1, count: keys.length } };
}

function hintsFor(state: AceState, view: WorkspaceView, selectedKeyText: string | undefined): string {
  switch (state.mode.kind) {
    case 'filter':
      return 'type to filter · ⏎ keep · esc clear · backspace edit';
    case 'reject':
      return 'type the feedback · ⏎ reject with it · esc cancel';
    case 'confirm-kill':
      return 'y kill · any other key cancels';
    case 'help':
      return 'any key closes help · q quit';
    case 'detail': {
      const extra =
        state.mode.tab === 'plans' || (state.mode.tab === 'agents' && awaitingPlanOf(view, state.mode.key))
          ? ' · a approve · r reject'
          : state.mode.tab === 'agents'
            ? ' · R retry · x kill'
            : '';
      return `esc back · ↑↓ j k scroll${extra} · q quit`;
    }
    default:
      break;
  }
  const move = '↑↓ j k move · ⏎ open';
  if (state.tab === 'plans') return `${move} · a approve · r reject · / filter · tab · ? help · q quit`;
  if (state.tab === 'agents') {
    const isPlan = selectedKeyText !== undefined && awaitingPlanOf(view, selectedKeyText) !== undefined;
    return `${move}${isPlan ? ' · a approve · r reject' : ''} · R retry · x kill · / filter · ? help · q quit`;
  }
  return `${move} · tab switch · / filter · ? help · q quit`;
}

function statusLine(state: AceState, body: Body | undefined): Line {
  const mode = state.mode;
  if (mode.kind === 'filter') return [{ text: '/', isBold: true }, { text: `${mode.text}_` }];
  if (mode.kind === 'reject') {
    return [
      { text: `feedback for ${mode.label}: `, color: 'yellow', isBold: true },
      { text: `${mode.text}_` },
    ];
  }
  if (mode.kind === 'confirm-kill') {
    return [{ text: `kill ${mode.agent}? (y/n)`, color: 'red', isBold: true }];
  }
  if (state.status !== null) {
    return [
      { text: sanitizeText(state.status.text), ...(state.status.isError ? { color: 'red' as const } : {}) },
    ];
  }
  const parts: Segment[] = [];
  if (body !== undefined && body.position.count > 0) {
    parts.push({ text: `${body.position.index}/${body.position.count}`, isDim: true });
  }
  if (state.filter !== '') parts.push({ text: `  filter "${state.filter}" (esc clears)`, color: 'yellow' });
  return parts;
}

export const HELP_LINES: readonly string[] = [
  'sase ace: the workspace at a glance, redrawn as its files change.',
  '',
  '  1 2 3 4, tab, ← →  switch tabs: Agents, Beads, Plans, Changes',
  '  ↑ ↓, j k, g G      move (page up/down: a screen at a time)',
  '  ⏎                  open the detail pane: an agent (request, outcome, live',
  '                     transcript), a plan (its text); esc or ⏎ closes it',
  '  a                  approve the selected plan, or the plan of an agent in plan',
  '  r                  reject it: type the feedback, ⏎ sends it, esc cancels',
  '  R                  retry a failed or killed agent (starts the supervisor)',
  '  x                  kill the selected agent (asks y/n)',
  '  /                  filter the rows by text; esc clears the filter',
  '  ?                  this help;  q  quit (ctrl-c too)',
  '',
  'Actions are the calls of `sase plan approve|reject`, `sase agent retry|kill`.',
  'NO_COLOR=1: no colour. `sase ace --once` prints the Agents tab as text.',
];

/**
 * One whole frame: exactly `height` lines (blank ones at the end if needed), each at most `width` columns.
 */
export function renderFrame(input: FrameInput): Line[] {
  const { view, state, width, isColor } = input;
  const height = Math.max(1, input.height);
  // Tab bar, header, body..., status, hints.
  const bodyHeight = Math.max(1, height - 4);
  let header: Line;
  let bodyLines: Line[];
  let body: Body | undefined;
  let selectedKeyText: string | undefined;
  if (state.mode.kind === 'help') {
    header = [{ text: 'Keys', isBold: true }];
    bodyLines = HELP_LINES.map((text) => [{ text }]);
  } else if (state.mode.kind === 'detail') {
    const detail = input.detail ?? { title: state.mode.key, lines: [[{ text: 'reading …', isDim: true }]] };
    header = [{ text: sanitizeText(detail.title), isBold: true }];
    const lines = detail.lines;
    const maxTop = Math.max(0, lines.length - bodyHeight);
    const top = state.mode.scroll === 'end' ? maxTop : Math.min(state.mode.scroll, maxTop);
    bodyLines = lines.slice(top, top + bodyHeight);
  } else {
    const table = tableOf(view, state.tab, { filter: state.filter, now: input.now });
    const tabBody = tableBody(table, state, width, bodyHeight, isColor);
    header = tabBody.header;
    bodyLines = tabBody.lines;
    body = tabBody;
    const keys = itemKeys(table);
    const index = selectedIndex(state, state.tab, keys);
    selectedKeyText = index < 0 ? undefined : keys[index];
  }
  const lines: Line[] = [tabBar(view, state, isColor, width), header, ...bodyLines.slice(0, bodyHeight)];
  while (lines.length < height - 2) lines.push([]);
  lines.push(statusLine(state, body));
  lines.push([{ text: hintsFor(state, view, selectedKeyText), isDim: true }]);
  return lines
    .slice(0, height)
    .map((line) => clipLine(line, width).map((segment) => styled(segment, isColor)));
}

const SUMMARY_ORDER = ['running', 'waiting', 'plan', 'failed', 'killed', 'plan_rejected', 'plan_approved'];

/** `5 agents: 1 running, 2 waiting, 2 completed`, states in a fixed order (live ones first). */
export function agentSummary(view: WorkspaceView): string {
  const counts = new Map<string, number>();
  for (const agent of view.agents) counts.set(agent.state, (counts.get(agent.state) ?? 0) + 1);
  const rank = (state: string) => {
    const index = SUMMARY_ORDER.indexOf(state);
    return index < 0 ? SUMMARY_ORDER.length : index;
  };
  const parts = [...counts]
    .sort(([left], [right]) => rank(left) - rank(right) || left.localeCompare(right))
    .map(([state, count]) => `${count} ${state}`);
  const total = `${view.agents.length} agent${view.agents.length === 1 ? '' : 's'}`;
  return parts.length === 0 ? total : `${total}: ${parts.join(', ')}`;
}

/**
 * `sase ace --once`: the Agents tab as plain text, every row (no paging, no selection, no key hints), each
 * line at most `width` columns.
 */
export function renderOnce(view: WorkspaceView, options: { width: number; now: number }): string[] {
  const table = tableOf(view, 'agents', { now: options.now });
  const title = `ACE ${view.name} · axe ${view.supervisor.isRunning ? 'on' : 'off'} · ${agentSummary(view)}`;
  const items = table.rows.filter((row): row is Extract<TableRow, { kind: 'item' }> => row.kind === 'item');
  const widths = layoutColumns(
    table.columns,
    items.map((row) => row.cells),
    options.width,
  );
  const lines: Line[] = [[{ text: title }]];
  if (table.rows.length === 0) {
    lines.push([{ text: table.empty }]);
  } else {
    lines.push(headerLine(table.columns, widths));
    for (const row of table.rows) {
      lines.push(row.kind === 'group' ? groupLine(row) : cellsLine(row.cells, table.columns, widths));
    }
  }
  return plainLines(lines.map((line) => clipLine(line, options.width))).map((line) => line.trimEnd());
}
