#!/usr/bin/env python3
# Test-only stand-ins, for scripts run in a private network namespace: the instance metadata
# service (IMDSv2) on 169.254.169.254:80, and Secrets Manager's JSON API over HTTPS (ListSecrets
# with its tag filters, GetSecretValue, PutSecretValue; SigV4-signed requests only) for the secrets
# in the JSON file given. Every Secrets Manager call is logged as one JSON line.
import json, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secrets_file, cert, key, log_file, local_ip = sys.argv[1:6]
secrets = json.load(open(secrets_file))  # [{"ARN", "Name", "Tags": [{"Key", "Value"}], "SecretString"?}]
lock = threading.Lock()

IMDS = {
    "/latest/meta-data/iam/security-credentials/": "gohost-test-role",
    "/latest/meta-data/iam/security-credentials/gohost-test-role": json.dumps({"Code": "Success", "AccessKeyId": "ASIATEST", "SecretAccessKey": "test", "Token": "test-session", "Expiration": "2099-01-01T00:00:00Z"}),
    "/latest/meta-data/placement/region": "eu-west-1",
    "/latest/meta-data/local-ipv4": local_ip,
}

class Imds(BaseHTTPRequestHandler):
    def do_PUT(self):
        self.reply(200, "imds-token" if self.path == "/latest/api/token" else "")
    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != "imds-token": return self.reply(401, "")
        self.reply(200 if self.path in IMDS else 404, IMDS.get(self.path, ""))
    def reply(self, code, body):
        data = body.encode()
        self.send_response(code); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass

def matches(sec, filters):
    tags = sec.get("Tags", [])
    for f in filters:
        if f["Key"] == "tag-key" and not any(t["Key"] in f["Values"] for t in tags): return False
        if f["Key"] == "tag-value" and not any(t["Value"] in f["Values"] for t in tags): return False
    return True

class SecretsManager(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        with open(log_file, "a") as log: log.write(json.dumps({"target": target, "body": body}) + "\n")
        if "AWS4-HMAC-SHA256" not in self.headers.get("Authorization", ""):
            return self.reply(400, {"__type": "AccessDeniedException"})
        with lock:
            if target == "secretsmanager.ListSecrets":
                found = [{k: v for k, v in s.items() if k != "SecretString"} for s in secrets if matches(s, body.get("Filters", []))]
                start = int(body.get("NextToken") or 0)
                page = found[start:start + 2]  # small pages, so the script must follow NextToken
                out = {"SecretList": page}
                if start + 2 < len(found): out["NextToken"] = str(start + 2)
                return self.reply(200, out)
            sec = next((s for s in secrets if s["ARN"] == body.get("SecretId")), None)
            if sec is None: return self.reply(400, {"__type": "ResourceNotFoundException"})
            if target == "secretsmanager.GetSecretValue":
                if "SecretString" not in sec: return self.reply(400, {"__type": "ResourceNotFoundException", "message": "no value for AWSCURRENT"})
                return self.reply(200, {"ARN": sec["ARN"], "SecretString": sec["SecretString"]})
            if target == "secretsmanager.PutSecretValue":
                sec["SecretString"] = body["SecretString"]
                return self.reply(200, {"ARN": sec["ARN"], "VersionId": "v"})
        self.reply(400, {"__type": "InvalidRequestException"})
    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def log_message(self, *a): pass

imds = ThreadingHTTPServer(("169.254.169.254", 80), Imds)
sm = ThreadingHTTPServer(("127.0.0.1", 443), SecretsManager)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
sm.socket = ctx.wrap_socket(sm.socket, server_side=True)
threading.Thread(target=imds.serve_forever, daemon=True).start()
sm.serve_forever()
