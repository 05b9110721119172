/**
 * HTTP request metrics of the API edge in the Prometheus text exposition format 0.0.4: a counter
 * `scs_http_requests_total{method,route,status}` and a histogram
 * `scs_http_request_duration_seconds{method,route}` with fixed buckets. Routes are the route
 * templates (`/v1/tasks/:taskId`), never raw URLs, so label cardinality stays bounded.
 */

/** Upper bounds (seconds) of the duration histogram buckets; `+Inf` is implied. */
export const HTTP_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** The route label of requests that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The content type of the exposition. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Histogram = { method: string; route: string; buckets: number[]; sum: number; count: number };

/** Counts requests and their durations; `render()` writes the exposition. */
export class HttpMetrics {
  private readonly requests = new Map<string, { method: string; route: string; status: string; count: number }>();
  private readonly durations = new Map<string, Histogram>();

  /** Records one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const statusLabel = String(status);
    const requestKey = JSON.stringify([method, route, statusLabel]);
    const counter = this.requests.get(requestKey) ?? { method, route, status: statusLabel, count: 0 };
    counter.count += 1;
    this.requests.set(requestKey, counter);

    const durationKey = JSON.stringify([method, route]);
    const histogram = this.durations.get(durationKey) ?? {
      method,
      route,
      buckets: HTTP_DURATION_BUCKETS_SECONDS.map(() => 0),
      sum: 0,
      count: 0,
    };
    const value = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    HTTP_DURATION_BUCKETS_SECONDS.forEach((bound, index) => {
      if (value <= bound) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    });
    histogram.sum += value;
    histogram.count += 1;
    this.durations.set(durationKey, histogram);
  }

  /** The exposition text of both families, samples sorted by labels; ends with a newline. */
  render(): string {
    const lines = [
      '# HELP scs_http_requests_total HTTP requests answered by the API edge, by method, route template and status.',
      '# TYPE scs_http_requests_total counter',
    ];
    for (const c of sorted(this.requests)) {
      lines.push(`scs_http_requests_total${labels({ method: c.method, route: c.route, status: c.status })} ${c.count}`);
    }
    lines.push(
      '# HELP scs_http_request_duration_seconds Time from receiving a request to finishing its answer.',
      '# TYPE scs_http_request_duration_seconds histogram',
    );
    for (const h of sorted(this.durations)) {
      const base = { method: h.method, route: h.route };
      HTTP_DURATION_BUCKETS_SECONDS.forEach((bound, index) => {
        const le = String(bound);
        lines.push(`scs_http_request_duration_seconds_bucket${labels({ ...base, le })} ${h.buckets[index] ?? 0}`);
      });
      lines.push(`scs_http_request_duration_seconds_bucket${labels({ ...base, le: '+Inf' })} ${h.count}`);
      lines.push(`scs_http_request_duration_seconds_sum${labels(base)} ${h.sum}`);
      lines.push(`scs_http_request_duration_seconds_count${labels(base)} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function sorted<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

function labels(values: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(values).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return `{${pairs.join(',')}}`;
}

/** Escapes a label value as the exposition format requires (backslash, double quote, newline). */
export function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
