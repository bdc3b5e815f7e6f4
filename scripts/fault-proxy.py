#!/usr/bin/env python3
"""A small HTTP fault proxy for the remote cache tests: one port per fault, each in front of one upstream.

  fault-proxy.py --upstream 127.0.0.1:8091 --first-port 8094 [--delay 5]

  first-port      delay: every answer comes --delay seconds late
  first-port + 1  reset: every connection is reset at once (RST, no answer)
  first-port + 2  error: every request is answered 500
  first-port + 3  truncate: every answer's body is cut in half (its Content-Length kept), then the
                  connection is closed
  first-port + 4  flaky: every third request is reset, the others pass

Requests are read whole (head and Content-Length body) and passed upstream one at a time, each on
a connection of its own; answers are read whole and passed back, so keep-alive from the client works.
"""
import argparse, asyncio, socket, struct

MODES = ["delay", "reset", "error", "truncate", "flaky"]


async def read_message(reader):
    """One HTTP message: (head bytes, body bytes); None at end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head, body


def reset(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def forward(upstream, head, body, method):
    host, port = upstream
    reader, writer = await asyncio.open_connection(host, port)
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    request = b"\r\n".join(lines[:-2]) + b"\r\nConnection: close\r\n\r\n"
    writer.write(request + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    split = answer.index(b"\r\n\r\n") + 4
    response_head, response_body = answer[:split], answer[split:]
    response_head = b"\r\n".join(
        line for line in response_head.split(b"\r\n") if not line.lower().startswith(b"connection:"))
    return response_head, response_body


def serve(mode, upstream, delay, counter):
    async def handle(reader, writer):
        if mode == "reset":
            reset(writer)
            return
        try:
            while True:
                message = await read_message(reader)
                if message is None:
                    break
                head, body = message
                method = head.split(b" ", 1)[0]
                counter[0] += 1
                if mode == "flaky" and counter[0] % 3 == 0:
                    reset(writer)
                    return
                if mode == "error":
                    writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                if mode == "delay":
                    await asyncio.sleep(delay)
                response_head, response_body = await forward(upstream, head, body, method)
                if mode == "truncate" and response_body:
                    writer.write(response_head + response_body[: len(response_body) // 2])
                    await writer.drain()
                    writer.close()
                    return
                writer.write(response_head + response_body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()

    return handle


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--first-port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=5.0)
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    servers = []
    for offset, mode in enumerate(MODES):
        server = await asyncio.start_server(
            serve(mode, (host, int(port)), args.delay, [0]), "127.0.0.1", args.first_port + offset)
        servers.append(server)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main())
