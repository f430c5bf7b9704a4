package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Memory is a server process's resident memory around a run, in KiB, from
// /proc/PID/status: VmRSS before the run (idle), the highest VmRSS sampled
// during it, and VmHWM (the kernel's peak since the process started) after.
// CPU is the processor time the process took during the run, user and
// system, in seconds (/proc/PID/stat): on a machine whose cores the load
// generator shares, the time a request costs the server is a steadier
// figure than the rate.
type Memory struct {
	PID    int     `json:"pid"`
	IdleKB int64   `json:"rss_idle_kb"`
	PeakKB int64   `json:"rss_peak_kb"`
	HWMKB  int64   `json:"vm_hwm_kb"`
	CPU    float64 `json:"cpu_s"`
	ticks  int64   // CPU time at the start, in clock ticks
}

// clockTicks is the unit of the times in /proc/PID/stat: USER_HZ, which
// Linux fixes at 100 for what it shows to user space.
const clockTicks = 100

// readCPU reads the user and system time of pid, in clock ticks.
func readCPU(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return statTicks(b)
}

// statTicks is utime + stime of a /proc/PID/stat line.
func statTicks(b []byte) (int64, error) {
	// The command name, in parentheses, may hold spaces: the fields are
	// counted after its closing one. utime and stime are fields 14 and 15,
	// the 12th and 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, errors.New("stat: too short")
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("stat: no utime and stime")
	}
	return utime + stime, nil
}

// readStatus reads VmRSS and VmHWM of pid.
func readStatus(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(string(f[1]), 10, 64)
		switch string(f[0]) {
		case "VmRSS:":
			rss = n
		case "VmHWM:":
			hwm = n
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
	}
	return rss, hwm, nil
}

// Sampler watches the memory of server processes during a run.
type Sampler struct {
	mu     sync.Mutex
	mem    []Memory
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

// StartSampler reads each pid's idle memory now, then samples VmRSS every
// 100 ms until Stop. A pid that cannot be read is an error: a figure for
// the wrong process, or none, must not pass unnoticed.
func StartSampler(pids []int) (*Sampler, error) {
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	for _, pid := range pids {
		rss, _, err := readStatus(pid)
		if err != nil {
			return nil, fmt.Errorf("-pid %d: %v", pid, err)
		}
		ticks, err := readCPU(pid)
		if err != nil {
			return nil, fmt.Errorf("-pid %d: %v", pid, err)
		}
		s.mem = append(s.mem, Memory{PID: pid, IdleKB: rss, PeakKB: rss, ticks: ticks})
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s, nil
}

func (s *Sampler) sample() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.mem {
		if rss, hwm, err := readStatus(s.mem[i].PID); err == nil {
			s.mem[i].PeakKB = max(s.mem[i].PeakKB, rss)
			s.mem[i].HWMKB = hwm
		}
	}
}

// Stop ends the sampling and returns the figures, with the CPU time each
// process took since StartSampler.
func (s *Sampler) Stop() []Memory {
	if !s.closed {
		s.closed = true
		close(s.stop)
		<-s.done
		s.sample()
		s.mu.Lock()
		for i := range s.mem {
			if t, err := readCPU(s.mem[i].PID); err == nil {
				s.mem[i].CPU = float64(t-s.mem[i].ticks) / clockTicks
			}
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Memory(nil), s.mem...)
}

// selfCPU is the processor time this process has taken, user and system,
// in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// loadAverage is the machine's 1-minute load average, 0 if unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(string(f[0]), 64)
	return v
}
