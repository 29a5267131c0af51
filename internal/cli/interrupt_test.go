package cli

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/state"
)

// TestApplyStopsGracefullyOnInterrupt sends one SIGINT during each stage
// (unload, copy, create, load, verify): apply lets running actions finish,
// starts nothing new, saves the state with no resource left running, and
// exits 1; a re-run completes and the plan is then clean.
func TestApplyStopsGracefullyOnInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs full applies")
	}
	bin := ferryBinary(t)
	for _, stage := range []string{"Unloading", "Copying", "Creating", "Loading", "Verifying"} {
		t.Run(stage, func(t *testing.T) { interruptAt(t, bin, stage, 1) })
	}
}

// TestApplyAbortsOnSecondInterrupt sends two SIGINTs: apply exits at once,
// leaving running actions marked running, and the next apply redoes them.
func TestApplyAbortsOnSecondInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs full applies")
	}
	interruptAt(t, ferryBinary(t), "Loading", 2)
}

// interruptAt starts an apply, sends n SIGINTs when a line "<stage>..."
// appears, checks what the stop left behind, and resumes.
func interruptAt(t *testing.T, bin, stage string, n int) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(crashConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := runFerry(t, bin, dir, "plan"); code != 0 {
		t.Fatalf("plan exited %d:\n%s", code, out)
	}
	cmd := exec.Command(bin, "apply", "-auto-approve", "-parallelism", "1")
	cmd.Dir = dir
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sent := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			out.WriteString(line + "\n")
			if !signalled && strings.HasSuffix(line, ": "+stage+"...") {
				for i := 0; i < n; i++ {
					_ = cmd.Process.Signal(syscall.SIGINT)
					time.Sleep(2 * time.Millisecond)
				}
				signalled = true
				close(sent)
			}
		}
	}()
	err := cmd.Wait()
	pw.Close()
	select {
	case <-sent:
	case <-time.After(5 * time.Second):
		t.Fatalf("no unload started:\n%s", out.String())
	}
	time.Sleep(100 * time.Millisecond)
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("apply after SIGINT: %v, want exit 1\n%s", err, out.String())
	}
	text := out.String()
	wants := []string{"Interrupt received.", "Not run (cancelled)", "Apply incomplete:"}
	if n > 1 {
		wants = []string{"Two interrupts received. Aborting now"}
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	st, err := state.NewFilesystem(filepath.Join(dir, DefaultStateFile)).Load()
	if err != nil || st == nil {
		t.Fatalf("state after interrupt: %v", err)
	}
	done := 0
	for _, r := range st.Resources {
		if r.Status == state.StatusRunning && n == 1 {
			t.Errorf("%s left running after a graceful stop", r.Addr)
		}
		if r.Status == state.StatusDone {
			done++
		}
	}
	if done >= 40 {
		t.Errorf("%d resources done after the interrupt; want some left to do", done)
	}
	if code, out := runFerry(t, bin, dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("re-run exited %d:\n%s", code, out)
	}
	if code, out := runFerry(t, bin, dir, "plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after re-run exited %d:\n%s", code, out)
	}
}
