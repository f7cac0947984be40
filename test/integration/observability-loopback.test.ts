/**
 * The monitoring configuration run for real in private namespaces: Debian's node_exporter,
 * prometheus-nginx-exporter (against the front door's real nginx), blackbox exporter and
 * Prometheus with the rendered configuration; every target must reach up == 1 within a bounded
 * wait, and the exporters must not answer on addresses they should not listen on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
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
  // Test-only: EC2 service discovery asks the stand-in EC2 API instead of AWS.
  const config = path.join(W, 'files', 'monitoring', 'etc', 'prometheus', 'prometheus.yml');
  const doc = YAML.parse(fs.readFileSync(config, 'utf8'));
  for (const job of doc.scrape_configs) for (const sd of job.ec2_sd_configs ?? []) Object.assign(sd, { endpoint: 'http://127.0.0.1:9400', access_key: 'AKIATEST', secret_key: 'test' });
  fs.writeFileSync(config, YAML.stringify(doc));
  fs.copyFileSync(path.resolve(__dirname, 'fake-ec2.py'), path.join(W, 'fake-ec2.py'));

  // The instances EC2 would list, with the tags the stack gives them: three group members, the
  // front door, and an instance this stack does not watch (discovery must leave it out).
  const launchTags = (prefix: string) => Object.entries<any>(fleet.tf.resource.aws_launch_template).find(([k]) => k.startsWith(prefix))![1].tag_specifications[0].tags;
  const groupTags = launchTags('Api');
  const frontDoorTags = launchTags('FrontDoor');
  const instances = [
    ...[1, 2, 3].map((n) => ({ id: `i-0a${n}00000000000000`, ip: `10.204.0.1${n}`, state: 'running', tags: groupTags })),
    { id: 'i-0f100000000000000', ip: '10.204.0.14', state: 'running', tags: frontDoorTags },
    { id: 'i-0e100000000000000', ip: '10.204.0.15', state: 'running', tags: { Name: 'someone-else', 'gohost:monitor': 'other/Observability', 'gohost:app-port': '8080' } },
    { id: 'i-0d100000000000000', ip: '10.204.0.16', state: 'terminated', tags: groupTags },
    // Hostile members of the group: one returns more samples than the limit, one poses as the host's node_exporter.
    { id: 'i-0b100000000000000', ip: '10.204.0.17', state: 'running', tags: groupTags },
    { id: 'i-0c100000000000000', ip: '10.204.0.18', state: 'running', tags: groupTags },
  ];
  fs.writeFileSync(path.join(W, 'instances.json'), JSON.stringify(instances));

  // The exporters' command lines, exactly as each host's bootstrap writes them.
  const daemons: string[] = [];
  const hosts = [
    ...instances.slice(0, 3).map((i) => ({ ip: i.ip, files: fleet.host('Api'), app: true })),
    { ip: '10.204.0.14', files: fleet.host('FrontDoor'), app: false },
    // The hostile members run node_exporter like any member; their app is the bomb and the forger.
    ...['10.204.0.17', '10.204.0.18'].map((ip) => ({ ip, files: fleet.host('Api'), app: false })),
  ];
  for (const { ip, files, app } of hosts) {
    for (const [kind, re] of [['node', /printf 'ARGS="([^"]+)"\\n' "\$private_ip" > \/etc\/default\/prometheus-node-exporter/], ['nginx', /printf 'ARGS="([^"]+)"\\n' "\$private_ip" > \/etc\/default\/prometheus-nginx-exporter/]] as const) {
      const m = re.exec(files.script);
      if (m) daemons.push(`${kind} ${ip} ${m[1].replace('%s', ip)}`);
    }
    if (app) daemons.push(`app ${ip} ${groupTags['gohost:app-port']}`);
  }
  daemons.push(`bomb 10.204.0.17 ${groupTags['gohost:app-port']}`, `forger 10.204.0.18 ${groupTags['gohost:app-port']}`);
  fs.writeFileSync(path.join(W, 'daemons'), daemons.join('\n') + '\n');
  fs.writeFileSync(path.join(W, 'addresses'), instances.filter((i) => i.state === 'running').map((i) => i.ip).join('\n'));
  fs.writeFileSync(path.join(W, 'frontdoor-address'), '10.204.0.14');
  // node x6, nginx x1, app x3 and the forger (the bomb is never up), prometheus, blackbox probe.
  targetCount = daemons.length - 1 + 2;
  fs.writeFileSync(path.join(W, 'target-count'), String(targetCount));

  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', path.resolve(__dirname, 'observability-loopback.sh'), W, buildExampleApp()], { timeoutMs: 240_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`loopback run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

describe('monitoring on loopback (private network namespace)', () => {
  it('has every target of the rendered configuration up', () => {
    const up = json('up.json').data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    // Group members are labelled with their instance ID; the unwatched and the terminated instance are not scraped.
    expect(up.map((u) => `${u.metric.job} ${u.metric.host ?? u.metric.instance} ${u.metric.instance}`).sort()).toEqual([
      ...[1, 2, 3].map((n) => `app fleet-Api/i-0a${n}00000000000000 10.204.0.1${n}:9464`),
      'app fleet-Api/i-0b100000000000000 10.204.0.17:9464',
      'app fleet-Api/i-0c100000000000000 10.204.0.18:9464',
      'blackbox-health https://api.example.com/healthz https://api.example.com/healthz',
      'nginx fleet-FrontDoor-Host/i-0f100000000000000 10.204.0.14:9113',
      ...[1, 2, 3].map((n) => `node fleet-Api/i-0a${n}00000000000000 10.204.0.1${n}:9100`),
      'node fleet-Api/i-0b100000000000000 10.204.0.17:9100',
      'node fleet-Api/i-0c100000000000000 10.204.0.18:9100',
      'node fleet-FrontDoor-Host/i-0f100000000000000 10.204.0.14:9100',
      'prometheus monitoring 127.0.0.1:9090',
    ]);
    // Only the target over the sample limit is down.
    expect(up.filter((u) => u.value[1] !== '1').map((u) => u.metric.instance)).toEqual(['10.204.0.17:9464']);
  });

  it('refuses the scrape over the sample limit and fires ScrapeLimitExceeded', () => {
    expect(Number(json('exceeded.json').data.result[0].value[1])).toBeGreaterThan(0);
    const firing = json('alerts.json').data.alerts.filter((a: any) => a.state === 'firing').map((a: any) => a.labels.alertname);
    expect(firing).toContain('ScrapeLimitExceeded');
  });

  it("keeps none of a service's series outside appMetricNames: a fake host series is not stored, so the host alert cannot fire", () => {
    expect(json('forged.json').data.result).toEqual([]);
    // The forger's own Go metrics are kept (the target is up and scraped).
    expect(json('forger-kept.json').data.result.length).toBeGreaterThan(0);
    expect(json('alerts.json').data.alerts.map((a: any) => a.labels.alertname)).not.toContain('SystemdUnitFailed');
  });

  it('asked the EC2 API with the stack\'s discovery filters', () => {
    const requests = fs.readFileSync(path.join(R, 'ec2-requests.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const described = requests.filter((r) => r.Action === 'DescribeInstances');
    expect(described.length).toBeGreaterThanOrEqual(3);
    for (const r of described) expect(r).toMatchObject({ 'Filter.1.Name': 'tag:gohost:monitor', 'Filter.1.Value.1': 'fleet/Observability' });
  });

  it('reads stub_status through the nginx exporter (nginx_up == 1)', () => {
    expect(json('nginx_up.json').data.result.map((r: any) => r.value[1])).toEqual(['1']);
  });

  it("loaded every alert rule", () => {
    const rules = json('rules.json').data.groups.flatMap((g: any) => g.rules);
    expect(rules.length).toBe(14);
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
