package transport

import "syscall"

// setRcvbuf shrinks a socket's receive buffer (SO_RCVBUF).
func setRcvbuf(fd uintptr, n int) {
	syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
