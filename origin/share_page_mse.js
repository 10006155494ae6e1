// The share page's player where the browser has Media Source Extensions
// for MP3 (share_page.js has what it shares with the fallback).

// gaplessInfo reads the start of an MP3 stream b (bytes): its sample rate,
// the samples to cut before the track's first (skip: the encoder delay of
// the Info frame's LAME tag; Chromium's MP3 decoder drops its own 529 of
// decoder delay itself: with 529 more cut, two tracks cut from one sine
// joined with 11.5 ms of silence and lost 12 ms of each), the samples of
// the track (keep: Infinity without an Info frame) and the byte offset of
// its first audio frame (after an ID3v2 tag and the Info frame, which
// holds no audio). null: b is too short to tell yet. It throws for what is
// no MPEG-1 Layer III (the origin's renditions all are).
const gaplessInfo = (b) => {
  let o = 0;
  if (b.length < 10) return null;
  if (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) { // "ID3": a tag of a syncsafe size before the audio
    o = 10 + ((b[6] & 127) << 21 | (b[7] & 127) << 14 | (b[8] & 127) << 7 | (b[9] & 127));
  }
  if (b.length < o + 4) return null;
  if (b[o] !== 0xff || (b[o + 1] & 0xfe) !== 0xfa) throw new Error("not MPEG-1 Layer III");
  const kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320][b[o + 2] >> 4];
  const rate = [44100, 48000, 32000][(b[o + 2] >> 2) & 3];
  if (!kbps || !rate) throw new Error("not MPEG-1 Layer III");
  const len = Math.floor(144000 * kbps / rate) + ((b[o + 2] >> 1) & 1);
  if (b.length < o + len) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let t = o + 4 + ((b[o + 3] >> 6) === 3 ? 17 : 32) + (b[o + 1] & 1 ? 0 : 2); // header, side info, CRC
  const tag = String.fromCharCode(b[t], b[t + 1], b[t + 2], b[t + 3]);
  if (tag !== "Info" && tag !== "Xing") return {rate, skip: 529, keep: Infinity, audio: o};
  const flags = dv.getUint32(t + 4);
  t += 8;
  let frames = 0;
  if (flags & 1) { frames = dv.getUint32(t); t += 4; }
  if (flags & 2) t += 4; // bytes
  if (flags & 4) t += 100; // seek table
  if (flags & 8) t += 4; // quality
  // the LAME tag: encoder delay and padding, 12 bits each, at its byte 21
  const delay = b[t + 21] << 4 | b[t + 22] >> 4, padding = (b[t + 22] & 15) << 8 | b[t + 23];
  const keep = frames ? frames * 1152 - delay - padding : Infinity;
  return {rate, skip: delay, keep: keep > 0 ? keep : Infinity, audio: o + len};
};

const clock = (s) => { s = Math.max(0, Math.floor(s)); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); };

