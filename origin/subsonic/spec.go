package subsonic

import (
	"encoding/xml"
	"time"

	"segue/catalog"
)

// The wire types of the Subsonic API: one struct per XSD type
// (subsonic-rest-api.xsd, version 1.16.1; OpenSubsonic adds type,
// serverVersion and openSubsonic to the envelope). XML puts scalars in
// attributes and lists in repeated elements; JSON uses the same names,
// lists as arrays (the spec's f=json).

// APIVersion is the Subsonic API version served.
const APIVersion = "1.16.1"

// Namespace is the XML namespace of every Subsonic answer.
const Namespace = "http://subsonic.org/restapi"

// Response is the subsonic-response envelope; exactly one payload field
// (or Error) is set.
type Response struct {
	XMLName       xml.Name `xml:"http://subsonic.org/restapi subsonic-response" json:"-"`
	Status        string   `xml:"status,attr" json:"status"`
	Version       string   `xml:"version,attr" json:"version"`
	Type          string   `xml:"type,attr" json:"type"`
	ServerVersion string   `xml:"serverVersion,attr" json:"serverVersion"`
	OpenSubsonic  bool     `xml:"openSubsonic,attr" json:"openSubsonic"`

	Error                  *Error         `xml:"error" json:"error,omitempty"`
	License                *License       `xml:"license" json:"license,omitempty"`
	OpenSubsonicExtensions *[]Extension   `xml:"openSubsonicExtensions" json:"openSubsonicExtensions,omitempty"`
	MusicFolders           *MusicFolders  `xml:"musicFolders" json:"musicFolders,omitempty"`
	Indexes                *Indexes       `xml:"indexes" json:"indexes,omitempty"`
	Artists                *Artists       `xml:"artists" json:"artists,omitempty"`
	Artist                 *ArtistID3     `xml:"artist" json:"artist,omitempty"`
	Album                  *AlbumID3      `xml:"album" json:"album,omitempty"`
	Song                   *Child         `xml:"song" json:"song,omitempty"`
	AlbumList2             *AlbumList2    `xml:"albumList2" json:"albumList2,omitempty"`
	RandomSongs            *Songs         `xml:"randomSongs" json:"randomSongs,omitempty"`
	SongsByGenre           *Songs         `xml:"songsByGenre" json:"songsByGenre,omitempty"`
	SearchResult3          *SearchResult3 `xml:"searchResult3" json:"searchResult3,omitempty"`
	Playlists              *Playlists     `xml:"playlists" json:"playlists,omitempty"`
	Playlist               *Playlist      `xml:"playlist" json:"playlist,omitempty"`
	Starred2               *SearchResult3 `xml:"starred2" json:"starred2,omitempty"`
	SimilarSongs           *Songs         `xml:"similarSongs" json:"similarSongs,omitempty"`
	SimilarSongs2          *Songs         `xml:"similarSongs2" json:"similarSongs2,omitempty"`
	TopSongs               *Songs         `xml:"topSongs" json:"topSongs,omitempty"`
	Genres                 *Genres        `xml:"genres" json:"genres,omitempty"`
	User                   *UserRoles     `xml:"user" json:"user,omitempty"`
	ScanStatus             *ScanStatus    `xml:"scanStatus" json:"scanStatus,omitempty"`
	Directory              *Directory     `xml:"directory" json:"directory,omitempty"`
	AlbumList              *AlbumList     `xml:"albumList" json:"albumList,omitempty"`
	SearchResult2          *SearchResult2 `xml:"searchResult2" json:"searchResult2,omitempty"`
	Starred                *SearchResult2 `xml:"starred" json:"starred,omitempty"`
	PlayQueue              *PlayQueue     `xml:"playQueue" json:"playQueue,omitempty"`
	ArtistInfo             *ArtistInfo    `xml:"artistInfo" json:"artistInfo,omitempty"`
	ArtistInfo2            *ArtistInfo2   `xml:"artistInfo2" json:"artistInfo2,omitempty"`
	AlbumInfo              *AlbumInfo     `xml:"albumInfo" json:"albumInfo,omitempty"`
	Podcasts               *Podcasts      `xml:"podcasts" json:"podcasts,omitempty"`
	NewestPodcasts         *Episodes      `xml:"newestPodcasts" json:"newestPodcasts,omitempty"`
	InternetRadio          *RadioStations `xml:"internetRadioStations" json:"internetRadioStations,omitempty"`
	Lyrics                 *Lyrics        `xml:"lyrics" json:"lyrics,omitempty"`
	Videos                 *Videos        `xml:"videos" json:"videos,omitempty"`
	ChatMessages           *ChatMessages  `xml:"chatMessages" json:"chatMessages,omitempty"`
	NowPlaying             *NowPlaying    `xml:"nowPlaying" json:"nowPlaying,omitempty"`
	Bookmarks              *Bookmarks     `xml:"bookmarks" json:"bookmarks,omitempty"`
	Shares                 *Shares        `xml:"shares" json:"shares,omitempty"`
	TokenInfo              *TokenInfo     `xml:"tokenInfo" json:"tokenInfo,omitempty"`
}

