//go:build !linux

package redisserver

import "syscall"

// sysProcAttr returns nil: only Linux can tie the server's life to the
// test process, so elsewhere a killed test may leave a server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
