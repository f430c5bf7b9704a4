package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"xinfang"
	"xinfang/internal/outbox"
	"xinfang/internal/procedure"
	"xinfang/internal/scheduler"
	"xinfang/internal/sqldb"
)

// Config holds every setting of the program. It is parsed here, in one
// place (parseConfig), and handed down as plain values: the database, the
// web server and the scheduler read no flags or environment of their own.
type Config struct {
	Addr string // listen address
	DSN  string // SQLite file path or postgres:// URL; "" (deadline only) means the shipped calendar

	// KeysFile is the keys file (internal/keyring); "" means the SQLite
	// file's path with ".keys" added. KeysText, from XINFANG_KEYS, is the
	// keys themselves and wins over the file.
	KeysFile string
	KeysText string

	// SecureCookies marks the session cookie Secure on every answer. It is
	// marked so anyway on a request that came over HTTPS: TLS here, or a
	// trusted proxy's X-Forwarded-Proto.
	SecureCookies bool
	// TLSCert and TLSKey are the PEM files to serve HTTPS with, both or
	// neither (TLS checks them).
	TLSCert, TLSKey string
	// TrustedProxies are the reverse proxies in front: only from them are
	// X-Forwarded-For (the client's address, which login limits count
	// under), X-Forwarded-Proto and X-Forwarded-Host believed.
	TrustedProxies []netip.Prefix
	// SessionLifetime ends a session this long after login, IdleTimeout
	// this long after its last request.
	SessionLifetime time.Duration
	IdleTimeout     time.Duration

	NearDays       int  // 临期: an item warns this many days before it is due
	EvaluationDays int  // the petitioner's window for the evaluation (满意度评价)
	RollForward    bool // a last day on a rest day rolls to the next working day
	// HearingNoticeDays: a hearing's notice is served at least this many
	// days before it (听证通知).
	HearingNoticeDays int
	// JudicialAidCap (yuan) and JudicialAidDays (working days for the
	// decision) are the local figures of 司法救助.
	JudicialAidCap  int
	JudicialAidDays int
	// FollowupDays: days after a reply before its follow-up visit is due;
	// AftercareDays: days the 联席办 has for an aftercare task.
	FollowupDays  int
	AftercareDays int

	CheckInterval time.Duration // how often the scheduler checks the clocks

	// Messages to petitioners: MessagesFile receives every message as a
	// JSON line ("" logs them, the 查询码 masked); SMSURL, when set, sends
	// the SMS through that gateway with SMSTemplate as the request body;
	// SMTPAddr, when set, sends the e-mails through that mail server as
	// SMTPFrom, logging in as SMTPUser with SMTPPassword (from the
	// environment only) when SMTPUser is set; OutboxInterval is how often
	// the outbox is sent.
	MessagesFile   string
	SMSURL         string
	SMSTemplate    string
	SMTPAddr       string
	SMTPFrom       string
	SMTPUser       string
	SMTPPassword   string
	OutboxInterval time.Duration

	// AttachmentMB is the largest file an upload takes, in MB.
	AttachmentMB int

	Demo          bool // load the demo city into an empty database at start
	DemoPetitions int  // how many petitions the demo city gets
}

// DefaultConfig returns the settings used when neither a flag nor an
// environment variable says otherwise.
func DefaultConfig() Config {
	pr := procedure.DefaultConfig()
	return Config{
		Addr:              ":8080",
		DSN:               "./xinfang.db",
		SessionLifetime:   sqldb.SessionLifetime,
		IdleTimeout:       sqldb.IdleTimeout,
		NearDays:          pr.NearDays,
		EvaluationDays:    pr.EvaluationDays,
		RollForward:       pr.RollForward,
		HearingNoticeDays: pr.HearingNoticeDays,
		JudicialAidCap:    int(pr.JudicialAidCap),
		JudicialAidDays:   pr.JudicialAidDays,
		FollowupDays:      pr.FollowupDays,
		AftercareDays:     pr.AftercareDays,
		CheckInterval:     scheduler.DefaultInterval,
		OutboxInterval:    outbox.DefaultInterval,
		SMSTemplate:       outbox.DefaultSMSTemplate,
		DemoPetitions:     800,
		AttachmentMB:      xinfang.DefaultAttachmentLimit >> 20,
	}
}

// Procedure returns the procedure's rules.
func (c Config) Procedure() procedure.Config {
	return procedure.Config{NearDays: c.NearDays, EvaluationDays: c.EvaluationDays, RollForward: c.RollForward, HearingNoticeDays: c.HearingNoticeDays,
		JudicialAidCap: int64(c.JudicialAidCap), JudicialAidDays: c.JudicialAidDays,
		FollowupDays: c.FollowupDays, AftercareDays: c.AftercareDays}
}

