import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import * as beads from './index.js';
import { initBeadStore } from './index.js';

it('runs the README example', () => {
  const base = mkdtempSync(join(tmpdir(), 'sase-readme-'));
  onTestFinished(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, '.sase/sdd/beads');
  const store = initBeadStore({ dir, prefix: 'shop' });
  const epic = store.create({ title: 'Checkout', tier: 'epic' });
  const cart = store.create({ title: 'Cart', parentId: epic.id });
  const pay = store.create({ title: 'Pay', parentId: epic.id, dependencies: [cart.id] });
  expect([epic.id, cart.id, pay.id]).toEqual(['shop-1', 'shop-1.1', 'shop-1.2']);
  expect(store.ready().map((bead) => bead.id)).toEqual(['shop-1', 'shop-1.1']);
  expect(store.blocked().map(({ bead, blockedBy }) => [bead.id, blockedBy])).toEqual([
    ['shop-1.2', ['shop-1.1']],
  ]);
  store.close(cart.id, { reason: 'merged' });
  expect(store.ready().map((bead) => bead.id)).toEqual(['shop-1', 'shop-1.2']);
  expect(() => store.addDependency(cart.id, pay.id)).toThrow('shop-1.1 → shop-1.2 → shop-1.1');
  store.dispose();

  // The CommonJS example, run by node against the built package (resolved through its `require` export).
  const script = `const { openBeadStore } = require('@sase/beads');
const store = openBeadStore({ dir: ${JSON.stringify(dir)} });
console.log(JSON.stringify(store.ready().map((bead) => bead.id)));
store.dispose();`;
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const printed = execFileSync(process.execPath, ['-e', script], { cwd: packageDir, encoding: 'utf8' });
  expect(JSON.parse(printed)).toEqual(['shop-1', 'shop-1.2']);
});

it('runs the claiming example of the README', () => {
  const base = mkdtempSync(join(tmpdir(), 'sase-readme-'));
  onTestFinished(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, '.sase/sdd/beads');
  const store = initBeadStore({ dir, prefix: 'shop' });
  store.create({ title: 'Checkout', tier: 'epic' });
  const next = store.claimNext('agent-7');
  expect(next).toMatchObject({ id: 'shop-1', status: 'in_progress', assignee: 'agent-7' });
  expect(store.claim(next!.id, 'agent-7')).toEqual(next);
  expect(() => store.claim(next!.id, 'agent-8')).toThrow(
    expect.objectContaining({ code: 'ALREADY_CLAIMED', holder: 'agent-7' }),
  );
  expect(() => store.update(next!.id, { status: 'in_progress', assignee: 'agent-8' })).toThrow(
    expect.objectContaining({ code: 'ALREADY_CLAIMED' }),
  );
  expect(store.update(next!.id, { assignee: 'agent-8' }, { force: true }).assignee).toBe('agent-8');
  expect(store.claimNext('agent-9')).toBeUndefined();
  store.dispose();
});

it('exports exactly these names', () => {
  expect(Object.keys(beads).sort()).toMatchInlineSnapshot(`
    [
      "BEAD_STATUSES",
      "BeadError",
      "BeadStore",
      "CACHE_FILE",
      "CONFIG_FILE",
      "DEPENDENCY_TYPES",
      "FIELDS",
      "GRAPH_FORMATS",
      "ISSUE_TYPES",
      "JSONL_FILE",
      "MODEL_NAME",
      "TIERS",
      "advanceStoreConfig",
      "applyAgentOutcome",
      "beadStoreDirOf",
      "compareIds",
      "convertBdRecords",
      "defaultPrefixFor",
      "findWorkspaceRoot",
      "fromRecord",
      "getBeadRecordSchema",
      "importBdFile",
      "initBeadStore",
      "isRealUtcTime",
      "mergeJsonl",
      "mergeStoreConfig",
      "naturalSortKey",
      "openBeadStore",
      "parseJsonl",
      "parseJsonlBuffer",
      "parseStoreConfig",
      "renderDependencyGraph",
      "repairDuplicateIds",
      "sddRootOf",
      "sortDependencies",
      "stringifyJsonl",
      "stringifyRecord",
      "toRecord",
    ]
  `);
});
