package top

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// fullListener returns the address of a loopback socket that listens with a backlog of 0 and never
// accepts, with its queue already filled: the kernel drops further SYNs, so a connect hangs.
func fullListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skip("raw socket:", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Skip("bind:", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Skip("listen:", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Skip(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	for range 8 {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return addr // the queue is full
		}
		t.Cleanup(func() { conn.Close() })
	}
	t.Skip("kernel keeps accepting connections into a full queue")
	return ""
}

func TestCallConnectTimeoutIsTransient(t *testing.T) {
	addr := fullListener(t)
	c := newTestClient(t, Config{URL: "http://" + addr + "/router/rest", ConnectTimeout: 150 * time.Millisecond, Timeout: 5 * time.Second})
	start := time.Now()
	_, err := c.Call(context.Background(), testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassTransient {
		t.Fatalf("err %#v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("connect timeout not applied: %s", el)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("not a timeout: %v", err)
	}
}
