#!/usr/bin/env python3
# Test-only stand-in for the public Network Load Balancer: TCP on ADDR:80 and ADDR:443, each new
# flow sent round-robin to one of the target addresses listed in TARGETS_FILE (read per flow, so
# the test registers and deregisters targets by rewriting it), starting with a proxy protocol v2
# header that names the client, as the NLB's target groups do. Each flow is logged: "port target".
import asyncio, ipaddress, struct, sys

addr, targets_file, log_file = sys.argv[1:4]
turn = 0

def header(client, local):
    src, sport = client[:2]
    dst, dport = local[:2]
    body = ipaddress.IPv4Address(src).packed + ipaddress.IPv4Address(dst).packed + struct.pack("!HH", sport, dport)
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(body)) + body

async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()

def serve(port):
    async def flow(reader, writer):
        global turn
        targets = [t.strip() for t in open(targets_file) if t.strip()]
        if not targets:
            writer.close()
            return
        target = targets[turn % len(targets)]
        turn += 1
        with open(log_file, "a") as log:
            log.write(f"{port} {target}\n")
        try:
            up_reader, up_writer = await asyncio.open_connection(target, port)
        except OSError:
            writer.close()
            return
        up_writer.write(header(writer.get_extra_info("peername"), writer.get_extra_info("sockname")))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
    return flow

async def main():
    servers = [await asyncio.start_server(serve(p), addr, p) for p in (80, 443)]
    await asyncio.gather(*(s.serve_forever() for s in servers))

asyncio.run(main())
