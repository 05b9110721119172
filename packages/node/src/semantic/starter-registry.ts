/** The semantic domains a new network starts with (governance publishes later versions). */
import type { SemanticDomain } from '@symphony/protocol';

/** `commerce.receipt@1.0.0`: purchases from receipts, the first domain of the registry. */
export const COMMERCE_RECEIPT_V1: SemanticDomain = {
  schema_version: 1,
  domain: 'commerce.receipt',
  semantic_version: '1.0.0',
  attributes: [
    { name: 'merchant', type: 'string', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'category', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'city', type: 'category', sensitivity: 'personal', aggregations: ['count', 'group_by', 'filter'] },
    {
      name: 'total_amount',
      type: 'decimal',
      unit: 'currency',
      sensitivity: 'personal',
      aggregations: ['sum', 'mean', 'quantile', 'histogram', 'filter'],
    },
    { name: 'purchased_at', type: 'timestamp', sensitivity: 'personal', aggregations: ['filter'] },
  ],
};
