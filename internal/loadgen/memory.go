package loadgen

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// Memory is a server process's resident memory around a run, in KiB, from
// /proc/PID/status: VmRSS before the run (idle), the highest VmRSS sampled
// during it, and VmHWM (the kernel's peak since the process started) after.
type Memory struct {
	PID    int   `json:"pid"`
	IdleKB int64 `json:"rss_idle_kb"`
	PeakKB int64 `json:"rss_peak_kb"`
	HWMKB  int64 `json:"vm_hwm_kb"`
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
		s.mem = append(s.mem, Memory{PID: pid, IdleKB: rss, PeakKB: rss})
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

// Stop ends the sampling and returns the figures.
func (s *Sampler) Stop() []Memory {
	if !s.closed {
		s.closed = true
		close(s.stop)
		<-s.done
		s.sample()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Memory(nil), s.mem...)
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
