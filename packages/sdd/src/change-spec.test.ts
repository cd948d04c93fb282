import { describe, expect, it } from 'vitest';
import {
  assertChangeStatusMove,
  type ChangeSpec,
  type ChangeStatus,
  changeSpecPath,
  changeStatuses,
  changeStatusMoves,
  isTerminalChangeStatus,
  moveChangeStatus,
  parseChangeSpec,
  stringifyChangeSpec,
} from './change-spec.js';
import { formatDiagnostic } from './diagnostic.js';
import { SddError } from './errors.js';
import { isValidChangeName } from './names.js';

/** The format, exactly as SASE writes it. */
const exampleText = `---
name: demo-1.2
description: Password hashing
bead: demo-1.2
plan: epics/202611/login-rework.md
parent:
  - demo-1.1
branch: sase/demo-1.2
base: 0123456789abcdef0123456789abcdef01234567
status: wip
pr: null
bug: null
---
# demo-1.2: Password hashing

## Commits

- 1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d demo-1.2: Password hashing
  - CHAT: .sase/agents/demo-1.2/change/chat-1.jsonl
  - DIFF: .sase/agents/demo-1.2/change/1a2b3c4d5e6f.diff
  - PLAN: epics/202611/login-rework.md

## Hooks

### test
- #1 2026-11-28T07:00:00.000Z FAILED (exit 1) 1234 ms, attempt 1, commit 1a2b3c4d5e6f — log: .sase/agents/demo-1.2/change/hooks/1-test.log
- #2 2026-11-28T07:05:00.000Z PASSED (exit 0) 812 ms, attempt 2, commit 9f8e7d6c5b4a — log: .sase/agents/demo-1.2/change/hooks/2-test.log

## Comments

- 2026-11-28T07:06:00.000Z alice: Looks good.
  A second line of the same comment is indented by two spaces.

## Timestamps

- 2026-11-28T07:00:00.000Z wip
- 2026-11-28T07:05:01.000Z ready
`;

const example: ChangeSpec = {
  name: 'demo-1.2',
  description: 'Password hashing',
  bead: 'demo-1.2',
  plan: 'epics/202611/login-rework.md',
  parent: ['demo-1.1'],
  branch: 'sase/demo-1.2',
  base: '0123456789abcdef0123456789abcdef01234567',
  status: 'wip',
  pr: null,
  bug: null,
  commits: [
    {
      sha: '1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d',
      subject: 'demo-1.2: Password hashing',
      chat: '.sase/agents/demo-1.2/change/chat-1.jsonl',
      diff: '.sase/agents/demo-1.2/change/1a2b3c4d5e6f.diff',
      plan: 'epics/202611/login-rework.md',
    },
  ],
  hooks: [
    {
      name: 'test',
      runs: [
        {
          number: 1,
          time: '2026-11-28T07:00:00.000Z',
          status: 'FAILED',
          exitCode: 1,
          durationMs: 1234,
          log: '.sase/agents/demo-1.2/change/hooks/1-test.log',
          commit: '1a2b3c4d5e6f',
          attempt: 1,
        },
        {
          number: 2,
          time: '2026-11-28T07:05:00.000Z',
          status: 'PASSED',
          exitCode: 0,
          durationMs: 812,
          log: '.sase/agents/demo-1.2/change/hooks/2-test.log',
          commit: '9f8e7d6c5b4a',
          attempt: 2,
        },
      ],
    },
  ],
  comments: [
    {
      time: '2026-11-28T07:06:00.000Z',
      author: 'alice',
      text: 'Looks good.\nA second line of the same comment is indented by two spaces.',
    },
  ],
  timestamps: [
    { time: '2026-11-28T07:00:00.000Z', status: 'wip' },
    { time: '2026-11-28T07:05:01.000Z', status: 'ready' },
  ],
};

