/** Writes lines and JSON to one stream, with colors when that stream is a terminal. */
import type { OutputStream } from '../cli-io.ts';
import { type Colors, colorsWanted, createColors } from './colors.ts';

/** Line-oriented output to one stream. */
export class Printer {
  readonly colors: Colors;
  constructor(
    readonly stream: OutputStream,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    this.colors = createColors(colorsWanted(stream, env));
  }

  /** Writes the text followed by a newline. */
  line(text = ''): void {
    this.stream.write(`${text}\n`);
  }

  /** Writes a value as indented JSON (for `--json`). */
  json(value: unknown): void {
    this.stream.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A section heading. */
  heading(text: string): void {
    this.line(this.colors.bold(text));
  }

  /** "next:" suggestions: commands the user may want to run now. */
  next(commands: readonly string[]): void {
    if (commands.length === 0) return;
    this.line();
    this.line(this.colors.dim('next:'));
    for (const command of commands) this.line(`  ${this.colors.cyan(command)}`);
  }
}
