import type { Diagnostic } from './diagnostic.js';
import type { Location } from './internal/markdown.js';
import type { PlanPhase } from './plan.js';

export interface CheckPhasesOptions {
  file?: string;
  /** Maps a frontmatter key path (`['phases', 1, 'depends_on', 0]`) to its line; default line 1. */
  locate?: (path: ReadonlyArray<string | number>) => Location;
}

/**
 * Checks an epic's phases: ids are unique (`phase-id-duplicate`), every `depends_on` names a phase of the
 * same epic (`phase-depends-unknown`), and the dependencies have no cycle (`phase-cycle`, naming it).
 */
export function checkPhases(phases: readonly PlanPhase[], options: CheckPhasesOptions = {}): Diagnostic[] {
  const file = options.file ?? '<plan>';
  const locate = options.locate ?? (() => ({ line: 1, column: 1 }));
  const diagnostics: Diagnostic[] = [];
  const indexOf = new Map<string, number>();
  phases.forEach((phase, index) => {
    const first = indexOf.get(phase.id);
    if (first === undefined) {
      indexOf.set(phase.id, index);
      return;
    }
    diagnostics.push({
      reason: `Phase id "${phase.id}" is used by phases ${first + 1} and ${index + 1}; each phase needs its own id`,
      file,
      ...locate(['phases', index, 'id']),
      ruleId: 'phase-id-duplicate',
      fatal: true,
    });
  });
  phases.forEach((phase, index) => {
    phase.dependsOn.forEach((dependency, position) => {
      if (indexOf.has(dependency)) return;
      diagnostics.push({
        reason: `Phase "${phase.id}" depends on "${dependency}", which is not a phase of this epic (phases: ${[...indexOf.keys()].join(', ') || 'none'})`,
        file,
        ...locate(['phases', index, 'depends_on', position]),
        ruleId: 'phase-depends-unknown',
        fatal: true,
      });
    });
  });
  for (const cycle of findPhaseCycles(phases)) {
    const start = cycle[0]!;
    const index = indexOf.get(start) ?? 0;
    const next = cycle[1]!;
    const position = phases[index]?.dependsOn.indexOf(next) ?? -1;
    diagnostics.push({
      reason: `Phases depend on each other in a cycle: ${cycle.join(' -> ')}; remove one of these depends_on entries`,
      file,
      ...locate(position >= 0 ? ['phases', index, 'depends_on', position] : ['phases', index]),
      ruleId: 'phase-cycle',
      fatal: true,
    });
  }
  return diagnostics;
}

/**
 * Every dependency cycle among the phases, each as a list of ids starting and ending with the same id
 * (`['a', 'b', 'a']`), each cycle reported once. Unknown dependencies are ignored.
 */
export function findPhaseCycles(phases: readonly PlanPhase[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const phase of phases) if (!edges.has(phase.id)) edges.set(phase.id, phase.dependsOn);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (!edges.has(next)) continue;
      const nextState = state.get(next);
      if (nextState === 'visiting') {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, next]);
        }
      } else if (nextState === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of edges.keys()) if (!state.has(id)) visit(id);
  return cycles;
}
