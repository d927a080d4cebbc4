#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""toa_peer_server.py PORT [COUNT] - libtoa from Python through ctypes.

Accepts COUNT connections (default 1) on a dual-stack socket and prints,
for each, who the client really is. Finds libtoa.so.0 through the usual
library path, or TOA_LIB=/path/to/libtoa.so.0.
"""
import ctypes
import ctypes.util
import os
import socket
import sys


class Endpoint(ctypes.Structure):
    _fields_ = [("family", ctypes.c_uint16), ("port", ctypes.c_uint16),
                ("addr", ctypes.c_uint8 * 16)]


class Peer(ctypes.Structure):
    _fields_ = [("client", Endpoint), ("balancer", Endpoint),
                ("flags", ctypes.c_uint32), ("opt_kind", ctypes.c_uint8),
                ("opt_len", ctypes.c_uint8), ("reserved", ctypes.c_uint16)]


TOA_PEER_IS_NAT64 = 1 << 1
ENDPOINT_STRLEN = 54

lib = ctypes.CDLL(os.environ.get("TOA_LIB") or ctypes.util.find_library("toa")
                  or "libtoa.so.0", use_errno=True)
lib.toa_get_peer.argtypes = [ctypes.c_int, ctypes.POINTER(Peer)]
lib.toa_peer_status_string.restype = ctypes.c_char_p
lib.toa_endpoint_format.argtypes = [ctypes.POINTER(Endpoint),
                                    ctypes.c_char_p, ctypes.c_size_t]


def fmt(ep):
    buf = ctypes.create_string_buffer(ENDPOINT_STRLEN)
    lib.toa_endpoint_format(ctypes.byref(ep), buf, len(buf))
    return buf.value.decode()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: toa_peer_server.py PORT [COUNT]")
    count = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", int(sys.argv[1])))
    srv.listen(16)
    print("ready", flush=True)
    for _ in range(count):
        conn, _ = srv.accept()
        peer = Peer()
        status = lib.toa_get_peer(conn.fileno(), ctypes.byref(peer))
        if status < 0:
            err = ctypes.get_errno()
            print("toa_get_peer:", os.strerror(err), file=sys.stderr)
        else:
            print("status=%s client=%s balancer=%s%s" % (
                lib.toa_peer_status_string(status).decode(),
                fmt(peer.client), fmt(peer.balancer),
                " nat64" if peer.flags & TOA_PEER_IS_NAT64 else ""),
                flush=True)
        conn.close()


if __name__ == "__main__":
    main()
