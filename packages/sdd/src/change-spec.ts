import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostic.js';
import { SddError } from './errors.js';
import {
  type ChangeSpecOnDisk,
  changeSpecSchema,
  changeStatusValues,
  commitShaPattern,
  describePath,
  readFrontmatter,
  stringifyFrontmatter,
  utcTimeExpectation,
  utcTimePattern,
} from './internal/frontmatter-schema.js';
import { type FrontmatterDocument, type Location, parseFrontmatterDocument } from './internal/markdown.js';
import { assertValidChangeName } from './names.js';
import type { ParseOptions } from './plan.js';

/**
 * Where a change is in review: `wip` (the agent is working) → `draft` / `ready` → `mailed` (sent for review)
 * → `submitted` (landed) → `reverted`; `archived` (abandoned) from any status before `submitted`.
 */
export type ChangeStatus = (typeof changeStatusValues)[number];

/** Every ChangeSpec status, in lifecycle order. */
export const changeStatuses: readonly ChangeStatus[] = changeStatusValues;

/**
 * The lifecycle: the statuses each status may move to. `reverted` and `archived` have no moves; `submitted`
 * can only be reverted.
 */
export const changeStatusMoves: Readonly<Record<ChangeStatus, readonly ChangeStatus[]>> = {
  wip: ['draft', 'ready', 'archived'],
  draft: ['ready', 'archived'],
  ready: ['mailed', 'draft', 'archived'],
  mailed: ['submitted', 'archived'],
  submitted: ['reverted'],
  reverted: [],
  archived: [],
};

/** One commit of a change, with its drawers (paths; null when the drawer is absent). */
export interface ChangeCommit {
  /** The commit sha (7 to 64 lowercase hexadecimal digits). */
  sha: string;
  /** The commit's subject line. */
  subject: string;
  /** `CHAT:` drawer: the agent's chat transcript, from the workspace root. */
  chat: string | null;
  /** `DIFF:` drawer: the commit's diff, from the workspace root. */
  diff: string | null;
  /** `PLAN:` drawer: the plan the commit implements, relative to the SDD root. */
  plan: string | null;
}

export type ChangeHookRunStatus = 'PASSED' | 'FAILED';

/** One run of one hook on the change. */
export interface ChangeHookRun {
  /** The run's number (`#1`, `#2`, ...), as the recorder counts them (SASE: per hook). */
  number: number;
  /** UTC ISO-8601 time the run started. */
  time: string;
  status: ChangeHookRunStatus;
  /** The hook's exit code; null when it had none (killed by a signal, never started). */
  exitCode: number | null;
  durationMs: number;
  /** Path of the run's log, from the workspace root. */
  log: string;
  /** The commit the hook checked; null when unknown. */
  commit: string | null;
  /** The agent attempt the run belongs to; null when unknown. */
  attempt: number | null;
}

/** A hook (a `changes.hooks` entry of sase.yml) and its runs, oldest first. */
export interface ChangeHook {
  name: string;
  runs: ChangeHookRun[];
}

/** A review comment. `text` may span several lines. */
export interface ChangeComment {
  time: string;
  author: string;
  text: string;
}

/** A mentor's verdict on the change. */
export type ChangeMentorVerdict = 'approve' | 'request_changes';

/** One review by a mentor (an agent that reviews the change): its verdict on one commit of it. */
export interface ChangeMentorReview {
  /** UTC ISO-8601 time of the verdict. */
  time: string;
  /** The mentor's name (sase.yml `changes.mentors[].name`). */
  mentor: string;
  verdict: ChangeMentorVerdict;
  /** The attempt of the reviewed agent whose work was reviewed; null when unknown. */
  attempt: number | null;
  /** The commit reviewed; null when unknown. */
  commit: string | null;
  /** What the mentor says (may span lines). */
  text: string;
}

/** A status the change entered, and when. */
export interface ChangeTimestamp {
  time: string;
  status: ChangeStatus;
}

/**
 * A `## ` section this version of SASE does not know (written by a newer SASE or by a person), kept as it is:
 * `heading` is the text after `## `, `text` the lines under it without the trailing blank lines.
 */
export interface ChangeSpecSection {
  heading: string;
  text: string;
}

/**
 * The review record of one agent's change, `<sdd-root>/changes/<YYYYMM>/<agent-name>.md`. The first ten
 * fields are the YAML frontmatter (same key names on disk), the lists are the `## Commits`, `## Hooks`,
 * `## Comments` and `## Timestamps` sections of the body.
 */