// setting is one Config field with its flag and environment variable.
type setting struct {
	Flag, Env, Usage string
	value            func(c *Config) flag.Value
}

// settings lists every setting; the README's configuration table is
// checked against it.
var settings = []setting{
	{"addr", "XINFANG_ADDR", "listen address `host:port`",
		func(c *Config) flag.Value { return addrValue{&c.Addr} }},
	{"db", "XINFANG_DB", "SQLite file path or postgres:// URL (`dsn`)",
		func(c *Config) flag.Value { return stringValue{&c.DSN} }},
	{"keys", "XINFANG_KEYS_FILE", "the keys `file` that seals personal data and keys the chains; never inside the database",
		func(c *Config) flag.Value { return stringValue{&c.KeysFile} }},
	{"secure-cookies", "XINFANG_SECURE_COOKIES", "mark the session cookie Secure (users reach the server over HTTPS)",
		func(c *Config) flag.Value { return boolValue{&c.SecureCookies} }},
	{"tls-cert", "XINFANG_TLS_CERT", "serve HTTPS with this certificate (`file`, PEM, with its chain); needs --tls-key",
		func(c *Config) flag.Value { return stringValue{&c.TLSCert} }},
	{"tls-key", "XINFANG_TLS_KEY", "the private key (`file`, PEM) of --tls-cert",
		func(c *Config) flag.Value { return stringValue{&c.TLSKey} }},
	{"trusted-proxy", "XINFANG_TRUSTED_PROXY", "reverse proxies (`CIDRs`, comma-separated) whose X-Forwarded-For, -Proto and -Host are believed",
		func(c *Config) flag.Value { return prefixListValue{&c.TrustedProxies} }},
	{"session-lifetime", "XINFANG_SESSION_LIFETIME", "a session ends this long (`duration`) after login",
		func(c *Config) flag.Value { return durationValue{&c.SessionLifetime, time.Minute} }},
	{"idle-timeout", "XINFANG_IDLE_TIMEOUT", "a session ends after this long (`duration`) without a request",
		func(c *Config) flag.Value { return durationValue{&c.IdleTimeout, time.Minute} }},
	{"near-days", "XINFANG_NEAR_DAYS", "临期: items warn this many `days` before they are due",
		func(c *Config) flag.Value { return intValue{&c.NearDays, 1} }},
	{"evaluation-days", "XINFANG_EVALUATION_DAYS", "`days` the petitioner has for the evaluation",
		func(c *Config) flag.Value { return intValue{&c.EvaluationDays, 1} }},
	{"roll-forward", "XINFANG_ROLL_FORWARD", "a last day on a rest day rolls to the next working day",
		func(c *Config) flag.Value { return boolValue{&c.RollForward} }},
	{"hearing-notice-days", "XINFANG_HEARING_NOTICE_DAYS", "a hearing's notice is served at least this many `days` before it",
		func(c *Config) flag.Value { return intValue{&c.HearingNoticeDays, 1} }},
	{"judicial-aid-cap", "XINFANG_JUDICIAL_AID_CAP", "the most one 司法救助 decision grants, in `yuan`",
		func(c *Config) flag.Value { return intValue{&c.JudicialAidCap, 1} }},
	{"judicial-aid-days", "XINFANG_JUDICIAL_AID_DAYS", "working `days` a 司法救助 decision takes from the application",
		func(c *Config) flag.Value { return intValue{&c.JudicialAidDays, 1} }},
	{"followup-days", "XINFANG_FOLLOWUP_DAYS", "`days` after a reply before its follow-up visit (跟踪回访) is due",
		func(c *Config) flag.Value { return intValue{&c.FollowupDays, 1} }},
	{"aftercare-days", "XINFANG_AFTERCARE_DAYS", "`days` the 联席办 has for an aftercare task of a termination",
		func(c *Config) flag.Value { return intValue{&c.AftercareDays, 1} }},
	{"check-interval", "XINFANG_CHECK_INTERVAL", "how often (`duration`) the scheduler checks the clocks and sends warnings",
		func(c *Config) flag.Value { return durationValue{&c.CheckInterval, time.Second} }},
	{"messages-file", "XINFANG_MESSAGES_FILE", "append every message to petitioners to this `file` as JSON lines (the e-mails always, the SMS unless --sms-url)",
		func(c *Config) flag.Value { return stringValue{&c.MessagesFile} }},
	{"sms-url", "XINFANG_SMS_URL", "send the SMS to petitioners by POST to this gateway `URL`",
		func(c *Config) flag.Value { return stringValue{&c.SMSURL} }},
	{"sms-template", "XINFANG_SMS_TEMPLATE", "the gateway's request `body`, with {to} {text} {key} {kind}",
		func(c *Config) flag.Value { return stringValue{&c.SMSTemplate} }},
	{"smtp-addr", "XINFANG_SMTP_ADDR", "send the e-mails to petitioners through this mail server (`host:port`)",
		func(c *Config) flag.Value { return stringValue{&c.SMTPAddr} }},
	{"smtp-from", "XINFANG_SMTP_FROM", "the sender's `address` of the e-mails to petitioners",
		func(c *Config) flag.Value { return stringValue{&c.SMTPFrom} }},
	{"smtp-user", "XINFANG_SMTP_USER", "log in to the mail server as this `user` (password in XINFANG_SMTP_PASSWORD)",
		func(c *Config) flag.Value { return stringValue{&c.SMTPUser} }},
	{"outbox-interval", "XINFANG_OUTBOX_INTERVAL", "how often (`duration`) the messages to petitioners are sent",
		func(c *Config) flag.Value { return durationValue{&c.OutboxInterval, time.Second} }},
	{"attachment-limit", "XINFANG_ATTACHMENT_LIMIT", "the largest file an upload takes, in `MB`",
		func(c *Config) flag.Value { return intValue{&c.AttachmentMB, 1} }},
	{"demo", "XINFANG_DEMO", "load the demo city into an empty database at start",
		func(c *Config) flag.Value { return boolValue{&c.Demo} }},
	{"demo-petitions", "XINFANG_DEMO_PETITIONS", "`number` of demo petitions",
		func(c *Config) flag.Value { return intValue{&c.DemoPetitions, 1} }},
}

