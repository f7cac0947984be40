/**
 * The programs that put a certificate in front of nginx: the reload after any change (OCSP
 * stapling, lifetime metrics) and the fetch of a bring-your-own certificate with the instance
 * role. Let's Encrypt issuance and the certificate store are in certificate-store. Pure.
 */
import { awsJsonCall, awsRoleShellFunctions } from '../host/aws-shell';
import { renderBashScript } from '../render/shell';
import { NGINX } from './nginx-paths';
import { FrontDoorSettings } from './render-input';
import { GoHostError } from '../errors';

/** Turns OCSP stapling on only for certificates that name a responder, then checks and reloads nginx. */
export function reloadCertificateScript(): string {
  return renderBashScript({
    description: [
      'After a certificate change: stapling only if the certificate has an OCSP URL, then nginx -t and reload.',
    ],
    body: [
      `if [[ -n "$(openssl x509 -noout -ocsp_uri -in ${NGINX.liveCert})" ]]; then`,
      `  printf 'ssl_stapling on;\\nssl_stapling_verify on;\\n' > ${NGINX.ocsp}`,
      'else',
      `  echo '# The certificate names no OCSP responder: stapling off.' > ${NGINX.ocsp}`,
      'fi',
      NGINX.precheck,
      'if systemctl is-active --quiet nginx.service; then systemctl reload nginx.service; fi',
      '# The certificate\'s lifetime for node_exporter\'s textfile collector (alerts at a third of it left).',
      'textfile=/var/lib/prometheus/node-exporter',
      'if [[ -d "$textfile" ]]; then',
      `  not_before=$(date -d "$(openssl x509 -noout -startdate -in ${NGINX.liveCert} | cut -d = -f 2)" +%s)`,
      `  not_after=$(date -d "$(openssl x509 -noout -enddate -in ${NGINX.liveCert} | cut -d = -f 2)" +%s)`,
      '  printf \'# TYPE gohost_tls_certificate_not_before_seconds gauge\\ngohost_tls_certificate_not_before_seconds %s\\n# TYPE gohost_tls_certificate_not_after_seconds gauge\\ngohost_tls_certificate_not_after_seconds %s\\n\' "$not_before" "$not_after" > "$textfile/gohost_tls.prom.tmp"',
      '  mv "$textfile/gohost_tls.prom.tmp" "$textfile/gohost_tls.prom"',
      'fi',
    ],
  });
}

/** Fetches a bring-your-own certificate and key with the instance role; the key never passes through user data or state. */
export function fetchCertificateScript(s: FrontDoorSettings): string {
  const c = s.certificate;
  let fetch: string[];
  if (c.kind === 'ssm') {
    const get = (name: string) => awsJsonCall('ssm', 'ssm', 'AmazonSSM.GetParameter', JSON.stringify({ Name: name, WithDecryption: true }));
    fetch = [
      `${get(c.certificateParameter)} | json_field Parameter.Value > "$tmp/cert"`,
      `${get(c.privateKeyParameter)} | json_field Parameter.Value > "$tmp/key"`,
    ];
  } else if (c.kind === 'secretsmanager') {
    fetch = [
      `${awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: c.secretId }))} | json_field SecretString > "$tmp/secret"`,
      'json_field certificate < "$tmp/secret" > "$tmp/cert"',
      'json_field privateKey < "$tmp/secret" > "$tmp/key"',
    ];
  } else {
    throw new GoHostError('fetchCertificateScript is for bring-your-own certificates');
  }
  return renderBashScript({
    description: [
      'Fetches the certificate and private key with the instance role and installs them if they changed.',
    ],
    body: [
      'umask 077',
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      ...fetch,
      'openssl x509 -noout -in "$tmp/cert"',
      'openssl pkey -noout -in "$tmp/key"',
      `if cmp -s "$tmp/cert" ${NGINX.tlsDir}/byo.crt && cmp -s "$tmp/key" ${NGINX.tlsDir}/byo.key; then exit 0; fi`,
      `install -m 0644 "$tmp/cert" ${NGINX.tlsDir}/byo.crt`,
      `install -m 0600 "$tmp/key" ${NGINX.tlsDir}/byo.key`,
      `ln -sfn byo.crt ${NGINX.liveCert}`,
      `ln -sfn byo.key ${NGINX.liveKey}`,
      NGINX.reloadCertificate,
    ],
  });
}