// TokenInfo is tokenInfo's answer (OpenSubsonic's apiKeyAuthentication):
// whose API key signed the request in.
type TokenInfo struct {
	Username string `xml:"username,attr" json:"username"`
}

// Shares is getShares' answer.
type Shares struct {
	Shares []Share `xml:"share" json:"share"`
}

// Share is a shared playlist: its URL and songs.
type Share struct {
	ID          string  `xml:"id,attr" json:"id"`
	URL         string  `xml:"url,attr" json:"url"`
	Description string  `xml:"description,attr,omitempty" json:"description,omitempty"`
	Username    string  `xml:"username,attr" json:"username"`
	Created     string  `xml:"created,attr" json:"created"`
	VisitCount  int     `xml:"visitCount,attr" json:"visitCount"` // not counted: 0
	Entries     []Child `xml:"entry" json:"entry"`
}

// Bookmarks is getBookmarks' answer.
type Bookmarks struct {
	Bookmarks []Bookmark `xml:"bookmark" json:"bookmark"`
}

// Bookmark is a position a user keeps in a song.
type Bookmark struct {
	Position int64  `xml:"position,attr" json:"position"` // milliseconds into the song
	Username string `xml:"username,attr" json:"username"`
	Comment  string `xml:"comment,attr,omitempty" json:"comment,omitempty"`
	Created  string `xml:"created,attr" json:"created"`
	Changed  string `xml:"changed,attr" json:"changed"`
	Entry    Child  `xml:"entry" json:"entry"`
}

// NowPlaying is getNowPlaying's answer.
type NowPlaying struct {
	Entries []NowPlayingEntry `xml:"entry" json:"entry"`
}

// NowPlayingEntry is a song a player is playing: the song's attributes
// and who plays it.
type NowPlayingEntry struct {
	Child
	Username   string `xml:"username,attr" json:"username"`
	MinutesAgo int    `xml:"minutesAgo,attr" json:"minutesAgo"` // since the player said it started
	PlayerID   int    `xml:"playerId,attr" json:"playerId"`     // one per app (c) of a user
	PlayerName string `xml:"playerName,attr,omitempty" json:"playerName,omitempty"`
}

// The answers of features segue does not have (podcasts, internet
// radio, videos; lyrics are not in its catalog): always empty, so an app's
// screen for them shows nothing rather than an error. Their lists hold
// no element type of their own: they are never filled.

// Podcasts is getPodcasts' answer: no channels.
type Podcasts struct {
	Channels []struct{} `xml:"channel" json:"channel"`
}

// Episodes is getNewestPodcasts' answer: no episodes.
type Episodes struct {
	Episodes []struct{} `xml:"episode" json:"episode"`
}

// RadioStations is getInternetRadioStations' answer: no stations.
type RadioStations struct {
	Stations []struct{} `xml:"internetRadioStation" json:"internetRadioStation"`
}

