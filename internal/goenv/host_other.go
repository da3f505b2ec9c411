package goenv

// detectMachine fills in the kernel's view of the machine.
func detectMachine(h *Host) {}
