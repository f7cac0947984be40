#!/usr/bin/env python3
# Test-only: one HTTPS (or HTTP) request to a front door, preceded by a proxy protocol v2 header
# as a Network Load Balancer sends it (or none), from a chosen source address. Prints the status
# code, or "closed" when the server ends the connection without an answer.
# Usage: proxy-protocol-client.py SOURCE PORT CLAIMED-CLIENT|- HOST PATH
import socket, ssl, struct, sys

source, port, claimed, host, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
if claimed != "-":
    # v2: signature, PROXY command, TCP over IPv4, 12 address bytes (source, destination, ports).
    addresses = socket.inet_aton(claimed) + socket.inet_aton("127.0.0.1") + struct.pack("!HH", 40000, port)
    sock.sendall(b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(addresses)) + addresses)
try:
    if port == 443:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(sock, server_hostname=host)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    data = sock.recv(4096)
    print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed")
except (ssl.SSLError, ConnectionError, OSError):
    print("closed")