// Videos is getVideos' answer: no videos (segue's catalog is music).
type Videos struct {
	Videos []struct{} `xml:"video" json:"video"`
}

// ChatMessages is getChatMessages' answer: no messages (segue has no
// chat; addChatMessage is refused).
type ChatMessages struct {
	Messages []struct{} `xml:"chatMessage" json:"chatMessage"`
}

// Lyrics is getLyrics' answer: none (an empty element; in JSON an empty
// value, which OpenSubsonic's lyrics type requires), as Navidrome answers
// a song it has no lyrics for.
type Lyrics struct {
	Artist string `xml:"artist,attr,omitempty" json:"artist,omitempty"`
	Title  string `xml:"title,attr,omitempty" json:"title,omitempty"`
	Text   string `xml:",chardata" json:"value"`
}

// AlbumList is getAlbumList's answer: albums as folders.
type AlbumList struct {
	Albums []Child `xml:"album" json:"album"`
}

// SearchResult2 is search2's answer (and getStarred's, same shape):
// albums as folders.
type SearchResult2 struct {
	Artists []Artist `xml:"artist" json:"artist"`
	Albums  []Child  `xml:"album" json:"album"`
	Songs   []Child  `xml:"song" json:"song"`
}

// Directory is getMusicDirectory's answer: an artist's albums or an
// album's songs (segue's catalog has no folders of its own).
type Directory struct {
	ID         string  `xml:"id,attr" json:"id"`
	Parent     string  `xml:"parent,attr,omitempty" json:"parent,omitempty"`
	Name       string  `xml:"name,attr" json:"name"`
	Starred    string  `xml:"starred,attr,omitempty" json:"starred,omitempty"`
	UserRating int     `xml:"userRating,attr,omitempty" json:"userRating,omitempty"`
	Children   []Child `xml:"child" json:"child"`
}

// Error codes of the Subsonic API (subsonic.org/pages/api.jsp, "Error
// handling") and of OpenSubsonic's API key authentication extension.
const (
	CodeGeneric         = 0
	CodeMissingParam    = 10
	CodeWrongCredential = 40
	CodeTokenNotAllowed = 41 // Subsonic: "for LDAP users"; here: the password cannot be read
	CodeAuthUnsupported = 42
	CodeAuthConflict    = 43
	CodeBadAPIKey       = 44
	CodeNotAuthorized   = 50
	CodeNotFound        = 70
)

// Error is a failed answer's reason.
type Error struct {
	Code    int    `xml:"code,attr" json:"code"`
	Message string `xml:"message,attr" json:"message"`
}

// License is getLicense's answer: segue needs none.
type License struct {
	Valid bool `xml:"valid,attr" json:"valid"`
}

// Extension is one OpenSubsonic extension and the versions served.
type Extension struct {
	Name     string `xml:"name,attr" json:"name"`
	Versions []int  `xml:"versions" json:"versions"`
}

// MusicFolders lists the music folders (segue has one).
type MusicFolders struct {
	Folders []MusicFolder `xml:"musicFolder" json:"musicFolder"`
}

// MusicFolder is one music folder.
type MusicFolder struct {
	ID   int    `xml:"id,attr" json:"id"`
	Name string `xml:"name,attr" json:"name"`
}

// Indexes is getIndexes' answer: artists under their first letter.
type Indexes struct {
	LastModified    int64         `xml:"lastModified,attr" json:"lastModified"` // unix milliseconds
	IgnoredArticles string        `xml:"ignoredArticles,attr" json:"ignoredArticles"`
	Index           []FolderIndex `xml:"index" json:"index"`
}

// FolderIndex is one letter of getIndexes' answer.
type FolderIndex struct {
	Name    string   `xml:"name,attr" json:"name"`
	Artists []Artist `xml:"artist" json:"artist"`
}

// Artist is an artist in getIndexes' answer (the XSD's Artist: no album
// count).
type Artist struct {
	ID      string `xml:"id,attr" json:"id"`
	Name    string `xml:"name,attr" json:"name"`
	Starred string `xml:"starred,attr,omitempty" json:"starred,omitempty"`
	// UserRating is the user's rating, 1 to 5 (setRating); 0 not rated,
	// left out. The same in AlbumID3, Child and Directory.
	UserRating int `xml:"userRating,attr,omitempty" json:"userRating,omitempty"`
}

