// drive.mjs drives a segue origin's Subsonic API with the subsonic-api
// client library, as an app would: ping, search3, getAlbum, stream, the
// playlist calls, scrobble, a library sync through search3, setRating,
// jukeboxControl and the chat calls with getAvatar. TestNodeClient (client_node_test.go) runs
// it and checks what it prints (one JSON object) against the catalog.
//
// Environment: SEGUE_URL, SEGUE_OUT (where the streamed song is written),
// SEGUE_QUERY, SEGUE_SCROBBLE_MS, and either SEGUE_API_KEY or SEGUE_USER
// with SEGUE_PASSWORD (token auth: the library sends t=md5(password+s)).
// SEGUE_POST=1 sends every call as a form POST (OpenSubsonic formPost).
import { writeFileSync } from "node:fs";
import { SubsonicAPI } from "subsonic-api";

const env = process.env;
const auth = env.SEGUE_API_KEY
  ? { apiKey: env.SEGUE_API_KEY }
  : { username: env.SEGUE_USER, password: env.SEGUE_PASSWORD };
const api = new SubsonicAPI({ url: env.SEGUE_URL, auth, post: env.SEGUE_POST === "1" });

// must fails loudly on an API error, so the Go test sees the reason.
function must(name, res) {
  if (!res || res.status !== "ok") {
    throw new Error(`${name}: ${JSON.stringify(res)}`);
  }
  return res;
}

const out = {};
out.ping = must("ping", await api.ping()).status;

const found = must("search3", await api.search3({ query: env.SEGUE_QUERY })).searchResult3;
const song = found.song[0];
out.song = { id: song.id, title: song.title, albumId: song.albumId, size: song.size };

const album = must("getAlbum", await api.getAlbum({ id: song.albumId })).album;
out.album = { name: album.name, songCount: album.songCount, songs: album.song.map((s) => s.title) };

const stream = await api.stream({ id: song.id });
const bytes = Buffer.from(await stream.arrayBuffer());
writeFileSync(env.SEGUE_OUT, bytes);
out.stream = { status: stream.status, type: stream.headers.get("content-type"), bytes: bytes.length };

const ids = album.song.map((s) => s.id);
const created = must("createPlaylist", await api.createPlaylist({ name: "Road trip", songId: ids })).playlist;
const listed = must("getPlaylists", await api.getPlaylists()).playlists.playlist ?? [];
must("updatePlaylist", await api.updatePlaylist({ playlistId: created.id, songIndexToRemove: 0, name: "Road trip 2" }));
const updated = must("getPlaylist", await api.getPlaylist({ id: created.id })).playlist;
out.playlist = {
  created: created.entry.length,
  listed: listed.some((p) => p.id === created.id && p.songCount === ids.length),
  name: updated.name,
  after: (updated.entry ?? []).map((s) => s.id),
};
must("deletePlaylist", await api.deletePlaylist({ id: created.id }));
out.playlist.remaining = (must("getPlaylists", await api.getPlaylists()).playlists.playlist ?? []).length;

out.scrobble = must("scrobble", await api.scrobble({ id: song.id, time: Number(env.SEGUE_SCROBBLE_MS) })).status;

// a sync as Symfonium's: every song, query "" page by page, until a short page
out.synced = [];
for (let offset = 0; ; offset += 2) {
  const page = must("search3 sync", await api.search3({ query: '""', songCount: 2, songOffset: offset, albumCount: 0, artistCount: 0 }))
    .searchResult3.song ?? [];
  out.synced.push(...page.map((s) => s.id));
  if (page.length < 2) break;
}

must("setRating", await api.setRating({ id: song.id, rating: 4 }));
out.rating = must("getSong", await api.getSong({ id: song.id })).song.userRating;
must("setRating 0", await api.setRating({ id: song.id, rating: 0 }));

out.jukebox = (await api.jukeboxControl({ action: "status" })).error?.code;

// a chat screen, as DSub's: the messages (none here), a post (refused) and
// the poster's avatar (every user's is the same picture here)
out.chat = (must("getChatMessages", await api.getChatMessages()).chatMessages.chatMessage ?? [null]).length;
out.chatPost = (await api.addChatMessage({ message: "hello" })).error?.code;
const avatar = await api.getAvatar({ username: env.SEGUE_USER ?? "anyone" });
out.avatar = { status: avatar.status, type: avatar.headers.get("content-type"), bytes: (await avatar.arrayBuffer()).byteLength };

console.log(JSON.stringify(out));
