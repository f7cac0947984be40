#!/usr/bin/env python3
# Test-only stand-ins, for scripts run in a private network namespace: the instance metadata
# service (IMDSv2) on 169.254.169.254:80, and Secrets Manager's JSON API over HTTPS (ListSecrets
# with its tag filters, GetSecretValue, PutSecretValue; SigV4-signed requests only) for the secrets
# in the JSON file given, and SSM's GetParameter for its entries with a "Parameter" name. Every Secrets Manager call is logged as one JSON line, with the status.
# Versions as AWS keeps them: a ClientRequestToken names a version, which cannot change (the same
# value again is accepted, another is refused with ResourceExistsException); VersionStages move
# labels (AWSCURRENT when none is given, and always on a secret's first version).
import json, os, ssl, sys, threading, time, uuid
from urllib.parse import parse_qs
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secrets_file, cert, key, log_file, local_ip = sys.argv[1:6]
secrets = json.load(open(secrets_file))  # [{"ARN", "Name", "Tags": [{"Key", "Value"}], "SecretString"?}]
lock = threading.Lock()

IMDS = {
    "/latest/meta-data/iam/security-credentials/": "gohost-test-role",
    "/latest/meta-data/iam/security-credentials/gohost-test-role": json.dumps({"Code": "Success", "AccessKeyId": "ASIATEST", "SecretAccessKey": "test", "Token": "test-session", "Expiration": "2099-01-01T00:00:00Z"}),
    "/latest/meta-data/placement/region": "eu-west-1",
    "/latest/meta-data/local-ipv4": local_ip,
    "/latest/meta-data/instance-id": "i-0123456789abcdef0",
}
# The target lifecycle state Auto Scaling gives the instance: the file named by GOHOST_LIFECYCLE_STATE, if any.
lifecycle_file = os.environ.get("GOHOST_LIFECYCLE_STATE")

class Imds(BaseHTTPRequestHandler):
    def do_PUT(self):
        self.reply(200, "imds-token" if self.path == "/latest/api/token" else "")
    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != "imds-token": return self.reply(401, "")
        if self.path == "/latest/meta-data/autoscaling/target-lifecycle-state" and lifecycle_file:
            return self.reply(200, open(lifecycle_file).read().strip())
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

def versions(sec):
    if "versions" not in sec:
        sec["versions"] = [{"id": "initial", "value": sec["SecretString"], "stages": ["AWSCURRENT"]}] if "SecretString" in sec else []
    return sec["versions"]

class SecretsManager(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            return self.query_api({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        body = json.loads(raw or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        code, out = self.handle_call(target, body)
        with open(log_file, "a") as log: log.write(json.dumps({"target": target, "body": body, "status": code, "error": out.get("__type")}) + "\n")
        self.reply(code, out)
    # Auto Scaling's Query API, for the calls a group's instance makes: logged with the time.
    def query_api(self, params):
        signed = "AWS4-HMAC-SHA256" in self.headers.get("Authorization", "")
        with open(log_file, "a") as log: log.write(json.dumps({"action": params.get("Action"), "params": params, "signed": signed, "time": time.time()}) + "\n")
        xml = {
            "DescribeAutoScalingInstances": "<DescribeAutoScalingInstancesResponse><DescribeAutoScalingInstancesResult><AutoScalingInstances><member><AutoScalingGroupName>orders-api-20261207</AutoScalingGroupName></member></AutoScalingInstances></DescribeAutoScalingInstancesResult></DescribeAutoScalingInstancesResponse>",
            "CompleteLifecycleAction": "<CompleteLifecycleActionResponse><CompleteLifecycleActionResult/></CompleteLifecycleActionResponse>",
        }.get(params.get("Action"))
        data = (xml or "<Error/>").encode()
        self.send_response(200 if xml and signed else 400); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def handle_call(self, target, body):
        if "AWS4-HMAC-SHA256" not in self.headers.get("Authorization", ""):
            return 400, {"__type": "AccessDeniedException"}
        with lock:
            if target == "secretsmanager.ListSecrets":
                found = [{k: v for k, v in s.items() if k not in ("SecretString", "versions")} for s in secrets if "ARN" in s and matches(s, body.get("Filters", []))]
                start = int(body.get("NextToken") or 0)
                page = found[start:start + 2]  # small pages, so the script must follow NextToken
                out = {"SecretList": page}
                if start + 2 < len(found): out["NextToken"] = str(start + 2)
                return 200, out
            if target == "AmazonSSM.GetParameter":
                par = next((s for s in secrets if s.get("Parameter") in (body.get("Name"), "/" + str(body.get("Name", "")).lstrip("/"))), None)
                if par is None: return 400, {"__type": "ParameterNotFound"}
                if par.get("Type") == "SecureString" and not body.get("WithDecryption"): return 200, {"Parameter": {"Name": par["Parameter"], "Value": "AQICAHencrypted"}}
                return 200, {"Parameter": {"Name": par["Parameter"], "Type": par.get("Type", "String"), "Value": par["SecretString"], "Version": 1}}
            if target == "secretsmanager.GetSecretValue" and any(s.get("Deny") == body.get("SecretId") for s in secrets):
                return 400, {"__type": "AccessDeniedException", "Message": "not authorized to perform secretsmanager:GetSecretValue"}
            sec = next((s for s in secrets if s.get("ARN") == body.get("SecretId") or (s.get("Name") == body.get("SecretId") and "ARN" in s)), None)
            if sec is None: return 400, {"__type": "ResourceNotFoundException"}
            vs = versions(sec)
            if target == "secretsmanager.GetSecretValue":
                if "VersionId" in body: v = next((v for v in vs if v["id"] == body["VersionId"]), None)
                else: v = next((v for v in vs if body.get("VersionStage", "AWSCURRENT") in v["stages"]), None)
                if v is None: return 400, {"__type": "ResourceNotFoundException", "message": "no value for that version"}
                return 200, {"ARN": sec["ARN"], "VersionId": v["id"], "SecretString": v["value"], "VersionStages": v["stages"]}
            if target == "secretsmanager.PutSecretValue":
                token = body.get("ClientRequestToken") or str(uuid.uuid4())
                same = next((v for v in vs if v["id"] == token), None)
                if same is not None:
                    if same["value"] == body["SecretString"]: return 200, {"ARN": sec["ARN"], "VersionId": token}
                    return 400, {"__type": "ResourceExistsException", "message": "You can't modify an existing version, you can only create new versions."}
                stages = list(body.get("VersionStages") or ["AWSCURRENT"])
                if not vs and "AWSCURRENT" not in stages: stages.append("AWSCURRENT")
                for v in vs: v["stages"] = [x for x in v["stages"] if x not in stages]
                vs.append({"id": token, "value": body["SecretString"], "stages": stages})
                return 200, {"ARN": sec["ARN"], "VersionId": token, "VersionStages": stages}
        return 400, {"__type": "InvalidRequestException"}
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
