// A separate process appending comments to one ChangeSpec with SddStore.updateChangeSpec (see
// change-store.test.ts). Arguments: workspace root, writer number, comment count, start time (ms).
import { createSddStore } from '../index.js';

const [workspaceRoot, writer, count, startAt] = process.argv.slice(2) as [string, string, string, string];
const store = createSddStore({ workspaceRoot, versionControlled: true });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let index = 0; index < Number(count); index++) {
  await store.updateChangeSpec(
    'demo-1.2',
    (spec) => ({
      ...spec,
      comments: [
        ...spec.comments,
        { time: new Date().toISOString(), author: `writer-${writer}`, text: `comment ${index}\nof writer ${writer}` },
      ],
    }),
    {
      month: '202611',
      create: () => ({
        name: 'demo-1.2',
        description: 'Password hashing',
        bead: null,
        plan: null,
        parent: [],
        branch: 'sase/demo-1.2',
        base: '0123456789abcdef0123456789abcdef01234567',
        status: 'wip',
        pr: null,
        bug: null,
        commits: [],
        hooks: [],
        comments: [],
        timestamps: [{ time: new Date().toISOString(), status: 'wip' }],
      }),
    },
  );
}
