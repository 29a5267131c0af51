// Package measure runs benchmark commands and summarises them: wall time
// and peak resident set size (the child's rusage ru_maxrss) per run,
// medians over runs, and ratios against a baseline.
package measure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// gnuTime is GNU time's path, when installed.
var gnuTime = func() string {
	p, err := exec.LookPath("time")
	if err != nil {
		if _, err := os.Stat("/usr/bin/time"); err != nil {
			return ""
		}
		p = "/usr/bin/time"
	}
	if out, err := exec.Command(p, "--version").CombinedOutput(); err != nil || !strings.Contains(string(out), "GNU") {
		return ""
	}
	return p
}()

// Sample is one run of a command.
type Sample struct {
	Wall   time.Duration
	MaxRSS int64 // bytes
}

// Cmd describes a command to run.
type Cmd struct {
	Path   string
	Args   []string
	Dir    string
	Env    []string // appended to os.Environ()
	Stdout io.Writer
}

// Run runs c once and returns its wall time and peak RSS. The command's
// stderr (and stdout unless c.Stdout is set) is kept and returned in the
// error when it fails.
func Run(c Cmd) (Sample, error) { return RunTimeout(c, 0) }

// RunTimeout is Run with a time limit (0: none); the command is killed
// when the limit passes.
func RunTimeout(c Cmd, timeout time.Duration) (Sample, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	// Peak RSS comes from GNU time, a small C process, rather than from
	// this process's wait4 rusage: Linux carries the forking process's
	// RSS high-water mark into the child's ru_maxrss across exec, so a
	// large benchmark driver would inflate every child it measures.
	path, args := c.Path, c.Args
	var rssFile string
	if gnuTime != "" {
		f, err := os.CreateTemp("", "measure-rss-*")
		if err != nil {
			return Sample{}, err
		}
		rssFile = f.Name()
		f.Close()
		defer os.Remove(rssFile)
		path, args = gnuTime, append([]string{"-f", "%M", "-o", rssFile, "--", c.Path}, c.Args...)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	// On timeout kill the whole process group: GNU time does not pass
	// SIGKILL on to the measured command.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if c.Stdout != nil {
		cmd.Stdout = c.Stdout
	}
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var s Sample
	s.Wall = wall
	if rssFile != "" {
		data, _ := os.ReadFile(rssFile)
		lines := strings.Fields(string(data))
		if len(lines) > 0 {
			if kb, perr := strconv.ParseInt(lines[len(lines)-1], 10, 64); perr == nil {
				s.MaxRSS = kb * 1024
			}
		}
	} else if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.MaxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		tail := out.String()
		if len(tail) > 4000 {
			tail = "..." + tail[len(tail)-4000:]
		}
		return s, fmt.Errorf("%s %s: %v\n%s", c.Path, strings.Join(c.Args, " "), err, tail)
	}
	return s, nil
}

// Series is the samples of one measured thing.
type Series struct {
	Name    string
	Samples []Sample
}

// Repeat runs c n times, calling before (if set) ahead of each run
// outside the timed region.
func Repeat(name string, n int, before func() error, c Cmd) (Series, error) {
	s := Series{Name: name}
	for range n {
		if before != nil {
			if err := before(); err != nil {
				return s, err
			}
		}
		smp, err := Run(c)
		if err != nil {
			return s, err
		}
		s.Samples = append(s.Samples, smp)
	}
	return s, nil
}

// Wall is the median wall time.
func (s Series) Wall() time.Duration {
	ws := make([]time.Duration, len(s.Samples))
	for i, x := range s.Samples {
		ws[i] = x.Wall
	}
	return median(ws)
}

// RSS is the median peak RSS in bytes.
func (s Series) RSS() int64 {
	rs := make([]int64, len(s.Samples))
	for i, x := range s.Samples {
		rs[i] = x.MaxRSS
	}
	return median(rs)
}

// MaxRSS is the largest peak RSS of any run.
func (s Series) MaxRSS() int64 {
	var m int64
	for _, x := range s.Samples {
		m = max(m, x.MaxRSS)
	}
	return m
}

func median[T int64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	ys := append([]T(nil), xs...)
	sort.Slice(ys, func(i, j int) bool { return ys[i] < ys[j] })
	if len(ys)%2 == 1 {
		return ys[len(ys)/2]
	}
	return (ys[len(ys)/2-1] + ys[len(ys)/2]) / 2
}

// MiB formats bytes as mebibytes.
func MiB(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// Secs formats a duration in seconds with three decimals.
func Secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// Machine describes the host: CPU count and model name.
func Machine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(data), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("nproc=%d, %s%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// Table prints rows as an aligned Markdown table.
func Table(w io.Writer, header []string, rows [][]string) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = len(h)
	}
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	line := func(cells []string) {
		fmt.Fprint(w, "|")
		for i, c := range cells {
			fmt.Fprintf(w, " %-*s |", width[i], c)
		}
		fmt.Fprintln(w)
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
}

// Ratio formats a/b.
func Ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", a/b)
}
