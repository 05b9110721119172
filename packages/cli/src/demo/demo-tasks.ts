/** The compute tasks the demo submits over the receipts data set. */
import type { SubmitTaskRequest } from '@symphony/api';
import { RECEIPT_DOMAIN, RECEIPT_SEMANTIC_VERSION } from './receipts-dataset.ts';

/** One demo task: a short name (used in its Idempotency-Key), what it asks, where it runs, and the request. */
export type DemoTask = { name: string; title: string; nodeId: string; request: SubmitTaskRequest };

/** The Vaults one enterprise node hosts: a Compute task runs next to its data, on one node. */
export type DemoTarget = { nodeId: string; vaultIds: readonly string[] };

/** The account the demo submits as (a brand running analytics). */
export const DEMO_SUBMITTER = 'act_demo-brand';

/** Histogram edges for `total_amount` (decimal strings). */
export const DEMO_BIN_EDGES = ['0', '5', '10', '25', '50', '100', '250', '500', '2000'] as const;

/**
 * The compute tasks, each submitted once per enterprise node over all of that node's Vaults (a
 * Compute task runs inside one node's execution boundary, so its targets live on one node).
 */
export function demoTasks(targets: readonly DemoTarget[]): DemoTask[] {
  return targets.flatMap((target) =>
    computeTemplates(target.vaultIds).map((template) => ({
      ...template,
      name: `${template.name}.${target.nodeId.replace(/^node_/, '')}`,
      nodeId: target.nodeId,
    })),
  );
}

function computeTemplates(vaultIds: readonly string[]): Omit<DemoTask, 'nodeId'>[] {
  const base = (attributes: string[]): Omit<SubmitTaskRequest, 'spec'> => ({
    class: 'compute',
    submitter: DEMO_SUBMITTER,
    consent_scope: 'analytics',
    targets: { vault_ids: [...vaultIds].sort() },
    semantic: {
      domain: RECEIPT_DOMAIN,
      semantic_version: RECEIPT_SEMANTIC_VERSION,
      attributes: [...attributes].sort(),
    },
    budget: { max_fee: '100000' },
    timeout_ms: 120_000,
  });
  return [
    {
      name: 'coffee-count',
      title: 'number of coffee purchases',
      request: {
        ...base(['category']),
        spec: {
          kind: 'compute',
          program: { type: 'builtin', operator: 'count' },
          filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }],
        },
      },
    },
    {
      name: 'singapore-sum',
      title: 'sum of total_amount in Singapore',
      request: {
        ...base(['city', 'total_amount']),
        spec: {
          kind: 'compute',
          program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
          filter: [{ attribute: 'city', op: 'eq', value: 'Singapore' }],
        },
      },
    },
    {
      name: 'singapore-mean',
      title: 'mean total_amount in Singapore',
      request: {
        ...base(['city', 'total_amount']),
        spec: {
          kind: 'compute',
          program: { type: 'builtin', operator: 'mean', attribute: 'total_amount' },
          filter: [{ attribute: 'city', op: 'eq', value: 'Singapore' }],
        },
      },
    },
    {
      name: 'bangkok-dining-mean',
      title: 'mean dining bill in Bangkok',
      request: {
        ...base(['category', 'city', 'total_amount']),
        spec: {
          kind: 'compute',
          program: { type: 'builtin', operator: 'mean', attribute: 'total_amount' },
          filter: [
            { attribute: 'city', op: 'eq', value: 'Bangkok' },
            { attribute: 'category', op: 'eq', value: 'dining' },
          ],
        },
      },
    },
    {
      name: 'amount-histogram',
      title: 'histogram of total_amount',
      request: {
        ...base(['total_amount']),
        spec: {
          kind: 'compute',
          program: {
            type: 'builtin',
            operator: 'histogram',
            attribute: 'total_amount',
            bin_edges: [...DEMO_BIN_EDGES],
          },
          filter: [],
        },
      },
    },
  ];
}
