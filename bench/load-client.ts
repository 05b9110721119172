/**
 * The HTTP load generator of `lifecycle.bench.ts`, run in its own process (forked with tsx) so the
 * client never shares the event loop of the server it measures. It receives one `LoadJob` over
 * IPC, runs autocannon for the warm-up and then for the measured window, and answers with a
 * `LoadResult`: every response's latency is recorded (autocannon's own histogram has no p95).
 * Each request carries a fresh `Idempotency-Key`, so every request admits a new task.
 *
 * It also submits a lifecycle run's tasks (`SubmitJob`), so that the client's HTTP work is not
 * charged to the network under test either. It says `{ ready: true }` once loaded, before any job.
 */
import autocannon from 'autocannon';

export type LoadJob = {
  url: string;
  path: string;
  body: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Prefix of the per-request Idempotency-Key (unique per job). */
  keyPrefix: string;
  /**
   * `autocannon` (default): closed-loop connections that send again as soon as an answer arrives,
   * 503 or not. `retry-after`: closed-loop clients that, told 503 with `Retry-After`, wait that long
   * and send the same request again (same Idempotency-Key), as the SDK does.
   */
  clients?: 'autocannon' | 'retry-after';
};

/** A lifecycle run's tasks: `bodies[i]` under Idempotency-Key `keys[i]`, `concurrency` requests at a time. */
export type SubmitJob = { kind: 'submit'; url: string; bodies: string[]; keys: string[]; concurrency: number };

export type SubmitResult = {
  /** The task id admitted for `bodies[i]`. */
  task_ids: string[];
  /** Every answer's latency, 503s included. */
  latencies_ms: number[];
  /** Answers 503 (pipeline backlog full), each retried under the same key after its Retry-After. */
  retried_503: number;
};

export type LoadResult = {
  connections: number;
  duration_s: number;
  /** Requests answered within the measured window (their latencies are the percentiles). */
  requests: number;
  /** Requests sent in the measured window; those unanswered when it ended are not in the percentiles. */
  sent: number;
  requests_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  status_codes: Record<string, number>;
  warmup_requests: number;
  /**
   * The answers in the window that admitted (2xx) alone: a server over capacity answers 503 with
   * `Retry-After` at once, so the percentiles over every answer mix the two.
   */
  ok: { requests: number; requests_per_s: number; p50_ms: number; p95_ms: number; p99_ms: number };
  /** 503 answers in the measured window. */
  unavailable: number;
};

/** Nearest-rank percentile; -1 when nothing was answered. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return -1;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function runAutocannon(
  job: LoadJob,
  seconds: number,
  keyPrefix: string,
  latencies: number[] | undefined,
  okLatencies?: number[],
): Promise<autocannon.Result> {
  let n = 0;
  let done!: (r: autocannon.Result) => void;
  let failed!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      duration: seconds,
      // autocannon's default of 10 s would cut off (and hide) the slowest admissions.
      timeout: 60,
      requests: [
        {
          method: 'POST',
          path: job.path,
          headers: { 'content-type': 'application/json' },
          body: job.body,
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `${keyPrefix}-${n++}` } }),
        },
      ],
    },
    (error, result) => (error ? failed(error) : done(result)),
  );
  if (latencies)
    instance.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms);
      if (status >= 200 && status < 300) okLatencies?.push(ms);
    });
  return finished;
}

/**
 * `job.connections` clients on keep-alive connections, each sending its next request when the last
 * was answered, and waiting `Retry-After` seconds (capped by the window's end) before sending a
 * request answered 503 again under the same Idempotency-Key. Returns the fields of autocannon's
 * result that `measure` reads.
 */
