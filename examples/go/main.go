// SPDX-License-Identifier: MIT
//
// toa-peer-server PORT - libtoa from Go through cgo: accept connections and
// print who each client really is.
//
//	go run .          (needs libtoa installed: pkg-config toa)
package main

/*
#cgo pkg-config: toa
#include <stdlib.h>
#include <toa/toa.h>
*/
import "C"

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// peer returns the real client of conn, the TOA status and whether the
// balancer put an IPv6 client on an IPv4 socket (NAT64).
func peer(conn *net.TCPConn) (client, balancer, status string, err error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return
	}
	var p C.struct_toa_peer
	var st C.int
	var errno error
	if cerr := raw.Control(func(fd uintptr) {
		st, errno = C.toa_get_peer(C.int(fd), &p)
	}); cerr != nil {
		return "", "", "", cerr
	}
	if st == C.TOA_PEER_ERROR {
		return "", "", "", errno
	}
	var buf [C.TOA_ENDPOINT_STRLEN]C.char
	C.toa_endpoint_format(&p.client, &buf[0], C.size_t(len(buf)))
	client = C.GoString(&buf[0])
	C.toa_endpoint_format(&p.balancer, &buf[0], C.size_t(len(buf)))
	balancer = C.GoString(&buf[0])
	status = C.GoString(C.toa_peer_status_string(st))
	if p.flags&C.TOA_PEER_IS_NAT64 != 0 {
		status += " nat64"
	}
	return
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: toa-peer-server PORT")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("ready")
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		client, balancer, status, err := peer(c.(*net.TCPConn))
		if err == syscall.ENOTCONN {
			fmt.Fprintln(os.Stderr, "peer gone")
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "toa_get_peer:", err)
		} else {
			fmt.Printf("status=%s client=%s balancer=%s\n", status, client, balancer)
		}
		c.Close()
	}
}
