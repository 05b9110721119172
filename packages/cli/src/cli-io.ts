/** Everything a command touches outside itself, so tests can run commands in-process. */

/** A writable text stream (`process.stdout` fits). */
export type OutputStream = { write(chunk: string): unknown; isTTY?: boolean | undefined; columns?: number | undefined };

/** The process-level surroundings of a CLI run. */
export type CliIo = {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative file paths are resolved against. */
  cwd: string;
  /** The wall clock, in milliseconds. */
  now(): number;
  /** Waits; tests may make it instant. */
  sleep(ms: number): Promise<void>;
  /** The fetch used by the API client (defaults to the global one). */
  fetch?: typeof fetch;
  /** Calls `handler` when the process is asked to stop (SIGINT / SIGTERM); returns the unsubscribe function. */
  onStop(handler: (signal: string) => void): () => void;
};

/** The real process: its streams, environment, clock and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onStop: (handler) => {
      const listener = (signal: NodeJS.Signals): void => handler(signal);
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}
