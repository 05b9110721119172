/** Entry point of the `symphony` command (see `bin/symphony.mjs`). */
import { processIo } from './cli-io.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv, processIo());
