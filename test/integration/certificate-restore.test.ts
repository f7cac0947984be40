/**
 * The front door's certificate restore, run for real in a private root: the single-host example's
 * nginx configuration and precheck, the restore script against a stand-in Secrets Manager holding
 * a good stored certificate and broken ones. Only the good one goes live; a broken one leaves the
 * placeholder live (and nginx -t passing), so first boot never aborts on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { SingleHostStack } from '../../examples/single-host/main';
import { restoreCertificateScript } from '../../lib/front-door/certificate-store';
import { materialize } from '../helpers/front-door';
import { hostFiles } from '../helpers/host-files';
import { synthJson, userDataParts } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

const DOMAIN = 'api.example.com';
const CASES = ['good', 'corrupt-second-block', 'foreign-chain', 'foreign-key', 'empty'] as const;
const arn = (c: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${c}`;
let R: string;

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'curl', 'unshare', 'python3']) requireTool(t);
  const W = tempDir('restore');
  const o = (f: string) => path.join(W, f);
  const ssl = (...args: string[]) => run('openssl', args);
  const key = (name: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', o(`${name}.key`));
  // A CA that signs an intermediate that signs the leaf (the shape Let's Encrypt issues), another intermediate, the harness CA.
  for (const n of ['root', 'inter', 'other', 'leaf', 'stranger', 'sm']) key(n);
  ssl('req', '-x509', '-key', o('root.key'), '-subj', '/CN=root', '-days', '2', '-out', o('root.crt'));
  const sign = (name: string, subj: string, ca: string, ext: string) => {
    ssl('req', '-new', '-key', o(`${name}.key`), '-subj', subj, '-out', o(`${name}.csr`));
    fs.writeFileSync(o(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', o(`${name}.csr`), '-CA', o(`${ca}.crt`), '-CAkey', o(`${ca}.key`), '-CAcreateserial', '-days', '2', '-extfile', o(`${name}.ext`), '-out', o(`${name}.crt`));
  };
  sign('inter', '/CN=intermediate', 'root', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
  sign('other', '/CN=other intermediate', 'root', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
  sign('leaf', `/CN=${DOMAIN}`, 'inter', `subjectAltName=DNS:${DOMAIN}\n`);
  sign('sm', '/CN=secretsmanager.eu-west-1.amazonaws.com', 'root', 'subjectAltName=DNS:secretsmanager.eu-west-1.amazonaws.com\n');
  const pem = (f: string) => fs.readFileSync(o(f), 'utf8');
  const inter = pem('inter.crt');
  const corrupt = inter.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!$1');
  const secret = (certificate: string, privateKey: string) => JSON.stringify({ certificate, privateKey });
  const values: Record<(typeof CASES)[number], string> = {
    good: secret(pem('leaf.crt') + inter, pem('leaf.key')),
    'corrupt-second-block': secret(pem('leaf.crt') + corrupt, pem('leaf.key')),
    'foreign-chain': secret(pem('leaf.crt') + pem('other.crt'), pem('leaf.key')),
    'foreign-key': secret(pem('leaf.crt') + inter, pem('stranger.key')),
    empty: secret('', pem('leaf.key')),
  };
  fs.writeFileSync(o('secrets.json'), JSON.stringify(CASES.map((c) => ({ ARN: arn(c), Name: c, SecretString: values[c] }))));
  for (const c of CASES) fs.writeFileSync(o(`restore-${c}`), restoreCertificateScript(arn(c)), { mode: 0o755 });
  materialize(hostFiles(userDataParts(synthJson(new SingleHostStack(Testing.app(), 'single-host')))), o('files'), (p) => p.startsWith('/etc/nginx/gohost/') || p.startsWith('/usr/local/lib/gohost/'));
  fs.copyFileSync(path.resolve(__dirname, 'fake-aws.py'), o('fake-aws.py'));

  const script = `set -euo pipefail
W=${W} R=${W}/results
mkdir -p "$R"
ip addr add 169.254.169.254/32 dev lo
echo "127.0.0.1 secretsmanager.eu-west-1.amazonaws.com" >> /etc/hosts
cat "$W/root.crt" >> /etc/ssl/certs/ca-certificates.crt
cp -r "$W/files/etc/nginx/gohost" /etc/nginx/gohost
cp -r "$W/files/usr/local/lib/gohost" /usr/local/lib/gohost
install -d -m 0750 /etc/nginx/gohost/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=${DOMAIN} -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null
python3 "$W/fake-aws.py" "$W/secrets.json" "$W/sm.crt" "$W/sm.key" "$R/calls.log" 127.0.0.1 >/dev/null 2>&1 &
for _ in $(seq 1 50); do curl -s -o /dev/null -X PUT http://169.254.169.254/latest/api/token && break; sleep 0.1; done
for c in ${CASES.join(' ')}; do
  ln -sfn placeholder.crt /etc/nginx/gohost/tls/live.crt; ln -sfn placeholder.key /etc/nginx/gohost/tls/live.key
  rm -f /etc/nginx/gohost/tls/stored.*
  set +e; "$W/restore-$c" > "$R/$c.out" 2>&1; echo $? > "$R/$c.exit"; set -e
  readlink /etc/nginx/gohost/tls/live.crt > "$R/$c.live"
  /usr/local/lib/gohost/nginx-precheck > "$R/$c.precheck" 2>&1 && echo ok >> "$R/$c.precheck" || echo failed >> "$R/$c.precheck"
done`;
  const r = run('unshare', ['--mount', '--net', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c',
    `ip link set lo up && mkdir -p ${W}/ov/up ${W}/ov/work && mount -t overlay overlay -o lowerdir=/etc,upperdir=${W}/ov/up,workdir=${W}/ov/work /etc && for d in /run /usr/local/lib /var/log/nginx; do mount -t tmpfs tmpfs $d; done && ${script}`],
  { timeoutMs: 120_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'empty.exit'))) throw new Error(`restore run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

const read = (c: string, what: string) => fs.readFileSync(path.join(R, `${c}.${what}`), 'utf8').trim();

describe('certificate restore (private root, real nginx -t)', () => {
  it('restores a good certificate and chain: it goes live and nginx -t passes', () => {
    expect(read('good', 'exit')).toBe('0');
    expect(read('good', 'out')).toMatch(/^restored the stored certificate \(notAfter=/);
    expect(read('good', 'live')).toBe('stored.crt');
    expect(read('good', 'precheck').split('\n').pop()).toBe('ok');
  });

  it.each([
    ['corrupt-second-block', 'block block2 of the chain does not parse'],
    ['foreign-chain', 'the chain does not sign the certificate'],
    ['foreign-key', "the key is not the certificate's"],
    ['empty', 'no certificate in it'],
  ])('refuses %s: the placeholder stays live and nginx -t still passes', (c, reason) => {
    expect(read(c, 'exit')).toBe('1');
    expect(read(c, 'out')).toContain(`refused the stored certificate: ${reason}`);
    expect(read(c, 'live')).toBe('placeholder.crt');
    expect(read(c, 'precheck').split('\n').pop()).toBe('ok');
  });
});