const minimal: ChangeSpec = {
  name: 'solo',
  description: 'Nothing yet',
  bead: null,
  plan: null,
  parent: [],
  branch: 'sase/solo',
  base: 'abcdef0',
  status: 'wip',
  pr: null,
  bug: null,
  commits: [],
  hooks: [],
  comments: [],
  timestamps: [],
};

/** A small seeded generator (mulberry32), so that a failing case can be replayed. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const integer = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[integer(items.length)]!;
  const list = <T>(most: number, make: (index: number) => T): T[] =>
    Array.from({ length: integer(most + 1) }, (_, index) => make(index));
  const maybe = <T>(make: () => T): T | null => (next() < 0.4 ? null : make());
  return { next, integer, pick, list, maybe };
}

const oneLineTexts = [
  'Password hashing',
  'fix: `parse()` returns null',
  'feat(auth): add `--token` flag: finally',
  'Ünïcödé — 日本語のテスト 🎉',
  '  leading spaces',
  'trailing spaces  ',
  '- looks like a list item',
  '# looks like a title',
  '## looks like a section',
  '### looks like a hook',
  '_none_',
  'key: value # comment',
  '"quoted" and \'single\'',
  '[a, b] {c: d} &anchor *alias !tag %directive @at |pipe >fold',
  'null',
  '123',
  'yes',
  '— log: not a log',
  '(exit 1) 12 ms, attempt 1, commit abc',
  'tab\tinside',
];
const multiLineTexts = [
  ...oneLineTexts,
  '',
  'Looks good.\nSecond line.',
  '\nstarts with an empty line',
  'ends with a newline\n',
  'blank line\n\nin the middle',
  'indented\n  code block\n    deeper',
  'a list\n- one\n- two\n## not a section\n_none_',
  '\n\n',
  'unicode 🎉\nand `code`: here',
];
const times = ['2026-11-28T07:00:00.000Z', '2026-01-01T00:00:00Z', '2027-12-31T23:59:59.999999999Z'];
const shas = ['1a2b3c4', '1a2b3c4d5e6f', '0123456789abcdef0123456789abcdef01234567', 'f'.repeat(64)];
const names = ['demo-1.2', 'a', 'A.b_c+d-e', '9', 'x'.repeat(100), 'epic.phase-3'];
const paths = [
  '.sase/agents/demo-1.2/change/chat-1.jsonl',
  'epics/202611/x.md',
  'a path with spaces.log',
  'ü/日本.diff',
];
const authors = ['alice', 'Ada Lovelace', 'bot:ci', 'bob:', 'ünï', ' padded '];

function randomChangeSpec(seed: number): ChangeSpec {
  const random = createRandom(seed);
  const { pick, list, maybe, integer } = random;
  const hookNames = ['test', 'lint', 'type check', 'e2e: chrome', 'ü'];
  const spec: ChangeSpec = {
    name: pick(names),
    description: pick(oneLineTexts.filter((text) => text.trim() !== '')),
    bead: maybe(() => pick(['demo-1.2', 'sase-7', '42'])),
    plan: maybe(() => pick(['epics/202611/login-rework.md', 'tales/202601/fix.md'])),
    parent: list(3, () => pick(names)),
    branch: pick(['sase/demo-1.2', 'main', 'feature/ü']),
    base: pick(shas),
    status: pick(changeStatuses),
    pr: maybe(() => pick(['https://github.com/o/r/pull/7', '7', 'null'])),
    bug: maybe(() => pick(['b/123', 'JIRA-9'])),
    commits: list(3, () => ({
      sha: pick(shas),
      subject: pick(['', ...oneLineTexts]),
      chat: maybe(() => pick(paths)),
      diff: maybe(() => pick(paths)),
      plan: maybe(() => pick(paths)),
    })),
    hooks: [...new Set(list(3, () => pick(hookNames)))].map((name) => ({
      name,
      runs: list(3, (index) => ({
        number: index + 1,
        time: pick(times),
        status: pick(['PASSED', 'FAILED'] as const),
        exitCode: maybe(() => pick([0, 1, 2, 127, -1])),
        durationMs: pick([0, 1234, 812.5, 60_000]),
        log: pick(paths),
        commit: maybe(() => pick(shas)),
        attempt: maybe(() => integer(4)),
      })),
    })),
    comments: list(3, () => ({ time: pick(times), author: pick(authors), text: pick(multiLineTexts) })),
    timestamps: list(4, () => ({ time: pick(times), status: pick(changeStatuses) })),
  };
  const extra = list(2, () => ({
    heading: pick(['Design notes', 'Notes: from a person', 'Ünïcödé']),
    text: pick(['', '- mentor review', '\nSome notes.\n\n- with a list', '### sub\ntext']),
  }));
  return extra.length ? { ...spec, extraSections: extra } : spec;
}

describe('parseChangeSpec / stringifyChangeSpec', () => {
  it('reads and writes the documented format exactly', () => {
    expect(parseChangeSpec(exampleText, { file: 'changes/202611/demo-1.2.md' })).toEqual({
      changeSpec: example,
      diagnostics: [],
    });
    expect(stringifyChangeSpec(example)).toBe(exampleText);
  });

  it('round-trips varied ChangeSpecs: parse(stringify(x)) deep-equals x', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const spec = randomChangeSpec(seed);
      const text = stringifyChangeSpec(spec);
      const parsed = parseChangeSpec(text, { file: `seed-${seed}.md` });
      expect.soft(parsed.diagnostics, `seed ${seed}`).toEqual([]);
      expect(parsed.changeSpec, `seed ${seed}\n${text}`).toEqual(spec);
      expect(stringifyChangeSpec(parsed.changeSpec!)).toBe(text);
    }
  });

  it('writes _none_ for empty sections', () => {
    expect(stringifyChangeSpec(minimal)).toMatchInlineSnapshot(`
      "---
      name: solo
      description: Nothing yet
      bead: null
      plan: null
      parent: []
      branch: sase/solo
      base: abcdef0
      status: wip
      pr: null
      bug: null
      ---
      # solo: Nothing yet

      ## Commits

      _none_

      ## Hooks

      _none_

      ## Comments

      _none_

      ## Timestamps

      _none_
      "
    `);
    expect(parseChangeSpec(stringifyChangeSpec(minimal)).changeSpec).toEqual(minimal);
  });

  it('keeps unknown ## sections verbatim and writes them after ## Timestamps', () => {
    const text = exampleText.replace(
      '## Comments',
      '## Design notes\n\n- alice attempt 1 commit 1a2b3c4: LGTM\n  with `details`\n\n## Comments',
    );
    const { changeSpec, diagnostics } = parseChangeSpec(text);
    expect(diagnostics).toEqual([]);
    expect(changeSpec?.extraSections).toEqual([
      { heading: 'Design notes', text: '\n- alice attempt 1 commit 1a2b3c4: LGTM\n  with `details`' },
    ]);
    const written = stringifyChangeSpec(changeSpec!);
    expect(written).toBe(
      `${exampleText}\n## Design notes\n\n- alice attempt 1 commit 1a2b3c4: LGTM\n  with \`details\`\n`,
    );
    expect(parseChangeSpec(written).changeSpec).toEqual(changeSpec);
  });

  it('reads what people and editors do to the file: CRLF, stripped indentation, other order, any case', () => {
    const edited = `---
name: solo
description: Nothing yet
branch: sase/solo
base: abcdef0
status: draft
---
# solo: Nothing yet

## timestamps
- 2026-11-28T07:00:00.000Z wip

- 2026-11-28T07:05:00.000Z draft
## Comments
- 2026-11-28T07:06:00.000Z bob: first paragraph

  second paragraph after a blank line an editor emptied
- 2026-11-28T07:07:00.000Z carol: next
`.replace(/\n/g, '\r\n');
    const { changeSpec, diagnostics } = parseChangeSpec(edited);
    expect(diagnostics).toEqual([]);
    expect(changeSpec).toEqual({
      ...minimal,
      status: 'draft',
      comments: [
        {
          time: '2026-11-28T07:06:00.000Z',
          author: 'bob',
          text: 'first paragraph\n\nsecond paragraph after a blank line an editor emptied',
        },
        { time: '2026-11-28T07:07:00.000Z', author: 'carol', text: 'next' },
      ],
      timestamps: [
        { time: '2026-11-28T07:00:00.000Z', status: 'wip' },
        { time: '2026-11-28T07:05:00.000Z', status: 'draft' },
      ],
    });
  });

  it('reports every frontmatter problem at the line of its key', () => {
    const text = exampleText
      .replace('status: wip', 'status: landed')
      .replace('bug: null', 'bug: null\ncolour: blue')
      .replace('  - demo-1.1', '  - ../etc');
    const { changeSpec, diagnostics } = parseChangeSpec(text, { file: 'changes/202611/demo-1.2.md' });
    expect(changeSpec).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic)).toMatchInlineSnapshot(`
      [
        "changes/202611/demo-1.2.md:7:5: error Invalid ChangeSpec "parent[0]": expected an agent name such as demo-1.2 (pattern ^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$, no "..") [frontmatter-schema]",
        "changes/202611/demo-1.2.md:10:1: error Invalid ChangeSpec "status": Invalid option: expected one of "wip"|"draft"|"ready"|"mailed"|"submitted"|"reverted"|"archived" [frontmatter-schema]",
        "changes/202611/demo-1.2.md:13:1: error Unknown ChangeSpec frontmatter key "colour"; remove it or fix its spelling [frontmatter-schema]",
      ]
    `);
    expect(parseChangeSpec('# no frontmatter\n').diagnostics).toMatchObject([
      { ruleId: 'frontmatter-missing', line: 1, fatal: true },
    ]);
  });

  it('reports every body problem with its line and what a valid line looks like', () => {
    const text = `---
name: demo-1.2
description: Password hashing
branch: sase/demo-1.2
base: abcdef0
status: wip
---
# demo-1.2: Old title
stray note

## Commits

  - CHAT: before any commit
- nothex subject
- abcdef0 ok
  - SPEC: unknown drawer
  - CHAT: a
  - CHAT: b

## Hooks

- #1 2026-11-28T07:00:00.000Z PASSED (exit 0) 1 ms, attempt 1, commit ? — log: before a hook
### test
- #1 yesterday PASSED (exit 0) 1 ms, attempt 1, commit ? — log: x
- #2 2026-11-28T07:00:00.000Z SKIPPED (exit 0) 1 ms, attempt 1, commit ? — log: x
- #3 2026-11-28T07:00:00.000Z PASSED (exit 0) 1 ms — log: x

## Comments

_none_
- 2026-11-28T07:06:00.000Z alice: text
- no time

## Timestamps

- 2026-11-28T07:00:00.000Z landed

## Commits

_none_
`;
    const { changeSpec, diagnostics } = parseChangeSpec(text, { file: 'c.md' });
    expect(changeSpec).toBeUndefined();
    expect(
      diagnostics.map((diagnostic) => formatDiagnostic(diagnostic).slice(0, 120)),
    ).toMatchInlineSnapshot(`
      [
        "c.md:8:1: warning Title "# demo-1.2: Old title" does not match the frontmatter; SASE writes "# demo-1.2: Password hashin",
        "c.md:9:1: error Text outside a section: "stray note"; a ChangeSpec body is the title "# <name>: <description>" and then ",
        "c.md:13:1: error Drawer line before any commit; a drawer line follows its commit line "- <sha> <subject>" [change-body]",
        "c.md:14:1: error Commit sha "nothex" is not 7 to 64 lowercase hexadecimal digits [change-body]",
        "c.md:16:1: error Unknown drawer "SPEC"; drawers are CHAT, DIFF and PLAN [change-body]",
        "c.md:18:1: error Drawer CHAT appears twice for commit abcdef0 [change-body]",
        "c.md:22:1: error Hook run before any "### <hook name>" heading; put it under the hook it belongs to [change-body]",
        "c.md:24:1: error Hook run time "yesterday": expected a UTC ISO-8601 time such as 2026-11-03T10:00:00.000Z [change-body]",
        "c.md:25:1: error Hook run status "SKIPPED": expected PASSED or FAILED [change-body]",
        "c.md:26:1: error Line in ## Hooks is not "### <hook name>" or a run "- #<n> <time> PASSED|FAILED (exit <code>|?) <ms> ms",
        "c.md:30:1: error _none_ marks an empty ## Comments section, but the section has entries; remove _none_ [change-body]",
        "c.md:32:1: error Line in ## Comments is not "- <time> <author>: <text>" (further lines of the text indented by two space",
        "c.md:36:1: error Timestamp status "landed": expected one of wip, draft, ready, mailed, submitted, reverted, archived [ch",
        "c.md:38:1: error Section ## Commits appears twice (first on line 11); a ChangeSpec has one of each [change-body]",
      ]
    `);
  });
});

describe('stringifyChangeSpec refuses what the format cannot hold', () => {
  it('lists every problem in one CHANGE_SPEC_INVALID error', () => {
    const bad: ChangeSpec = {
      ...minimal,
      description: 'two\nlines',
      commits: [{ sha: 'HEAD', subject: 'a\nb', chat: '', diff: null, plan: null }],
      comments: [{ time: 'now', author: 'a: b', text: 'x\r\ny' }],
      extraSections: [{ heading: 'Hooks', text: '## inner\n' }],
    };
    let error: unknown;
    try {
      stringifyChangeSpec(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SddError);
    expect((error as SddError).code).toBe('CHANGE_SPEC_INVALID');
    expect((error as SddError).message).toMatchInlineSnapshot(
      `"Cannot write ChangeSpec solo: description: expected one line (no line breaks); commits[0].sha: expected a commit sha (7 to 64 lowercase hexadecimal digits); commits[0].subject: expected one line; commits[0].chat: expected null or a one-line path (the CHAT drawer); comments[0].time: expected a UTC ISO-8601 time such as 2026-11-03T10:00:00.000Z; comments[0].author: expected a non-empty one-line name without ": "; comments[0].text: expected text with \\n line breaks (no \\r); extraSections[0].heading: ## Hooks is a section SASE writes itself; extraSections[0].text: a line starting with "## " would start a new section; extraSections[0].text: expected no trailing blank lines"`,
    );
  });
});

describe('the status lifecycle', () => {
  it('allows exactly the documented moves', () => {
    expect(changeStatusMoves).toEqual({
      wip: ['draft', 'ready', 'archived'],
      draft: ['ready', 'archived'],
      ready: ['mailed', 'draft', 'archived'],
      mailed: ['submitted', 'archived'],
      submitted: ['reverted'],
      reverted: [],
      archived: [],
    });
    for (const from of changeStatuses) {
      for (const to of changeStatuses) {
        const isAllowed = changeStatusMoves[from].includes(to);
        if (isAllowed) expect(() => assertChangeStatusMove(from, to)).not.toThrow();
        else
          expect(() => assertChangeStatusMove(from, to)).toThrow(
            expect.objectContaining({ code: 'CHANGE_STATUS_INVALID' }),
          );
      }
    }
    expect(changeStatuses.filter(isTerminalChangeStatus)).toEqual(['submitted', 'reverted', 'archived']);
  });

  it('says which move was refused and which are valid', () => {
    const message = (from: ChangeStatus, to: ChangeStatus, name?: string) => {
      try {
        assertChangeStatusMove(from, to, name === undefined ? {} : { name });
      } catch (error) {
        return (error as SddError).message;
      }
      return 'allowed';
    };
    expect([
      message('wip', 'mailed', 'demo-1.2'),
      message('ready', 'ready', 'demo-1.2'),
      message('archived', 'wip', 'demo-1.2'),
      message('submitted', 'archived'),
      message('wip', 'landed' as ChangeStatus, 'demo-1.2'),
    ]).toMatchInlineSnapshot(`
      [
        "change demo-1.2: cannot move from wip to mailed; valid moves from wip: draft, ready, archived",
        "change demo-1.2: cannot move from ready to ready: it already has status ready; valid moves from ready: mailed, draft, archived",
        "change demo-1.2: cannot move from archived to wip; archived is terminal: it has no moves",
        "cannot move from submitted to archived; valid moves from submitted: reverted",
        "change demo-1.2: unknown status "landed"; a change status is one of wip, draft, ready, mailed, submitted, reverted, archived",
      ]
    `);
  });

  it('moveChangeStatus returns a new spec with the status and a timestamp', () => {
    const moved = moveChangeStatus(example, 'ready', new Date('2026-11-28T08:00:00Z'));
    expect(moved.status).toBe('ready');
    expect(moved.timestamps.at(-1)).toEqual({ time: '2026-11-28T08:00:00.000Z', status: 'ready' });
    expect(example.status).toBe('wip');
    expect(example.timestamps).toHaveLength(2);
    expect(moveChangeStatus(moved, 'mailed', '2026-11-28T09:00:00Z').timestamps).toHaveLength(4);
    expect(() => moveChangeStatus(example, 'submitted', new Date())).toThrow(
      'change demo-1.2: cannot move from wip to submitted; valid moves from wip: draft, ready, archived',
    );
  });
});

describe('names and paths', () => {
  it.each(['demo-1.2', 'a', 'A+b_c.d-e', '0', 'x'.repeat(100)])('accepts %s', (name) => {
    expect(isValidChangeName(name)).toBe(true);
    expect(changeSpecPath(name, '202611')).toBe(`changes/202611/${name}.md`);
  });

  it.each(['', '..', 'a..b', '.hidden', '-a', 'a/b', 'a b', 'x'.repeat(101), 'ü'])('refuses %j', (name) => {
    expect(isValidChangeName(name)).toBe(false);
    expect(() => changeSpecPath(name, '202611')).toThrow(
      expect.objectContaining({ code: 'CHANGE_NAME_INVALID' }),
    );
  });

  it('refuses a month that is not YYYYMM', () => {
    expect(() => changeSpecPath('demo-1.2', '2026-11')).toThrow(
      expect.objectContaining({ code: 'CHANGE_SPEC_INVALID' }),
    );
  });
});

describe('## Mentors', () => {
  it('reads back the mentor reviews it writes, and is absent when there are none', () => {
    const base = parseChangeSpec(exampleText).changeSpec!;
    expect(base.mentors).toBeUndefined();
    expect(stringifyChangeSpec(base)).not.toContain('## Mentors');
    const reviewed = {
      ...base,
      mentors: [
        {
          time: '2026-11-28T07:10:00.000Z',
          mentor: 'security',
          verdict: 'request_changes' as const,
          attempt: 1,
          commit: '1a2b3c4d5e6f',
          text: 'Hash with scrypt, not sha1.\n\n## not a section\nThanks.',
        },
        {
          time: '2026-11-28T07:20:00.000Z',
          mentor: 'security',
          verdict: 'approve' as const,
          attempt: 2,
          commit: null,
          text: '',
        },
      ],
    };
    const text = stringifyChangeSpec(reviewed);
    expect(text).toContain(
      '## Mentors\n\n- 2026-11-28T07:10:00.000Z security request_changes, attempt 1, commit 1a2b3c4d5e6f\n' +
        '  Hash with scrypt, not sha1.\n  \n  ## not a section\n  Thanks.\n' +
        '- 2026-11-28T07:20:00.000Z security approve, attempt 2, commit ?\n\n## Comments',
    );
    expect(parseChangeSpec(text).changeSpec).toEqual(reviewed);
    expect(parseChangeSpec(stringifyChangeSpec({ ...base, mentors: [] })).changeSpec?.mentors).toEqual([]);
  });
});
