"use strict";
// The share page's one script (sharePage in share_page.go), this file and
// share_page_mse.js in turn. Where the browser has Media Source Extensions
// for MP3, oneSource (share_page_mse.js) plays every track through one
// <audio> fed by one MediaSource: each track's stream goes in at the
// sample where the one before ends, its encoder delay and padding (the
// LAME tag of the stream's Info frame) cut off by the SourceBuffer's
// append window, so tracks join as segue's own client joins them
// (measured in Chromium: TestSharePagePlaysTracksGapless). Elsewhere
// perElement plays each track in the <audio> the page was served with,
// the next started by the ended event of the one before (18 to 170 ms
// of silence between tracks in Chromium).
const audios = [...document.querySelectorAll("audio")]; // the page's players, one a track
const rows = [...document.querySelectorAll("tbody")]; // a track's: its names, then its player
const playall = document.getElementById("playall");
const notice = document.getElementById("notice");
const slowAfter = 5000; // ms a player may wait for audio before its row says the link is slow
const slowText = "The connection is slow: this track's audio stopped coming. It goes on by itself once it comes; check the connection if it does not.";
const revokedText = "This share link was revoked after this page opened: ask its owner for a new link.";
// say puts why a track cannot play in its row, or for the whole page.
const say = (el, why) => { el.textContent = why; el.hidden = false; };
const whyOf = (i) => rows[i].querySelector(".why");
// down: no answer (the connection is down), or the origin's proxy or
// catalog says it is down: the next track would fail alike, so Play all
// waits at this one; its play button goes on from it.
const isDown = (status) => status === 0 || status === 502 || status === 503 || status === 504;
// 429: refused, and too many refused tokens came from this address of
// late; the origin never answers it to a link it takes.
const isRevoked = (status) => status === 401 || status === 429;
const cannotText = (status) => status === 403 || status === 404 ?
  "This track was taken out of the playlist, or out of its owner's library, after this page opened: reload the page to see what the playlist holds now." :
  status >= 200 && status < 300 ? "This browser cannot play this track's audio: try another browser, or segue." :
  status === 0 ? "This track could not be loaded: check the connection, then press its play button again." :
  isDown(status) ? "The server of this playlist is not answering for now: press this track's play button again in a minute." :
  "This track could not be loaded: press its play button again, or reload the page.";
// named tells the media session (a phone's lock screen and notification)
// what plays.
const named = (i) => {
  if (!("mediaSession" in navigator) || !rows[i]) return;
  const [title, artist, album] = [...rows[i].querySelectorAll("bdi")].map((b) => b.textContent);
  navigator.mediaSession.metadata = new MediaMetadata({title, artist, album});
};
// label names the Play all button for what pressing it does: pause the
// track playing, resume the one stopped, or play all from the first (the
// keyboard's one way to pause, but for Tab through each player's controls).
const label = (what) => {
  playall.children[0].textContent = what === "Pause" ? "❚❚ " : "▶ ";
  playall.children[1].textContent = what;
};
// A link that stalls (a train's tunnel, a proxy holding the answer) ends
// in no error: the player only waits, at its spinner, for as long as the
// stall lasts. watchStall has the row of track() say so after slowAfter ms
// of waiting while meant to play; the row clears when the audio comes.
const watchStall = (a, track) => {
  let slow = 0;
  const calm = () => { clearTimeout(slow); slow = 0; };
  a.addEventListener("waiting", () => {
    calm();
    slow = setTimeout(() => {
      const i = track();
      if (i >= 0 && !a.paused && !a.error && a.readyState < a.HAVE_FUTURE_DATA) say(whyOf(i), slowText);
    }, slowAfter);
  });
  a.addEventListener("pause", calm);
  a.addEventListener("error", calm);
  a.addEventListener("emptied", calm);
  a.addEventListener("playing", () => { // what said it could not play is past
    calm();
    const i = track();
    if (i >= 0) whyOf(i).hidden = true;
    if (!playall.disabled) notice.hidden = true;
  });
};

// perElement plays each track in its own <audio>: the page without MSE.
const perElement = () => {
  const tracks = audios;
  let wanted = -1; // the track Play all or the end of the one before started: passed over when it cannot play
  let current = -1; // the track played last, until the last one ends
  const mark = () => {
    const a = tracks[current];
    label(!a ? "Play all" : a.paused ? "Resume" : "Pause");
  };
  const start = (i) => {
    wanted = i;
    if (!tracks[i]) {
      current = -1;
      mark();
      return;
    }
    tracks[i].currentTime = 0;
    tracks[i].play().catch(() => {}); // its error handler says why it cannot play
  };
  tracks.forEach((a, i) => {
    a.addEventListener("play", () => {
      current = i;
      mark();
      named(i);
      tracks.forEach((b) => { if (b !== a) b.pause(); });
      rows.forEach((tr, j) => tr.classList.toggle("playing", j === i));
    });
    watchStall(a, () => i);
    a.addEventListener("pause", mark);
    a.addEventListener("ended", () => start(i + 1));
    a.addEventListener("error", async () => {
      if (!a.getAttribute("src")) return; // emptied: the link was revoked
      let status = 0; // what the origin answers for the stream now; 0: no answer
      try { status = (await fetch(a.src, {method: "HEAD", cache: "no-store"})).status; } catch {}
      if (isRevoked(status)) {
        say(notice, revokedText);
        // Each request with the revoked token counts against this address at
        // the origin (too many and its refused tokens get 429 for a while):
        // the players ask no more.
        tracks.forEach((b) => { b.removeAttribute("src"); b.load(); });
        playall.disabled = true;
        return;
      }
      // A failed player does nothing when pressed: it is loaded anew, by
      // setting its src again, which keeps to preload="none" and asks the
      // origin only when pressed. load() fetches at once (Chromium ignores
      // preload="none" for it): it failed again, and this handler loaded it
      // again, asking the origin without end. Pressed, it goes on from where
      // it stopped (a connection lost in the middle of the track).
      const at = a.currentTime;
      a.src = a.getAttribute("src");
      a.currentTime = at;
      say(whyOf(i), cannotText(status));
      if (wanted === i && !isDown(status)) start(i + 1);
    });
  });
  playall.addEventListener("click", () => {
    const a = tracks[current];
    if (!a) return start(0);
    if (!a.paused) {
      a.pause();
    } else {
      wanted = current; // as Play all left it: passed over when it cannot play
      a.play().catch(() => {});
    }
    mark(); // now: the event that marks it comes after
  });
};
