/**
 * The monitoring configuration run for real in private namespaces: Debian's node_exporter,
 * prometheus-nginx-exporter (against the front door's real nginx), blackbox exporter and
 * Prometheus with the rendered configuration; every target must reach up == 1 within a bounded
 * wait, and the exporters must not answer on addresses they should not listen on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../helpers/app';
import { materialize } from '../helpers/front-door';
import { fleetFiles } from '../helpers/observability';
import { requireTool, run, tempDir } from '../helpers/tools';

let R: string;
let targetCount = 0;
const json = (name: string) => JSON.parse(fs.readFileSync(path.join(R, name), 'utf8'));

beforeAll(() => {
  for (const t of ['prometheus', 'prometheus-node-exporter', 'prometheus-nginx-exporter', 'prometheus-blackbox-exporter', 'nginx', 'curl', 'unshare']) requireTool(t);
  const fleet = fleetFiles();
  const W = tempDir('obs-loopback');
  const mon = fleet.host('Observability');
  materialize(mon, path.join(W, 'files', 'monitoring'), (p) => p.startsWith('/etc/prometheus/'));
  materialize(fleet.host('FrontDoor'), path.join(W, 'files', 'frontdoor'), (p) => p.startsWith('/etc/nginx/gohost/'));

  // The exporters' command lines, exactly as each host's bootstrap writes them.
  const daemons: string[] = [];
  const addrOf = (prefix: string) => [...fleet.addresses.entries()].find(([k]) => k.startsWith(prefix))![1];
  for (const prefix of ['Api1', 'Api2', 'Api3', 'FrontDoor']) {
    const files = fleet.host(prefix);
    const ip = addrOf(prefix);
    for (const [kind, re] of [['node', /printf 'ARGS="([^"]+)"\\n' "\$private_ip" > \/etc\/default\/prometheus-node-exporter/], ['nginx', /printf 'ARGS="([^"]+)"\\n' "\$private_ip" > \/etc\/default\/prometheus-nginx-exporter/]] as const) {
      const m = re.exec(files.script);
      if (m) daemons.push(`${kind} ${ip} ${m[1].replace('%s', ip)}`);
    }
    if (prefix.startsWith('Api')) daemons.push(`app ${ip} -`);
  }
  fs.writeFileSync(path.join(W, 'daemons'), daemons.join('\n') + '\n');
  fs.writeFileSync(path.join(W, 'addresses'), [...fleet.addresses.values()].join('\n'));
  fs.writeFileSync(path.join(W, 'frontdoor-address'), addrOf('FrontDoor'));
  // node x4, nginx x1, app x3, prometheus, blackbox probe.
  targetCount = daemons.length + 2;
  fs.writeFileSync(path.join(W, 'target-count'), String(targetCount));

  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', path.resolve(__dirname, 'observability-loopback.sh'), W, buildExampleApp()], { timeoutMs: 240_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`loopback run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

describe('monitoring on loopback (private network namespace)', () => {
  it('has every target of the rendered configuration up', () => {
    const up = json('up.json').data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    expect(up.map((u) => `${u.metric.job} ${u.metric.host ?? u.metric.instance}`).sort()).toEqual([
      'app fleet-Api1', 'app fleet-Api2', 'app fleet-Api3',
      'blackbox-health https://api.example.com/healthz',
      'nginx fleet-FrontDoor-Host',
      'node fleet-Api1', 'node fleet-Api2', 'node fleet-Api3', 'node fleet-FrontDoor-Host',
      'prometheus monitoring',
    ]);
    expect(up.filter((u) => u.value[1] !== '1')).toEqual([]);
  });

  it('reads stub_status through the nginx exporter (nginx_up == 1)', () => {
    expect(json('nginx_up.json').data.result.map((r: any) => r.value[1])).toEqual(['1']);
  });

  it("loaded every alert rule", () => {
    const rules = json('rules.json').data.groups.flatMap((g: any) => g.rules);
    expect(rules.length).toBe(13);
    expect(rules.every((r: any) => r.health === 'ok')).toBe(true);
  });

  it('node_exporter does not answer on loopback (it listens on the private address)', () => {
    expect(fs.readFileSync(path.join(R, 'node-on-loopback.curl_exit'), 'utf8').trim()).toBe('7');
  });

  it('the nginx exporter does not answer on loopback, and stub_status not on the private address', () => {
    expect(fs.readFileSync(path.join(R, 'nginx-exporter-on-loopback.curl_exit'), 'utf8').trim()).toBe('7');
    expect(fs.readFileSync(path.join(R, 'stub-on-private.curl_exit'), 'utf8').trim()).toBe('7');
  });
});
