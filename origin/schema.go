package origin

// migrations is the catalog schema; migrations[i] is user_version i+1.
// Append, never edit a shipped step.
//
// A track becomes visible to the server in one transaction that inserts its
// row, its segment references and its search entries, after every blob it
// references has been renamed into place; so no half-ingested track or
// missing blob is ever served.
var migrations = []string{`
CREATE TABLE artists (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL
);
CREATE TABLE albums (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	artist_id  TEXT NOT NULL REFERENCES artists(id),
	year       INTEGER NOT NULL DEFAULT 0,
	cover_hash TEXT,            -- blob key of the cover image, NULL when none
	cover_mime TEXT
);
CREATE TABLE tracks (
	id          TEXT PRIMARY KEY,
	path        TEXT NOT NULL UNIQUE, -- relative to the library root
	title       TEXT NOT NULL,
	artist_id   TEXT NOT NULL REFERENCES artists(id),
	album_id    TEXT NOT NULL REFERENCES albums(id),
	track_no    INTEGER NOT NULL DEFAULT 0,
	disc_no     INTEGER NOT NULL DEFAULT 0,
	year        INTEGER NOT NULL DEFAULT 0,
	genre       TEXT NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL,
	file_size   INTEGER NOT NULL,     -- with file_mtime: skip unchanged files
	file_mtime  INTEGER NOT NULL,     -- unix nanoseconds
	manifest    TEXT NOT NULL         -- catalog.Manifest as JSON
);
CREATE INDEX tracks_album ON tracks(album_id, disc_no, track_no);
CREATE INDEX tracks_artist ON tracks(artist_id);
CREATE INDEX albums_artist ON albums(artist_id);

-- segments lists every blob a track references, for garbage collection and
-- for capability checks (is this hash part of that track?).
CREATE TABLE segments (
	track_id  TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
	rendition TEXT NOT NULL,
	idx       INTEGER NOT NULL,
	hash      TEXT NOT NULL,
	size      INTEGER NOT NULL,
	PRIMARY KEY (track_id, rendition, idx)
) WITHOUT ROWID;
CREATE INDEX segments_hash ON segments(hash);

-- search: one row per track, album and artist. kind is 't', 'al' or 'ar'.
CREATE VIRTUAL TABLE search USING fts5(
	kind UNINDEXED, ref_id UNINDEXED, title, artist, album,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '1 2 3 4 5'
);

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,      -- short public id shown by token list
	name       TEXT NOT NULL,
	secret_sha TEXT NOT NULL UNIQUE,  -- sha256 of the bearer secret; the secret is never stored
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);
`,

	// 2: playlists (issue 7).
	`
CREATE TABLE playlists (
	id          TEXT PRIMARY KEY,
	owner       TEXT NOT NULL,          -- tokens.id, or 'local' on an open loopback origin
	name        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,       -- unix milliseconds
	updated_at  INTEGER NOT NULL,
	share_token TEXT UNIQUE             -- capability token of the share URL; NULL when not shared
);
CREATE INDEX playlists_owner ON playlists(owner, name);
-- Tracks are not foreign keys: a re-ingest that drops a track leaves a hole
-- the API skips, rather than silently editing someone's playlist.
CREATE TABLE playlist_tracks (
	playlist_id TEXT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
	pos         INTEGER NOT NULL,
	track_id    TEXT NOT NULL,
	PRIMARY KEY (playlist_id, pos)
) WITHOUT ROWID;
CREATE INDEX playlist_tracks_track ON playlist_tracks(track_id);
`,

	// 3: identity by folded name, album grouping, sort names, compilations
	// (issue 10). upgradeCatalog re-derives every row in Go after this SQL.
	`
ALTER TABLE artists ADD COLUMN sort_key TEXT NOT NULL DEFAULT ''; -- catalog.SortKey of the name and the artist-sort tag
ALTER TABLE albums ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';  -- catalog.SortKey of the title and the album-sort tag
ALTER TABLE albums ADD COLUMN compilation INTEGER NOT NULL DEFAULT 0; -- 1: compilation=1 or Various Artists
ALTER TABLE tracks ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';  -- catalog.SortKey of the title and the title-sort tag
ALTER TABLE tracks ADD COLUMN album_group TEXT NOT NULL DEFAULT ''; -- the tracks that form one album (albumGroup)
ALTER TABLE tracks ADD COLUMN album_artist TEXT NOT NULL DEFAULT ''; -- the album_artist tag; '' when none
ALTER TABLE tracks ADD COLUMN compilation INTEGER NOT NULL DEFAULT 0; -- the compilation=1 tag
CREATE INDEX tracks_group ON tracks(album_group);
CREATE INDEX artists_sort ON artists(sort_key, id);
`,

	// 4: search folds text in Go (issue 10), see search_index.go. The text
	// writers index moves to a plain table; triggers keep search_fts, its
	// folded form, in step, and the copy below rebuilds it.
	`
ALTER TABLE search RENAME TO search_unfolded;
CREATE TABLE search (
	id     INTEGER PRIMARY KEY,  -- the rowid writers give: row's rowid*4 + kind
	kind   TEXT NOT NULL,        -- 't', 'al' or 'ar'
	ref_id TEXT NOT NULL,
	title  TEXT NOT NULL,
	artist TEXT NOT NULL,
	album  TEXT NOT NULL
);
CREATE VIRTUAL TABLE search_fts USING fts5(
	kind UNINDEXED, ref_id UNINDEXED, title, artist, album,
	tokenize = "ascii tokenchars '$+<=>|~'",
	prefix = '1 2 3 4 5'
);
CREATE TRIGGER search_insert AFTER INSERT ON search BEGIN
	INSERT INTO search_fts (rowid, kind, ref_id, title, artist, album)
	VALUES (search_rowid(new.kind, new.id), new.kind, new.ref_id,
		search_fold(new.title, 1), search_fold(new.artist, 0), search_fold(new.album, 0));
END;
CREATE TRIGGER search_delete AFTER DELETE ON search BEGIN
	DELETE FROM search_fts WHERE rowid = search_rowid(old.kind, old.id);
END;
CREATE TRIGGER search_update AFTER UPDATE ON search BEGIN
	DELETE FROM search_fts WHERE rowid = search_rowid(old.kind, old.id);
	INSERT INTO search_fts (rowid, kind, ref_id, title, artist, album)
	VALUES (search_rowid(new.kind, new.id), new.kind, new.ref_id,
		search_fold(new.title, 1), search_fold(new.artist, 0), search_fold(new.album, 0));
END;
INSERT INTO search (id, kind, ref_id, title, artist, album)
	SELECT rowid, kind, ref_id, title, artist, album FROM search_unfolded;
DROP TABLE search_unfolded;
`,

	// 5: tracks whose tags were derived by the schema 3 upgrade, not read
	// from their files, are read again by the next ingest (retag.go).
	`
ALTER TABLE tracks ADD COLUMN tags_version INTEGER NOT NULL DEFAULT 0; -- tagsVersion the row's tags were read under
`,

	// 6: play events (issue 16), see events.go. track_id is no foreign key:
	// history outlives a track dropped by a re-ingest.
	`
CREATE TABLE events (
	id          TEXT PRIMARY KEY,      -- catalog.PlayEvent.ID: a resent event is ignored
	listener    TEXT NOT NULL,         -- tokens.id, or 'local' on an open origin
	track_id    TEXT NOT NULL,
	played_ms   INTEGER NOT NULL,
	completed   INTEGER NOT NULL,      -- 1: played to the end; 0: skipped at position_ms
	position_ms INTEGER NOT NULL DEFAULT 0,
	at          INTEGER NOT NULL,      -- unix milliseconds the play started
	session     TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX events_listener ON events(listener, at);
CREATE INDEX events_at ON events(at);
`,

	// 7: audio features measured at ingest (issue 16), see features.go.
	`
CREATE TABLE track_features (
	track_id    TEXT PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
	file_mtime  INTEGER NOT NULL,  -- tracks.file_mtime measured; another means measure again
	tempo       REAL NOT NULL,     -- BPM (bpm-tools); 0 when not measured
	centroid    REAL NOT NULL,     -- spectral centroid, mean over frames (ffmpeg aspectralstats)
	flatness    REAL NOT NULL,     -- spectral flatness, mean over frames
	rolloff     REAL NOT NULL,     -- spectral roll-off, mean over frames
	rms_db      REAL NOT NULL,     -- RMS level, dBFS (ffmpeg astats)
	crest_db    REAL NOT NULL,     -- peak level minus RMS level, dB
	fingerprint BLOB,              -- Chromaprint raw fingerprint (fpcalc -raw), little-endian uint32s
	recording   TEXT NOT NULL      -- the first track ID of the same recording (by fingerprint); its own when unique
) WITHOUT ROWID;
CREATE INDEX track_features_recording ON track_features(recording);
`,

	// 8: the Subsonic API (issue 19), see origin/subsonic/store.go. A
	// user's password is kept encrypted (AES-256-GCM, key in the data dir),
	// not hashed, because Subsonic token auth (t = md5(password + salt))
	// needs the plaintext.
	`
CREATE TABLE subsonic_users (
	name        TEXT PRIMARY KEY,      -- the u= parameter
	id          TEXT NOT NULL UNIQUE,  -- owner of the user's playlists, listener of its plays
	pass_sealed BLOB,                  -- nonce || AES-GCM(password); NULL: API key only
	api_key_sha TEXT NOT NULL UNIQUE,  -- sha256 of the OpenSubsonic apiKey; the key is never stored
	created_at  INTEGER NOT NULL       -- unix milliseconds
);
CREATE TABLE stars (
	owner      TEXT NOT NULL,          -- subsonic_users.id
	item_id    TEXT NOT NULL,          -- a track, album or artist ID (its prefix says which)
	starred_at INTEGER NOT NULL,       -- unix milliseconds
	PRIMARY KEY (owner, item_id)
) WITHOUT ROWID;
`,

	// 9: album groups (albumGroup) separate their fields with the unit
	// separator instead of NUL, which PostgreSQL's text cannot hold.
	`
UPDATE tracks SET album_group = replace(album_group, char(0), char(31));
`,

	// 10: the peer tracker's announces (tracker.go), in the catalog so
	// every replica serving it sees every announce (issue 18).
	`
CREATE TABLE peers (
	grp        TEXT NOT NULL,     -- tracker group: "owner:TOKEN_ID", "share:TOKEN" or "" (peerGroup)
	id         TEXT NOT NULL,     -- catalog.PeerAnnounce.ID, chosen by the peer
	addr       TEXT NOT NULL,     -- host:port of its peer endpoint
	expires    INTEGER NOT NULL,  -- unix milliseconds; from then on the announce is gone
	tracks_sha TEXT NOT NULL,     -- sha256 of its sorted track IDs: a re-announce of the same set only renews
	PRIMARY KEY (grp, id)
) WITHOUT ROWID;
CREATE INDEX peers_expires ON peers(expires);
CREATE TABLE peer_tracks (
	grp      TEXT NOT NULL,
	track_id TEXT NOT NULL,       -- a track the peer holds in full
	peer_id  TEXT NOT NULL,
	PRIMARY KEY (grp, track_id, peer_id),
	FOREIGN KEY (grp, peer_id) REFERENCES peers(grp, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX peer_tracks_peer ON peer_tracks(grp, peer_id);
`,

	// 11: each track keeps its artist and album tags as written, so the
	// spelling an artist or album shows is chosen from all its tracks
	// (spelling.go), not left to whichever file was stored first. Rows of
	// older ingests get the spelling shown now; tagsVersion 3 has the next
	// ingest read their files' own.
	`
ALTER TABLE tracks ADD COLUMN artist_tag TEXT NOT NULL DEFAULT ''; -- the artist tag, NFC (catalog.Text)
ALTER TABLE tracks ADD COLUMN album_tag TEXT NOT NULL DEFAULT '';  -- the album tag, NFC; '' when none
UPDATE tracks SET artist_tag = (SELECT name FROM artists WHERE artists.id = tracks.artist_id),
	album_tag = CASE WHEN substr(album_group, 1, 7) = 'artist' || char(31) THEN ''
		ELSE (SELECT title FROM albums WHERE albums.id = tracks.album_id) END;
`,

	// 12: each track keeps the cover it brought, so an album's cover is
	// its first track's (chooseCovers), not the last one stored. Rows of
	// older ingests get their album's cover.
	`
ALTER TABLE tracks ADD COLUMN cover_hash TEXT; -- blob key of the track's own cover, NULL when none
ALTER TABLE tracks ADD COLUMN cover_mime TEXT;
UPDATE tracks SET cover_hash = (SELECT cover_hash FROM albums WHERE albums.id = tracks.album_id),
	cover_mime = (SELECT cover_mime FROM albums WHERE albums.id = tracks.album_id);
`,

	// 13: each track keeps its sort tags, so an artist's or album's sort
	// key comes from the one its tracks carry most (spelling.go), not from
	// the last one stored. tagsVersion 4 has the next ingest read them.
	`
ALTER TABLE tracks ADD COLUMN artist_sort TEXT NOT NULL DEFAULT '';       -- the artist-sort tag; '' none
ALTER TABLE tracks ADD COLUMN album_sort TEXT NOT NULL DEFAULT '';        -- the album-sort tag
ALTER TABLE tracks ADD COLUMN album_artist_sort TEXT NOT NULL DEFAULT ''; -- the album_artist-sort tag
`,

	// 14: each track keeps the folder it was ingested from (absolute,
	// symlinks resolved), so ingesting one folder removes only the tracks
	// of that folder whose files disappeared, never another folder's.
	// Rows of older ingests stay '' until an ingest finds their files.
	`
ALTER TABLE tracks ADD COLUMN library TEXT NOT NULL DEFAULT ''; -- the folder ingest was given; path is relative to it
`,

	// 15: tracks_album holds each track's length too, so an album's
	// track count, length and discs (albumCols) are read from the index
	// alone: the length read each track's row, a page each, 11% of a
	// search's CPU time on BenchmarkSearch1M (cpu-p95 2.12-2.20 ms, with
	// this index 2.06-2.09 ms).
	`
DROP INDEX tracks_album;
CREATE INDEX tracks_album ON tracks(album_id, disc_no, track_no, duration_ms);
`,

	// 16: each track keeps when it was first ingested, so the Subsonic
	// API's newest albums are the ones added last (store.go), not the ones
	// whose files changed last: a re-tag or a touch made an old album the
	// newest, and a new album of old files was not. A re-ingest keeps the
	// time (putTrack). Rows of older ingests take their file's time.
	`
ALTER TABLE tracks ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0; -- unix nanoseconds the track was first ingested
UPDATE tracks SET added_at = file_mtime;
CREATE INDEX tracks_added ON tracks(album_id, added_at);
`,

	// 17: when the catalog's music last changed (Reader.Changed), for the
	// Subsonic API's lastModified: a client skips fetching the artists
	// again while it stays put. added_at keeps no trace of a removal or
	// a re-tag, so an ingest or remove that changed tracks sets it
	// (markChanged); it starts at the migration, which a client takes as a
	// change.
	`
CREATE TABLE catalog_changed (
	id INTEGER PRIMARY KEY CHECK (id = 1), -- one row
	at INTEGER NOT NULL                    -- unix milliseconds
);
INSERT INTO catalog_changed (id, at) VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
`,

	// 18: each Subsonic user's play queue (savePlayQueue), see
	// origin/subsonic/store.go. Track IDs are no foreign keys, as in
	// playlists: a track a re-ingest drops is left out when read.
	`
CREATE TABLE play_queues (
	owner       TEXT PRIMARY KEY,         -- subsonic_users.id
	track_ids   TEXT NOT NULL,            -- the queue's track IDs in order, space-separated
	current_id  TEXT NOT NULL DEFAULT '', -- the track playing; '' none
	position_ms INTEGER NOT NULL DEFAULT 0, -- how far into current
	changed_at  INTEGER NOT NULL,         -- unix milliseconds
	changed_by  TEXT NOT NULL DEFAULT ''  -- the app that saved it (its c parameter)
) WITHOUT ROWID;
`,

	// 19: Subsonic bookmarks (createBookmark), a position in a track per
	// user, see origin/subsonic/store.go. Track IDs are no foreign keys,
	// as in play_queues.
	`
CREATE TABLE bookmarks (
	owner       TEXT NOT NULL,            -- subsonic_users.id
	track_id    TEXT NOT NULL,
	position_ms INTEGER NOT NULL,         -- how far into the track
	comment     TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,         -- unix milliseconds
	changed_at  INTEGER NOT NULL,         -- unix milliseconds
	PRIMARY KEY (owner, track_id)
) WITHOUT ROWID;
`,

	// 20: Subsonic ratings (setRating), 1 to 5 per user and song, album
	// or artist, see origin/subsonic/store.go. Item IDs are no foreign
	// keys, as in stars.
	`
CREATE TABLE ratings (
	owner    TEXT NOT NULL,    -- subsonic_users.id
	item_id  TEXT NOT NULL,    -- a track, album or artist ID
	rating   INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
	rated_at INTEGER NOT NULL, -- unix milliseconds
	PRIMARY KEY (owner, item_id)
) WITHOUT ROWID;
`,

	// 21: a Subsonic user's ID is random from now on (AddUser), so a user
	// added again under a removed one's name never owns what a request of
	// the removed one wrote after it went; name_key keeps what the ID was,
	// the name case-folded (catalog.NewID), so names that differ only in
	// case stay one user. Users made before keep their IDs.
	`
ALTER TABLE subsonic_users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE subsonic_users SET name_key = id;
CREATE UNIQUE INDEX subsonic_users_name_key ON subsonic_users(name_key);
`,

	// 22: each track keeps how many bytes its high rendition's segments
	// hold, so a listing knows the length of the track's whole stream in
	// that rendition (Reader's catalog.Track.StreamBytes: the Subsonic
	// API's song size) without reading its manifest. Rows of older
	// ingests sum the segments putTrack wrote with their manifest.
	`
ALTER TABLE tracks ADD COLUMN high_bytes INTEGER NOT NULL DEFAULT 0; -- sum of segments.size of rendition 'high'
UPDATE tracks SET high_bytes = coalesce((SELECT sum(s.size) FROM segments s
	WHERE s.track_id = tracks.id AND s.rendition = 'high'), 0);
`,

	// 23: a word of a script written without spaces between words is
	// indexed by its inner words too (innerWords), so any part of it is
	// found. The search_update trigger folds a row again when it is
	// written: the rows that now hold inner words are (search_has_inner
	// runs search_fold's folding); the others fold as before.
	`
UPDATE search SET title = title WHERE search_has_inner(title || ' ' || artist || ' ' || album);
`}
