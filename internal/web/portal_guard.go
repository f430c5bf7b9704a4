package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"xinfang"
)

// The portal's protection without any outside service: a captcha (验证码)
// — a sum drawn as an image, with the same question in words beside it
// for screen readers — checked once by storage on any instance; limits
// per client address on refused guesses and on submissions, in this
// instance's memory (addrLimiter, as for passwords); and storage's own
// lockout per number typed and per ID number, shared by every instance.

// challenge is a captcha question as a page or the API shows it.
type challenge struct {
	ID       string `json:"id"`
	Question string `json:"question"` // the text alternative: "7 加 5 等于多少？"
	Image    string `json:"image"`    // a data: URL of a PNG of the sum
}

var cnDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func randInt(n int64) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(n)) // crypto/rand never fails
	return int(v.Int64())
}

// newChallenge asks a new question and keeps its answer with storage.
func (s *Server) newChallenge(ctx context.Context) (*challenge, error) {
	a, b := 1+randInt(9), 1+randInt(9)
	op, word, ans := "+", "加", a+b
	if randInt(2) == 1 && a != b {
		if a < b {
			a, b = b, a
		}
		op, word, ans = "-", "减", a-b
	}
	id, err := s.Portal.CreateChallenge(ctx, strconv.Itoa(ans))
	if err != nil {
		return nil, err
	}
	text := strconv.Itoa(a) + op + strconv.Itoa(b) + "="
	return &challenge{ID: id, Question: cnDigits[a] + " " + word + " " + cnDigits[b] + " 等于多少？（请填写阿拉伯数字）", Image: "data:image/png;base64," + base64.StdEncoding.EncodeToString(drawSum(text))}, nil
}

// glyphs are 5×7 bitmaps of the captcha's characters, row by row.
var glyphs = map[rune][7]string{
	'0': {"01110", "10001", "10011", "10101", "11001", "10001", "01110"},
	'1': {"00100", "01100", "00100", "00100", "00100", "00100", "01110"},
	'2': {"01110", "10001", "00001", "00010", "00100", "01000", "11111"},
	'3': {"11110", "00001", "00001", "01110", "00001", "00001", "11110"},
	'4': {"00010", "00110", "01010", "10010", "11111", "00010", "00010"},
	'5': {"11111", "10000", "11110", "00001", "00001", "10001", "01110"},
	'6': {"00110", "01000", "10000", "11110", "10001", "10001", "01110"},
	'7': {"11111", "00001", "00010", "00100", "01000", "01000", "01000"},
	'8': {"01110", "10001", "10001", "01110", "10001", "10001", "01110"},
	'9': {"01110", "10001", "10001", "01111", "00001", "00010", "01100"},
	'+': {"00000", "00100", "00100", "11111", "00100", "00100", "00000"},
	'-': {"00000", "00000", "00000", "11111", "00000", "00000", "00000"},
	'=': {"00000", "00000", "11111", "00000", "11111", "00000", "00000"},
}

// drawSum draws text in glyphs, each pixel a 4×4 block shifted a little
// at random, over speckles: readable for a person, not plain text.
func drawSum(text string) []byte {
	const scale, pad = 4, 6
	w := pad*2 + len(text)*6*scale
	h := pad*2 + 7*scale + 8
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg := color.RGBA{0xf4, 0xf1, 0xe8, 0xff}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, bg)
		}
	}
	for i := 0; i < w*h/12; i++ {
		img.Set(randInt(int64(w)), randInt(int64(h)), color.RGBA{0x9a, 0x90, 0x80, 0xff})
	}
	ink := color.RGBA{0x1f, 0x2a, 0x44, 0xff}
	for i, c := range text {
		g := glyphs[c]
		dy := randInt(8)
		for row, line := range g {
			for col, bit := range line {
				if bit != '1' {
					continue
				}
				for yy := 0; yy < scale; yy++ {
					for xx := 0; xx < scale; xx++ {
						img.Set(pad+i*6*scale+col*scale+xx, pad+dy+row*scale+yy, ink)
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) // writing to memory never fails
	return buf.Bytes()
}

// portalContext marks r's context as the portal's request for the audit
// log: storage writes an entry of kind 网上信访 with each change and
// refusal.
func (s *Server) portalContext(r *http.Request) context.Context {
	return xinfang.WithAuditing(r.Context(), &xinfang.Auditing{Kind: xinfang.AuditPortal, Route: r.Method + " " + r.URL.Path, Object: r.URL.Path, IP: s.clientIP(r).String()})
}

// portalGuarded runs check, a check of a captcha or a 查询码, within the
// client's limit of refused guesses; a refusal counts. A client over the
// limit gets ETHROTTLED, audited, and check does not run.
func (s *Server) portalGuarded(ctx context.Context, w http.ResponseWriter, r *http.Request, check func() error) error {
	from := s.clientAddr(r)
	if wait := s.portalGuess.acquire(from); wait > 0 {
		return s.portalWait(ctx, w, wait, "尝试过于频繁")
	}
	failed := true
	defer func() { s.portalGuess.release(from, failed) }()
	err := check()
	code := xinfang.ErrorCode(err)
	failed = code == xinfang.EINVALID && (xinfang.ErrorFields(err)["query_code"] != "" || xinfang.ErrorFields(err)["captcha"] != "") || code == xinfang.ETHROTTLED
	return err
}

// portalWait refuses a client that must wait, and records it.
func (s *Server) portalWait(ctx context.Context, w http.ResponseWriter, wait time.Duration, what string) error {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.Portal.AuditRefusal(ctx, what+"：来源地址等待 "+strconv.Itoa(secs)+" 秒")
	return xinfang.Errorf(xinfang.ETHROTTLED, "%s，请 %d 秒后再试", what, secs)
}

// checkCaptcha checks the answer to a captcha question, counted as a
// guess of the client's.
func (s *Server) checkCaptcha(ctx context.Context, w http.ResponseWriter, r *http.Request, id, answer string) error {
	return s.portalGuarded(ctx, w, r, func() error {
		err := s.Portal.CheckChallenge(ctx, id, answer)
		if err != nil && xinfang.ErrorCode(err) == xinfang.EINVALID {
			s.Portal.AuditRefusal(ctx, "验证码不正确")
		}
		return err
	})
}