// Which settings each subcommand uses.
var (
	serveSettings    = []string{"addr", "db", "keys", "secure-cookies", "tls-cert", "tls-key", "trusted-proxy", "session-lifetime", "idle-timeout", "near-days", "evaluation-days", "roll-forward", "hearing-notice-days", "judicial-aid-cap", "judicial-aid-days", "followup-days", "aftercare-days", "check-interval", "messages-file", "sms-url", "sms-template", "smtp-addr", "smtp-from", "smtp-user", "outbox-interval", "attachment-limit", "demo", "demo-petitions"}
	deadlineSettings = []string{"db", "keys", "near-days", "evaluation-days", "roll-forward"}
	dbSettings       = []string{"db", "keys"}
)

// parseConfig parses the settings that subcommand cmd uses: each from its
// default, then its environment variable (getenv; empty means unset), then
// its flag. fs carries the subcommand's own flags, already registered;
// flags may also follow the positional arguments, which are returned. A
// bad value is an error naming the flag or the variable it came from.
func parseConfig(cmd string, fs *flag.FlagSet, args []string, getenv func(string) string) (Config, []string, error) {
	cfg := DefaultConfig()
	var names []string
	switch cmd {
	case "serve":
		names = serveSettings
	case "demo":
		cfg.DSN, cfg.Demo = "./xinfang-demo.db", true
		names = serveSettings
	case "deadline":
		cfg.DSN = "" // the shipped calendar
		names = deadlineSettings
	case "migrate", "user add", "keys", "audit verify", "verify", "restore", "bench":
		names = dbSettings
	case "backup":
		names = []string{"db"} // a backup copies the data sealed: no keys
	case "backup verify":
		names = []string{"keys"} // optional: the keys check and the chains
	default:
		return cfg, nil, fmt.Errorf("no settings for command %q", cmd)
	}
	for _, name := range names {
		s := lookupSetting(name)
		v := s.value(&cfg)
		if e := getenv(s.Env); e != "" {
			if err := v.Set(e); err != nil {
				return cfg, nil, fmt.Errorf("%s=%q: %v", s.Env, e, err)
			}
		}
		fs.Var(v, s.Flag, s.Usage+" (env "+s.Env+")")
	}
	cfg.KeysText = getenv("XINFANG_KEYS")
	cfg.SMTPPassword = getenv("XINFANG_SMTP_PASSWORD") // never a flag: ps shows flags
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	// The files are read now, so that a bad one stops the command before
	// anything is opened.
	if _, err := cfg.TLS(); err != nil {
		return cfg, nil, err
	}
	return cfg, pos, nil
}

