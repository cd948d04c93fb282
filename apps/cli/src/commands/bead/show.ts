import type { Bead, BeadStore } from '@sase/beads';
import type { CommandContext } from '../../io.js';
import { idList, printBeadsJson, withStore } from './shared.js';

export interface BeadShowOptions extends CommandContext {
  ids: string[];
}

/** `sase bead show ID...`: every field of each bead, its dependencies with their state, and its children. */
export async function beadShow(options: BeadShowOptions): Promise<number> {
  return withStore(options, (store) => {
    const beads = idList(options.ids).map((id) => store.get(id));
    if (options.json) printBeadsJson(options.io, beads);
    else options.io.stdout(beads.map((bead) => formatBead(store, bead)).join('\n'));
    return 0;
  });
}

function formatBead(store: BeadStore, bead: Bead): string {
  const lines = [`${bead.id}  ${bead.title}`];
  const field = (name: string, value: unknown) => {
    if (value !== undefined) lines.push(`  ${`${name}:`.padEnd(15)} ${String(value)}`);
  };
  field('status', bead.status);
  field('type', bead.issueType === 'plan' ? `plan (${bead.tier ?? 'plan'})` : 'phase');
  field('parent', bead.parentId);
  field('assignee', bead.assignee);
  field('model', bead.model);
  field('design', bead.design);
  field('ready to work', bead.isReadyToWork);
  field('epic count', bead.epicCount);
  field('created', bead.createdAt);
  field('updated', bead.updatedAt);
  field('closed', bead.closedAt && `${bead.closedAt}${bead.closeReason ? ` (${bead.closeReason})` : ''}`);
  for (const dependency of bead.dependencies) {
    const target = store.find(dependency.id);
    field(
      dependency.type === 'blocks' ? 'depends on' : 'related to',
      `${dependency.id} ${target ? `[${target.status}] ${target.title}` : '[missing]'}`,
    );
  }
  const children = store.list({ parentId: bead.id });
  for (const child of children) {
    if (child.issueType === 'phase') {
      field('phase', `${child.id} [${child.status}] ${child.title}`);
      continue;
    }
    // An epic of a legend: its progress in phases.
    const phases = store.list({ parentId: child.id }).filter((phase) => phase.issueType === 'phase');
    const closed = phases.filter((phase) => phase.status === 'closed').length;
    field(
      child.tier ?? 'plan',
      `${child.id} [${child.status}] ${child.title} (${progressBar(closed, phases.length)} ${closed}/${phases.length} phases)`,
    );
  }
  if (bead.description) lines.push('', indent(bead.description));
  if (bead.notes) lines.push('', '  notes:', indent(bead.notes, '    '));
  return `${lines.join('\n')}\n`;
}

/** `[####------]`: `done` of `total`, ten cells wide. */
function progressBar(done: number, total: number): string {
  const cells = total === 0 ? 0 : Math.round((done / total) * 10);
  return `[${'#'.repeat(cells)}${'-'.repeat(10 - cells)}]`;
}

function indent(text: string, prefix = '  '): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