// Artists is getArtists' answer, the same shape with ArtistID3s.
type Artists struct {
	IgnoredArticles string  `xml:"ignoredArticles,attr" json:"ignoredArticles"`
	Index           []Index `xml:"index" json:"index"`
}

// Index is one letter of an index.
type Index struct {
	Name    string      `xml:"name,attr" json:"name"`
	Artists []ArtistID3 `xml:"artist" json:"artist"`
}

// ArtistID3 is an artist; Albums only in getArtist's answer.
//
// The lists of one item's answer (an artist's albums, an album's songs, a
// playlist's entries, similar artists) are omitzero in JSON: left out
// when nil (the item in a listing), an empty array when the handler set
// an empty one, since apps index them without a null check (Tempo's
// playlist page threw on an empty playlist's missing entry).
type ArtistID3 struct {
	ID         string     `xml:"id,attr" json:"id"`
	Name       string     `xml:"name,attr" json:"name"`
	AlbumCount int        `xml:"albumCount,attr" json:"albumCount"`
	Starred    string     `xml:"starred,attr,omitempty" json:"starred,omitempty"`
	UserRating int        `xml:"userRating,attr,omitempty" json:"userRating,omitempty"` // OpenSubsonic's, as AlbumID3's
	Albums     []AlbumID3 `xml:"album" json:"album,omitzero"`
}

// AlbumID3 is an album; Songs only in getAlbum's answer.
type AlbumID3 struct {
	ID        string `xml:"id,attr" json:"id"`
	Name      string `xml:"name,attr" json:"name"`
	Artist    string `xml:"artist,attr,omitempty" json:"artist,omitempty"`
	ArtistID  string `xml:"artistId,attr,omitempty" json:"artistId,omitempty"`
	CoverArt  string `xml:"coverArt,attr,omitempty" json:"coverArt,omitempty"`
	SongCount int    `xml:"songCount,attr" json:"songCount"`
	Duration  int    `xml:"duration,attr" json:"duration"` // seconds
	Created   string `xml:"created,attr" json:"created"`
	Starred   string `xml:"starred,attr,omitempty" json:"starred,omitempty"`
	Year      int    `xml:"year,attr,omitempty" json:"year,omitempty"`
	// UserRating is OpenSubsonic's: the Subsonic XSD has no rating of an
	// AlbumID3.
	UserRating int     `xml:"userRating,attr,omitempty" json:"userRating,omitempty"`
	Songs      []Child `xml:"song" json:"song,omitzero"`
}

// Child is a song, or an album as a directory (IsDir) in getMusicDirectory.
type Child struct {
	ID          string `xml:"id,attr" json:"id"`
	Parent      string `xml:"parent,attr,omitempty" json:"parent,omitempty"`
	IsDir       bool   `xml:"isDir,attr" json:"isDir"`
	Title       string `xml:"title,attr" json:"title"`
	Album       string `xml:"album,attr,omitempty" json:"album,omitempty"`
	Artist      string `xml:"artist,attr,omitempty" json:"artist,omitempty"`
	Track       int    `xml:"track,attr,omitempty" json:"track,omitempty"`
	Year        int    `xml:"year,attr,omitempty" json:"year,omitempty"`
	Genre       string `xml:"genre,attr,omitempty" json:"genre,omitempty"`
	CoverArt    string `xml:"coverArt,attr,omitempty" json:"coverArt,omitempty"`
	Size        int64  `xml:"size,attr,omitempty" json:"size,omitempty"` // bytes of the default stream (songOf)
	ContentType string `xml:"contentType,attr,omitempty" json:"contentType,omitempty"`
	Suffix      string `xml:"suffix,attr,omitempty" json:"suffix,omitempty"`
	Duration    int    `xml:"duration,attr,omitempty" json:"duration,omitempty"` // seconds
	BitRate     int    `xml:"bitRate,attr,omitempty" json:"bitRate,omitempty"`   // kbit/s of the default stream
	DiscNumber  int    `xml:"discNumber,attr,omitempty" json:"discNumber,omitempty"`
	Starred     string `xml:"starred,attr,omitempty" json:"starred,omitempty"`
	AlbumID     string `xml:"albumId,attr,omitempty" json:"albumId,omitempty"`
	ArtistID    string `xml:"artistId,attr,omitempty" json:"artistId,omitempty"`
	Type        string `xml:"type,attr,omitempty" json:"type,omitempty"`
	UserRating  int    `xml:"userRating,attr,omitempty" json:"userRating,omitempty"`
}