export interface ChangeSpec {
  /** The agent's name (`demo-1.2`), also the file name. */
  name: string;
  /** One line; the body's title is `# <name>: <description>`. */
  description: string;
  /** The bead the agent worked on. */
  bead: string | null;
  /** The plan the change implements, relative to the SDD root (`epics/202611/login-rework.md`). */
  plan: string | null;
  /** Names of the ChangeSpecs this change builds on (an epic phase's blocker phases). */
  parent: string[];
  /** The change's branch (`sase/demo-1.2`). */
  branch: string;
  /** The commit the branch started from. */
  base: string;
  status: ChangeStatus;
  /** The pull request (URL or number), once mailed. */
  pr: string | null;
  /** The bug the change fixes. */
  bug: string | null;
  commits: ChangeCommit[];
  hooks: ChangeHook[];
  comments: ChangeComment[];
  /** Every status the change entered, oldest first. */
  timestamps: ChangeTimestamp[];
  /**
   * The `## Mentors` section: every mentor review, oldest first. Absent when the ChangeSpec has no such
   * section (no mentor is configured).
   */
  mentors?: ChangeMentorReview[];
  /** Unknown `## ` sections, kept verbatim and written after `## Timestamps`. Absent when there are none. */
  extraSections?: ChangeSpecSection[];
}

export interface ChangeSpecParseResult {
  /** Present when there is no error diagnostic (warnings such as `change-title` may come with it). */
  changeSpec?: ChangeSpec;
  diagnostics: Diagnostic[];
}

/** @internal The parse result plus a way to find the line of a frontmatter key. */
export interface ChangeSpecDocument extends ChangeSpecParseResult {
  locate(path: ReadonlyArray<string | number>): Location;
  document: FrontmatterDocument;
}

/** The body sections SASE writes, in order. */
const knownSections = ['Commits', 'Hooks', 'Mentors', 'Comments', 'Timestamps'] as const;
type KnownSection = (typeof knownSections)[number];
const noneLine = '_none_';
const drawers = [
  ['CHAT', 'chat'],
  ['DIFF', 'diff'],
  ['PLAN', 'plan'],
] as const;

const commitLinePattern = /^- (\S+)(?: (.*))?$/;
const drawerLinePattern = /^ {2}- ([A-Z]+): (.*)$/;
const runLinePattern =
  /^- #(\d+) (\S+) (\S+) \(exit (-?\d+|\?)\) (\S+) ms, attempt (\d+|\?), commit (\S+) — log: (.*)$/;
const commentLinePattern = /^- (\S+) (.+?):(?: (.*))?$/;
const mentorLinePattern = /^- (\S+) (\S+) (approve|request_changes), attempt (\d+|\?), commit (\S+)$/;
const mentorLineForm = '"- <time> <mentor> approve|request_changes, attempt <n>, commit <sha>"';
const timestampLinePattern = /^- (\S+) (\S+)$/;

const commitLineForm = '"- <sha> <subject>" or a drawer "  - CHAT|DIFF|PLAN: <path>"';
const runLineForm =
  '"- #<n> <time> PASSED|FAILED (exit <code>|?) <ms> ms, attempt <n>|?, commit <sha>|? — log: <path>"';
const commentLineForm = '"- <time> <author>: <text>" (further lines of the text indented by two spaces)';
const timestampLineForm = `"- <time> <status>" (status: ${changeStatusValues.join(', ')})`;

/** True for `submitted`, `reverted` and `archived`: the change's review is over. */
export function isTerminalChangeStatus(status: ChangeStatus): boolean {
  return status === 'submitted' || status === 'reverted' || status === 'archived';
}

/**
 * Throws CHANGE_STATUS_INVALID unless `from` may move to `to` (see `changeStatusMoves`). The message names
 * the change, the move refused and the valid moves:
 * `change demo-1.2: cannot move from wip to mailed; valid moves from wip: draft, ready, archived`.
 */
