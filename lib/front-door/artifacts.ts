/**
 * What an nginx front door host gets, assembled from its parts: the nginx configuration
 * (nginx-config), the certificate programs (certificate-programs, certificate-store) and the
 * first-boot steps. Pure: no cdktf imports.
 */
import { HostProvisioning } from '../host/provisioning';
import { renderBashScript, shq } from '../render/shell';
import { dailyTimer, renderSystemdUnit } from '../render/systemd';
import { NGINX } from './nginx-paths';
import { acmeAccountScript, obtainCertificateScript, persistCertificateScript, restoreCertificateScript } from './certificate-store';
import { fetchCertificateScript, reloadCertificateScript } from './certificate-programs';
import { frontDoorNginxConfig, nginxDropIn, nginxPrecheck, requestIdConf, securityHeaders, writeRequestIdScript } from './nginx-config';
import { FrontDoorSettings, sharedAcmeAccount } from './render-input';

export { NGINX };
export type { CertificateSettings, FrontDoorSettings } from './render-input';

/** Builds the front door's share of a host's user data. */
export function provisionFrontDoor(s: FrontDoorSettings): HostProvisioning {
  const h = new HostProvisioning();
  const le = s.certificate.kind === 'letsencrypt';
  h.addPackages('nginx', 'openssl', ...(le ? ['certbot'] : []));
  // nginx parses everything the internet sends and never calls AWS; the certificate units do, as root.
  h.denyInstanceMetadata('nginx.service');
  // Files under /etc/nginx belong to the package's directory: written after it is installed.
  h.addFile({ path: NGINX.conf, permissions: '0644', defer: true, content: frontDoorNginxConfig(s) });
  h.addFile({ path: NGINX.headers, permissions: '0644', defer: true, content: securityHeaders(s) });
  h.addFile({ path: NGINX.ocsp, permissions: '0644', defer: true, content: '# Written by nginx-reload-certificate.\n' });
  if (s.mtlsClientCaBundle) {
    h.addFile({ path: NGINX.clientCa, permissions: '0644', defer: true, content: s.mtlsClientCaBundle, encoding: s.mtlsClientCaBundleEncoding });
  }
  // Deferred: present while the nginx package installs, it would make the package's own first start fail
  // (no certificate yet) and dpkg would leave nginx half-configured.
  h.addFile({ path: NGINX.dropIn, permissions: '0644', defer: true, content: nginxDropIn(s) });
  h.addFile({ path: NGINX.precheck, permissions: '0755', content: nginxPrecheck() });
  // Present from the start: the certificate restore runs the precheck before nginx ever started.
  h.addFile({ path: NGINX.requestId, permissions: '0644', defer: true, content: requestIdConf('0000000000000000') });
  h.addFile({ path: NGINX.writeRequestId, permissions: '0755', content: writeRequestIdScript() });
  h.addFile({ path: NGINX.reloadCertificate, permissions: '0755', content: reloadCertificateScript() });
  if (s.certificate.kind === 'letsencrypt') {
    const c = s.certificate;
    const store = c.store;
    h.addFile({ path: NGINX.obtainCertificate, permissions: '0755', content: obtainCertificateScript({ domainNames: s.domainNames, email: c.email, staging: c.staging, store }) });
    h.allowInstanceMetadata('gohost-certificate.service', `obtains the certificate (public IP${store ? ', keeps it in Secrets Manager, one order at a time' : ''})`);
    if (store) {
      h.addFile({ path: NGINX.restoreCertificate, permissions: '0755', content: restoreCertificateScript(store) });
      h.addFile({ path: NGINX.persistCertificate, permissions: '0755', content: persistCertificateScript(store) });
      h.addFile({ path: NGINX.acmeAccount, permissions: '0755', content: acmeAccountScript({ domainNames: s.domainNames, email: c.email, staging: c.staging, store }) });
      h.addFile({ path: NGINX.acmeChallenge, permissions: '0644', defer: true, content: "# No ACME account shared yet: certbot's webroot files answer (acme-account writes the stateless answer here).\n" });
    } else {
      h.addFile({
        path: '/etc/letsencrypt/renewal-hooks/deploy/gohost-nginx',
        permissions: '0755',
        defer: true,
        content: renderBashScript({ description: ['certbot deploy hook: runs after every successful renewal.'], body: [NGINX.reloadCertificate] }),
      });
    }
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate.timer',
      permissions: '0644',
      content: dailyTimer("Renew the front door's certificate when a third of its lifetime is left (restored certificates too)"),
    });
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate.service',
      permissions: '0644',
      content: renderSystemdUnit({
        unit: { Description: "Obtain the front door's Let's Encrypt certificate", Wants: ['network-online.target'], After: ['network-online.target', 'nginx.service'] },
        service: { Type: 'oneshot', ExecStart: [NGINX.obtainCertificate], TimeoutStartSec: 0 },
      }),
    });
  } else {
    h.addFile({ path: NGINX.fetchCertificate, permissions: '0755', content: fetchCertificateScript(s) });
    h.allowInstanceMetadata('gohost-certificate-refresh.service', 'fetches the certificate with the instance role');
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate-refresh.service',
      permissions: '0644',
      content: renderSystemdUnit({
        unit: { Description: 'Refresh the front door certificate from AWS', Wants: ['network-online.target'], After: ['network-online.target'] },
        service: { Type: 'oneshot', ExecStart: [NGINX.fetchCertificate] },
      }),
    });
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate-refresh.timer',
      permissions: '0644',
      content: dailyTimer('Refresh the front door certificate daily'),
    });
  }

  const domains = s.domainNames;
  h.addStep('services', {
    name: 'nginx front door on a placeholder certificate',
    lines: [
      `install -d -m 0750 ${NGINX.tlsDir}`,
      `install -d -m 0755 ${NGINX.acmeRoot}`,
      '# Self-signed and outside /etc/letsencrypt/live, so nginx starts before any real certificate exists.',
      `if [[ ! -s ${NGINX.placeholderCert} ]]; then`,
      `  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj ${shq(`/CN=${domains[0]}`)} \\`,
      `    -addext ${shq(`subjectAltName=${domains.map((d) => `DNS:${d}`).join(',')}`)} -keyout ${NGINX.placeholderKey} -out ${NGINX.placeholderCert} 2>/dev/null`,
      'fi',
      `[[ -e ${NGINX.liveCert} ]] || ln -sfn placeholder.crt ${NGINX.liveCert}`,
      `[[ -e ${NGINX.liveKey} ]] || ln -sfn placeholder.key ${NGINX.liveKey}`,
      ...(le ? [] : [NGINX.fetchCertificate]),
      ...(sharedAcmeAccount(s)
        ? ['# A replaced front door serves the certificate its predecessor kept, before nginx starts.',
          `${NGINX.restoreCertificate} || log "could not restore the stored certificate; starting on the placeholder"`]
        : []),
      'systemctl daemon-reload',
      'systemctl enable nginx.service',
      'systemctl restart nginx.service',
      NGINX.reloadCertificate,
      ...(sharedAcmeAccount(s)
        ? ['# The fleet\'s ACME account (if one is stored): this front door answers its challenges before it joins.',
          `${NGINX.acmeAccount} --restore-only || log "could not restore the fleet's ACME account (gohost-certificate.service retries)"`,
          '# Renewals go through gohost-certificate.service, one front door at a time; the package\'s timer would renew on its own.',
          'if systemctl cat certbot.timer > /dev/null 2>&1; then systemctl disable --now certbot.timer; fi']
        : []),
      ...(le
        ? ['# In the background: DNS may not point here yet. Daily afterwards: renewal at a third of the lifetime.',
          'systemctl enable gohost-certificate.timer',
          'systemctl start --no-block gohost-certificate.service gohost-certificate.timer']
        : ['systemctl enable --now gohost-certificate-refresh.timer']),
    ],
  });
  // Behind a load balancer nginx expects a proxy-protocol header on 443: curl sends one.
  const pp = s.behindLoadBalancer ? '--haproxy-protocol ' : '';
  const probe = `curl ${pp}-sSk --max-time 2 -o /dev/null -w '%{http_code}' --resolve ${shq(`${domains[0]}:443:127.0.0.1`)} ${shq(`https://${domains[0]}${s.healthPath}`)}`;
  h.addStep('verify', s.remoteUpstreams
    ? {
        name: 'front door answers over HTTPS',
        lines: [
          '# The backends are behind a load balancer and may still be booting: nginx itself must answer.',
          'code=000',
          'for _ in $(seq 1 30); do',
          `  code=$(${probe} || true)`,
          '  [[ "$code" != 000 ]] && break',
          '  sleep 2',
          'done',
          'if [[ "$code" == 000 ]]; then log "the front door did not answer over HTTPS"; exit 1; fi',
          ...(s.behindLoadBalancer
            ? [`curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:${NGINX.healthCheckPort}${NGINX.healthCheckPath} || { log "nginx does not answer the load balancer's health check"; exit 1; }`]
            : []),
          `log ${shq(`the front door answers over HTTPS (${s.healthPath} through the load balancer:`)} "HTTP $code)"`,
        ],
      }
    : {
        name: `front door answers ${s.healthPath} over HTTPS`,
        lines: [
          'healthy=0',
          'for _ in $(seq 1 60); do',
          `  if curl ${pp}-fsSk --max-time 2 -o /dev/null --resolve ${shq(`${domains[0]}:443:127.0.0.1`)} ${shq(`https://${domains[0]}${s.healthPath}`)}; then healthy=1; break; fi`,
          '  sleep 2',
          'done',
          'if [[ "$healthy" -ne 1 ]]; then log "the front door did not answer over HTTPS"; exit 1; fi',
          'log "the front door answers over HTTPS"',
        ],
      });
  return h;
}
