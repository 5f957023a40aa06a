package install

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// The logo: four cores on a chip, one of them lit — a GIL lets one core
// work at a time. Drawn in code so the PNGs need no binary assets.

// LogoSVG is the scalable logo (logo-svg.svg).
const LogoSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<title>corelab</title>
<rect x="2" y="2" width="60" height="60" rx="12" fill="#1b2838"/>
<rect x="10" y="10" width="20" height="20" rx="4" fill="#00add8"/>
<rect x="34" y="10" width="20" height="20" rx="4" fill="#00add8" fill-opacity="0.35"/>
<rect x="10" y="34" width="20" height="20" rx="4" fill="#00add8" fill-opacity="0.35"/>
<rect x="34" y="34" width="20" height="20" rx="4" fill="#00add8" fill-opacity="0.35"/>
</svg>
`

type roundRect struct {
	x, y, w, h, r float64
	c             color.NRGBA
}

var logoShapes = []roundRect{
	{2, 2, 60, 60, 12, color.NRGBA{0x1b, 0x28, 0x38, 0xff}},
	{10, 10, 20, 20, 4, color.NRGBA{0x00, 0xad, 0xd8, 0xff}},
	{34, 10, 20, 20, 4, color.NRGBA{0x00, 0xad, 0xd8, 0x59}},
	{10, 34, 20, 20, 4, color.NRGBA{0x00, 0xad, 0xd8, 0x59}},
	{34, 34, 20, 20, 4, color.NRGBA{0x00, 0xad, 0xd8, 0x59}},
}

func (r roundRect) contains(x, y float64) bool {
	if x < r.x || y < r.y || x > r.x+r.w || y > r.y+r.h {
		return false
	}
	cx := clamp(x, r.x+r.r, r.x+r.w-r.r)
	cy := clamp(y, r.y+r.r, r.y+r.h-r.r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r.r*r.r
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// LogoPNG renders the logo as a size×size PNG, 4×4 supersampled.
func LogoPNG(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	scale := 64 / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) * scale
					y := (float64(py) + (float64(sy)+0.5)/ss) * scale
					// Composite the shapes over transparent, premultiplied.
					var cr, cg, cb, ca float64
					for _, s := range logoShapes {
						if !s.contains(x, y) {
							continue
						}
						sa := float64(s.c.A) / 255
						cr = float64(s.c.R)*sa + cr*(1-sa)
						cg = float64(s.c.G)*sa + cg*(1-sa)
						cb = float64(s.c.B)*sa + cb*(1-sa)
						ca = sa + ca*(1-sa)
					}
					r, g, b, a = r+cr, g+cg, b+cb, a+ca
				}
			}
			n := float64(ss * ss)
			r, g, b, a = r/n, g/n, b/n, a/n
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r/a + 0.5), uint8(g/a + 0.5), uint8(b/a + 0.5), uint8(a*255 + 0.5)})
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