async function runPolite(
  job: LoadJob,
  seconds: number,
  keyPrefix: string,
  latencies: number[] | undefined,
  okLatencies?: number[],
): Promise<autocannon.Result> {
  const started = performance.now();
  const end = started + seconds * 1000;
  const counts = { sent: 0, total: 0, non2xx: 0, errors: 0 };
  const codes: Record<string, { count: number }> = {};
  let n = 0;
  const client = async () => {
    let key = `${keyPrefix}-${n++}`;
    while (performance.now() < end) {
      const t0 = performance.now();
      counts.sent++;
      let status: number;
      let retryAfterS = 0;
      try {
        const res = await fetch(`${job.url}${job.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: job.body,
        });
        await res.arrayBuffer();
        status = res.status;
        retryAfterS = Number(res.headers.get('retry-after') ?? 1);
      } catch {
        counts.errors++;
        continue;
      }
      const ms = performance.now() - t0;
      counts.total++;
      latencies?.push(ms);
      codes[status] = { count: (codes[status]?.count ?? 0) + 1 };
      if (status >= 200 && status < 300) okLatencies?.push(ms);
      else counts.non2xx++;
      if (status === 503) {
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(retryAfterS * 1000, end - performance.now()))));
      } else key = `${keyPrefix}-${n++}`;
    }
  };
  await Promise.all(Array.from({ length: job.connections }, client));
  return {
    duration: (performance.now() - started) / 1000,
    requests: { sent: counts.sent, total: counts.total },
    non2xx: counts.non2xx,
    errors: counts.errors,
    timeouts: 0,
    statusCodeStats: codes,
  } as unknown as autocannon.Result;
}

async function measure(job: LoadJob): Promise<LoadResult> {
  const run = job.clients === 'retry-after' ? runPolite : runAutocannon;
  const warmResult = await run(job, job.warmupSeconds, `${job.keyPrefix}w`, undefined);
  const latencies: number[] = [];
  const okLatencies: number[] = [];
  const result = await run(job, job.durationSeconds, `${job.keyPrefix}m`, latencies, okLatencies);
  latencies.sort((a, b) => a - b);
  okLatencies.sort((a, b) => a - b);
  const codes: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) codes[code] = s.count ?? 0;
  return {
    connections: job.connections,
    duration_s: result.duration,
    requests: latencies.length,
    sent: result.requests.sent,
    requests_per_s: latencies.length / result.duration,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    max_ms: latencies[latencies.length - 1] ?? -1,
    non2xx: result.non2xx + warmResult.non2xx,
    errors: result.errors + warmResult.errors,
    timeouts: result.timeouts + warmResult.timeouts,
    status_codes: codes,
    warmup_requests: warmResult.requests.total,
    ok: {
      requests: okLatencies.length,
      requests_per_s: okLatencies.length / result.duration,
      p50_ms: percentile(okLatencies, 50),
      p95_ms: percentile(okLatencies, 95),
      p99_ms: percentile(okLatencies, 99),
    },
    unavailable: codes['503'] ?? 0,
  };
}

/** Submits every body, `concurrency` at a time, retrying a 503 after its Retry-After; fails on any other non-201. */
async function submit(job: SubmitJob): Promise<SubmitResult> {
  const task_ids: string[] = new Array(job.bodies.length);
  const latencies_ms: number[] = [];
  let retried_503 = 0;
  let next = 0;
  const client = async () => {
    while (next < job.bodies.length) {
      const i = next++;
      for (;;) {
        const t0 = performance.now();
        const res = await fetch(`${job.url}/v1/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': job.keys[i]! },
          body: job.bodies[i]!,
        });
        const body = (await res.json()) as { task_id?: string };
        latencies_ms.push(performance.now() - t0);
        if (res.status === 201) {
          task_ids[i] = body.task_id!;
          break;
        }
        if (res.status !== 503) throw new Error(`admission ${i}: ${res.status} ${JSON.stringify(body)}`);
        retried_503++;
        await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.bodies.length) }, client));
  return { task_ids, latencies_ms, retried_503 };
}

process.once('message', (job: LoadJob | SubmitJob) => {
  const work: Promise<LoadResult | SubmitResult> = 'kind' in job ? submit(job) : measure(job);
  work.then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ ok: false, error: String(error) }, () => process.exit(1)),
  );
});
process.send?.({ ready: true });
