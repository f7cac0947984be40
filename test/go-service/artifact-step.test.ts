/**
 * The bootstrap's release-artifact step, run for real in a private mount namespace (a stand-in
 * `curl` serves the download): the right binary is installed and made current; a binary whose
 * SHA-256 differs stops the step with a non-zero exit, and nothing is installed or made current.
 * The unit's precheck would refuse to start such a binary too, but only this step keeps it off disk.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReleaseArtifact } from '../../lib';
import { hostFiles } from '../helpers/host-files';
import { hostStack, synthJson, userDataParts } from '../helpers/stacks';
import { requireTool, run, RunResult, tempDir } from '../helpers/tools';

const GOOD = 'the release the digest names\n';
let step: string;
let W: string;

beforeAll(() => {
  requireTool('unshare');
  const sha = createHash('sha256').update(GOOD).digest('hex');
  const { stack } = hostStack({ artifact: ReleaseArtifact.fromUrl('https://releases.example.test/orders-api', sha) });
  const script = hostFiles(userDataParts(synthJson(stack))).script;
  const start = script.indexOf('# --- release artifact for orders-api');
  step = script.slice(start, script.indexOf('\n# --- ', start + 1));
  W = tempDir('artifact-step');
  fs.mkdirSync(path.join(W, 'bin'));
  // Stands in for the download: writes $SOURCE wherever -o says.
  fs.writeFileSync(path.join(W, 'bin', 'curl'), '#!/usr/bin/env bash\nwhile (( $# )); do [[ $1 == -o ]] && { out=$2; shift; }; shift; done\ncp "$SOURCE" "$out"\n', { mode: 0o755 });
  fs.writeFileSync(path.join(W, 'good'), GOOD);
  fs.writeFileSync(path.join(W, 'tampered'), GOOD.replace('release', 'rootkit'));
  fs.writeFileSync(path.join(W, 'step.sh'), `set -euo pipefail\nlog() { echo "$*"; }\n${step}\n`);
});

function runStep(source: string): { r: RunResult; installed: string } {
  const r = run('unshare', ['--mount', '--propagation', 'private', 'bash', '-c',
    `mount -t tmpfs tmpfs /opt && PATH=${W}/bin:$PATH SOURCE=${W}/${source} bash ${W}/step.sh; code=$?; echo "--- installed:"; find /opt -mindepth 1 | sort; exit $code`]);
  return { r, installed: r.stdout.split('--- installed:\n')[1] ?? '' };
}

describe('the release-artifact step of the bootstrap', () => {
  it('installs the right binary and makes it current', () => {
    const { r, installed } = runStep('good');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(installed).toContain('/opt/orders-api/current\n');
    expect(installed).toMatch(/\/opt\/orders-api\/releases\/[0-9a-f]{64}\/orders-api\n/);
  });

  it('stops at a binary whose SHA-256 differs: non-zero exit, nothing installed, nothing current', () => {
    const { r, installed } = runStep('tampered');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('refusing to install orders-api: SHA-256 is');
    expect(installed.trim()).toBe('');
  });
});
