/** What every command action gets: printers for stdout and stderr, the global options and an API client. */
import type { Command } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client.ts';
import type { CliIo } from './cli-io.ts';
import { Printer } from './format/printer.ts';

/** The global options, available to every command (`--api`, `--json`). */
export type GlobalOptions = { api?: string; json?: boolean };

/** Per-invocation context of a command. */
export class CommandContext {
  readonly out: Printer;
  readonly err: Printer;
  /** `--json`: print raw API JSON on stdout instead of text. */
  readonly json: boolean;
  /** `--api`: the node's base URL. */
  readonly apiUrl: string;

  constructor(
    readonly io: CliIo,
    options: GlobalOptions,
  ) {
    this.out = new Printer(io.stdout, io.env);
    this.err = new Printer(io.stderr, io.env);
    this.json = options.json === true;
    this.apiUrl = options.api ?? DEFAULT_API_URL;
  }

  /** The context of the running command, from its options and its parents' options. */
  static of(io: CliIo, command: Command): CommandContext {
    return new CommandContext(io, command.optsWithGlobals<GlobalOptions>());
  }

  /** An API client for `--api` (or another base URL). */
  client(baseUrl: string = this.apiUrl): ApiClient {
    return new ApiClient(this.io.fetch ? { baseUrl, fetch: this.io.fetch } : { baseUrl });
  }

  /** `symphony` plus `--api URL` when the URL is not the default one: for "next:" suggestions. */
  cli(args: string): string {
    return this.apiUrl === DEFAULT_API_URL ? `symphony ${args}` : `symphony --api ${this.apiUrl} ${args}`;
  }
}
