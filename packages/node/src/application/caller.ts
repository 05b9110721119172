/** Who is calling the API, and where the edge looks actors up: shared by the edge and the master api. */

/** A registered actor as authentication needs it. */
export type ActorEntry = { roles: readonly string[]; public_key: string };

/** Where authentication looks actors and Vault operators up (the folded protocol state). */
export interface ActorDirectory {
  actor(actorId: string): ActorEntry | undefined;
  vaultOperator(vaultId: string): string | undefined;
}

/** The authenticated caller of a request. */
export type Caller = { actor_id: string; roles: readonly string[] };
