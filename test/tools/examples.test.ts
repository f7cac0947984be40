/**
 * The examples as users synthesize them: `terraform validate` with the offline AWS provider,
 * deterministic output, readiness reports next to each stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReadinessReports } from '../../lib';
import { buildExamples } from '../../examples/main';
import { terraformValidate, withCloudinitAsLocals } from '../helpers/terraform';
import { tempDir } from '../helpers/tools';

function synthExamples(): { dir: string; stacks: string[] } {
  const dir = tempDir('synth');
  const app = buildExamples(dir);
  app.synth();
  writeReadinessReports(app);
  return { dir, stacks: fs.readdirSync(path.join(dir, 'stacks')).sort() };
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true } as any) as unknown as fs.Dirent[]) {
    if (!entry.isFile()) continue;
    const full = path.join((entry as any).parentPath ?? (entry as any).path, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

const first = synthExamples();

describe('examples', () => {
  it('synthesize the expected stacks', () => {
    expect(first.stacks).toEqual(expect.arrayContaining(['single-host']));
  });

  // One byte per character: V8 keeps an all-Latin-1 string at half the size, and a fleet's user data is most of the synthesized text.
  it.each(first.stacks)('%s: the text the library writes into user data is ASCII', (stack) => {
    const tf = JSON.parse(fs.readFileSync(path.join(first.dir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    const parts = Object.values<any>(tf.data.cloudinit_config).flatMap((c): string[] => c.part.map((p: any) => p.content as string));
    expect(parts.length).toBeGreaterThan(0);
    for (const content of parts) expect(content.split('\n').filter((line: string) => /[^\x00-\x7f]/.test(line))).toEqual([]);
  });

  it.each(first.stacks)('%s passes terraform validate with every user-data reference intact (the cloudinit data source becomes a local of its parts; that provider is not in the offline mirror)', (stack) => {
    const tf = JSON.parse(fs.readFileSync(path.join(first.dir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    const copy = withCloudinitAsLocals(tf);
    // The references are still there (bare or inside a boundary's function): the copy is not cut at the user data.
    expect(JSON.stringify(copy.locals)).toMatch(/\$\{[^}]*\baws_[a-z_]+\.[A-Za-z0-9_]+\.[a-z_]+/);
    const result = terraformValidate(copy);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the validation copy keeps user-data references: two hosts naming each other\'s address are a cycle terraform validate reports', () => {
    const fleet = JSON.parse(fs.readFileSync(path.join(first.dir, 'stacks', 'fleet', 'cdk.tf.json'), 'utf8'));
    const host = (peer: string) => ({ ami: 'ami-0123456789abcdef0', instance_type: 't3.small', user_data_base64: `\${data.cloudinit_config.${peer === 'b' ? 'a' : 'b'}.rendered}` });
    const tf = {
      terraform: { required_providers: fleet.terraform.required_providers },
      provider: { aws: [{ region: 'eu-west-1' }], cloudinit: [{}] },
      data: { cloudinit_config: {
        a: { part: [{ content_type: 'text/x-shellscript', content: 'peer=${aws_instance.b.private_ip}' }] },
        b: { part: [{ content_type: 'text/x-shellscript', content: 'peer=${aws_instance.a.private_ip}' }] },
      } },
      resource: { aws_instance: { a: host('b'), b: host('a') } },
    };
    const result = terraformValidate(withCloudinitAsLocals(tf));
    expect(result.valid).toBe(false);
    expect(JSON.stringify(result.diagnostics)).toMatch(/Cycle: /);
  });

  it.each(first.stacks)('%s has a readiness report (JSON and Markdown) next to it', (stack) => {
    const dir = path.join(first.dir, 'stacks', stack);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'readiness.json'), 'utf8'));
    expect(report.hosts.length).toBeGreaterThan(0);
    expect(report.hosts[0].rows.find((r: any) => r.id === 'G24').status).toBe('enforced');
    expect(fs.readFileSync(path.join(dir, 'readiness.md'), 'utf8')).toMatch(/\| G15 \| enforced \| Restart=on-failure/);
  });

  it('synthesis is deterministic: two runs give byte-identical output', () => {
    const second = synthExamples();
    const a = readTree(first.dir);
    const b = readTree(second.dir);
    // manifest.json records the output directory, which differs between the two temp dirs.
    delete a['manifest.json'];
    delete b['manifest.json'];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const file of Object.keys(a)) expect(b[file], file).toBe(a[file]);
  });
});