export function assertChangeStatusMove(
  from: ChangeStatus,
  to: ChangeStatus,
  options: { name?: string } = {},
): void {
  const prefix = options.name === undefined ? '' : `change ${options.name}: `;
  const details = options.name === undefined ? {} : { change: options.name };
  const known = changeStatusValues as readonly string[];
  for (const status of [from, to]) {
    if (!known.includes(status)) {
      throw new SddError(
        'CHANGE_STATUS_INVALID',
        `${prefix}unknown status "${status}"; a change status is one of ${changeStatusValues.join(', ')}`,
        details,
      );
    }
  }
  const moves = changeStatusMoves[from];
  if (moves.includes(to)) return;
  const valid =
    moves.length === 0
      ? `${from} is terminal: it has no moves`
      : `valid moves from ${from}: ${moves.join(', ')}`;
  const why = from === to ? `: it already has status ${from}; ` : '; ';
  throw new SddError(
    'CHANGE_STATUS_INVALID',
    `${prefix}cannot move from ${from} to ${to}${why}${valid}`,
    details,
  );
}

/**
 * A copy of `spec` with status `to` and a timestamp `{time, status: to}` appended, after
 * `assertChangeStatusMove`. `time` is a Date or a UTC ISO-8601 string.
 */
export function moveChangeStatus(spec: ChangeSpec, to: ChangeStatus, time: Date | string): ChangeSpec {
  assertChangeStatusMove(spec.status, to, { name: spec.name });
  const at = typeof time === 'string' ? time : time.toISOString();
  return { ...spec, status: to, timestamps: [...spec.timestamps, { time: at, status: to }] };
}

/**
 * `changes/<month>/<name>.md`, relative to the SDD root. Throws CHANGE_NAME_INVALID for a name that is not
 * an agent name, and CHANGE_SPEC_INVALID for a month that is not `YYYYMM`.
 */
export function changeSpecPath(name: string, month: string): string {
  assertValidChangeName(name);
  if (!/^\d{6}$/.test(month)) {
    throw new SddError(
      'CHANGE_SPEC_INVALID',
      `Invalid month "${month}" for ChangeSpec ${name}: expected YYYYMM such as 202611`,
      { change: name },
    );
  }
  return `changes/${month}/${name}.md`;
}

