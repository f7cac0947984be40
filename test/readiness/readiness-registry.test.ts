/**
 * The readiness registry: one item per checklist ID, the reports made from it, and the shipped
 * checklist (docs/checklist.md, the README table) generated from it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKLIST } from '../../lib/readiness';
import { HOST_ITEMS } from '../../lib/host/readiness';
import { GO_HOST_ITEMS, GO_SERVICE_ITEMS } from '../../lib/go-service/readiness';
import { checklistDocument, readmeWithChecklist } from '../../scripts/docs';
import { HardenedGoHost, HardenedHost } from '../../lib';
import { baseProps, newStack } from '../helpers/stacks';

const ROOT = path.join(__dirname, '..', '..');
const range = (letter: string, n: number) => Array.from({ length: n }, (_, i) => `${letter}${i + 1}`);

describe('readiness registry', () => {
  it('has exactly one item per checklist ID, each with a title, a reason and an owner', () => {
    const ids = CHECKLIST.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...range('G', 26), ...range('N', 19), ...range('O', 9), ...range('X', 4), 'R1', ...range('H', 7)].sort());
    for (const item of CHECKLIST) {
      expect(item.title.length, item.id).toBeGreaterThan(3);
      expect(item.why, item.id).toMatch(/\.$/);
      expect(['HardenedHost', 'HardenedGoHost', 'NginxFrontDoor', 'ObservabilityStack']).toContain(item.owner);
    }
  });

  it("a host's report has one row per host item, straight from the registry; a Go service host's also one per service item, in checklist order", () => {
    const { stack } = newStack();
    const plain = new HardenedHost(stack, 'Plain', { subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0' });
    const go = new HardenedGoHost(stack, 'Api', baseProps);
    expect(plain.readiness().map((r) => r.id)).toEqual(HOST_ITEMS.map((i) => i.id));
    expect(go.readiness().map((r) => r.id)).toEqual(GO_HOST_ITEMS.map((i) => i.id));
    expect(go.readiness().map((r) => r.id).slice(0, 6)).toEqual(['G1', 'G2', 'G3', 'G4', 'G5', 'G6']);
    expect(HOST_ITEMS.filter((i) => i.owner === 'HardenedGoHost')).toEqual([]);
    for (const item of GO_SERVICE_ITEMS) {
      expect(item.owner).toBe('HardenedGoHost');
      // G25 (config reload) applies only with configFileContent.
      if (item.id !== 'G25') expect(go.readiness().find((r) => r.id === item.id)!.status, item.id).not.toBe('not applicable');
    }
  });

  it('docs/checklist.md and the README table are what the registry generates (npm run docs)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'checklist.md'), 'utf8')).toBe(checklistDocument());
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readmeWithChecklist(readme)).toBe(readme);
    for (const item of CHECKLIST) expect(readme).toContain(`| ${item.id} | `);
  });

  it('the checklist ships with the package', () => {
    const files = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }))[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('docs/checklist.md');
  });
});
