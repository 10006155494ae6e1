package abr

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"segue/internal/atomicfile"
)

// StateFile is the estimate's file name inside the state directory.
const StateFile = "abr.json"

// Load restores the estimate saved in dir/abr.json, softened so fresh
// samples take over within a few seconds of downloads (the network may
// have changed). A missing file is no error.
func (c *Controller) Load(dir string) error {
	path := filepath.Join(dir, StateFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load throughput estimate: %w", err)
	}
	e := NewEstimator()
	if err := json.Unmarshal(b, &e); err != nil || e.Fast.HalfLife != FastHalfLife || e.Slow.HalfLife != SlowHalfLife ||
		e.Kbps() < 0 || e.Fast.Weight < 0 || e.Slow.Weight < 0 {
		return fmt.Errorf("load throughput estimate from %s (delete it to start fresh): not a saved estimate", path)
	}
	e.soften()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.est = e
	return nil
}

// Save writes the estimate to dir/abr.json, whole and durably (atomicfile).
func (c *Controller) Save(dir string) error {
	c.mu.Lock()
	b, err := json.Marshal(c.est)
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("save throughput estimate: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save throughput estimate: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, StateFile), b); err != nil {
		return fmt.Errorf("save throughput estimate: %w", err)
	}
	return nil
}
