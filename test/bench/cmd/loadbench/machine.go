package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where a run happened, for the report.
type machine struct {
	cpus     int
	cpuModel string
	kernel   string
	loadAvg  string
	goVer    string
}

func describeMachine() machine {
	return machine{
		cpus:     runtime.NumCPU(),
		cpuModel: cpuModel(),
		kernel:   firstLine("/proc/sys/kernel/osrelease"),
		loadAvg:  loadAverage(),
		goVer:    runtime.Version(),
	}
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if name, value, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

// loadAverage returns the 1, 5 and 15 minute load averages, which tell
// how busy the machine was before the run.
func loadAverage() string {
	fields := strings.Fields(firstLine("/proc/loadavg"))
	return strings.Join(fields[:min(3, len(fields))], " ")
}

func firstLine(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}

// tasksetAvailable reports whether processes can be pinned to CPUs.
func tasksetAvailable() bool {
	_, err := exec.LookPath("taskset")
	return err == nil
}
