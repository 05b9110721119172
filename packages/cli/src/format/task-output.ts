/** One-line descriptions of released task outputs (the built-in Compute operators), JSON otherwise. */

type Output = Record<string, unknown>;

/** "245 records (60 subjects)", "12850.40 over 507 records (74 subjects)", histogram bins, or compact JSON. */
export function describeTaskOutput(output: unknown, maxLength = 240): string {
  const text = describe(output);
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

function describe(output: unknown): string {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return JSON.stringify(output) ?? 'null';
  const o = output as Output;
  if (o.suppressed === true)
    return `suppressed (${o.reason === 'below_k_min' ? 'fewer than k_min distinct subjects' : String(o.reason)})`;
  const basis =
    typeof o.records === 'number' && typeof o.subjects === 'number'
      ? `${o.records} records (${o.subjects} subjects)`
      : '';
  switch (o.operator) {
    case 'count':
      if (typeof o.value === 'number' && basis) return `${o.value} records (${o.subjects} subjects)`;
      break;
    case 'sum':
    case 'mean':
      if (typeof o.value === 'string' && basis) return `${o.value} over ${basis}`;
      break;
    case 'histogram':
      if (Array.isArray(o.bin_edges) && Array.isArray(o.counts)) {
        const edges = o.bin_edges as unknown[];
        const bins = (o.counts as unknown[]).map((count, i) => `[${edges[i]}, ${edges[i + 1]}) ${count}`);
        return `${bins.join('  ')}${typeof o.outside === 'number' && o.outside > 0 ? `  outside ${o.outside}` : ''}${basis ? ` over ${basis}` : ''}`;
      }
      break;
  }
  return JSON.stringify(output);
}
