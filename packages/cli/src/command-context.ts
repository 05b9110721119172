/** What every command action gets: printers for stdout and stderr, the global options and an API client. */

import type { RequestSigner } from '@symphony/api';
import type { Command } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client.ts';
import type { CliIo } from './cli-io.ts';
import { Printer } from './format/printer.ts';
import { KeyStore, keyDirOf } from './keys/key-store.ts';

/** The global options, available to every command (`--api`, `--json`, `--as`). */
export type GlobalOptions = { api?: string; json?: boolean; as?: string };

/** Per-invocation context of a command. */
export class CommandContext {
  readonly out: Printer;
  readonly err: Printer;
  /** `--json`: print raw API JSON on stdout instead of text. */
  readonly json: boolean;
  /** `--api`: the node's base URL. */
  readonly apiUrl: string;
  /** `--as`: the actor whose key signs requests (see {@link KeyStore.defaultActor}). */
  readonly actor: string | undefined;

  constructor(
    readonly io: CliIo,
    options: GlobalOptions,
  ) {
    this.out = new Printer(io.stdout, io.env);
    this.err = new Printer(io.stderr, io.env);
    this.json = options.json === true;
    this.apiUrl = options.api ?? DEFAULT_API_URL;
    this.actor = options.as;
  }

  /** The signing key of the acting actor from the CLI key store, if it has one. */
  signer(): RequestSigner | undefined {
    const store = new KeyStore(keyDirOf(this.io.env));
    return store.load(store.defaultActor(this.actor));
  }

  /** The context of the running command, from its options and its parents' options. */
  static of(io: CliIo, command: Command): CommandContext {
    return new CommandContext(io, command.optsWithGlobals<GlobalOptions>());
  }

  /** An API client for `--api` (or another base URL), signing as `signer` (default: the acting actor's key). */
  client(baseUrl: string = this.apiUrl, signer: RequestSigner | undefined = this.signer()): ApiClient {
    return new ApiClient({
      baseUrl,
      ...(this.io.fetch ? { fetch: this.io.fetch } : {}),
      ...(signer ? { signer } : {}),
    });
  }

  /** `symphony` plus `--api URL` when the URL is not the default one: for "next:" suggestions. */
  cli(args: string): string {
    return this.apiUrl === DEFAULT_API_URL ? `symphony ${args}` : `symphony --api ${this.apiUrl} ${args}`;
  }
}
