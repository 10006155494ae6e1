// Package player owns playback: the queue, the engine that turns a track's
// segments into one continuous, gapless, loudness-normalized sample stream,
// and the outputs that stream goes to (alsa, wav, null). It gets segments and
// manifests through the small SegmentSource and ManifestSource interfaces and
// must not import the fetch chain, the cache or the origin client.
package player
