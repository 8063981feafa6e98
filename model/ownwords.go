package model

import "strings"

// The uploader's own words for an attempt that got no answer from the gateway. The journal
// keeps them in English, as it keeps the gateway's words as they came (for the log, --json and
// head office's IT); a screen says them in its language through OwnWords. The transport's
// two may be followed by ": " and the innermost cause ("connection refused"), which stays as is.
const (
	NotSentStopping    = "not sent: banksale was stopping"
	NotSentUnreachable = "not sent: head office cannot be reached"
	NotSentPaused      = "not sent: the uploader was paused"
	NotSentCallLimit   = "not sent: waiting out the gateway's call limit"
	RequestNotSent     = "request not sent"
	NoCompleteAnswer   = "no complete answer after the request was sent"
)

// ownWords are the words above, longest first so that no one is taken for another's start.
var ownWords = []string{NoCompleteAnswer, NotSentCallLimit, NotSentUnreachable, NotSentStopping, NotSentPaused, RequestNotSent}

// OwnWords splits an attempt's message into the uploader's own words it starts with and what
// follows them (the cause, with its ": "); own is "" when the message is someone else's (the
// gateway's).
func OwnWords(msg string) (own, rest string) {
	for _, w := range ownWords {
		if r, ok := strings.CutPrefix(msg, w); ok && (r == "" || strings.HasPrefix(r, ": ")) {
			return w, r
		}
	}
	return "", msg
}
