// The detail pane of `sase ace`: what was read about one row (detail data) formatted into lines for a width.
// An agent: its state, request and outcome, then the live tail of its transcript; a plan: its text, rendered;
// an epic: its phases; a change: its commits, hooks and comments. Pure.
import type { Bead } from '@sase/beads';
import type { LaunchEvent } from '@sase/launcher-core';
import type { PlanListing } from '@sase/workspace';
import { sanitizeText, wrapToWidth } from '../../internal/terminal-text.js';
import type { DetailContent, Line, Segment } from './frame.js';
import { type AgentRow, type EpicRow, elapsedMsOf, formatDuration } from './model.js';
import { progressBar, STATE_COLORS } from './tables.js';

export interface AgentDetailData {
  kind: 'agent';
  name: string;
  row: AgentRow | undefined;
  request:
    | {
        prompt: string;
        launcher: string;
        model: string | null;
        waits: string[];
        beadId: string | null;
        cwd: string;
        isPlan: boolean;
        isApproved: boolean;
        implementsPlan: string | null;
      }
    | undefined;
  done: { outcome: string; exitCode: number | null; error: string | null; finishedAt: string } | undefined;
  earlierAttempts: number[];
  /** The artifact directory, relative to the workspace root. */
  dir: string;
  /** The last events of the current attempt's transcript.jsonl. */
  events: LaunchEvent[];
}

export interface PlanDetailData {
  kind: 'plan';
  plan: PlanListing;
  body: string;
}

export interface EpicDetailData {
  kind: 'epic';
  epic: EpicRow;
  /** Its phases (a legend: its epics), in id order. */
  children: Bead[];
}

export interface ChangeDetailData {
  kind: 'change';
  name: string;
  path: string;
  status: string;
  description: string;
  bead: string | null;
  branch: string;
  commits: { sha: string; subject: string }[];
  hooks: {
    name: string;
    runs: { status: string; exitCode: number | null; durationMs: number; log: string }[];
  }[];
  comments: { time: string; author: string; text: string }[];
}

export interface MissingDetailData {
  kind: 'missing';
  title: string;
  message: string;
}

export type DetailData =
  | AgentDetailData
  | PlanDetailData
  | EpicDetailData
  | ChangeDetailData
  | MissingDetailData;

function field(name: string, value: string | null | undefined, color?: Segment['color']): Line | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return [
    { text: `${name}:`.padEnd(11), isDim: true },
    { text: sanitizeText(value), ...(color === undefined ? {} : { color }) },
  ];
}

function heading(text: string): Line {
  return [{ text, isBold: true }];
}

function wrapped(text: string, width: number, style: Omit<Segment, 'text'> = {}, indent = ''): Line[] {
  const lines: Line[] = [];
  for (const paragraph of text.replace(/\r\n/g, '\n').split('\n')) {
    for (const line of wrapToWidth(`${indent}${paragraph}`, width)) lines.push([{ ...style, text: line }]);
  }
  return lines;
}

/** One transcript event as lines (as `sase agent logs` prints them). */
export function eventLines(event: LaunchEvent, width: number): Line[] {
  switch (event.type) {
    case 'start':
      return wrapped(`[start] ${event.command.join(' ')}`, width, { isDim: true });
    case 'output':
      return wrapped(event.text, width, event.stream === 'stderr' ? { color: 'yellow' } : {});
    case 'message':
      return event.role === 'assistant'
        ? wrapped(event.text.trimEnd(), width)
        : wrapped(`[${event.role}] ${event.text.trimEnd()}`, width, { isDim: true });
    case 'tool-use':
      return wrapped(`[tool] ${event.name}`, width, { color: 'cyan' });
    case 'tool-result':
      return event.isError
        ? wrapped(`[tool error] ${(event.output ?? '').split('\n')[0]}`, width, { color: 'red' })
        : [];
    case 'outcome': {
      const { outcome } = event;
      const exit = outcome.exitCode === null ? '' : ` (exit ${outcome.exitCode})`;
      return wrapped(`[${outcome.outcome}${exit}]${outcome.error ? ` ${outcome.error}` : ''}`, width, {
        color: outcome.outcome === 'completed' ? 'green' : 'red',
      });
    }
    default:
      return [];
  }
}