// TLS returns the configuration to serve HTTPS with, or nil without
// --tls-cert and --tls-key. A missing or bad file, or one of the two
// alone, is an error naming the flag.
func (c Config) TLS() (*tls.Config, error) {
	switch {
	case c.TLSCert == "" && c.TLSKey == "":
		return nil, nil
	case c.TLSKey == "":
		return nil, errors.New("--tls-cert needs --tls-key (XINFANG_TLS_KEY)")
	case c.TLSCert == "":
		return nil, errors.New("--tls-key needs --tls-cert (XINFANG_TLS_CERT)")
	}
	certPEM, err := os.ReadFile(c.TLSCert)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert: %v", err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("--tls-cert %s: no PEM certificate in the file", c.TLSCert)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("--tls-cert %s: %v", c.TLSCert, err)
	}
	keyPEM, err := os.ReadFile(c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-key: %v", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("--tls-key %s: %v", c.TLSKey, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func lookupSetting(name string) setting {
	for _, s := range settings {
		if s.Flag == name {
			return s
		}
	}
	panic("unknown setting " + name)
}

// The flag values check what they are given, so that a bad environment
// variable and a bad flag fail alike.

type stringValue struct{ p *string }

func (v stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v stringValue) Set(s string) error { *v.p = s; return nil }

type addrValue struct{ p *string }

func (v addrValue) String() string { return stringValue(v).String() }
func (v addrValue) Set(s string) error {
	if _, _, err := net.SplitHostPort(s); err != nil {
		return errors.New("not a listen address such as :8080 or 127.0.0.1:8080")
	}
	*v.p = s
	return nil
}

// prefixListValue is a comma-separated list of CIDR prefixes; a bare
// address stands for itself alone.
type prefixListValue struct{ p *[]netip.Prefix }

func (v prefixListValue) String() string {
	if v.p == nil {
		return ""
	}
	parts := make([]string, len(*v.p))
	for i, p := range *v.p {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}
func (v prefixListValue) Set(s string) error {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, err2 := netip.ParseAddr(part)
			if err2 != nil {
				return fmt.Errorf("%q is not an address or CIDR such as 10.0.0.0/8", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	*v.p = out
	return nil
}

type boolValue struct{ p *bool }

func (v boolValue) IsBoolFlag() bool { return true }
func (v boolValue) String() string {
	if v.p == nil {
		return "false"
	}
	return strconv.FormatBool(*v.p)
}
func (v boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("not true or false")
	}
	*v.p = b
	return nil
}

type intValue struct {
	p   *int
	min int
}

func (v intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}
func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < v.min {
		return fmt.Errorf("must be %d or more", v.min)
	}
	*v.p = n
	return nil
}

type durationValue struct {
	p   *time.Duration
	min time.Duration
}

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}
func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 90s, 30m or 12h")
	}
	if d < v.min {
		return fmt.Errorf("must be %s or more", v.min)
	}
	*v.p = d
	return nil
}

// Senders returns how messages to petitioners go: the SMS to the gateway
// of SMSURL and the e-mails to the mail server of SMTPAddr when set, each
// else to MessagesFile, else to the log with the 查询码 masked.
func (c Config) Senders(logger *slog.Logger) (map[xinfang.MessageChannel]outbox.Sender, error) {
	var local outbox.Sender = &outbox.LogSender{Logger: logger}
	if c.MessagesFile != "" {
		f, err := outbox.NewFileSender(c.MessagesFile)
		if err != nil {
			return nil, fmt.Errorf("--messages-file: %w", err)
		}
		local = f
	}
	out := map[xinfang.MessageChannel]outbox.Sender{xinfang.ChannelSMS: local, xinfang.ChannelEmail: local}
	if c.SMSURL != "" {
		u, err := url.Parse(c.SMSURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--sms-url: %q is not an http(s) URL", c.SMSURL)
		}
		out[xinfang.ChannelSMS] = &outbox.HTTPSender{URL: c.SMSURL, Template: c.SMSTemplate}
	}
	if c.SMTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.SMTPAddr); err != nil || port == "" {
			return nil, fmt.Errorf("--smtp-addr: %q is not host:port", c.SMTPAddr)
		}
		if !xinfang.ValidEmail(c.SMTPFrom) {
			return nil, fmt.Errorf("--smtp-from: %q is not an e-mail address (the sender's address is needed with --smtp-addr)", c.SMTPFrom)
		}
		out[xinfang.ChannelEmail] = &outbox.SMTPSender{Addr: c.SMTPAddr, From: c.SMTPFrom, Username: c.SMTPUser, Password: c.SMTPPassword}
	} else if c.SMTPFrom != "" || c.SMTPUser != "" {
		return nil, errors.New("--smtp-from and --smtp-user need --smtp-addr")
	}
	return out, nil
}
