package subsonic

import (
	"fmt"
	"strings"
)

// The methods of the Subsonic API (1.16.1) and OpenSubsonic for features
// segue does not have (chat, podcasts, internet radio, videos, the old
// search, changing a share). Each answers what an app handles best: an
// empty list where an app shows the feature's screen (getChatMessages
// here; getPodcasts and the like in New), an image where it shows one
// (getAvatar, avatar.go), and otherwise a Subsonic error with the spec's
// code and a message saying what to do instead. None falls through to
// "unknown API method" (error 70), which apps show as a fault of the
// server rather than a feature it lacks.

// getChatMessages answers no messages: segue has no chat, so an app's
// chat screen shows it empty. since (milliseconds) is not needed to
// answer nothing; it is not checked.
func getChatMessages(*request) *Response {
	res := ok()
	res.ChatMessages = &ChatMessages{Messages: []struct{}{}}
	return res
}

// noChat is why addChatMessage is refused.
const noChat = "chat is not offered by this server: messages are not kept, and getChatMessages is always empty"

// noPodcasts is why the podcast methods that change channels or
// episodes are refused: they need podcastRole, which getUser gives no one.
const noPodcasts = "this server has no podcasts (no user has podcastRole): segue serves its music catalog only; follow podcasts in a podcast app"

// noRadio is why the internet radio methods that change stations are
// refused: they need adminRole, which getUser gives no one.
const noRadio = "only an administrator may change internet radio stations, and this server has none and keeps no stations: getInternetRadioStations is always empty"

// noneHere answers a lookup of a feature segue lacks (getVideoInfo,
// getPodcastEpisode): no ID names a what here, so error 70, as for any ID
// that names nothing of the kind asked, saying why.
func noneHere(what, why string) handler {
	return func(rq *request) *Response {
		id, res := rq.p.require("id")
		if res != nil {
			return res
		}
		return failed(CodeNotFound, fmt.Sprintf("%s %s not found: %s", what, id, why))
	}
}

// noVideos is why no ID is a video's.
const noVideos = "this server has no videos (getVideos is always empty), its catalog is music"

// noHLS answers hls: the song exists (or not), but segue streams it as
// one progressive MP3 only, so this is error 0 with the method to use.
func noHLS(rq *request) *Response {
	if _, res := rq.p.require("id"); res != nil {
		return res
	}
	return failed(CodeGeneric, "hls is not offered by this server: play the song with stream (maxBitRate picks the bit rate, timeOffset where it starts)")
}

// unsupported answers error 0 with msg: a method a user may call but
// this server does not carry out, saying what does instead.
func unsupported(msg string) handler {
	return func(*request) *Response { return failed(CodeGeneric, msg) }
}

// absentHandlers are the handlers of the methods above, by method name,
// for New to add to the ones it serves.
func absentHandlers() map[string]handler {
	return map[string]handler{
		"getChatMessages": getChatMessages,
		"addChatMessage":  refused(noChat),
		"getAvatar":       getAvatar,

		"refreshPodcasts":        refused(noPodcasts),
		"createPodcastChannel":   refused(noPodcasts),
		"deletePodcastChannel":   refused(noPodcasts),
		"deletePodcastEpisode":   refused(noPodcasts),
		"downloadPodcastEpisode": refused(noPodcasts),
		"getPodcastEpisode":      noneHere("podcast episode", "this server has no podcasts (getPodcasts is always empty)"),

		"createInternetRadioStation": refused(noRadio),
		"updateInternetRadioStation": refused(noRadio),
		"deleteInternetRadioStation": refused(noRadio),

		"getVideoInfo": noneHere("video", noVideos),
		"getCaptions":  noneHere("video", noVideos),
		"hls":          noHLS,

		// search is Subsonic 1.0 to 1.3's, deprecated since 1.4.0: an app
		// asks it only of a server that reports an older version
		"search": unsupported("search (Subsonic API 1.0 to 1.3) is not offered by this server, which speaks " + APIVersion + ": use search3, or search2"),
		// a share here is a playlist's URL (createShare): nothing of it to change
		"updateShare": unsupported("a share cannot be changed here: its description is its playlist's name (rename the playlist with updatePlaylist), and shares do not expire (deleteShare ends one)"),
	}
}

// unofferedExtensions names the OpenSubsonic extension of each method
// of an extension this server does not offer (getOpenSubsonicExtensions
// does not list it, so apps should not call it): such a call is error 70,
// as an unknown method, with the extension's name.
var unofferedExtensions = map[string]string{
	"getLyricsBySongId":    "songLyrics",
	"getPlayQueueByIndex":  "indexBasedQueue",
	"savePlayQueueByIndex": "indexBasedQueue",
}

// unknownMethod is the error 70 an unknown method answers.
func unknownMethod(method string) *Response {
	if ext, ok := unofferedExtensions[method]; ok {
		return failed(CodeNotFound, fmt.Sprintf("%s belongs to OpenSubsonic's %s extension, which this server does not offer: getOpenSubsonicExtensions lists the ones it does", method, ext))
	}
	// a URL written with '&' where its parameters begin: "/rest/getAlbum&id=al1"
	// said only that "getAlbum&id=al1" is no method
	if name, params, ok := strings.Cut(method, "&"); ok && strings.Contains(params, "=") {
		return failed(CodeNotFound, fmt.Sprintf("unknown API method %q: '?', not '&', begins a URL's parameters: /rest/%s?%s", method, name, params))
	}
	return failed(CodeNotFound, fmt.Sprintf("unknown API method %q: see getOpenSubsonicExtensions and the README for what this server answers", method))
}
