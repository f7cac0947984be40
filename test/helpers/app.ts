/** The example Go service, built with Debian's Go (standard library only, no module downloads). */
import * as path from 'node:path';
import { requireTool, run, tempDir } from './tools';

let built: string | undefined;

export function buildExampleApp(): string {
  if (built) return built;
  const out = path.join(tempDir('app'), 'gohost-app');
  const r = run(requireTool('go'), ['build', '-trimpath', '-o', out, '.'], {
    cwd: path.resolve(__dirname, '../../examples/app'),
    env: { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOFLAGS: '-mod=mod', GOCACHE: path.join(tempDir('gocache'), 'c') },
    timeoutMs: 300_000,
  });
  if (r.status !== 0) throw new Error(`go build failed:\n${r.stderr}`);
  built = out;
  return out;
}