function agentLines(data: AgentDetailData, width: number, now: number): Line[] {
  const { row, request, done } = data;
  const lines: (Line | undefined)[] = [
    field(
      'state',
      row === undefined
        ? 'being submitted'
        : `${row.state}${row.isParked ? ' (parked)' : ''}${row.reason ? `: ${row.reason}` : ''}`,
      row === undefined ? undefined : STATE_COLORS[row.state],
    ),
    field(
      'attempt',
      row === undefined
        ? undefined
        : `${row.attempt}${data.earlierAttempts.length > 0 ? ` (earlier: ${data.earlierAttempts.join(', ')})` : ''}`,
    ),
    field(
      'launcher',
      request ? `${request.launcher}${request.model ? ` · model ${request.model}` : ''}` : undefined,
    ),
    field('waits', request && request.waits.length > 0 ? request.waits.join(', ') : undefined),
    field('bead', request?.beadId),
    field(
      'directives',
      request
        ? [request.isPlan ? '%plan' : '', request.isApproved ? '%approve' : ''].filter(Boolean).join(' ')
        : undefined,
    ),
    field('implements', request?.implementsPlan),
    field('elapsed', row === undefined ? undefined : formatDuration(elapsedMsOf(row, now))),
    field(
      'outcome',
      done === undefined
        ? undefined
        : `${done.outcome}${done.exitCode === null ? '' : ` (exit ${done.exitCode})`} at ${done.finishedAt}`,
    ),
    field('error', done?.error, 'red'),
    field('dir', data.dir),
  ];
  const result = lines.filter((line): line is Line => line !== undefined);
  if (request !== undefined) {
    result.push([], heading('Request'));
    const promptLines = request.prompt.trimEnd().split('\n');
    result.push(...wrapped(promptLines.slice(0, 12).join('\n'), width, {}, '  '));
    if (promptLines.length > 12) {
      result.push([{ text: `  … ${promptLines.length - 12} more lines in prompt.md`, isDim: true }]);
    }
  }
  result.push([], heading('Transcript (live)'));
  if (data.events.length === 0) {
    result.push([{ text: '  nothing yet', isDim: true }]);
  } else {
    for (const event of data.events) result.push(...eventLines(event, width));
  }
  return result;
}

/**
 * A plan's Markdown, rendered for the terminal: headings bold, code blocks dim and kept as they are,
 * paragraphs (their lines joined, as Markdown does) and list items wrapped to the width.
 */
