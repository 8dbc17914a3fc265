package plugin

import (
	"os/exec"
	"syscall"
)

// killWithParent makes the kernel kill the plugin when the host process
// dies, however it dies (SIGKILL included), so that no plugin outlives its
// host.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
