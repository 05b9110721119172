/** ANSI colors, enabled only for a terminal and when `NO_COLOR` is not set (https://no-color.org). */

/** Styling functions; each returns its input unchanged when colors are off. */
export type Colors = {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
};

/** True when output goes to a terminal and `NO_COLOR` is unset or empty. */
export function colorsWanted(
  stream: { isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Builds the styling functions; with `enabled` false every function is the identity. */
export function createColors(enabled: boolean): Colors {
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** The text without ANSI color sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The number of columns the text takes on a terminal (ANSI sequences take none). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
