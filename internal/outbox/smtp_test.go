package outbox_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"xinfang"
	"xinfang/internal/outbox"
)

// mailServer is a fake SMTP server on loopback: it records every message
// it accepted and can refuse the next recipients with 451 (a temporary
// failure) or require PLAIN login.
type mailServer struct {
	ln       net.Listener
	user     string // "" takes mail without login
	password string

	mu       sync.Mutex
	refuse   int // answer 451 to this many RCPT commands
	sessions int
	mails    []fakeMail
}

type fakeMail struct {
	from, to, authed string
	data             string
}

func newMailServer(t *testing.T) *mailServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &mailServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *mailServer) serve(conn net.Conn) {
	defer conn.Close()
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	r := bufio.NewReader(conn)
	say := func(line string) { fmt.Fprintf(conn, "%s\r\n", line) }
	say("220 fake.test ESMTP")
	var cur fakeMail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			if s.user != "" {
				say("250-fake.test")
				say("250 AUTH PLAIN")
			} else {
				say("250 fake.test")
			}
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN"):]))
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.password {
				cur.authed = parts[1]
				say("235 ok")
			} else {
				say("535 bad credentials")
			}
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			if s.user != "" && cur.authed == "" {
				say("530 authentication required")
				continue
			}
			cur.from = strings.Trim(line[len("MAIL FROM:"):], "<> ")
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			refuse := s.refuse > 0
			if refuse {
				s.refuse--
			}
			s.mu.Unlock()
			if refuse {
				say("451 try again later")
				continue
			}
			cur.to = strings.Trim(line[len("RCPT TO:"):], "<> ")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.data = b.String()
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			cur = fakeMail{authed: cur.authed}
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *mailServer) received() []fakeMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]fakeMail(nil), s.mails...)
}

func testMail(key, to string) *xinfang.OutMessage {
	return &xinfang.OutMessage{Key: key, Channel: xinfang.ChannelEmail, Kind: xinfang.MsgAccepted, To: to,
		Body: "【信访】您的信访事项SFS-XFJ-2026-000001已由青山镇受理，将于2026-12-31前办结并书面答复。"}
}

func TestSMTPSender(t *testing.T) {
	ctx := context.Background()
	t.Run("delivers the text with the key as Message-ID", func(t *testing.T) {
		srv := newMailServer(t)
		s := &outbox.SMTPSender{Addr: srv.ln.Addr().String(), From: "xinfang@xfj.example.gov.cn", Timeout: 5 * time.Second}
		m := testMail("xf-msg-abc", "zhang@example.cn")
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		got := srv.received()
		if len(got) != 1 {
			t.Fatalf("server got %d mails, want 1", len(got))
		}
		if got[0].from != s.From || got[0].to != m.To {
			t.Errorf("envelope %s → %s, want %s → %s", got[0].from, got[0].to, s.From, m.To)
		}
		msg, err := mail.ReadMessage(strings.NewReader(got[0].data))
		if err != nil {
			t.Fatal(err)
		}
		if id := msg.Header.Get("Message-ID"); id != "<xf-msg-abc@xfj.example.gov.cn>" {
			t.Errorf("Message-ID %q", id)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != outbox.MailSubject {
			t.Errorf("subject %q (%v)", subject, err)
		}
		var body strings.Builder
		sc := bufio.NewScanner(msg.Body)
		for sc.Scan() {
			body.WriteString(sc.Text())
		}
		text, err := base64.StdEncoding.DecodeString(body.String())
		if err != nil || string(text) != m.Body {
			t.Errorf("body %q (%v), want %q", text, err, m.Body)
		}
	})
	t.Run("logs in when the server asks", func(t *testing.T) {
		srv := newMailServer(t)
		srv.user, srv.password = "xfj", "s3cret"
		s := &outbox.SMTPSender{Addr: srv.ln.Addr().String(), From: "xinfang@xfj.example.gov.cn", Username: "xfj", Password: "wrong", Timeout: 5 * time.Second}
		if err := s.Send(ctx, testMail("k1", "li@example.cn")); err == nil {
			t.Fatal("a wrong password was taken")
		}
		s.Password = "s3cret"
		if err := s.Send(ctx, testMail("k2", "li@example.cn")); err != nil {
			t.Fatal(err)
		}
		if got := srv.received(); len(got) != 1 || got[0].authed != "xfj" {
			t.Fatalf("mails %+v, want one sent after login", got)
		}
	})
	t.Run("a refusal is an error and a later try delivers", func(t *testing.T) {
		srv := newMailServer(t)
		srv.refuse = 1
		s := &outbox.SMTPSender{Addr: srv.ln.Addr().String(), From: "xinfang@xfj.example.gov.cn", Timeout: 5 * time.Second}
		m := testMail("k3", "wang@example.cn")
		if err := s.Send(ctx, m); err == nil || !strings.Contains(err.Error(), "451") {
			t.Fatalf("refused recipient: err %v, want the server's 451", err)
		}
		if n := len(srv.received()); n != 0 {
			t.Fatalf("%d mails after a refusal", n)
		}
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.received()); n != 1 {
			t.Fatalf("%d mails after the retry, want 1", n)
		}
	})
	t.Run("a bad address is refused before connecting", func(t *testing.T) {
		srv := newMailServer(t)
		s := &outbox.SMTPSender{Addr: srv.ln.Addr().String(), From: "xinfang@xfj.example.gov.cn", Timeout: 5 * time.Second}
		for _, to := range []string{"", "no-at-sign", "a@b\r\nBcc: x@y", "x@"} {
			if err := s.Send(ctx, testMail("k", to)); err == nil {
				t.Errorf("address %q was taken", to)
			}
		}
		srv.mu.Lock()
		n := srv.sessions
		srv.mu.Unlock()
		if n != 0 {
			t.Errorf("%d connections for bad addresses", n)
		}
	})
}
