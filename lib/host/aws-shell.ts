/**
 * Bash that calls AWS APIs with the instance role's credentials, read from IMDSv2, signed by
 * `curl --aws-sigv4` (curl ≥ 7.75: every supported distribution). Hosts need no AWS CLI. Pure.
 */
/** Bash that takes an IMDSv2 session token (hosts require IMDSv2, so every metadata read needs one). */
export const IMDS_TOKEN_LINE =
  'imds_token=$(curl -fsS --retry 5 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" http://169.254.169.254/latest/api/token)';

export function awsRoleShellFunctions(region?: string): string[] {
  return [
    IMDS_TOKEN_LINE,
    'imds() { curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $imds_token" "http://169.254.169.254/latest/$1"; }',
    '# json_field a.b reads a dotted path from the JSON on stdin.',
    'json_field() { python3 -c \'import functools, json, sys; print(functools.reduce(lambda v, k: v[k], sys.argv[1].split("."), json.load(sys.stdin)))\' "$1"; }',
    'role_credentials=$(imds "meta-data/iam/security-credentials/$(imds meta-data/iam/security-credentials/)")',
    region ? `region=${region}` : 'region=$(imds meta-data/placement/region)',
    '# aws_curl SERVICE CURL-ARGS...: one request signed with the role credentials.',
    'aws_curl() {',
    '  local service=$1; shift',
    '  curl -fsS --retry 5 --retry-all-errors --retry-delay 2 --proto \'=https\' --aws-sigv4 "aws:amz:$region:$service" \\',
    '    --user "$(json_field AccessKeyId <<<"$role_credentials"):$(json_field SecretAccessKey <<<"$role_credentials")" \\',
    '    -H "x-amz-security-token: $(json_field Token <<<"$role_credentials")" "$@"',
    '}',
  ];
}

/**
 * A JSON-protocol API call (SSM, Secrets Manager) printing the response body. `body` is the JSON
 * itself, or `{ shellWord }`: a bash word that expands to it (`"$body"`, `"@$tmp/put"` for a
 * file). `curlArgs` go before the request (e.g. `--no-fail -o FILE -w '%{http_code}'` to read an
 * error's body).
 */
export function awsJsonCall(service: string, endpointPrefix: string, target: string, body: string | { readonly shellWord: string }, curlArgs = ''): string {
  const data = typeof body === 'string' ? `--data '${body.replace(/'/g, `'\\''`)}'` : `--data-binary ${body.shellWord}`;
  return `aws_curl ${service} ${curlArgs ? `${curlArgs} ` : ''}-H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Target: ${target}' ${data} "https://${endpointPrefix}.$region.amazonaws.com/"`;
}
