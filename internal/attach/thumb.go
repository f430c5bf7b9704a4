package attach

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // PNG scans and photos have thumbnails too
	"io"
)

// ThumbSize is the longest side of a thumbnail, in pixels.
const ThumbSize = 240

// maxPixels bounds the images Thumbnail decodes: a few kilobytes of PNG
// can claim a picture of gigapixels, and decoding it would take the
// memory of the server. A 100-megapixel photo is more than any camera or
// scanner a bureau has gives.
const maxPixels = 100_000_000

// Thumbnail returns a JPEG of the image r holds, its longest side
// ThumbSize pixels at most. Each thumbnail pixel is the mean of the image
// pixels it covers (a box filter): sharp enough for a list, and no
// dependency.
func Thumbnail(r io.ReadSeeker) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, fmt.Errorf("图片尺寸 %d×%d 超出范围", cfg.Width, cfg.Height)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	src, _, err := image.Decode(r)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	if w > ThumbSize || h > ThumbSize {
		if w >= h {
			tw, th = ThumbSize, max(1, h*ThumbSize/w)
		} else {
			tw, th = max(1, w*ThumbSize/h), ThumbSize
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	for y := range th {
		y0, y1 := b.Min.Y+y*h/th, b.Min.Y+max((y+1)*h/th, y*h/th+1)
		for x := range tw {
			x0, x1 := b.Min.X+x*w/tw, b.Min.X+max((x+1)*w/tw, x*w/tw+1)
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					cr, cg, cb, ca := src.At(sx, sy).RGBA()
					r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n >> 8), uint8(g / n >> 8), uint8(bl / n >> 8), uint8(a / n >> 8)})
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, flatten(dst), &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// flatten puts a picture with transparency on white: JPEG has no alpha,
// and a transparent scan would otherwise turn black. The pixels are
// premultiplied by their alpha, so white shows through by what is missing.
func flatten(m *image.RGBA) *image.RGBA {
	for i := 0; i < len(m.Pix); i += 4 {
		a := uint32(m.Pix[i+3])
		for c := range 3 {
			m.Pix[i+c] = uint8(min(uint32(m.Pix[i+c])+255-a, 255))
		}
		m.Pix[i+3] = 255
	}
	return m
}
