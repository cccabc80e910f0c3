#!/usr/bin/env bash
# check-demo-video.sh VIDEO VTT: checks the committed demo video (make
# demo-video) and its captions, by what ffprobe and ffmpeg read from them:
#   - a WebM of one VP9 video stream (1280x720) and one Opus sound track;
#   - its duration between MIN_S and 600 s (seed 004: at most 10 minutes);
#   - frames decodable at five given times, each 1280x720 and not blank
#     (luma spread > 40) and all different;
#   - the WebVTT file parses: "WEBVTT" first, every cue "start --> end" with
#     start < end, starts in order, every cue within the video's duration;
#     at least 20 cues, and they tell the parts the demo must show.
# Exit 77 (skipped) without ffprobe/ffmpeg (scripts/deps.sh test installs them).
set -euo pipefail
video=${1:?usage: check-demo-video.sh VIDEO VTT}
vtt=${2:?usage: check-demo-video.sh VIDEO VTT}
MIN_S=${MIN_S:-120}
command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null || {
    echo "skipped: ffprobe/ffmpeg not installed (scripts/deps.sh test)"
    exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -s "$video" ] || fail "no video at $video (make demo-video)"
[ -s "$vtt" ] || fail "no captions at $vtt (make demo-video)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

probe() { ffprobe -v error "$@" "$video"; }
format=$(probe -show_entries format=format_name -of csv=p=0)
[[ $format == *webm* ]] || fail "not a WebM: $format"
v=$(probe -select_streams v -show_entries stream=codec_name,width,height -of csv=p=0)
[ "$v" = "vp9,1280,720" ] || fail "video stream: want vp9,1280,720, got '$v'"
a=$(probe -select_streams a -show_entries stream=codec_name -of csv=p=0)
[ "$a" = opus ] || fail "sound track: want opus, got '$a'"
dur=$(probe -show_entries format=duration -of csv=p=0)
awk -v d="$dur" -v min="$MIN_S" 'BEGIN { exit !(d >= min && d <= 600) }' ||
    fail "duration $dur s is not within $MIN_S..600 s"
echo "ok: $(basename "$video"): VP9 1280x720 + Opus, $dur s, $(stat -c %s "$video") bytes"

sums=()
for f in 0.05 0.25 0.5 0.75 0.97; do
    t=$(awk -v d="$dur" -v f="$f" 'BEGIN { printf "%.2f", d * f }')
    png=$tmp/frame-$t.png
    ffmpeg -v quiet -ss "$t" -i "$video" -frames:v 1 -y "$png" && [ -s "$png" ] || fail "no frame decodable at $t s"
    size=$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$png")
    [ "$size" = "1280,720" ] || fail "the frame at $t s is $size"
    spread=$(ffmpeg -v error -i "$png" -vf signalstats,metadata=print:file=- -f null - |
        awk -F= '/YMIN=/ { lo = $2 } /YMAX=/ { hi = $2 } END { print hi - lo }')
    [ "${spread:-0}" -gt 40 ] || fail "the frame at $t s is blank (luma spread ${spread:-0})"
    sums+=("$(ffmpeg -v error -i "$png" -f md5 -)")
    echo "ok: frame at $t s decoded, luma spread $spread"
done
# five moments of one demo show five different pictures
[ "$(printf '%s\n' "${sums[@]}" | sort -u | wc -l)" = 5 ] || fail "some of the five frames are the same picture"

awk -v d="$dur" '
    function secs(ts,   p) { split(ts, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
    NR == 1 { sub(/^\xef\xbb\xbf/, ""); if ($0 !~ /^WEBVTT/) { print "no WEBVTT header"; bad = 1; exit } next }
    / --> / {
        if ($1 !~ /^[0-9][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9][0-9][0-9]$/ || $3 !~ /^[0-9][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9][0-9][0-9]$/) {
            print "bad timing line " NR ": " $0; bad = 1; exit
        }
        s = secs($1); e = secs($3); n++
        if (s >= e) { print "cue " n " ends before it starts"; bad = 1; exit }
        if (s < last) { print "cue " n " starts before the one before it"; bad = 1; exit }
        if (e > d + 0.05) { print "cue " n " ends at " e " s, after the video (" d " s)"; bad = 1; exit }
        last = s; intext = 1; next
    }
    /^$/ { intext = 0; next }
    intext { text = text " " tolower($0) }
    END {
        if (bad) exit 1
        if (n < 20) { print "only " n " cues"; exit 1 }
        split("make up|succeeds|organizer|declined|waitlist|gate|client-app|ticket-app|payment-app|the api", want, "|")
        for (i in want) if (index(text, want[i]) == 0) {
            print "no cue tells about \"" want[i] "\""; exit 1
        }
        print "ok: " n " cues, the last ending at " e " s"
    }' "$vtt" || fail "captions $vtt"
