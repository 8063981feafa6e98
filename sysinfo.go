package main

import (
	"net"
	"os"
	"os/user"
	"strings"

	"github.com/charmbracelet/x/term"
)

// operator is who is signed in to the OS: the cashier/by of what this process writes.
// banksale has no accounts of its own yet, so the OS account is the most honest name.
func operator(getenv func(string) string) string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = getenv("USER")
	}
	if name == "" {
		name = getenv("USERNAME")
	}
	// Windows says DOMAIN\user; the domain only makes the audit harder to read.
	if i := strings.LastIndexAny(name, `\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		name = "unknown"
	}
	return name
}

// machineAddr is this terminal's IPv4 address and MAC for the API's ip and mac fields: the
// first interface that is up, not loopback, with a hardware address and an IPv4 address.
func machineAddr() (ip, mac string) {
	ifs, err := net.Interfaces()
	if err != nil {
		return "", ""
	}
	for _, i := range ifs {
		if i.Flags&net.FlagUp == 0 || i.Flags&net.FlagLoopback != 0 || len(i.HardwareAddr) == 0 {
			continue
		}
		addrs, err := i.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
				return n.IP.String(), strings.ToUpper(i.HardwareAddr.String())
			}
		}
	}
	return "", ""
}

func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }
