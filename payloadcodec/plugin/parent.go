package plugin

import (
	"os"
	"time"
)

// watchParent ends a plugin whose host is gone (the plugin was reparented),
// where the kernel does not (killWithParent), and for hosts that are not
// this package.
func watchParent() {
	ppid := os.Getppid()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != ppid {
				os.Exit(2)
			}
		}
	}()
}
