import type { CommandContext } from '../../io.js';
import { withStore } from './shared.js';

export interface BeadDoctorOptions extends CommandContext {
  fix?: boolean;
}

/** `sase bead doctor [--fix]`: exit 1 while an error-level problem remains. */
export async function beadDoctor(options: BeadDoctorOptions): Promise<number> {
  return withStore(options, (store) => {
    const report = store.doctor({ fix: Boolean(options.fix) });
    if (options.json) {
      options.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.problems.length === 0) {
      options.io.stdout(`${store.jsonlPath}: no problems\n`);
    } else {
      for (const problem of report.problems) {
        const status = problem.fixed ? 'fixed' : problem.severity;
        options.io.stdout(`${status.padEnd(7)}  ${problem.code.padEnd(18)}  ${problem.message}\n`);
      }
    }
    return report.ok ? 0 : 1;
  });
}
