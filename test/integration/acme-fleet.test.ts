/**
 * Let's Encrypt with two front doors behind the public load balancer, for real: certbot against
 * Pebble (the ACME test server), validations through a stand-in of the load balancer that speaks
 * proxy protocol v2, the generated nginx configuration and the generated scripts in one mount
 * namespace per front door, stand-ins for Secrets Manager (versions as AWS keeps them) and the
 * metadata service. Proves: the validation succeeds on the front door that did not order; the
 * second front door restores the certificate and orders nothing; with both replaced and the
 * stored certificate due, exactly one renews and the other takes its certificate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateSource } from '../../lib';
import { DOMAIN, frontDoorFiles, materialize } from '../helpers/front-door';
import { requireTool, run, tempDir } from '../helpers/tools';

const STORE = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gohost-front-door-certificate-AbCdEf';
let R: string;
const read = (name: string) => fs.readFileSync(path.join(R, name), 'utf8').trim();
const calls = () => read('secretsmanager.log').split('\n').map((l) => JSON.parse(l) as { target: string; body: any; status: number; error?: string });
const lockCalls = () => calls().filter((c) => c.target === 'secretsmanager.PutSecretValue' && String(c.body.ClientRequestToken).startsWith('gohost-acme-order-lock-'));

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'curl', 'unshare', 'nsenter', 'python3', 'pebble', 'certbot']) requireTool(t);
  const W = tempDir('acme-fleet');
  const o = (f: string) => path.join(W, f);
  const files = frontDoorFiles({
    subnetId: undefined, subnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'], instanceCount: 2,
    certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }),
  });
  materialize(files, o('files'), (p) => p.startsWith('/etc/nginx/gohost/') || p.startsWith('/usr/local/lib/gohost/'));
  // The store is a Terraform reference in the user data; here it is the stand-in's secret.
  for (const dir of ['usr/local/lib/gohost', 'etc/nginx/gohost']) {
    for (const f of fs.readdirSync(o(`files/${dir}`))) {
      const p = o(`files/${dir}/${f}`);
      if (fs.statSync(p).isFile()) fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(/\$\{aws_secretsmanager_secret\.[A-Za-z0-9_]+\.arn\}/g, STORE));
    }
  }
  const ssl = (...args: string[]) => run('openssl', args);
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=harness CA', '-days', '2', '-keyout', o('ca.key'), '-out', o('ca.crt'));
  const leaf = (name: string, san: string) => {
    ssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', o(`${name}.key`), '-out', o(`${name}.csr`));
    fs.writeFileSync(o(`${name}.ext`), `subjectAltName=${san}\n`);
    ssl('x509', '-req', '-in', o(`${name}.csr`), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', o(`${name}.ext`), '-out', o(`${name}.crt`));
  };
  leaf('sm', 'DNS:secretsmanager.eu-west-1.amazonaws.com');
  leaf('pebble', 'IP:127.0.0.1');
  fs.writeFileSync(o('pebble.json'), JSON.stringify({
    pebble: { listenAddress: '127.0.0.1:14000', managementListenAddress: '127.0.0.1:15000', certificate: o('pebble.crt'), privateKey: o('pebble.key'), httpPort: 80, tlsPort: 5001, ocspResponderURL: '', externalAccountBindingRequired: false },
  }));
  // The certificate store starts empty: no version at all.
  fs.writeFileSync(o('secrets.json'), JSON.stringify([{ ARN: STORE, Name: 'gohost-front-door-certificate' }]));
  // A certificate 80 days into a 90-day life: due for renewal (a third of its lifetime is left no more).
  fs.writeFileSync(o('aging-put.json'), run('python3', ['-c', `
import datetime, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
key = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.now(datetime.timezone.utc)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sys.argv[1])])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
  .not_valid_before(now - datetime.timedelta(days=80)).not_valid_after(now + datetime.timedelta(days=10))
  .add_extension(x509.SubjectAlternativeName([x509.DNSName(sys.argv[1])]), critical=False).sign(key, hashes.SHA256()))
value = {"certificate": cert.public_bytes(serialization.Encoding.PEM).decode(), "privateKey": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()}
print(json.dumps({"SecretId": sys.argv[2], "ClientRequestToken": "aging-certificate-version-0000000000", "SecretString": json.dumps(value)}))
`, DOMAIN, STORE]).stdout);
  for (const f of ['fake-aws.py', 'pp-lb-standin.py']) fs.copyFileSync(path.resolve(__dirname, f), o(f));
  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', path.resolve(__dirname, 'acme-fleet.sh'), W, DOMAIN], { timeoutMs: 600_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`ACME fleet run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

describe("Let's Encrypt with two front doors behind the load balancer (Pebble, on loopback)", () => {
  it('one ACME account for the fleet: the first stored wins, the other adopts it; both answer its challenges', () => {
    const outcomes = ['a', 'b'].map((n) => read(`${n}.account`));
    expect(outcomes.filter((o) => o.includes("stored this front door's ACME account for the fleet"))).toHaveLength(1);
    // The other found it stored, or lost the race to store its own and took the winner's.
    expect(outcomes.filter((o) => /adopted the ACME account another front door stored first|installed the fleet's ACME account from the certificate store/.test(o))).toHaveLength(1);
    expect(read('a.challenge')).toMatch(/^return 200 "\$1\.[A-Za-z0-9_-]{43}";$/);
    expect(read('a.challenge')).toBe(read('b.challenge'));
    const accountPuts = calls().filter((c) => c.target === 'secretsmanager.PutSecretValue' && c.body.VersionStages?.[0] === 'GOHOST_ACME_ACCOUNT');
    expect(accountPuts.filter((c) => c.status === 200)).toHaveLength(1);
    expect(accountPuts.filter((c) => c.status !== 200).every((c) => c.error === 'ResourceExistsException')).toBe(true);
  });

  it('the validation reaches the front door that did not order, and succeeds there', () => {
    expect(read('a.obtain.exit')).toBe('0');
    expect(read('issued-after-a')).toBe('1');
    const flows = read('flows-first.log').split('\n').filter((l) => l.startsWith('80 '));
    expect(flows.length).toBeGreaterThan(0);
    expect(new Set(flows)).toEqual(new Set(['80 127.0.0.12']));
    const challenges = read('b.access.json').split('\n').map((l) => JSON.parse(l)).filter((l) => l.uri.startsWith('/.well-known/acme-challenge/'));
    expect(challenges.length).toBeGreaterThan(0);
    expect(challenges.every((l) => l.status === 200)).toBe(true);
    expect(lockCalls().filter((c) => c.status === 200)).not.toHaveLength(0);
  });

  it('the other front door restores the certificate and orders nothing while it is valid', () => {
    expect(read('b.obtain')).toContain('restored the stored certificate');
    expect(read('b.obtain')).toContain('nothing to do');
    expect(read('issued-after-b')).toBe('1');
    expect(read('b.served')).toBe(read('a.fingerprint'));
  });

  it('renewal with both replaced and the stored certificate due: one orders under the lock, the other takes its certificate', () => {
    expect(read('c.live-at-boot')).toBe('stored.crt');
    expect(read('c.obtain.exit')).toBe('0');
    expect(read('d.obtain.exit')).toBe('0');
    expect(read('issued-after-renewal')).toBe('2');
    const waited = ['c', 'd'].filter((n) => read(`${n}.obtain`).includes("another front door holds the order lock for this certificate this hour"));
    expect(waited).toHaveLength(1);
    expect(read(`${waited[0]}.obtain`)).toContain('nothing to do');
    expect(read('c.served')).toBe(read('d.served'));
    expect(read('c.served')).not.toBe(read('a.fingerprint'));
    const renewalLocks = lockCalls().slice(-2);
    expect(renewalLocks.map((c) => c.status).sort()).toEqual([200, 400]);
    expect(renewalLocks[0].body.ClientRequestToken).toBe(renewalLocks[1].body.ClientRequestToken);
  });
});
