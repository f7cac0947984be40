/**
 * The PromQL and annotation-template boundary agrees with Prometheus: every expression and template
 * of the corpus is judged by promqlProblem/alertTemplateProblem and by `promtool check rules`
 * (which parses both the way Prometheus does when it loads the rules file), and the two verdicts match.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertTemplateProblem, promqlProblem } from '../../lib/input/promql';
import { requireTool, run, tempDir } from '../helpers/tools';

beforeAll(() => requireTool('promtool'));

const EXPRESSIONS = [
  'up == 0',
  'max by (host) (queue_depth) > 1000',
  'sum(rate(http_requests_total{job="app",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="app"}[5m])) > 0.001',
  'histogram_quantile(0.99, sum by (le, host) (rate(http_request_duration_seconds_bucket[5m]))) > 0.3',
  'absent(up{job="node"})',
  'rate(jobs_failed_total[5m] offset 1h) > bool 3',
  'predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0',
  'label_replace(up, "x", "$1", "instance", "(.*):.*")',
  'count without (instance) (up) != on (job) group_left count by (job) (up)',
  'increase(x[1h:5m])',
  // refused
  'sum(rate(x[5m]) by (job)',
  'up ==',
  'rate(x[5x])',
  'nonexistent_function(up)',
  'up{job="app"',
  'up{job=app}',
  'sum by job (up)',
  'up and',
  '(up',
  'rate(x[5m]))',
  'up > > 1',
  'x offset',
];

const TEMPLATES = [
  'Queue backlog on {{ $labels.host }}',
  '{{ $value | humanize }} requests/s on {{ $labels.instance }}',
  '{{ printf "%.2f" $value }}% of {{ $labels.job }}',
  '{{ if gt $value 10.0 }}high{{ else }}raised{{ end }}',
  '{{ $x := $labels.host }}{{ $x }}',
  '{{ humanizeDuration $value }} {{ $externalLabels.cluster }} {{ $externalURL }}',
  '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
  'plain text, no template',
  'a stray }} is text',
  '{{/* a comment */}}text',
  // refused
  'Queue backlog on {{ $labels.host }',
  'Queue backlog on {{ $labels.host',
  '{{ $lables.host }}',
  '{{ humanise $value }}',
  '{{ if gt $value 10.0 }}high',
  '{{ end }}',
  '{{ $value | nosuchfunc }}',
];

function promtoolAccepts(expr: string, summary: string): { ok: boolean; out: string } {
  const f = path.join(tempDir('promql'), 'rules.yml');
  fs.writeFileSync(f, JSON.stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr, annotations: { summary } }] }] }));
  const r = run('promtool', ['check', 'rules', f]);
  return { ok: r.status === 0, out: (r.stdout + r.stderr).trim() };
}

describe('PromQL at synth agrees with promtool', () => {
  it.each(EXPRESSIONS)('%s', (expr) => {
    const verdict = promtoolAccepts(expr, 'ok');
    const problem = promqlProblem(expr);
    expect(problem === undefined, `promtool: ${verdict.out}; synth: ${problem}`).toBe(verdict.ok);
  });
  it('both verdicts occur in the corpus', () => {
    const verdicts = new Set(EXPRESSIONS.map((e) => promqlProblem(e) === undefined));
    expect([...verdicts].sort()).toEqual([false, true]);
  });
});

describe('annotation templates at synth agree with promtool', () => {
  it.each(TEMPLATES)('%s', (summary) => {
    const verdict = promtoolAccepts('up == 0', summary);
    const problem = alertTemplateProblem(summary);
    expect(problem === undefined, `promtool: ${verdict.out}; synth: ${problem}`).toBe(verdict.ok);
  });
  it('says where and what', () => {
    expect(alertTemplateProblem('{{ $lables.host }}')).toMatch(/undefined variable \$lables/);
    expect(alertTemplateProblem('on {{ $labels.host')).toMatch(/"\{\{" at character 4 that is never closed/);
    expect(promqlProblem('sum(rate(x[5m]) by (job)')).toMatch(/^is not PromQL: the parser stops at character \d+/);
    expect(promqlProblem('up ==')).toBe('is not PromQL: it ends where an operand is expected');
  });
});