export function markdownLines(markdown: string, width: number): Line[] {
  const lines: Line[] = [];
  let isCode = false;
  let paragraph: string[] = [];
  let item: { lead: string; text: string[] } | undefined;
  const flush = () => {
    if (paragraph.length > 0) {
      for (const line of wrapToWidth(paragraph.join(' '), width)) lines.push([{ text: line }]);
      paragraph = [];
    }
    if (item !== undefined) {
      const { lead } = item;
      wrapToWidth(item.text.join(' '), Math.max(1, width - lead.length)).forEach((line, index) => {
        lines.push([{ text: `${index === 0 ? lead : ' '.repeat(lead.length)}${line}` }]);
      });
      item = undefined;
    }
  };
  for (const raw of markdown.replace(/\r\n/g, '\n').trimEnd().split('\n')) {
    if (/^\s*(```|~~~)/.test(raw)) {
      flush();
      isCode = !isCode;
      continue;
    }
    if (isCode) {
      lines.push([{ text: `  ${sanitizeText(raw)}`, isDim: true }]);
      continue;
    }
    if (raw.trim() === '') {
      flush();
      lines.push([]);
      continue;
    }
    const headingMatch = /^(#{1,6})\s+(.*)$/.exec(raw);
    if (headingMatch) {
      flush();
      if (lines.length > 0 && lines.at(-1)!.length > 0) lines.push([]);
      for (const line of wrapToWidth(headingMatch[2]!, width)) {
        lines.push([
          { text: line, isBold: true, ...(headingMatch[1] === '#' ? { color: 'cyan' as const } : {}) },
        ]);
      }
      continue;
    }
    const listItem = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(raw);
    if (listItem) {
      flush();
      const bullet = /\d/.test(listItem[2]!) ? listItem[2]! : '•';
      item = { lead: `${listItem[1]!}${bullet} `, text: [listItem[3]!] };
      continue;
    }
    if (item !== undefined && /^\s+/.test(raw)) item.text.push(raw.trim());
    else if (item !== undefined) {
      flush();
      paragraph.push(raw.trim());
    } else paragraph.push(raw.trim());
  }
  flush();
  // No run of blank lines, and none at the start.
  return lines.filter((line, index) => line.length > 0 || (index > 0 && lines[index - 1]!.length > 0));
}

function planLines(data: PlanDetailData, width: number): Line[] {
  const { plan } = data;
  const lines = [
    field(
      'state',
      `${plan.state}${plan.state === 'awaiting' ? ' approval (a approves, r rejects)' : ''}`,
      plan.state === 'awaiting' ? 'magenta' : plan.state === 'approved' ? 'green' : 'yellow',
    ),
    field('tier', `${plan.tier} · round ${plan.round} · ${plan.status}`),
    field('agent', plan.agent),
    field('bead', plan.bead),
    field('approved', plan.approvedBy),
    field('file', plan.path),
  ].filter((line): line is Line => line !== undefined);
  return [...lines, [], ...markdownLines(data.body, width)];
}

function epicLines(data: EpicDetailData): Line[] {
  const { epic } = data;
  const lines: Line[] = [
    field('status', epic.status)!,
    field('progress', progressBar(epic.done, epic.total))!,
    field('phases', `${epic.ready} ready · ${epic.blocked} blocked · ${epic.inProgress} in progress`)!,
    [],
    heading(epic.kind === 'legend' ? 'Epics' : 'Phases'),
  ];
  for (const child of data.children) {
    lines.push([
      { text: `  ${child.id}`.padEnd(14) },
      {
        text: child.status.padEnd(12),
        color: child.status === 'closed' ? 'green' : child.status === 'in_progress' ? 'cyan' : 'gray',
      },
      { text: sanitizeText(child.title) },
    ]);
  }
  if (data.children.length === 0) lines.push([{ text: '  none yet', isDim: true }]);
  return lines;
}

function changeLines(data: ChangeDetailData, width: number): Line[] {
  const lines = [
    field('status', data.status),
    field('bead', data.bead),
    field('branch', data.branch),
    field('file', data.path),
  ].filter((line): line is Line => line !== undefined);
  lines.push([], heading('Commits'));
  for (const commit of data.commits)
    lines.push([{ text: `  ${commit.sha.slice(0, 10)} ${sanitizeText(commit.subject)}` }]);
  if (data.commits.length === 0) lines.push([{ text: '  none', isDim: true }]);
  lines.push([], heading('Hooks'));
  for (const hook of data.hooks) {
    for (const run of hook.runs) {
      lines.push([
        { text: `  ${hook.name} ` },
        { text: run.status, color: run.status === 'PASSED' ? 'green' : 'red' },
        {
          text: ` exit ${run.exitCode ?? '-'} · ${formatDuration(run.durationMs)} · ${run.log}`,
          isDim: true,
        },
      ]);
    }
  }
  if (data.hooks.length === 0) lines.push([{ text: '  none run', isDim: true }]);
  if (data.comments.length > 0) {
    lines.push([], heading('Comments'));
    for (const comment of data.comments) {
      lines.push([{ text: `  ${comment.author} at ${comment.time}`, isDim: true }]);
      lines.push(...wrapped(comment.text, width, {}, '    '));
    }
  }
  return lines;
}

/** The detail pane's title and lines at `width` columns. */
export function formatDetail(data: DetailData, width: number, now: number): DetailContent {
  switch (data.kind) {
    case 'agent':
      return { title: `agent ${data.name}`, lines: agentLines(data, width, now) };
    case 'plan':
      return { title: `plan ${data.plan.name}: ${data.plan.title}`, lines: planLines(data, width) };
    case 'epic':
      return { title: `${data.epic.kind} ${data.epic.id}: ${data.epic.title}`, lines: epicLines(data) };
    case 'change':
      return { title: `change ${data.name}: ${data.description}`, lines: changeLines(data, width) };
    default:
      return { title: data.title, lines: [[{ text: data.message, color: 'red' }]] };
  }
}
