package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat, read once
// from getconf; Linux uses 100 per second almost everywhere.
var clockTicks = func() int64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return 100
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil || n <= 0 {
		return 100
	}
	return n
}()

// cpuTime returns the CPU time the process has used so far, user and
// system, all threads. CPU time is what a row costs whatever else the
// machine runs, so it compares rows more steadily than throughput does on
// a busy machine.
func (p *process) cpuTime() (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("reading CPU time of %s: %w", p.name, err)
	}
	// The command name, in parentheses, may hold spaces; the fields
	// counted from it are fixed: utime and stime are the 12th and 13th
	// after it.
	i := strings.LastIndexByte(string(data), ')')
	fields := strings.Fields(string(data[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("reading CPU time of %s: unexpected /proc stat line", p.name)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("reading CPU time of %s: %w", p.name, err)
		}
		ticks += n
	}
	return time.Duration(ticks * int64(time.Second) / clockTicks), nil
}

// residentBytes returns the process's resident memory.
func (p *process) residentBytes() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("reading memory of %s: %w", p.name, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("reading memory of %s: %w", p.name, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("reading memory of %s: no VmRSS", p.name)
}

// usage is what the processes of a row consumed while it was measured.
type usage struct {
	// cpu is the CPU time of each role during the measured slices.
	cpu map[role]time.Duration
	// frontRSS is the front's resident memory after the row.
	frontRSS int64
}

// cpuTimes reads the CPU time of every process of the stack, by role.
func (s *stack) cpuTimes() (map[role]time.Duration, error) {
	out := map[role]time.Duration{}
	for _, p := range s.procs {
		d, err := p.cpuTime()
		if err != nil {
			return nil, err
		}
		out[p.role] += d
	}
	return out, nil
}

// front returns the process in front of the app, or nil.
func (s *stack) front() *process {
	for _, p := range s.procs {
		if p.role == roleFront {
			return p
		}
	}
	return nil
}
