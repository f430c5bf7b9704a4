package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"xinfang"
)

// LogSender writes each message as one JSON line to W, for a bureau
// without a gateway, whose staff send what the file lists; without W, to
// Logger, with the text as the timeline shows it (the 查询码 masked): the
// default.
type LogSender struct {
	mu     sync.Mutex
	W      io.Writer
	Logger *slog.Logger
}

// NewFileSender returns a LogSender appending to the file at path.
func NewFileSender(path string) (*LogSender, error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &LogSender{W: f}, nil
}

func (s *LogSender) Send(ctx context.Context, m *xinfang.OutMessage) error {
	if s.W == nil {
		l := s.Logger
		if l == nil {
			l = slog.Default()
		}
		l.Info("message to petitioner", "key", m.Key, "channel", m.Channel, "kind", m.Kind, "to", m.Hint, "text", m.Summary)
		return nil
	}
	line, err := json.Marshal(map[string]any{"at": time.Now().Format(time.RFC3339), "key": m.Key, "channel": m.Channel, "to": m.To, "kind": m.Kind, "text": m.Body})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err = s.W.Write(append(line, '\n'))
	return err
}

// DefaultSMSTemplate is the request body of the HTTP gateway unless
// configured otherwise.
const DefaultSMSTemplate = `{"phone":"{to}","content":"{text}","request_id":"{key}"}`

// HTTPSender posts each message to an SMS gateway: the body is Template
// with {to}, {text}, {key} and {kind} filled in (as JSON string content
// when the template is JSON), and the key goes in the Idempotency-Key
// header too. 2xx is sent; 409 is a repeat the gateway had already.
type HTTPSender struct {
	URL         string
	Template    string // DefaultSMSTemplate when empty
	ContentType string // application/json when empty
	Client      *http.Client
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func (s *HTTPSender) Send(ctx context.Context, m *xinfang.OutMessage) error {
	tmpl, ctype := s.Template, s.ContentType
	if tmpl == "" {
		tmpl = DefaultSMSTemplate
	}
	if ctype == "" {
		ctype = "application/json"
	}
	esc := func(v string) string { return v }
	if strings.Contains(ctype, "json") {
		esc = jsonText
	}
	body := strings.NewReplacer("{to}", esc(m.To), "{text}", esc(m.Body), "{key}", esc(m.Key), "{kind}", esc(string(m.Kind))).Replace(tmpl)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Idempotency-Key", m.Key)
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode/100 == 2 || res.StatusCode == http.StatusConflict {
		return nil
	}
	return fmt.Errorf("短信网关答复 %s", res.Status)
}
