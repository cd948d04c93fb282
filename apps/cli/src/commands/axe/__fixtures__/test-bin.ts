/**
 * A `sase` binary with only the axe and agent groups, bundled by the tests with esbuild (so the tests do not
 * depend on main.ts registering them). `sase axe start` starts `node <this> axe serve` (SASE_BIN_JS).
 */
import { Command, CommanderError } from '../../../commander.js';
import { formatError } from '../../../errors.js';
import { processIo } from '../../../io.js';
import { CliRuntime } from '../../../runtime.js';
import { registerAgent } from '../../agent/register.js';
import { registerAxe } from '../register.js';

const program = new Command('sase').exitOverride();
const runtime = new CliRuntime(processIo, () => process.cwd());
registerAxe(program, runtime);
registerAgent(program, runtime);
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
  process.exitCode = runtime.exitCode;
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    const { text, exitCode } = formatError(error);
    process.stderr.write(text);
    process.exitCode = exitCode;
  }
}
