/** @symphony/api — the SCS HTTP surface as schemas: the server validates with them, the SDK types with them. */

export * from './challenges.ts';
export * from './common.ts';
export * from './consent.ts';
export * from './economics.ts';
export * from './errors.ts';
export * from './http-signature.ts';
export * from './identity.ts';
export * from './network.ts';
export * from './participation.ts';
export * from './programs.ts';
export * from './records.ts';
export * from './semantic.ts';
export * from './settlement.ts';
export * from './tasks.ts';
