/**
 * @symphony/sdk — the typed client of the SCS HTTP API, built on `@symphony/api`'s schemas, with
 * offline verification of settlements from `@symphony/protocol`. Runs in Node and browsers; key
 * files are read by `@symphony/sdk/node`.
 */
export * from './client.ts';
export * from './errors.ts';
export * from './pagination.ts';
export * from './retry-policy.ts';
export * from './routes.ts';
export * from './verify.ts';
export * from './watch-settlement.ts';
export * from './watch-task.ts';
