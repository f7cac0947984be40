#!/usr/bin/env python3
# Test-only stand-in for the EC2 API that Prometheus's ec2_sd_configs call (Query protocol):
# DescribeInstances with EC2's filter semantics (tag:K, tag-key, instance-state-name) and
# DescribeAvailabilityZones, over the instances in the JSON file given as argument.
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from xml.sax.saxutils import escape

port, instances_file, log_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
instances = json.load(open(instances_file))

def filters(params):
    out, i = [], 1
    while f"Filter.{i}.Name" in params:
        values, j = [], 1
        while f"Filter.{i}.Value.{j}" in params:
            values.append(params[f"Filter.{i}.Value.{j}"]); j += 1
        out.append((params[f"Filter.{i}.Name"], values)); i += 1
    return out

def matches(inst, name, values):
    if name == "instance-state-name": return inst["state"] in values
    if name == "tag-key": return any(v in inst["tags"] for v in values)
    if name.startswith("tag:"): return inst["tags"].get(name[4:]) in values
    raise ValueError(f"filter {name} not emulated")

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        with open(log_file, "a") as log: log.write(json.dumps(params) + "\n")
        action = params.get("Action")
        if action == "DescribeAvailabilityZones":
            xml = ("<DescribeAvailabilityZonesResponse><requestId>1</requestId><availabilityZoneInfo><item>"
                   "<zoneName>eu-west-1a</zoneName><zoneId>euw1-az1</zoneId><zoneState>available</zoneState><regionName>eu-west-1</regionName>"
                   "</item></availabilityZoneInfo></DescribeAvailabilityZonesResponse>")
        elif action == "DescribeInstances":
            selected = [i for i in instances if all(matches(i, n, v) for n, v in filters(params))]
            items = "".join(
                "<item><reservationId>r-{id}</reservationId><ownerId>111122223333</ownerId><instancesSet><item>"
                "<instanceId>{id}</instanceId><instanceState><code>16</code><name>{state}</name></instanceState>"
                "<privateIpAddress>{ip}</privateIpAddress><imageId>ami-0123456789abcdef0</imageId><instanceType>t3.small</instanceType><architecture>x86_64</architecture>"
                "<placement><availabilityZone>eu-west-1a</availabilityZone></placement><subnetId>subnet-0aaaaaaaaaaaaaaa1</subnetId>"
                "<vpcId>vpc-0123456789abcdef0</vpcId><tagSet>{tags}</tagSet></item></instancesSet></item>".format(
                    id=i["id"], state=i["state"], ip=i["ip"],
                    tags="".join(f"<item><key>{escape(k)}</key><value>{escape(v)}</value></item>" for k, v in i["tags"].items()))
                for i in selected)
            xml = f"<DescribeInstancesResponse><requestId>1</requestId><reservationSet>{items}</reservationSet></DescribeInstancesResponse>"
        else:
            self.send_response(400); self.end_headers(); return
        data = xml.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args): pass

HTTPServer(("127.0.0.1", port), Handler).serve_forever()
