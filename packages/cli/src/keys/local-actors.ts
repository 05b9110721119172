/** The actors a locally started network registers for the CLI's key: every role a user needs. */
import type { StandaloneOptions } from '../runtime/standalone.ts';
import type { ActorKeyPair } from './key-store.ts';

/** The actor the demo signs as (its key lives in the demo's data folder). */
export const DEMO_ACTOR = 'act_demo-brand';

/** Balance a local actor starts with: enough for many demo tasks. */
export const LOCAL_ACTOR_BALANCE = '1000000000000';

/** `key`'s actor as a local network registers it: producer, submitter and governance, funded, granted every Vault. */
export function localActors(key: ActorKeyPair): NonNullable<StandaloneOptions['actors']> {
  return [
    {
      actor_id: key.keyid,
      roles: ['data_producer', 'governance', 'task_submitter'],
      public_key: key.publicKeyHex,
      balance: LOCAL_ACTOR_BALANCE,
      grants: 'all',
    },
  ];
}
