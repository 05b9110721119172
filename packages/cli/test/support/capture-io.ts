/** An in-memory CliIo for running commands in-process: captured output, no colors, instant or real sleeps. */
import type { CliIo } from '../../src/cli-io.ts';

/** A CliIo whose output is collected, plus a way to send it a stop signal. */
export type CapturedIo = CliIo & { out(): string; err(): string; signal(name: string): void };

/** Builds a captured io; `overrides` replace any field (e.g. `fetch`, `sleep`). */
export function captureIo(overrides: Partial<CliIo> = {}): CapturedIo {
  let stdout = '';
  let stderr = '';
  const handlers = new Set<(signal: string) => void>();
  return {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
    env: {},
    cwd: process.cwd(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    onStop: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ...overrides,
    out: () => stdout,
    err: () => stderr,
    signal: (name) => {
      for (const handler of [...handlers]) handler(name);
    },
  };
}

/** `process.argv`-shaped arguments for `runCli`. */
export function argv(...args: string[]): string[] {
  return ['node', 'symphony', ...args];
}
