package redisserver

import "syscall"

// sysProcAttr asks the kernel to kill the server when the test process
// dies, so that a crashed or killed test leaves no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