// AlbumList2 is getAlbumList2's answer.
type AlbumList2 struct {
	Albums []AlbumID3 `xml:"album" json:"album"`
}

// Songs is a list of songs (randomSongs, songsByGenre, similarSongs2,
// topSongs).
type Songs struct {
	Songs []Child `xml:"song" json:"song"`
}

// SearchResult3 is search3's answer (and getStarred2's, same shape).
type SearchResult3 struct {
	Artists []ArtistID3 `xml:"artist" json:"artist"`
	Albums  []AlbumID3  `xml:"album" json:"album"`
	Songs   []Child     `xml:"song" json:"song"`
}

// Playlists is getPlaylists' answer.
type Playlists struct {
	Playlists []Playlist `xml:"playlist" json:"playlist"`
}

// Playlist is a playlist; Entries only in getPlaylist's answer.
type Playlist struct {
	ID        string  `xml:"id,attr" json:"id"`
	Name      string  `xml:"name,attr" json:"name"`
	Owner     string  `xml:"owner,attr" json:"owner"`
	Public    bool    `xml:"public,attr" json:"public"`
	SongCount int     `xml:"songCount,attr" json:"songCount"`
	Duration  int     `xml:"duration,attr" json:"duration"` // seconds
	Created   string  `xml:"created,attr" json:"created"`
	Changed   string  `xml:"changed,attr" json:"changed"`
	Entries   []Child `xml:"entry" json:"entry,omitzero"` // see ArtistID3
}

// Genres is getGenres' answer.
// PlayQueue is a user's saved play queue. current is a song ID, a string
// as OpenSubsonic has it (the 1.16.1 XSD says int). Position is always
// there, 0 at the start of the song or with no current, as Subsonic's own
// server writes it: DSub reads it into an int and threw on a queue
// without it.
type PlayQueue struct {
	Current   string  `xml:"current,attr,omitempty" json:"current,omitempty"`
	Position  int64   `xml:"position,attr" json:"position"` // milliseconds into current
	Username  string  `xml:"username,attr" json:"username"`
	Changed   string  `xml:"changed,attr" json:"changed"`
	ChangedBy string  `xml:"changedBy,attr" json:"changedBy"`
	Entries   []Child `xml:"entry" json:"entry"`
}

// ArtistInfo is what getArtistInfo answers: similar artists only (no
// biography or images: segue keeps none).
type ArtistInfo struct {
	SimilarArtists []Artist `xml:"similarArtist" json:"similarArtist,omitzero"` // see ArtistID3
}

// ArtistInfo2 is ArtistInfo with the ID3 artists of getArtistInfo2.
type ArtistInfo2 struct {
	SimilarArtists []ArtistID3 `xml:"similarArtist" json:"similarArtist,omitzero"`
}

// AlbumInfo is what getAlbumInfo and getAlbumInfo2 answer: nothing, as
// segue keeps no notes or images beyond the cover (getCoverArt).
type AlbumInfo struct{}

type Genres struct {
	Genres []Genre `xml:"genre" json:"genre"`
}

// Genre is a genre's name (the element's text; "value" in JSON) and its
// counts.
type Genre struct {
	Name       string `xml:",chardata" json:"value"`
	SongCount  int    `xml:"songCount,attr" json:"songCount"`
	AlbumCount int    `xml:"albumCount,attr" json:"albumCount"`
}

