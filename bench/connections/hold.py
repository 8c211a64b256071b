#!/usr/bin/env python3
"""Client side of bench/connections/run.sh (standard library only).

hold.py rate <host> <port> <path> <seconds>
    Cached-request rate over 16 keep-alive connections (selectors, one
    thread): prints requests/s; exits 1 on any non-200 answer.
hold.py hold <host> <port> <path> <n> <ready_file> <go_file>
    Opens n connections, sends one request on each and reads the answer,
    writes <ready_file>, waits for <go_file>, then asks once more on every
    connection; exits 1 if any connection was closed or answered non-200.
"""
import selectors
import socket
import sys
import time


def request(host, path):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def read_answer(sock, buf):
    """Reads one Content-Length framed answer; returns (status, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return status, rest[length:]


def rate(host, port, path, seconds):
    req = request(host, path)
    socks = []
    for _ in range(16):
        s = socket.create_connection((host, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)
    n = 0
    deadline = time.monotonic() + seconds
    start = time.monotonic()
    bufs = {s: b"" for s in socks}
    while time.monotonic() < deadline:
        for s in socks:
            s.sendall(req)
        for s in socks:
            status, bufs[s] = read_answer(s, bufs[s])
            if status != 200:
                print(f"answer {status}", file=sys.stderr)
                sys.exit(1)
            n += 1
    print(f"{n / (time.monotonic() - start):.0f}")


def hold(host, port, path, n, ready, go):
    req = request(host, path)
    socks = []
    t0 = time.monotonic()
    for i in range(n):
        s = socket.create_connection((host, port))
        s.sendall(req)
        status, rest = read_answer(s, b"")
        if status != 200:
            print(f"connection {i}: answer {status}", file=sys.stderr)
            sys.exit(1)
        socks.append(s)
    with open(ready, "w") as f:
        f.write(f"holder: {n} connections open and idle ({time.monotonic() - t0:.1f}s to open)\n")
    while True:
        try:
            open(go).close()
            break
        except FileNotFoundError:
            time.sleep(0.1)
    bad = 0
    for s in socks:
        try:
            s.sendall(req)
            status, _ = read_answer(s, b"")
            bad += status != 200
        except OSError:
            bad += 1
    print(f"holder: {n - bad} of {n} idle connections answered again")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "rate":
        rate(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
    elif mode == "hold":
        hold(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7])
    else:
        sys.exit(__doc__)
