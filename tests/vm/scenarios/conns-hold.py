#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold many TCP connections open, for the toactl conns scenarios (3*.sh).

  conns-hold.py listen ADDR PORT
      Listen (backlog = net.core.somaxconn) and never accept: completed
      connections wait in the accept queue as full sockets, each with its
      TOA entry, at no cost to this process. Prints "ready".
  conns-hold.py connect ADDR PORT N [SPORT]
      Open N connections (from ports SPORT, SPORT+1, ... if given), at most
      WINDOW handshakes in flight, check each one succeeded, print
      "connected N SECONDS" and keep them until killed.
Exit 1 with a message on any failure.
"""
import os
import resource
import select
import signal
import socket
import sys
import time

WINDOW = 256


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listen(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    if s.family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(65535)
    print("ready", flush=True)
    signal.pause()


def connect(addr, port, n, sport):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    t0 = time.monotonic()
    socks, pending = [], {}
    poller = select.epoll()
    done = 0
    i = 0
    while done < n:
        while i < n and len(pending) < WINDOW:
            s = socket.socket(family(addr), socket.SOCK_STREAM)
            s.setblocking(False)
            if sport:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("::" if s.family == socket.AF_INET6 else "0.0.0.0",
                        sport + i))
            err = s.connect_ex((addr, port))
            if err not in (0, 115):  # EINPROGRESS
                sys.exit("connect %d: %s" % (i, os.strerror(err)))
            pending[s.fileno()] = s
            poller.register(s.fileno(), select.EPOLLOUT)
            socks.append(s)
            i += 1
        for fd, _ in poller.poll(30):
            s = pending.pop(fd)
            poller.unregister(fd)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                sys.exit("connection from %s: %s" %
                         (s.getsockname(), os.strerror(err)))
            done += 1
        if time.monotonic() - t0 > 300:
            sys.exit("timeout: %d of %d connected" % (done, n))
    print("connected %d %.1f" % (n, time.monotonic() - t0), flush=True)
    signal.pause()


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "listen":
        listen(a[1], int(a[2]))
    elif len(a) in (4, 5) and a[0] == "connect":
        connect(a[1], int(a[2]), int(a[3]), int(a[4]) if len(a) == 5 else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
