import {
  parseChangeSpec,
  parsePlan,
  parsePromptSnapshot,
  type SddChangeKind,
  type SddKind,
  sddChangeKind,
  sddKinds,
} from '@sase/sdd';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { openSdd } from './open-sdd.js';

export interface SddListOptions extends CommandContext {
  /** tales, epics, legends, prompts or changes (singular accepted); all plans and prompts when omitted. */
  kind?: string;
  env?: NodeJS.ProcessEnv;
}

interface Row {
  kind: SddKind | SddChangeKind;
  name: string;
  month: string;
  path: string;
  tier?: string;
  title?: string;
  status?: string;
  bead?: string | null;
  prompt?: string | null;
  plan?: string;
  invalid?: boolean;
}

/** `sase sdd list [-k tales|epics|legends|prompts]`: the plans (or prompt snapshots) of the SDD tree. */
export async function sddList(options: SddListOptions): Promise<number> {
  const kind = options.kind === undefined ? undefined : toKind(options.kind);
  const { store } = await openSdd(options.cwd, options.env ?? process.env);
  const rows = store.list(kind).map((entry): Row => {
    const row: Row = {
      kind: entry.kind,
      name: entry.name,
      month: entry.month,
      path: store.workspacePath(entry.path),
    };
    const text = store.readText(entry.path);
    if (entry.kind === sddChangeKind) {
      const { changeSpec } = parseChangeSpec(text, { file: entry.path });
      return changeSpec
        ? { ...row, title: changeSpec.description, status: changeSpec.status, bead: changeSpec.bead }
        : { ...row, invalid: true };
    }
    if (entry.kind === 'prompts') {
      const { snapshot } = parsePromptSnapshot(text);
      return snapshot
        ? { ...row, plan: store.workspacePath(snapshot.frontmatter.plan) }
        : { ...row, invalid: true };
    }
    const { plan } = parsePlan(text);
    if (!plan) return { ...row, invalid: true };
    const { tier, title, status, bead, prompt } = plan.frontmatter;
    return {
      ...row,
      tier,
      title,
      status,
      bead: bead ?? null,
      prompt: prompt ? store.workspacePath(prompt) : null,
    };
  });
  if (options.json) {
    options.io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    options.io.stdout(`no ${kind ?? 'plans or prompts'} in ${store.workspacePath('.')}/\n`);
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.path.length));
  for (const row of rows) {
    const detail = row.invalid
      ? '(invalid frontmatter: run sase sdd validate)'
      : row.kind === 'prompts'
        ? `-> ${row.plan}`
        : `${(row.status ?? '').padEnd(row.kind === sddChangeKind ? 9 : 4)}  ${(row.bead ?? '-').padEnd(10)}  ${row.title}`;
    options.io.stdout(`${row.path.padEnd(width)}  ${detail}\n`);
  }
  return 0;
}

function toKind(value: string): SddKind | SddChangeKind {
  const plural = value.endsWith('s') ? value : `${value}s`;
  if (plural === sddChangeKind) return sddChangeKind;
  if ((sddKinds as readonly string[]).includes(plural)) return plural as SddKind;
  throw new CliError(
    'INVALID_INPUT',
    `unknown kind "${value}": use one of ${[...sddKinds, sddChangeKind].join(', ')}`,
  );
}
