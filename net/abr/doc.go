// Package abr chooses the rendition of each segment (adaptive bitrate). It
// owns the throughput estimate and small pure rules in the manner of dash.js
// (src/streaming/rules/abr): ThroughputRule, BolaRule,
// InsufficientBufferRule, SwitchHistoryRule and AbandonRule each read a
// Metrics snapshot and return a Choice with a reason (ReplaceRule, dash.js's
// fast switching, picks a buffered segment to fetch again higher); Controller combines
// them with dash.js's DYNAMIC strategy (throughput below about 6 s of
// audio ahead, BOLA above about 12 s: ThroughputBelow and BolaAbove count
// the buffer without the segment playing) and keeps the little state that
// needs (last choice, strategy, estimate, switch history).
//
// The player asks "which level for the next segment" and reports what
// happened (a download, a stall, an abandoned request). abr does no I/O
// except loading and saving the estimate (Load, Save), and it must not
// import the player, the fetch chain or the cache: whether a segment is
// cached is the player's question.
package abr
