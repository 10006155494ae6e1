package player

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"segue/catalog"
)

// stateFile is the resume file's name inside the state directory.
const stateFile = "queue.json"

// SavedState is what survives a restart: the queue, where playback was, the
// volume and the repeat mode.
type SavedState struct {
	Tracks     []catalog.Track `json:"tracks"`
	Index      int             `json:"index"`
	PositionMS int64           `json:"position_ms"`
	Volume     int             `json:"volume"`
	Repeat     string          `json:"repeat"`
}

// Snapshot returns the player's state for SaveState.
func (p *Player) Snapshot() SavedState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return SavedState{
		Tracks:     p.queue.Tracks(),
		Index:      p.queue.Index(),
		PositionMS: (p.positionLocked()*1000 + catalog.SampleRate/2) / catalog.SampleRate, // nearest ms
		Volume:     p.volume,
		Repeat:     p.queue.Repeat().String(),
	}
}

// Restore loads s into the player, paused at the saved position: Resume
// continues from there.
func (p *Player) Restore(s SavedState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := NewQueue()
	q.Add(s.Tracks...)
	if !q.Jump(s.Index) {
		q.cur = -1
	}
	r, _ := ParseRepeat(s.Repeat)
	q.SetRepeat(r)
	p.queue = q
	p.volume = min(max(s.Volume, 0), 100)
	p.paused = q.Index() >= 0
	p.restartLocked(s.PositionMS * catalog.SampleRate / 1000)
	if p.paused {
		p.setState(Paused)
	}
}

// SaveState writes s to dir/queue.json atomically (temp file + rename).
func SaveState(dir string, s SavedState) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode player state: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save player state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, stateFile+".*")
	if err != nil {
		return fmt.Errorf("save player state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save player state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save player state: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("save player state: %w", err)
	}
	return nil
}

// LoadState reads dir/queue.json. A missing file is no error: it returns
// an empty state with full volume.
func LoadState(dir string) (SavedState, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if os.IsNotExist(err) {
		return SavedState{Index: -1, Volume: 100, Repeat: "off"}, nil
	}
	if err != nil {
		return SavedState{}, fmt.Errorf("load player state: %w", err)
	}
	var s SavedState
	if err := json.Unmarshal(b, &s); err != nil {
		return SavedState{}, fmt.Errorf("load player state from %s (delete it to start fresh): %w", filepath.Join(dir, stateFile), err)
	}
	return s, nil
}