// oneSource plays the tracks through one <audio> and one MediaSource. A
// session (s) is one MediaSource, from the track pressed (or the first,
// for Play all) on: the track playing is downloaded whole, then the next
// (load), each placed at the time the one before ends (s.starts). Each row's
// <audio> is swapped for a play button, a position slider and the time.
const oneSource = () => {
  const srcs = audios.map((a) => a.getAttribute("src"));
  const player = document.createElement("audio");
  player.preload = "none";
  player.hidden = true;
  document.querySelector("main").append(player);
  const ctls = audios.map((a, j) => {
    const name = a.getAttribute("aria-label");
    const div = document.createElement("div");
    div.className = "ctl";
    const btn = document.createElement("button");
    btn.type = "button";
    const pos = document.createElement("input");
    pos.type = "range";
    pos.min = 0;
    pos.step = "any";
    pos.max = (Number(a.dataset.ms) || 0) / 1000;
    pos.value = 0;
    pos.setAttribute("aria-label", name);
    const time = document.createElement("span");
    div.append(btn, pos, time);
    a.replaceWith(div);
    const c = {btn, pos, time, name, held: false, moved: false};
    btn.addEventListener("click", () => press(j));
    // Dragging (or the keys of) the slider of the track playing moves the
    // player along; another track's slider starts that track where it is
    // let go.
    pos.addEventListener("pointerdown", () => { c.held = true; });
    pos.addEventListener("input", () => {
      if (j === current && s && !resume && !player.ended) {
        player.currentTime = s.starts[j] + Number(pos.value);
        c.moved = true;
      }
    });
    pos.addEventListener("change", () => {
      if (!c.moved) play(j, Number(pos.value), false);
      c.held = c.moved = false;
    });
    return c;
  });
  let s = null; // the session playing, or stopped by a track that could not load
  let current = -1; // the track heard last, until the last one ends
  let resume = null; // {i, at}: the track (and s into it) a session stopped at, for its button and Play all
  let revoked = false;
  // trackAt is the track of s at time t of the player.
  const trackAt = (t) => {
    let j = s.first;
    while (s.starts[j + 1] !== undefined && j + 1 < srcs.length && t >= s.starts[j + 1]) j++;
    return j;
  };
  const show = () => {
    if (s && !player.ended) {
      const j = trackAt(player.currentTime);
      if (j !== current) { current = j; named(j); }
    }
    rows.forEach((tr, j) => tr.classList.toggle("playing", j === current));
    ctls.forEach((c, j) => {
      const at = j === current && s && !resume ? player.currentTime - s.starts[j] : resume && resume.i === j ? resume.at : 0;
      if (!c.held) c.pos.value = at;
      c.time.textContent = clock(at) + " / " + clock(Number(c.pos.max));
      const playing = j === current && !player.paused && !resume;
      c.btn.textContent = playing ? "❚❚" : "▶";
      c.btn.setAttribute("aria-label", (playing ? "Pause " : "Play ") + c.name);
    });
    label(current < 0 ? "Play all" : player.paused || resume ? "Resume" : "Pause");
  };
  const idle = (ss) => ss.sb.updating ? new Promise((r) => ss.sb.addEventListener("updateend", r, {once: true})) : Promise.resolve();
  // append appends buf to the session's buffer; full (Chromium keeps about
  // 12 MB of audio), it drops what played over 10 s ago, or waits for it.
  const append = async (ss, buf) => {
    for (;;) {
      await idle(ss);
      if (ss !== s) return;
      try {
        ss.sb.appendBuffer(buf);
        await idle(ss);
        return;
      } catch (e) {
        if (e.name !== "QuotaExceededError") throw e;
        const played = player.currentTime - 10, from = ss.sb.buffered.length ? ss.sb.buffered.start(0) : 0;
        if (played > from + 1) {
          ss.sb.remove(from, played);
        } else {
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  };
  // feed appends track j's stream from reader, placed at s.starts[j], and
  // sets where the next track starts.
  const feed = async (ss, j, reader) => {
    let head = new Uint8Array(0), g = null;
    for (;;) {
      const {done, value} = await reader.read();
      if (ss !== s) { reader.cancel(); return; }
      if (done) break;
      let buf = value;
      if (!g) {
        const more = new Uint8Array(head.length + value.length);
        more.set(head);
        more.set(value, head.length);
        head = more;
        g = gaplessInfo(head);
        if (!g) continue;
        await idle(ss);
        if (ss !== s) return;
        ss.sb.abort(); // a fresh parse; the append window back to all
        const t0 = ss.starts[j];
        ss.sb.appendWindowStart = t0;
        ss.sb.appendWindowEnd = t0 + g.keep / g.rate;
        ss.sb.timestampOffset = t0 - g.skip / g.rate;
        if (g.keep !== Infinity) {
          ss.starts[j + 1] = t0 + g.keep / g.rate;
          ctls[j].pos.max = g.keep / g.rate;
          // the track's whole length, so a skip past what came waits for it
          // (the player keeps currentTime within the duration)
          if (!(ss.ms.duration >= ss.starts[j + 1])) ss.ms.duration = ss.starts[j + 1];
        }
        buf = head.subarray(g.audio);
      }
      if (buf.length) await append(ss, buf);
    }
    if (!g) throw new Error("not MP3");
    if (ss.starts[j + 1] === undefined) ss.starts[j + 1] = ss.sb.buffered.end(ss.sb.buffered.length - 1);
    ss.done[j] = true;
  };
  // end ends the session's stream: the player ends where its audio ends.
  const end = async (ss) => {
    await idle(ss);
    try {
      if (ss === s && ss.ms.readyState === "open") ss.ms.endOfStream();
    } catch {} // the player left this source meanwhile
  };
  const stop = () => {
    if (s) s.ctl.abort();
    s = null;
  };
  const revoke = () => {
    revoked = true;
    say(notice, revokedText);
    // Each request with the revoked token counts against this address at
    // the origin (too many and its refused tokens get 429 for a while):
    // the page asks no more.
    stop();
    player.removeAttribute("src");
    player.load();
    playall.disabled = true;
    ctls.forEach((c) => { c.btn.disabled = true; c.pos.disabled = true; });
    current = -1;
    show();
  };
  // failed says why track j of ss cannot play; it is passed over (the next
  // placed where it would have started), unless it is the track pressed or
  // the origin is down, where the session ends at it.
  const failed = (ss, j, status) => {
    if (isRevoked(status)) return revoke(), true;
    say(whyOf(j), cannotText(status));
    if (!isDown(status) && (j !== ss.first || ss.all)) {
      ss.starts[j + 1] = ss.starts[j];
      return false;
    }
    ss.broken = j;
    const loaded = player.readyState > player.HAVE_NOTHING, heard = loaded ? trackAt(player.currentTime) : j;
    if (heard < j) {
      end(ss); // the tracks before it play to their end ("ended")
      return true;
    }
    // It stops now, as a player whose link failed does, its button going
    // on from where it stopped.
    resume = {i: j, at: loaded ? Math.max(0, player.currentTime - ss.starts[j]) : j === ss.first ? ss.at : 0};
    current = j;
    stop();
    player.pause();
    show();
    return true;
  };
  // load fetches the tracks of ss from j on, each once the one fed before
  // it is heard: the track playing and the next, never the playlist ahead.
  const load = async (ss, j) => {
    let fed = -1; // the track fed last
    for (; j < srcs.length; j++) {
      while (fed >= 0 && current < fed) {
        await new Promise((r) => setTimeout(r, 500));
        if (ss !== s) return;
      }
      let r = null, status = 0;
      try {
        r = await fetch(srcs[j], {signal: ss.ctl.signal});
        status = r.status;
      } catch {}
      if (ss !== s) return;
      if (status < 200 || status > 299) {
        if (failed(ss, j, status)) return;
        continue;
      }
      try {
        await feed(ss, j, r.body.getReader());
      } catch (e) {
        if (ss !== s) return;
        // a read cut off (the connection lost mid-track), or bytes the
        // browser cannot play: passed over as a refused track is
        if (failed(ss, j, e instanceof TypeError ? 0 : 200)) return;
        continue;
      }
      if (ss !== s) return;
      fed = j;
    }
    end(ss);
  };
  // play starts a session at track i, at s into it; all: Play all or the
  // end of the track before started it (a track it cannot play is passed
  // over).
  const play = (i, at, all) => {
    stop();
    resume = null;
    if (!srcs[i] || revoked) {
      current = -1;
      player.pause();
      show();
      return;
    }
    const ms = new MediaSource();
    const ss = s = {ms, first: i, at, starts: {[i]: 0}, done: {}, ctl: new AbortController(), all};
    ms.addEventListener("sourceopen", () => {
      if (ss !== s) return;
      ss.sb = ms.addSourceBuffer("audio/mpeg");
      ss.sb.mode = "sequence"; // MP3 has no timestamps: each append is placed by timestampOffset
      load(ss, i);
    }, {once: true});
    if (at > 0) player.addEventListener("loadedmetadata", () => { if (ss === s) player.currentTime = at; }, {once: true});
    URL.revokeObjectURL(player.src);
    player.src = URL.createObjectURL(ms);
    current = i;
    named(i);
    player.play().catch(() => {}); // failures are the session's: load says why
    show();
  };
  const press = (j) => {
    if (resume && resume.i === j) return play(j, resume.at, false);
    if (j === current && s && !player.ended) {
      if (player.paused) player.play().catch(() => {}); else player.pause();
      return;
    }
    play(j, 0, false);
  };
  // A seek back to audio the buffer let go (played over 10 s ago, of a
  // track too long to keep whole) fetches that track again from there.
  player.addEventListener("seeking", () => {
    if (!s || resume) return;
    const t = player.currentTime, b = player.buffered;
    for (let k = 0; k < b.length; k++) if (t >= b.start(k) && t <= b.end(k)) return;
    const j = trackAt(t);
    if (s.done[j]) play(j, t - s.starts[j], s.all);
  });
  player.addEventListener("timeupdate", show);
  player.addEventListener("play", show);
  player.addEventListener("pause", show);
  watchStall(player, () => current);
  player.addEventListener("ended", () => {
    if (s && s.broken !== undefined) { // stopped at a track that could not load: its button goes on from there
      const j = s.broken;
      resume = {i: j, at: Math.max(0, player.currentTime - (s.starts[j] ?? player.currentTime))};
      current = j;
    } else {
      current = -1;
    }
    stop();
    show();
  });
  player.addEventListener("error", () => {
    if (!s || !player.error) return;
    if (current >= 0) say(whyOf(current), cannotText(200));
    stop();
    current = -1;
    show();
  });
  playall.addEventListener("click", () => {
    if (resume) return play(resume.i, resume.at, true);
    if (current < 0 || !s) return play(0, 0, true);
    if (player.paused) {
      s.all = true;
      player.play().catch(() => {});
    } else {
      player.pause();
    }
    show(); // now: the event that shows it comes after
  });
  if ("mediaSession" in navigator) {
    const go = (d) => () => { if (current >= 0) play(Math.max(0, current + d), 0, true); };
    try {
      navigator.mediaSession.setActionHandler("nexttrack", go(1));
      navigator.mediaSession.setActionHandler("previoustrack", go(-1));
    } catch {} // an action this browser does not know
  }
  show();
};

// The script's start.
if (window.MediaSource && MediaSource.isTypeSupported("audio/mpeg")) oneSource(); else perElement();
