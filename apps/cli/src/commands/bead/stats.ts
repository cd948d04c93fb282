import type { CommandContext } from '../../io.js';
import { withStore } from './shared.js';

/** `sase bead stats`: counts by status, type and tier; the ready and blocked queue sizes. */
export async function beadStats(options: CommandContext): Promise<number> {
  return withStore(options, (store) => {
    const stats = store.stats();
    if (options.json) {
      options.io.stdout(
        `${JSON.stringify(
          {
            total: stats.total,
            by_status: stats.byStatus,
            by_type: stats.byType,
            by_tier: stats.byTier,
            ready: stats.ready,
            blocked: stats.blocked,
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const { byStatus, byType, byTier } = stats;
    options.io.stdout(
      [
        `total        ${stats.total}`,
        `open         ${byStatus.open}  (ready ${stats.ready}, blocked ${stats.blocked})`,
        `in_progress  ${byStatus.in_progress}`,
        `closed       ${byStatus.closed}`,
        `plans        ${byType.plan}  (plan ${byTier.plan}, epic ${byTier.epic}, legend ${byTier.legend})`,
        `phases       ${byType.phase}`,
      ].join('\n') + '\n',
    );
    return 0;
  });
}
