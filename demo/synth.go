package demo

import (
	"math"
	"math/rand/v2"
)

// rate is the sample rate of everything the demo synthesizes.
const rate = 44100

// note is one event of a part: a MIDI pitch (0 = rest) starting at beat
// Start and lasting Len beats.
type note struct {
	Pitch      int
	Start, Len float64
}

// voice turns a frequency and a time since note-on into a sample.
type voice func(freq, t, length float64) float64

func midiFreq(p int) float64 { return 440 * math.Pow(2, float64(p-69)/12) }

// envelope is a linear attack and an exponential release after length.
func envelope(t, length, attack, decay float64) float64 {
	a := 1.0
	if t < attack {
		a = t / attack
	}
	if t > length {
		a *= math.Exp(-(t - length) / 0.05)
	}
	return a * math.Exp(-t/decay)
}

// Voices, each recognisably different.
var (
	pad voice = func(f, t, l float64) float64 {
		s := math.Sin(2*math.Pi*f*t) + 0.5*math.Sin(2*math.Pi*f*1.003*t) + 0.25*math.Sin(2*math.Pi*f*2*t)
		return 0.3 * s * envelope(t, l, 0.4, 8)
	}
	pluck voice = func(f, t, l float64) float64 {
		s := math.Sin(2*math.Pi*f*t) + 0.6*math.Sin(4*math.Pi*f*t)*math.Exp(-t*6) + 0.3*math.Sin(6*math.Pi*f*t)*math.Exp(-t*9)
		return 0.45 * s * envelope(t, l, 0.004, 0.6)
	}
	square voice = func(f, t, l float64) float64 {
		s := 1.0
		if math.Mod(f*t, 1) >= 0.5 {
			s = -1
		}
		return 0.18 * s * envelope(t, l, 0.002, 3)
	}
	bell voice = func(f, t, l float64) float64 {
		mod := 2.5 * math.Exp(-t*2) * math.Sin(2*math.Pi*f*3.5*t)
		return 0.35 * math.Sin(2*math.Pi*f*t+mod) * envelope(t, l, 0.002, 1.5)
	}
	bass voice = func(f, t, l float64) float64 {
		s := math.Sin(2*math.Pi*f*t) + 0.3*math.Sin(4*math.Pi*f*t)
		return 0.5 * s * envelope(t, l, 0.01, 1.2)
	}
)

// part is one instrument line, panned between -1 (left) and 1 (right).
type part struct {
	Voice voice
	Notes []note
	Pan   float64
	Gain  float64
}

// render mixes parts at bpm into interleaved stereo float samples lasting
// exactly seconds, with an optional drum pattern (kick on beats, hats on
// off-beats) seeded for repeatability. Drum hits start before period only
// (0: the whole length), so a phrase rendered with its release tail can be
// repeated every period without doubled hits.
func render(seconds, period, bpm float64, drums bool, parts ...part) []float32 {
	n := int(seconds * rate)
	out := make([]float32, 2*n)
	beat := 60 / bpm
	if period == 0 {
		period = seconds
	}
	for _, p := range parts {
		g := p.Gain
		if g == 0 {
			g = 1
		}
		l, r := g*(1-p.Pan)/2, g*(1+p.Pan)/2
		for _, nt := range p.Notes {
			if nt.Pitch == 0 {
				continue
			}
			f := midiFreq(nt.Pitch)
			start := int(nt.Start * beat * rate)
			length := nt.Len * beat
			end := min(n, start+int((length+0.6)*rate))
			for i := max(start, 0); i < end; i++ {
				v := p.Voice(f, float64(i-start)/rate, length)
				out[2*i] += float32(v * l)
				out[2*i+1] += float32(v * r)
			}
		}
	}
	if drums {
		rng := rand.New(rand.NewPCG(1, 2))
		for b := 0.0; b*beat < period; b += 0.5 {
			start := int(b * beat * rate)
			kick := math.Mod(b, 1) == 0
			for i := start; i < min(n, start+rate/4); i++ {
				t := float64(i-start) / rate
				var v float64
				if kick {
					v = 0.6 * math.Sin(2*math.Pi*(50+80*math.Exp(-t*30))*t) * math.Exp(-t*12)
				} else {
					v = 0.12 * (rng.Float64()*2 - 1) * math.Exp(-t*60)
				}
				out[2*i] += float32(v)
				out[2*i+1] += float32(v)
			}
		}
	}
	for i, v := range out { // soft clip keeps dense mixes under full scale
		out[i] = float32(math.Tanh(float64(v)))
	}
	return out
}

// progression turns chord roots into sustained triads of Len beats each.
func progression(roots []int, beats float64, minor []bool) []note {
	var ns []note
	for i, r := range roots {
		third := 4
		if minor[i%len(minor)] {
			third = 3
		}
		for _, iv := range []int{0, third, 7} {
			ns = append(ns, note{Pitch: r + iv, Start: float64(i) * beats, Len: beats})
		}
	}
	return ns
}

// arpeggio plays pattern (semitone offsets) over each root, one note per step.
func arpeggio(roots []int, pattern []int, step float64, perRoot int) []note {
	var ns []note
	t := 0.0
	for _, r := range roots {
		for i := 0; i < perRoot; i++ {
			ns = append(ns, note{Pitch: r + pattern[i%len(pattern)], Start: t, Len: step})
			t += step
		}
	}
	return ns
}

// phraseBeats is how long parts play, in whole beats: the period at which
// they repeat.
func phraseBeats(parts []part) float64 {
	end := 0.0
	for _, p := range parts {
		for _, nt := range p.Notes {
			end = max(end, nt.Start+nt.Len)
		}
	}
	return math.Ceil(end)
}

// releaseTail is how long a phrase rings on after its period (note releases
// and the last drum hit), in seconds.
const releaseTail = 1.0

// repeat lays phrases (interleaved stereo, each ringing on past period
// samples) one after another every period samples, adding each one's tail
// into the start of the next, until the result lasts at least minSeconds;
// phrases[i%len(phrases)] is the i-th repeat. Rendering the phrases once
// and repeating them costs a copy, not a new synthesis.
func repeat(phrases [][]float32, period int, minSeconds float64) []float32 {
	reps := int(math.Ceil(minSeconds * rate / float64(period)))
	out := make([]float32, 2*(reps*period)+len(phrases[0])-2*period)
	for i := range reps {
		for j, v := range phrases[i%len(phrases)] {
			out[2*i*period+j] += v
		}
	}
	return out[:2*reps*period]
}

// fadeOut lowers the last seconds of s linearly to silence.
func fadeOut(s []float32, seconds float64) {
	n := min(int(seconds*rate), len(s)/2)
	for i := range n {
		g := float32(i) / float32(n)
		at := len(s) - 2*(i+1)
		s[at] *= g
		s[at+1] *= g
	}
}
