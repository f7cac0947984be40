/**
 * H5's login defaults step, run as first boot runs it against the login.defs of Debian 12 (a UMASK
 * line to replace) and Debian 13 (none: the step must add one). verify:boot reads the result back
 * in the guest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HardenedHost } from '../../lib';
import { hostFiles } from '../helpers/host-files';
import { newStack, synthJson, userDataParts } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

function loginStep(): string {
  const { stack } = newStack();
  new HardenedHost(stack, 'Plain', { subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0' });
  const script = hostFiles(userDataParts(synthJson(stack))).script;
  const start = script.indexOf('# --- login defaults');
  return script.slice(start, script.indexOf('\n# --- ', start + 1));
}

function runOn(loginDefs: string): string {
  requireTool('bash');
  const dir = tempDir('login-defs');
  fs.writeFileSync(path.join(dir, 'login.defs'), loginDefs);
  const step = loginStep().replaceAll('/etc/login.defs', path.join(dir, 'login.defs'));
  const r = run('bash', ['-euo', 'pipefail', '-c', `log() { :; }\n${step}`]);
  expect(r.status, r.stderr).toBe(0);
  return fs.readFileSync(path.join(dir, 'login.defs'), 'utf8');
}

describe('login defaults (H5)', () => {
  it("replaces Debian 12's UMASK line", () => {
    const out = runOn('# comment\nUMASK\t\t022\nHOME_MODE\t0700\n');
    expect(out.match(/^UMASK.*$/gm)).toEqual(['UMASK\t\t027']);
    expect(out).toMatch(/^SHA_CRYPT_MIN_ROUNDS 5000$/m);
    expect(out).toMatch(/^SHA_CRYPT_MAX_ROUNDS 10000$/m);
  });
  it("adds one to Debian 13's login.defs, which has none, and only once", () => {
    const first = runOn('# UMASK is set by pam_umask\nHOME_MODE\t0700\n');
    expect(first.match(/^UMASK.*$/gm)).toEqual(['UMASK\t\t027']);
    expect(runOn(first).match(/^UMASK.*$/gm)).toEqual(['UMASK\t\t027']);
  });
});
