// The command line's entry (bin/changemap.js, and the bundle's top level): `changemap --version` is answered from
// package.json alone; anything else loads the command line itself (main.ts: commander, the API contract's schemas)
// and runs it. Keep this module's imports to the version: everything imported here loads at every start.
import { EXIT } from './exitCodes';
import { packageVersion } from './packageVersion';

/** Whether the command line asks for the version only (commander's `-V, --version`, which prints the same). */
export function asksVersionOnly(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}

/** Runs the command line; resolves with the exit code (README: Command line). */
export async function main(argv: readonly string[]): Promise<number> {
  if (asksVersionOnly(argv)) {
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT.done;
  }
  return (await import('./main')).main(argv);
}
