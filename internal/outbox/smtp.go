package outbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"xinfang"
)

// SMTPSender sends the e-mails to petitioners through a mail server (the
// bureau's own relay, or its government mail service) with net/smtp:
// STARTTLS whenever the server offers it, PLAIN authentication when
// Username is set (which net/smtp allows only over TLS or to localhost).
// The message's key is the e-mail's Message-ID, so that a message sent
// again after a crash between the server's acceptance and the outbox's
// mark is the same e-mail to every mail system that keeps Message-IDs.
// A refusal by the server (4xx, 5xx) is an error: the worker tries again
// with its backoff.
type SMTPSender struct {
	Addr     string // host:port of the mail server
	From     string // the sender's address, e.g. xinfang@example.gov.cn
	Username string // "" for a relay that takes the bureau's mail without login
	Password string
	Timeout  time.Duration // for the whole exchange; 30 s when zero
}

// MailSubject is the subject of the e-mails to petitioners.
const MailSubject = "信访事项消息"

// mailMessage composes the e-mail of m: UTF-8 text in base64, the subject
// encoded, the key as Message-ID.
func (s *SMTPSender) mailMessage(m *xinfang.OutMessage, now time.Time) []byte {
	domain := "localhost"
	if at := strings.LastIndexByte(s.From, '@'); at >= 0 {
		domain = s.From[at+1:]
	}
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", s.From)
	h("To", m.To)
	h("Subject", mime.BEncoding.Encode("UTF-8", MailSubject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+m.Key+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

func (s *SMTPSender) Send(ctx context.Context, m *xinfang.OutMessage) error {
	if !xinfang.ValidEmail(m.To) {
		return fmt.Errorf("%q is not an e-mail address", m.To)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("邮件服务器地址 %q: %w", s.Addr, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("邮件服务器不提供登录（AUTH）")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("登录邮件服务器: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(s.mailMessage(m, time.Now())); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
