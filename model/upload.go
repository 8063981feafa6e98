package model

import (
	"fmt"
	"time"
)

// Mode is what the uploader as a whole is doing.
type Mode int

const (
	ModeIdle        Mode = iota // running, nothing in flight
	ModeUploading               // running, calls in flight
	ModePaused                  // waiting for a person (Reason says why and what to do)
	ModeBanned                  // waiting out the gateway's call limit until BannedUntil
	ModeStopped                 // not running
	ModeUnreachable             // head office cannot be reached (Cause says why, since Since): probing
)

func (m Mode) String() string {
	switch m {
	case ModeIdle:
		return "idle"
	case ModeUploading:
		return "uploading"
	case ModePaused:
		return "paused"
	case ModeBanned:
		return "banned"
	case ModeStopped:
		return "stopped"
	case ModeUnreachable:
		return "unreachable"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// UploadState is the uploader's own state, for a screen's banner or a command's last line.
type UploadState struct {
	Mode        Mode
	Reason      string // words for a person: why paused or banned, and what to do
	Code        int    // the gateway's code that caused a pause or ban (0 none)
	SubCode     string
	BannedUntil time.Time
	InFlight    int // orders claimed and not yet recorded
	// Cause is what a person must fix (paused) or what stops the calls (unreachable); CauseOther
	// when Reason or Code alone say it.
	Cause  Cause
	Since  time.Time // unreachable: since when
	Detail string    // the gateway's own words about a pause (an IP whitelist names the address), bounded
}

// Event is one change the uploader publishes: an order's new row, or (Order nil) its new state.
// Subscribers must treat Order as read-only: every subscriber gets the same pointer.
type Event struct {
	Order *Order
	State UploadState
}

// Cause is what a person must fix for a gateway code that stops uploading. The uploader words
// it in English for the log and the command line; the screen words it in its own language.
type Cause int

const (
	CauseOther       Cause = iota // see UploadState.Reason
	CauseSignature                // wrong app_secret or sign_method
	CauseSession                  // session missing, wrong or expired
	CauseAppKey                   // app_key unknown to the gateway
	CauseClock                    // this PC's clock is off
	CausePermission               // the app lacks the API's permission
	CauseForbidden                // the gateway forbade the request
	CauseQuota                    // the day's call quota is spent
	CauseIPWhitelist              // this store's internet address is not on the app's IP whitelist
	CausePlatform                 // another platform check refused the app (Code says which)
	CauseNetwork                  // no connection to the gateway: the network is down or blocked
	CauseName                     // the gateway's name is not found
	CauseCertificate              // this PC does not trust the gateway's certificate
	CauseProxy                    // the proxy wants a user name and password
	CauseWebPage                  // a web page answered instead of the gateway (a network login)
	CauseDiskFull                 // the disk holding the journal is full: uploading waits for space
)

// CauseOf maps a TOP error code to its Cause (top-protocol.md's table).
func CauseOf(code int) Cause {
	switch code {
	case 24, 25:
		return CauseSignature
	case 26, 27:
		return CauseSession
	case 28, 29:
		return CauseAppKey
	case 30, 31:
		return CauseClock
	case 11, 12, 13:
		return CausePermission
	case 42:
		return CauseForbidden
	case 4, 5, 6, 7, 8:
		return CauseQuota
	}
	return CauseOther
}
