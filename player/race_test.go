//go:build race

package player

// raceEnabled: the race detector slows decoding several times over, so the
// real-time ALSA test gives the device a longer buffer.
const raceEnabled = true
