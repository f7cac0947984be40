/**
 * The harness's servers, each reached by the guest through a qemu guestfwd: the local Debian
 * repository, an emulated instance metadata service (IMDSv2), S3 and Secrets Manager over HTTPS,
 * and the release artifact as a backend for a front door's upstreams.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { AUTOSCALING_HOST, EC2_HOST, HarnessTls, LOG_TOKEN, SECRETS_HOST, SERVICE_SECRET } from './fixtures';

/** One EC2 or Auto Scaling Query-API call the guest made (signed), with its parameters. */
export interface QueryCall {
  readonly action: string;
  readonly params: Record<string, string>;
}

/** The group the harness's Auto Scaling says the guest is in. */
export const HARNESS_GROUP = 'harness-FrontDoor-Host-20261207000000000000000001';

export interface HarnessServers {
  readonly ports: { readonly repo: number; readonly imds: number; readonly s3: number; readonly backend: number };
  /** Secrets Manager actions the guest called, in order. */
  readonly secretCalls: string[];
  /** EC2 and Auto Scaling calls, in order. */
  readonly queryCalls: QueryCall[];
  /** Stops every server and the backend (safe to call twice). */
  close(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const IMDS: Record<string, string> = {
  '/latest/api/token': 'harness-imds-token',
  '/latest/meta-data/iam/security-credentials/': 'gohost-harness-role',
  '/latest/meta-data/iam/security-credentials/gohost-harness-role': JSON.stringify({ Code: 'Success', AccessKeyId: 'ASIAHARNESS', SecretAccessKey: 'harness', Token: 'harness-session', Expiration: '2099-01-01T00:00:00Z' }),
  '/latest/meta-data/placement/region': 'eu-west-1',
  '/latest/meta-data/local-ipv4': '169.254.169.15',
  '/latest/meta-data/instance-id': 'i-0123456789abcdef0',
};

export async function startServers(o: {
  readonly repoDir: string;
  readonly tls: HarnessTls;
  readonly artifact: Buffer;
  readonly binary: string;
  /** The artifact is an S3 object: requests must be signed. */
  readonly signedArtifact: boolean;
  /** Files the guest fetches from the metadata address under /harness/ (the harness's own, not IMDS). */
  readonly harnessFiles?: Readonly<Record<string, Buffer>>;
}): Promise<HarnessServers> {
  const secretCalls: string[] = [];
  const queryCalls: QueryCall[] = [];
  let serviceSecretReads = 0;
  let secretValue = o.tls.stored ? JSON.stringify({ certificate: o.tls.stored.cert, privateKey: o.tls.stored.key }) : undefined;
  const repo = http.createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').replace(/^\/debian\//, '').split('?')[0]);
    const f = path.join(o.repoDir, path.basename(rel));
    if (rel.includes('..') || !fs.existsSync(f)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Length': fs.statSync(f).size });
    fs.createReadStream(f).pipe(res);
  });
  const imds = http.createServer((req, res) => {
    const url = req.url ?? '';
    const file = o.harnessFiles?.[url.replace(/^\/harness\//, '')];
    if (url.startsWith('/harness/') && file) { res.writeHead(200, { 'Content-Length': file.length }).end(file); return; }
    if (url === '/latest/api/token' && req.method !== 'PUT') { res.writeHead(405).end(); return; }
    if (url !== '/latest/api/token' && req.headers['x-aws-ec2-metadata-token'] !== 'harness-imds-token') { res.writeHead(401).end(); return; }
    if (IMDS[url] === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200).end(IMDS[url]);
  });
  const s3 = https.createServer({ key: o.tls.key, cert: o.tls.cert }, (req, res) => {
    const signed = /AWS4-HMAC-SHA256/.test(String(req.headers.authorization ?? ''));
    if (req.headers.host === EC2_HOST || req.headers.host === AUTOSCALING_HOST) {
      // EC2 and Auto Scaling (Query protocol): what a group's instance calls once it is ready.
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const action = params.Action ?? '';
        if (!signed) { res.writeHead(403).end('<Response><Errors><Error><Code>AuthFailure</Code></Error></Errors></Response>'); return; }
        queryCalls.push({ action, params });
        const xml: Record<string, string> = {
          AssociateAddress: '<AssociateAddressResponse><requestId>1</requestId><return>true</return><associationId>eipassoc-0123456789abcdef0</associationId></AssociateAddressResponse>',
          DescribeAutoScalingInstances: `<DescribeAutoScalingInstancesResponse><DescribeAutoScalingInstancesResult><AutoScalingInstances><member><InstanceId>${params['InstanceIds.member.1']}</InstanceId><AutoScalingGroupName>${HARNESS_GROUP}</AutoScalingGroupName><LifecycleState>Pending:Wait</LifecycleState></member></AutoScalingInstances></DescribeAutoScalingInstancesResult></DescribeAutoScalingInstancesResponse>`,
          CompleteLifecycleAction: '<CompleteLifecycleActionResponse><CompleteLifecycleActionResult/><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></CompleteLifecycleActionResponse>',
        };
        if (xml[action] === undefined) { res.writeHead(400).end('<Response><Errors><Error><Code>InvalidAction</Code></Error></Errors></Response>'); return; }
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(xml[action]);
      });
      return;
    }
    if (req.headers.host === SECRETS_HOST) {
      // Secrets Manager, emulated for the front door's certificate store (JSON protocol, SigV4-signed).
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        secretCalls.push(target);
        const input = JSON.parse(body || '{}');
        const id = String(input.SecretId ?? '');
        // The Go service's own secret, by name: the first read, then a rotated value.
        if (id === SERVICE_SECRET.id && signed && target === 'secretsmanager.GetSecretValue') {
          const value = serviceSecretReads++ === 0 ? SERVICE_SECRET.first : SERVICE_SECRET.rotated;
          res.writeHead(200).end(JSON.stringify({ ARN: `${id}-AbCdEf`, SecretString: JSON.stringify({ username: 'orders', [SERVICE_SECRET.field]: value }) }));
          return;
        }
        if (!signed || !/:secret:[A-Za-z0-9_-]+-AbCdEf$/.test(id)) { res.writeHead(400).end(JSON.stringify({ __type: 'AccessDeniedException' })); return; }
        // A watched host's log credential, as the monitoring host writes it.
        if (id.includes('LogCredential') && target === 'secretsmanager.GetSecretValue') {
          res.writeHead(200).end(JSON.stringify({ ARN: id, SecretString: JSON.stringify({ token: LOG_TOKEN, ca: o.tls.ca }) }));
          return;
        }
        if (!id.includes('CertificateStore')) { res.writeHead(400).end(JSON.stringify({ __type: 'AccessDeniedException' })); return; }
        // Only AWSCURRENT (the certificate) is emulated: the fleet's ACME account and order lock live under their own stages.
        const otherStage = (input.VersionStage ?? 'AWSCURRENT') !== 'AWSCURRENT' || (input.VersionStages !== undefined && !input.VersionStages.includes('AWSCURRENT'));
        if (target === 'secretsmanager.GetSecretValue') {
          if (secretValue === undefined || otherStage) { res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" })); return; }
          res.writeHead(200).end(JSON.stringify({ ARN: id, SecretString: secretValue }));
        } else if (target === 'secretsmanager.PutSecretValue') {
          if (!otherStage) secretValue = input.SecretString;
          res.writeHead(200).end(JSON.stringify({ ARN: id, VersionId: 'harness' }));
        } else res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException' }));
      });
      return;
    }
    if (!signed && o.signedArtifact) { res.writeHead(403).end(); return; }
    res.writeHead(200, { 'Content-Length': o.artifact.length }).end(o.artifact);
  });
  const ports = { repo: await freePort(), imds: await freePort(), s3: await freePort(), backend: await freePort() };
  repo.listen(ports.repo, '127.0.0.1');
  imds.listen(ports.imds, '127.0.0.1');
  s3.listen(ports.s3, '127.0.0.1');
  const backend: ChildProcess = spawn(o.binary, [], { env: { LISTEN_ADDR: `127.0.0.1:${ports.backend}`, PPROF_ADDR: 'off', INSTANCE_NAME: 'harness-backend' }, stdio: 'ignore' });
  let closed = false;
  return {
    ports,
    secretCalls,
    queryCalls,
    close() {
      if (closed) return;
      closed = true;
      backend.kill('SIGKILL');
      for (const server of [repo, imds, s3]) {
        server.closeAllConnections?.();
        server.close();
      }
    },
  };
}
