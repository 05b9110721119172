/**
 * The oracle's real dataset: `vega-datasets` flights (2,000 US domestic flights, Jan-Mar 2001),
 * shipped in the npm package. Each record's subject is derived from its route (a "traveller" per
 * origin-destination pair), so one subject has records in several Vaults.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SemanticDomain } from '@symphony/protocol';

export type Flight = {
  subject: string;
  origin: string;
  destination: string;
  delay: number;
  distance: number;
  month: string;
  flown_at: string;
};

const require = createRequire(import.meta.url);

/** Loads `flights-2k.json` from the installed package (no network). */
export function loadFlights(): Flight[] {
  // The package exports only its JS entry (build/index.js); the data files sit beside `build/`.
  const path = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'flights-2k.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    date: string;
    delay: number;
    distance: number;
    origin: string;
    destination: string;
  }[];
  return raw.map((f) => {
    const [day, time] = f.date.split(' ') as [string, string];
    const iso = `${day.replaceAll('/', '-')}T${time}:00.000Z`;
    return {
      subject: `act_route-${f.origin.toLowerCase()}-${f.destination.toLowerCase()}`,
      origin: f.origin,
      destination: f.destination,
      delay: f.delay,
      distance: f.distance,
      month: iso.slice(0, 7),
      flown_at: iso,
    };
  });
}

/** The domain the oracle's Vaults declare. */
export const TRAVEL_FLIGHT_V1: SemanticDomain = {
  schema_version: 1,
  domain: 'travel.flight',
  semantic_version: '1.0.0',
  attributes: [
    { name: 'origin', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'destination', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'month', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
    { name: 'delay', type: 'decimal', sensitivity: 'personal', aggregations: ['sum', 'mean', 'filter'] },
    { name: 'distance', type: 'decimal', sensitivity: 'personal', aggregations: ['sum', 'mean', 'filter'] },
    { name: 'flown_at', type: 'timestamp', sensitivity: 'personal', aggregations: ['filter'] },
  ],
};

/** The record fields a Vault stores for a flight (canonical names, decimals as strings). */
export const fieldsOf = (f: Flight) => ({
  origin: f.origin,
  destination: f.destination,
  month: f.month,
  delay: String(f.delay),
  distance: String(f.distance),
  flown_at: f.flown_at,
});
