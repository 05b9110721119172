/** `symphony keys create|list`: the actor keys the CLI signs requests with. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderPairs } from '../format/table.ts';
import { DEFAULT_ACTOR, KeyStore, keyDirOf } from '../keys/key-store.ts';
import type { CommandDeps } from './command-deps.ts';

/** Registers `keys`. */
export function registerKeys(program: Command, deps: CommandDeps): void {
  const keys = program
    .command('keys')
    .description(`actor keys that sign every API request (in $SYMPHONY_HOME/keys, default ~/.symphony/keys)`);
  keys
    .command('create')
    .description('create an Ed25519 key for an actor (never overwrites one)')
    .argument('[actor]', 'actor id, e.g. act_alice', DEFAULT_ACTOR)
    .action((actor: string, _options: unknown, command: Command) =>
      deps.run(command, async (context) => create(context, actor)),
    );
  keys
    .command('list')
    .description('list the actor keys and their public keys')
    .action((_options: unknown, command: Command) => deps.run(command, async (context) => list(context)));
}

function create(context: CommandContext, actor: string): number {
  const store = new KeyStore(keyDirOf(context.io.env));
  const key = store.create(actor);
  if (context.json) context.out.json({ actor_id: key.keyid, public_key: key.publicKeyHex, dir: store.dir });
  else
    context.out.line(
      renderPairs(
        [
          ['actor', key.keyid],
          ['public key', key.publicKeyHex],
          ['stored in', store.dir],
        ],
        '',
      ),
    );
  return 0;
}

function list(context: CommandContext): number {
  const store = new KeyStore(keyDirOf(context.io.env));
  const keys = store.list();
  if (context.json) context.out.json({ dir: store.dir, keys });
  else if (keys.length === 0) context.out.line(`no keys in ${store.dir}: create one with \`symphony keys create\``);
  else for (const k of keys) context.out.line(`${k.actor_id}  ${k.public_key}`);
  return 0;
}
