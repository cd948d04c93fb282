import type { DependencyTreeNode, DependencyType } from '@sase/beads';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../io.js';
import { recordLine, withStore } from './shared.js';

export interface BeadDepOptions extends CommandContext {
  bead: string;
  dependsOn: string;
  type?: DependencyType;
}

/** `sase bead dep add A B`: A depends on B (a `blocks` edge unless --type related). */
export async function beadDepAdd(options: BeadDepOptions): Promise<number> {
  return withStore(options, (store) => {
    const bead = store.addDependency(options.bead, options.dependsOn, options.type ?? 'blocks');
    if (options.json) options.io.stdout(`${recordLine(bead)}\n`);
    else options.io.stdout(`${bead.id} now depends on ${store.normalizeId(options.dependsOn)}\n`);
    return 0;
  });
}

/** `sase bead dep rm A B`. */
export async function beadDepRemove(options: BeadDepOptions): Promise<number> {
  return withStore(options, (store) => {
    const removed = store.removeDependency(options.bead, options.dependsOn);
    const bead = store.get(options.bead);
    if (options.json)
      options.io.stdout(`${JSON.stringify({ removed, bead: JSON.parse(recordLine(bead)) })}\n`);
    else if (removed)
      options.io.stdout(`${bead.id} no longer depends on ${store.normalizeId(options.dependsOn)}\n`);
    else
      options.io.stderr(
        `${bead.id} did not depend on ${store.normalizeId(options.dependsOn)}; nothing changed\n`,
      );
    return 0;
  });
}

export interface BeadDepTreeOptions extends CommandContext {
  id: string;
  up?: boolean;
}

/** `sase bead dep tree ID [--up]`: what ID depends on (or, with --up, what depends on it), recursively. */
export async function beadDepTree(options: BeadDepTreeOptions): Promise<number> {
  return withStore(options, (store) => {
    const tree = store.dependencyTree(options.id, { direction: options.up ? 'up' : 'down' });
    if (options.json) options.io.stdout(`${JSON.stringify(toJson(tree), null, 2)}\n`);
    else options.io.stdout(renderTree(tree));
    return 0;
  });
}

interface TreeJson {
  id: string;
  title?: string;
  status?: string;
  type: string;
  missing?: true;
  repeated?: true;
  children: TreeJson[];
}

function toJson(node: DependencyTreeNode): TreeJson {
  return {
    id: node.id,
    ...(node.bead ? { title: node.bead.title, status: node.bead.status } : {}),
    type: node.type,
    ...(node.missing ? { missing: true as const } : {}),
    ...(node.repeated ? { repeated: true as const } : {}),
    children: node.children.map(toJson),
  };
}

function label(node: DependencyTreeNode): string {
  if (node.missing) return `${node.id} [missing]`;
  const related = node.type === 'related' ? ' (related)' : '';
  const repeated = node.repeated ? ' (see above)' : '';
  return `${node.id} [${node.bead!.status}] ${node.bead!.title}${related}${repeated}`;
}

export function renderTree(root: DependencyTreeNode): string {
  let out = `${label(root)}\n`;
  const walk = (node: DependencyTreeNode, prefix: string) => {
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      out += `${prefix}${last ? '└── ' : '├── '}${label(child)}\n`;
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return out;
}

export function parseDependencyType(value: string | undefined): DependencyType | undefined {
  if (value === undefined || value === 'blocks' || value === 'related') return value;
  throw new CliError('INVALID_INPUT', `invalid dependency type "${value}"; expected blocks or related`);
}