// UserRoles is getUser's answer (the XSD's User): what the signed-in
// user may do.
type UserRoles struct {
	Username          string `xml:"username,attr" json:"username"`
	ScrobblingEnabled bool   `xml:"scrobblingEnabled,attr" json:"scrobblingEnabled"`
	AdminRole         bool   `xml:"adminRole,attr" json:"adminRole"`
	SettingsRole      bool   `xml:"settingsRole,attr" json:"settingsRole"`
	DownloadRole      bool   `xml:"downloadRole,attr" json:"downloadRole"`
	UploadRole        bool   `xml:"uploadRole,attr" json:"uploadRole"`
	PlaylistRole      bool   `xml:"playlistRole,attr" json:"playlistRole"`
	CoverArtRole      bool   `xml:"coverArtRole,attr" json:"coverArtRole"`
	CommentRole       bool   `xml:"commentRole,attr" json:"commentRole"`
	PodcastRole       bool   `xml:"podcastRole,attr" json:"podcastRole"`
	StreamRole        bool   `xml:"streamRole,attr" json:"streamRole"`
	JukeboxRole       bool   `xml:"jukeboxRole,attr" json:"jukeboxRole"`
	ShareRole         bool   `xml:"shareRole,attr" json:"shareRole"`
	VideoRole         bool   `xml:"videoConversionRole,attr" json:"videoConversionRole"`
	Folders           []int  `xml:"folder" json:"folder"`
}

// ScanStatus is getScanStatus' answer: segue ingests from the command
// line, so a scan is never running here. LastScan is not in the Subsonic
// XSD: Navidrome answers it (when its last scan ended), and segue answers
// when the catalog last changed (getIndexes' lastModified), so a client
// that keeps a copy of the library sees when to fetch it again.
type ScanStatus struct {
	Scanning bool   `xml:"scanning,attr" json:"scanning"`
	Count    int    `xml:"count,attr" json:"count"`
	LastScan string `xml:"lastScan,attr,omitempty" json:"lastScan,omitempty"` // xs:dateTime
}

// stamp formats a time as the XSD's xs:dateTime (UTC, milliseconds);
// "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// seconds is a length of ms milliseconds in whole seconds, rounded as
// everywhere in segue (catalog.Seconds: truncated).
func seconds(ms int64) int { return int(catalog.Seconds(ms)) }

// songOf is a track as a Child; starred is when the user starred it. Its
// cover art is its album's (getCoverArt answers 70 when there is none).
// Its size is the length in bytes of what stream without maxBitRate and
// download serve, the rendition BitRate names (catalog.Track.StreamBytes,
// read with the track: no manifest is read), so an app's download
// progress and cache budget come out to the byte.
func songOf(t catalog.Track, starred time.Time) Child {
	return Child{
		ID: t.ID, Parent: t.AlbumID, Title: t.Title, Album: t.Album, Artist: t.Artist,
		Track: t.TrackNo, Year: t.Year, Genre: t.Genre, ContentType: "audio/mpeg", Suffix: "mp3",
		Duration: seconds(t.DurationMS), BitRate: catalog.Bitrates[catalog.RenditionHigh],
		DiscNumber: t.DiscNo, Starred: stamp(starred), AlbumID: t.AlbumID, ArtistID: t.ArtistID, Type: "music",
		CoverArt: t.AlbumID, Size: t.StreamBytes,
	}
}

// albumOf is an album as an AlbumID3, without its songs.
func albumOf(a catalog.Album, created, starred time.Time) AlbumID3 {
	al := AlbumID3{
		ID: a.ID, Name: a.Title, Artist: a.Artist, ArtistID: a.ArtistID, SongCount: a.TrackCount,
		Duration: seconds(a.DurationMS), Created: stamp(created), Starred: stamp(starred), Year: a.Year,
	}
	if al.Created == "" {
		al.Created = stamp(time.Unix(0, 0)) // required by the XSD; the album had no tracks
	}
	if a.HasCover {
		al.CoverArt = a.ID
	}
	return al
}
