/** The HTTP metrics exposition and `GET /metrics`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeLabelValue,
  HTTP_DURATION_BUCKETS_SECONDS,
  HttpMetrics,
  PROMETHEUS_CONTENT_TYPE,
} from '../../src/application/http-metrics.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { fakeMasterApi, runtimeMetrics } from './fake-master-api.ts';

type Sample = { name: string; labels: Record<string, string>; value: number };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Parses text format 0.0.4 strictly enough to catch malformed output: comment lines are HELP or
 * TYPE, sample lines are `name{label="value",...} number`, and every sample belongs to a family
 * whose TYPE came before it.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
      assert.ok(match, `bad comment line: ${line}`);
      const [, kind, name, rest] = match;
      assert.match(name ?? '', METRIC_NAME);
      if (kind === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest ?? ''), line);
        types.set(name ?? '', rest ?? '');
      }
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `bad sample line: ${line}`);
    const [, name = '', rawLabels = '', rawValue = ''] = match;
    const labels: Record<string, string> = {};
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/gy;
    let consumed = 0;
    for (const m of rawLabels.matchAll(labelPattern)) {
      labels[m[1] ?? ''] = (m[2] ?? '').replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed += m[0].length;
    }
    assert.equal(consumed, rawLabels.length, `bad labels: ${line}`);
    const value = rawValue === '+Inf' ? Number.POSITIVE_INFINITY : Number(rawValue);
    assert.ok(!Number.isNaN(value), `bad value: ${line}`);
    const family = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(name) || types.has(family), `sample before its TYPE: ${line}`);
    samples.push({ name, labels, value });
  }
  return { samples, types };
}

describe('HttpMetrics', () => {
  it('renders an empty but valid exposition', () => {
    const { samples, types } = parseExposition(new HttpMetrics().render());
    assert.deepEqual(samples, []);
    assert.equal(types.get('scs_http_requests_total'), 'counter');
    assert.equal(types.get('scs_http_request_duration_seconds'), 'histogram');
  });

  it('counts by method, route and status, with cumulative duration buckets', () => {
    const metrics = new HttpMetrics();
    metrics.observe('GET', '/v1/tasks/:taskId', 200, 0.003);
    metrics.observe('GET', '/v1/tasks/:taskId', 200, 0.2);
    metrics.observe('GET', '/v1/tasks/:taskId', 404, 12);
    metrics.observe('POST', '/v1/tasks', 201, 0.04);
    const { samples } = parseExposition(metrics.render());

    const counter = (status: string) =>
      samples.find(
        (s) =>
          s.name === 'scs_http_requests_total' && s.labels.route === '/v1/tasks/:taskId' && s.labels.status === status,
      )?.value;
    assert.equal(counter('200'), 2);
    assert.equal(counter('404'), 1);

    const buckets = samples.filter(
      (s) => s.name === 'scs_http_request_duration_seconds_bucket' && s.labels.route === '/v1/tasks/:taskId',
    );
    assert.deepEqual(
      buckets.map((b) => b.labels.le),
      [...HTTP_DURATION_BUCKETS_SECONDS.map(String), '+Inf'],
    );
    const values = buckets.map((b) => b.value);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      'buckets are cumulative',
    );
    assert.equal(buckets.find((b) => b.labels.le === '0.005')?.value, 1);
    assert.equal(buckets.find((b) => b.labels.le === '0.25')?.value, 2);
    assert.equal(buckets.find((b) => b.labels.le === '10')?.value, 2);
    assert.equal(buckets.find((b) => b.labels.le === '+Inf')?.value, 3);
    const labelled = (name: string) =>
      samples.find((s) => s.name === name && s.labels.route === '/v1/tasks/:taskId')?.value;
    assert.equal(labelled('scs_http_request_duration_seconds_count'), 3);
    assert.ok(Math.abs((labelled('scs_http_request_duration_seconds_sum') ?? 0) - 12.203) < 1e-9);
  });

  it('escapes label values', () => {
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
    const metrics = new HttpMetrics();
    metrics.observe('GET', '/odd"route\\\n', 200, 0.001);
    const { samples } = parseExposition(metrics.render());
    assert.ok(samples.some((s) => s.labels.route === '/odd"route\\\n'));
  });
});

describe('GET /metrics', () => {
  it('serves the runtime metrics followed by the HTTP metrics of routes (never raw URLs)', async () => {
    const app = await createHttpServer(fakeMasterApi({ getTask: () => undefined }).api, { authentication: false });
    try {
      await app.inject({ url: '/v1/tasks/tsk_secretish' });
      await app.inject({ url: '/v1/tasks/tsk_1' });
      await app.inject({ url: '/v1/network' });
      await app.inject({ url: '/no/such/route/tsk_other' });
      const response = await app.inject({ url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], PROMETHEUS_CONTENT_TYPE);
      assert.ok(response.body.startsWith(runtimeMetrics));
      assert.ok(!response.body.includes('tsk_secretish') && !response.body.includes('tsk_other'));
      const { samples } = parseExposition(response.body);
      const count = (route: string, status: string) =>
        samples.find(
          (s) => s.name === 'scs_http_requests_total' && s.labels.route === route && s.labels.status === status,
        )?.value;
      assert.equal(count('/v1/tasks/:taskId', '404'), 2);
      assert.equal(count('/v1/network', '200'), 1);
      assert.equal(count('unmatched', '404'), 1);
      assert.ok(samples.some((s) => s.name === 'scs_log_head' && s.value === 10));
    } finally {
      await app.close();
    }
  });

  it('keeps the exposition valid when the runtime text lacks a final newline', async () => {
    const app = await createHttpServer(fakeMasterApi({ metrics: () => '# TYPE scs_up gauge\nscs_up 1' }).api, {
      authentication: false,
    });
    try {
      const response = await app.inject({ url: '/metrics' });
      const { samples } = parseExposition(response.body);
      assert.ok(samples.some((s) => s.name === 'scs_up' && s.value === 1));
    } finally {
      await app.close();
    }
  });
});
