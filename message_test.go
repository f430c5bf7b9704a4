package xinfang_test

import (
	"testing"
	"time"

	"xinfang"
)

// An e-mail address goes into a mail header as it is: only a plain
// addr-spec is taken, so nothing typed on the portal can add a header or a
// recipient.
func TestValidEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"zhang@example.cn":             true,
		"li.si+xf@mail.example.gov.cn": true,
		"":                             false,
		"zhang":                        false,
		"@example.cn":                  false,
		"zhang@":                       false,
		"a@b@c":                        false,
		"zhang@example.cn\r\nBcc: x@y": false,
		"zhang@example.cn, x@y":        false,
		"<zhang@example.cn>":           false,
		"zhang san@example.cn":         false,
		"\"zhang\"@example.cn":         false,
	} {
		if got := xinfang.ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", s, got, want)
		}
	}
	// The portal refuses such an address naming the field.
	sub := xinfang.PortalSubmission{Email: "zhang@example.cn, boss@example.cn"}
	_, err := sub.Petition(time.Now())
	if msg := xinfang.ErrorFields(err)["email"]; msg == "" {
		t.Errorf("portal took a list of addresses: %v", err)
	}
}