/** @internal */
export function parseChangeSpecDocument(text: string, file: string): ChangeSpecDocument {
  // Only the frontmatter block goes through remark (which parses all it is given): the body, which grows with
  // every hook run and comment, is read line by line below.
  const head = /^---\r?\n(?:[\s\S]*?\r?\n)?---[ \t]*(?:\r?\n|$)/.exec(text)?.[0] ?? text;
  const headDocument = parseFrontmatterDocument(head, file);
  const document = { ...headDocument, body: headDocument.body + text.slice(head.length) };
  const base = { locate: document.locate, document };
  const checked = readFrontmatter(
    changeSpecSchema,
    document,
    file,
    'ChangeSpec',
    'ChangeSpec has no YAML frontmatter; it starts with a `---` block holding name, description, bead, plan, parent, branch, base, status, pr and bug',
  );
  if (!document.hasFrontmatter) return { ...base, diagnostics: checked.diagnostics };
  const body = parseBody(document.body, document.bodyLine, file);
  const diagnostics = [...checked.diagnostics, ...body.diagnostics];
  const frontmatter = checked.value;
  if (frontmatter) {
    const expected = `# ${frontmatter.name}: ${frontmatter.description}`;
    if (body.title?.text !== expected) {
      diagnostics.push({
        reason: body.title
          ? `Title "${body.title.text}" does not match the frontmatter; SASE writes "${expected}" on the next update`
          : `ChangeSpec body has no title line; SASE writes "${expected}" on the next update`,
        file,
        line: body.title?.line ?? document.bodyLine,
        column: 1,
        ruleId: 'change-title',
        fatal: false,
      });
    }
  }
  if (!frontmatter || hasErrors(diagnostics)) return { ...base, diagnostics: sortDiagnostics(diagnostics) };
  const changeSpec: ChangeSpec = {
    ...changeSpecFromDisk(frontmatter),
    commits: body.commits,
    hooks: body.hooks,
    comments: body.comments,
    timestamps: body.timestamps,
    ...(body.mentors === undefined ? {} : { mentors: body.mentors }),
    ...(body.extraSections.length ? { extraSections: body.extraSections } : {}),
  };
  return { ...base, changeSpec, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * Parses a ChangeSpec file. Never throws for bad input: problems come back as diagnostics (frontmatter:
 * `frontmatter-missing`, `frontmatter-yaml`, `frontmatter-schema`; body: `change-body`, and the warning
 * `change-title`), each with file, line and column.
 */
export function parseChangeSpec(text: string, options: ParseOptions = {}): ChangeSpecParseResult {
  const { changeSpec, diagnostics } = parseChangeSpecDocument(text, options.file ?? '<change>');
  return changeSpec ? { changeSpec, diagnostics } : { diagnostics };
}

/**
 * Writes a ChangeSpec file. `parseChangeSpec(stringifyChangeSpec(spec)).changeSpec` deep-equals `spec`.
 * Throws CHANGE_SPEC_INVALID, listing every problem, for a spec the format cannot hold (a line break in a
 * one-line field, a time that is not UTC ISO-8601, a bad sha or status, an author containing ": ").
 */
export function stringifyChangeSpec(spec: ChangeSpec): string {
  const problems = changeSpecProblems(spec);
  if (problems.length) {
    throw new SddError(
      'CHANGE_SPEC_INVALID',
      `Cannot write ChangeSpec ${spec.name}: ${problems.join('; ')}`,
      typeof spec.name === 'string' ? { change: spec.name } : {},
    );
  }
  const hookLines = spec.hooks.flatMap((hook, index) => [
    ...(index ? [''] : []),
    `### ${hook.name}`,
    ...hook.runs.map(runLine),
  ]);
  const body = [
    `# ${spec.name}: ${spec.description}\n`,
    section('Commits', spec.commits.flatMap(commitLines)),
    section('Hooks', hookLines),
    ...(spec.mentors === undefined ? [] : [section('Mentors', spec.mentors.map(mentorLines))]),
    section('Comments', spec.comments.map(commentLines)),
    section(
      'Timestamps',
      spec.timestamps.map((timestamp) => `- ${timestamp.time} ${timestamp.status}`),
    ),
    ...(spec.extraSections ?? []).map(
      (extra) => `## ${extra.heading}\n${extra.text === '' ? '' : `${extra.text}\n`}`,
    ),
  ].join('\n');
  return stringifyFrontmatter(changeSpecToDisk(spec), body);
}

function section(heading: KnownSection, lines: readonly string[]): string {
  return `## ${heading}\n\n${(lines.length ? lines : [noneLine]).join('\n')}\n`;
}

function commitLines(commit: ChangeCommit): string[] {
  const lines = [commit.subject === '' ? `- ${commit.sha}` : `- ${commit.sha} ${commit.subject}`];
  for (const [label, key] of drawers) {
    const path = commit[key];
    if (path !== null) lines.push(`  - ${label}: ${path}`);
  }
  return lines;
}

function runLine(run: ChangeHookRun): string {
  const question = (value: number | string | null) => (value === null ? '?' : String(value));
  return `- #${run.number} ${run.time} ${run.status} (exit ${question(run.exitCode)}) ${run.durationMs} ms, attempt ${question(run.attempt)}, commit ${question(run.commit)} — log: ${run.log}`;
}

function mentorLines(review: ChangeMentorReview): string {
  const question = (value: number | string | null) => (value === null ? '?' : String(value));
  const head = `- ${review.time} ${review.mentor} ${review.verdict}, attempt ${question(review.attempt)}, commit ${question(review.commit)}`;
  return [head, ...(review.text === '' ? [] : review.text.split('\n').map((line) => `  ${line}`))].join('\n');
}

function commentLines(comment: ChangeComment): string {
  const [first = '', ...rest] = comment.text.split('\n');
  const head =
    first === '' ? `- ${comment.time} ${comment.author}:` : `- ${comment.time} ${comment.author}: ${first}`;
  return [head, ...rest.map((line) => `  ${line}`)].join('\n');
}

function changeSpecToDisk(spec: ChangeSpec): Record<string, unknown> {
  return {
    name: spec.name,
    description: spec.description,
    bead: spec.bead,
    plan: spec.plan,
    parent: spec.parent,
    branch: spec.branch,
    base: spec.base,
    status: spec.status,
    pr: spec.pr,
    bug: spec.bug,
  };
}

function changeSpecFromDisk(
  disk: ChangeSpecOnDisk,
): Omit<ChangeSpec, 'commits' | 'hooks' | 'comments' | 'timestamps' | 'mentors' | 'extraSections'> {
  return {
    name: disk.name,
    description: disk.description,
    bead: disk.bead,
    plan: disk.plan,
    parent: disk.parent,
    branch: disk.branch,
    base: disk.base,
    status: disk.status,
    pr: disk.pr,
    bug: disk.bug,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Body parsing

interface BodyLine {
  text: string;
  line: number;
}

interface ParsedBody {
  title?: BodyLine;
  commits: ChangeCommit[];
  hooks: ChangeHook[];
  comments: ChangeComment[];
  timestamps: ChangeTimestamp[];
  mentors?: ChangeMentorReview[];
  extraSections: ChangeSpecSection[];
  diagnostics: Diagnostic[];
}

const isBlank = (text: string) => /^\s*$/.test(text);
const isSectionHeading = (text: string) => text.startsWith('## ');
const isTime = (text: string) => utcTimePattern.test(text);
const isStatus = (text: string): text is ChangeStatus =>
  (changeStatusValues as readonly string[]).includes(text);

/**
 * Reads the body: the title line, then `## ` sections. Known sections may come in any order (they are
 * written back in the canonical order); unknown ones are kept verbatim in `extraSections`.
 */
function parseBody(body: string, firstLine: number, file: string): ParsedBody {
  const result: ParsedBody = {
    commits: [],
    hooks: [],
    comments: [],
    timestamps: [],
    extraSections: [],
    diagnostics: [],
  };
  const error = (line: number, reason: string) =>
    result.diagnostics.push({ reason, file, line, column: 1, ruleId: 'change-body', fatal: true });
  const raw = body.split('\n');
  if (raw.at(-1) === '') raw.pop();
  const lines: BodyLine[] = raw.map((text, index) => ({
    text: text.endsWith('\r') ? text.slice(0, -1) : text,
    line: firstLine + index,
  }));

  let index = 0;
  while (index < lines.length && isBlank(lines[index]!.text)) index++;
  if (index < lines.length && /^# /.test(lines[index]!.text)) result.title = lines[index++];
  let isStrayReported = false;
  for (; index < lines.length && !isSectionHeading(lines[index]!.text); index++) {
    const { text, line } = lines[index]!;
    if (isBlank(text) || isStrayReported) continue;
    isStrayReported = true;
    error(
      line,
      `Text outside a section: "${text}"; a ChangeSpec body is the title "# <name>: <description>" and then ## Commits, ## Hooks, ## Comments and ## Timestamps (put notes under a ## section of your own)`,
    );
  }

  const seen = new Map<KnownSection, number>();
  while (index < lines.length) {
    const heading = lines[index]!;
    const title = heading.text.slice(3).trim();
    const start = ++index;
    while (index < lines.length && !isSectionHeading(lines[index]!.text)) index++;
    const content = lines.slice(start, index);
    const known = knownSections.find((each) => each.toLowerCase() === title.toLowerCase());
    if (!known) {
      if (title === '') {
        error(heading.line, 'Section heading "## " has no text; name the section or remove the line');
        continue;
      }
      let end = content.length;
      while (end > 0 && isBlank(content[end - 1]!.text)) end--;
      result.extraSections.push({
        heading: title,
        text: content
          .slice(0, end)
          .map((each) => each.text)
          .join('\n'),
      });
      continue;
    }
    const previous = seen.get(known);
    if (previous !== undefined) {
      error(
        heading.line,
        `Section ## ${known} appears twice (first on line ${previous}); a ChangeSpec has one of each`,
      );
      continue;
    }
    seen.set(known, heading.line);
    const items = withoutNone(content, known, error);
    if (known === 'Commits') result.commits = parseCommits(items, error);
    else if (known === 'Hooks') result.hooks = parseHooks(items, error);
    else if (known === 'Comments') result.comments = parseComments(items, error);
    else if (known === 'Mentors') result.mentors = parseMentors(items, error);
    else result.timestamps = parseTimestamps(items, error);
  }
  return result;
}

type ReportError = (line: number, reason: string) => void;

/** The section's lines without the `_none_` marker; reports `_none_` next to entries. */
function withoutNone(content: BodyLine[], heading: KnownSection, error: ReportError): BodyLine[] {
  const none = content.filter((each) => each.text === noneLine);
  const rest = content.filter((each) => each.text !== noneLine);
  if (none.length && rest.some((each) => !isBlank(each.text))) {
    error(
      none[0]!.line,
      `${noneLine} marks an empty ## ${heading} section, but the section has entries; remove ${noneLine}`,
    );
  }
  return rest;
}

function parseCommits(content: BodyLine[], error: ReportError): ChangeCommit[] {
  const commits: ChangeCommit[] = [];
  let current: ChangeCommit | undefined;
  for (const { text, line } of content) {
    if (isBlank(text)) continue;
    const commit = commitLinePattern.exec(text);
    if (commit) {
      const sha = commit[1]!;
      if (!commitShaPattern.test(sha)) {
        error(line, `Commit sha "${sha}" is not 7 to 64 lowercase hexadecimal digits`);
      }
      current = { sha, subject: commit[2] ?? '', chat: null, diff: null, plan: null };
      commits.push(current);
      continue;
    }
    const drawer = drawerLinePattern.exec(text);
    if (drawer) {
      const entry = drawers.find(([label]) => label === drawer[1]);
      const path = drawer[2]!;
      if (!current)
        error(
          line,
          'Drawer line before any commit; a drawer line follows its commit line "- <sha> <subject>"',
        );
      else if (!entry) error(line, `Unknown drawer "${drawer[1]}"; drawers are CHAT, DIFF and PLAN`);
      else if (path.trim() === '')
        error(line, `Drawer ${entry[0]} has no path; give a path or remove the line`);
      else if (current[entry[1]] !== null)
        error(line, `Drawer ${entry[0]} appears twice for commit ${current.sha}`);
      else current[entry[1]] = path;
      continue;
    }
    error(line, `Line in ## Commits is not ${commitLineForm}: "${text}"`);
  }
  return commits;
}

function parseHooks(content: BodyLine[], error: ReportError): ChangeHook[] {
  const hooks: ChangeHook[] = [];
  let current: ChangeHook | undefined;
  for (const { text, line } of content) {
    if (isBlank(text)) continue;
    if (text.startsWith('### ')) {
      const name = text.slice(4);
      if (name.trim() === '') {
        error(line, 'Hook heading "### " has no hook name');
        current = undefined;
        continue;
      }
      if (hooks.some((hook) => hook.name === name)) {
        error(line, `Hook "${name}" is listed twice; list all of its runs under one ### ${name}`);
      }
      current = { name, runs: [] };
      hooks.push(current);
      continue;
    }
    const run = runLinePattern.exec(text);
    if (!run) {
      error(line, `Line in ## Hooks is not "### <hook name>" or a run ${runLineForm}: "${text}"`);
      continue;
    }
    if (!current) {
      error(line, `Hook run before any "### <hook name>" heading; put it under the hook it belongs to`);
      continue;
    }
    const [, number, time, status, exitCode, duration, attempt, commit, log] = run as unknown as string[];
    const durationMs = Number(duration);
    let isValid = true;
    const problem = (reason: string) => {
      isValid = false;
      error(line, reason);
    };
    if (!isTime(time!)) problem(`Hook run time "${time}": ${utcTimeExpectation}`);
    if (status !== 'PASSED' && status !== 'FAILED')
      problem(`Hook run status "${status}": expected PASSED or FAILED`);
    if (!Number.isFinite(durationMs) || durationMs < 0) {
      problem(`Hook run duration "${duration} ms": expected a number of milliseconds, 0 or more`);
    }
    if (commit !== '?' && !commitShaPattern.test(commit!)) {
      problem(
        `Hook run commit "${commit}": expected a commit sha (7 to 64 lowercase hexadecimal digits) or ?`,
      );
    }
    if (log!.trim() === '') problem('Hook run has no log path after "— log: "');
    if (!isValid) continue;
    current.runs.push({
      number: Number(number),
      time: time!,
      status: status as ChangeHookRunStatus,
      exitCode: exitCode === '?' ? null : Number(exitCode),
      durationMs,
      log: log!,
      commit: commit === '?' ? null : commit!,
      attempt: attempt === '?' ? null : Number(attempt),
    });
  }
  return hooks;
}

function parseComments(content: BodyLine[], error: ReportError): ChangeComment[] {
  const comments: ChangeComment[] = [];
  const isContinuation = (text: string) => text.startsWith('  ');
  for (let index = 0; index < content.length; index++) {
    const { text, line } = content[index]!;
    if (isBlank(text) && !isContinuation(text)) continue;
    const comment = commentLinePattern.exec(text);
    if (!comment) {
      error(line, `Line in ## Comments is not ${commentLineForm}: "${text}"`);
      continue;
    }
    const [, time, author, first] = comment as unknown as [string, string, string, string | undefined];
    const textLines = [first ?? ''];
    let next = index + 1;
    while (next < content.length) {
      const following = content[next]!.text;
      if (isContinuation(following)) {
        textLines.push(following.slice(2));
        next++;
        continue;
      }
      // Blank lines (an editor may strip the two spaces) belong to the comment when its text goes on after them.
      let after = next;
      while (
        after < content.length &&
        isBlank(content[after]!.text) &&
        !isContinuation(content[after]!.text)
      ) {
        after++;
      }
      if (after === next || after === content.length || !isContinuation(content[after]!.text)) break;
      for (; next < after; next++) textLines.push('');
    }
    index = next - 1;
    if (!isTime(time)) {
      error(line, `Comment time "${time}": ${utcTimeExpectation}`);
      continue;
    }
    comments.push({ time, author, text: textLines.join('\n') });
  }
  return comments;
}

function parseMentors(content: BodyLine[], error: ReportError): ChangeMentorReview[] {
  const reviews: ChangeMentorReview[] = [];
  for (let index = 0; index < content.length; index++) {
    const { text, line } = content[index]!;
    if (isBlank(text)) continue;
    const match = mentorLinePattern.exec(text);
    if (!match) {
      error(line, `Line in ## Mentors is not ${mentorLineForm}: "${text}"`);
      continue;
    }
    const [, time, mentor, verdict, attempt, commit] = match as unknown as string[];
    const textLines: string[] = [];
    let next = index + 1;
    for (; next < content.length && content[next]!.text.startsWith('  '); next++) {
      textLines.push(content[next]!.text.slice(2));
    }
    index = next - 1;
    if (!isTime(time!)) {
      error(line, `Mentor review time "${time}": ${utcTimeExpectation}`);
      continue;
    }
    if (commit !== '?' && !commitShaPattern.test(commit!)) {
      error(line, `Mentor review commit "${commit}": expected a commit sha or ?`);
      continue;
    }
    reviews.push({
      time: time!,
      mentor: mentor!,
      verdict: verdict as ChangeMentorVerdict,
      attempt: attempt === '?' ? null : Number(attempt),
      commit: commit === '?' ? null : commit!,
      text: textLines.join('\n'),
    });
  }
  return reviews;
}

function parseTimestamps(content: BodyLine[], error: ReportError): ChangeTimestamp[] {
  const timestamps: ChangeTimestamp[] = [];
  for (const { text, line } of content) {
    if (isBlank(text)) continue;
    const timestamp = timestampLinePattern.exec(text);
    if (!timestamp) {
      error(line, `Line in ## Timestamps is not ${timestampLineForm}: "${text}"`);
      continue;
    }
    const [, time, status] = timestamp as unknown as [string, string, string];
    if (!isTime(time)) error(line, `Timestamp time "${time}": ${utcTimeExpectation}`);
    else if (!isStatus(status)) {
      error(line, `Timestamp status "${status}": expected one of ${changeStatusValues.join(', ')}`);
    } else timestamps.push({ time, status });
  }
  return timestamps;
}

// ---------------------------------------------------------------------------------------------------------
// What the format cannot hold

/** Every reason `spec` cannot be written so that it reads back equal; [] when it can. */
function changeSpecProblems(spec: ChangeSpec): string[] {
  const problems: string[] = [];
  const checked = changeSpecSchema.safeParse(changeSpecToDisk(spec));
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const path = issue.path.filter((step): step is string | number => typeof step !== 'symbol');
      problems.push(`${describePath(path) || 'frontmatter'}: ${issue.message}`);
    }
  } else {
    // The schema turns numbers into strings; the written value must read back as the same type.
    for (const key of ['pr', 'bug'] as const) {
      if (spec[key] !== null && typeof spec[key] !== 'string')
        problems.push(`${key}: expected a string or null`);
    }
  }
  const isOneLine = (value: unknown) => typeof value === 'string' && !/[\r\n]/.test(value);
  const isPath = (value: unknown) => isOneLine(value) && (value as string).trim() !== '';
  const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  const time = (where: string, value: unknown) => {
    if (typeof value !== 'string' || !isTime(value)) problems.push(`${where}: ${utcTimeExpectation}`);
  };

  spec.commits.forEach((commit, index) => {
    const where = `commits[${index}]`;
    if (typeof commit.sha !== 'string' || !commitShaPattern.test(commit.sha)) {
      problems.push(`${where}.sha: expected a commit sha (7 to 64 lowercase hexadecimal digits)`);
    }
    if (!isOneLine(commit.subject)) problems.push(`${where}.subject: expected one line`);
    for (const [label, key] of drawers) {
      if (commit[key] !== null && !isPath(commit[key])) {
        problems.push(`${where}.${key}: expected null or a one-line path (the ${label} drawer)`);
      }
    }
  });
  const hookNames = new Set<string>();
  spec.hooks.forEach((hook, index) => {
    const where = `hooks[${index}]`;
    if (!isPath(hook.name)) problems.push(`${where}.name: expected a non-empty one-line hook name`);
    if (hookNames.has(hook.name)) problems.push(`${where}.name: hook "${hook.name}" is listed twice`);
    hookNames.add(hook.name);
    hook.runs.forEach((run, position) => {
      const at = `${where}.runs[${position}]`;
      if (!isCount(run.number)) problems.push(`${at}.number: expected an integer, 0 or more`);
      time(`${at}.time`, run.time);
      if (run.status !== 'PASSED' && run.status !== 'FAILED')
        problems.push(`${at}.status: expected PASSED or FAILED`);
      if (run.exitCode !== null && !Number.isSafeInteger(run.exitCode)) {
        problems.push(`${at}.exitCode: expected an integer or null`);
      }
      if (typeof run.durationMs !== 'number' || !Number.isFinite(run.durationMs) || run.durationMs < 0) {
        problems.push(`${at}.durationMs: expected a number of milliseconds, 0 or more`);
      }
      if (!isPath(run.log)) problems.push(`${at}.log: expected a non-empty one-line path`);
      if (run.commit !== null && (typeof run.commit !== 'string' || !commitShaPattern.test(run.commit))) {
        problems.push(`${at}.commit: expected null or a commit sha (7 to 64 lowercase hexadecimal digits)`);
      }
      if (run.attempt !== null && !isCount(run.attempt))
        problems.push(`${at}.attempt: expected an integer or null`);
    });
  });
  spec.comments.forEach((comment, index) => {
    const where = `comments[${index}]`;
    time(`${where}.time`, comment.time);
    if (!isPath(comment.author) || comment.author.includes(': ')) {
      problems.push(`${where}.author: expected a non-empty one-line name without ": "`);
    }
    if (typeof comment.text !== 'string' || comment.text.includes('\r')) {
      problems.push(`${where}.text: expected text with \\n line breaks (no \\r)`);
    }
  });
  (spec.mentors ?? []).forEach((review, index) => {
    const where = `mentors[${index}]`;
    time(`${where}.time`, review.time);
    if (!isPath(review.mentor) || /\s/.test(review.mentor))
      problems.push(`${where}.mentor: expected a name without spaces`);
    if (review.verdict !== 'approve' && review.verdict !== 'request_changes') {
      problems.push(`${where}.verdict: expected approve or request_changes`);
    }
    if (
      review.commit !== null &&
      (typeof review.commit !== 'string' || !commitShaPattern.test(review.commit))
    ) {
      problems.push(`${where}.commit: expected null or a commit sha`);
    }
    if (review.attempt !== null && !isCount(review.attempt))
      problems.push(`${where}.attempt: expected an integer or null`);
    if (
      typeof review.text !== 'string' ||
      review.text.includes('\r') ||
      review.text.split('\n').some((line) => isBlank(line) && line !== '')
    ) {
      problems.push(`${where}.text: expected text with \\n line breaks (no \\r)`);
    }
  });
  spec.timestamps.forEach((timestamp, index) => {
    time(`timestamps[${index}].time`, timestamp.time);
    if (!isStatus(timestamp.status)) {
      problems.push(`timestamps[${index}].status: expected one of ${changeStatusValues.join(', ')}`);
    }
  });
  (spec.extraSections ?? []).forEach((extra, index) => {
    const where = `extraSections[${index}]`;
    const heading = extra.heading;
    if (!isPath(heading) || heading !== heading.trim()) {
      problems.push(`${where}.heading: expected a non-empty one-line heading without surrounding spaces`);
    } else if (knownSections.some((known) => known.toLowerCase() === heading.toLowerCase())) {
      problems.push(`${where}.heading: ## ${heading} is a section SASE writes itself`);
    }
    if (typeof extra.text !== 'string' || extra.text.includes('\r')) {
      problems.push(`${where}.text: expected text with \\n line breaks (no \\r)`);
      return;
    }
    const lines = extra.text.split('\n');
    if (lines.some((line) => isSectionHeading(line))) {
      problems.push(`${where}.text: a line starting with "## " would start a new section`);
    }
    if (extra.text !== '' && isBlank(lines.at(-1)!)) {
      problems.push(`${where}.text: expected no trailing blank lines`);
    }
  });
  return problems;
}
