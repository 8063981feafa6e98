package ui

import (
	"charm.land/lipgloss/v2"

	"banksale/model"
)

// styles are the few looks the screen uses. Colour only ever repeats what a word already
// says (status words, "error:" prefixes), so NO_COLOR, where Bubble Tea drops colours but
// keeps reverse video and bold, is still fully readable.
type styles struct {
	title, bold, faint, sel, tab, tabOn, err, warn, ok, head lipgloss.Style
	status                                                   map[model.Status]lipgloss.Style
}

func newStyles() styles {
	c := lipgloss.Color
	return styles{
		title: lipgloss.NewStyle().Bold(true),
		bold:  lipgloss.NewStyle().Bold(true),
		faint: lipgloss.NewStyle().Faint(true),
		sel:   lipgloss.NewStyle().Reverse(true),
		tab:   lipgloss.NewStyle(),
		tabOn: lipgloss.NewStyle().Reverse(true).Bold(true),
		err:   lipgloss.NewStyle().Foreground(c("1")).Bold(true),
		warn:  lipgloss.NewStyle().Foreground(c("3")),
		ok:    lipgloss.NewStyle().Foreground(c("2")),
		head:  lipgloss.NewStyle().Bold(true).Underline(true),
		status: map[model.Status]lipgloss.Style{
			model.StatusPending:   lipgloss.NewStyle().Foreground(c("4")),
			model.StatusUploading: lipgloss.NewStyle().Foreground(c("6")),
			model.StatusUploaded:  lipgloss.NewStyle().Foreground(c("2")),
			model.StatusRetrying:  lipgloss.NewStyle().Foreground(c("3")),
			model.StatusRejected:  lipgloss.NewStyle().Foreground(c("1")).Bold(true),
			model.StatusVoided:    lipgloss.NewStyle().Faint(true),
		},
	}
}
