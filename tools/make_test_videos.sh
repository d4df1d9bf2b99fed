#!/usr/bin/env bash
# Makes the small test videos under avsal-io/src/test/resources/video with Debian's ffmpeg CLI (5.1, with libx264):
#   apt-get update && apt-get install -y ffmpeg && tools/make_test_videos.sh
# Their content is known exactly, and dev.avsal.io.TestVideos describes it for the tests:
#  * picture: frame number N (0..255) in binary in the top half: 8 bars left to right, bar b white when bit b of N
#    is set, black otherwise; bottom half: 4 blocks left to right pure red, green, blue and gray 128.
#  * audio: sine tones of known frequencies, gated on during [k, k+0.5) s for integer k (so onsets mark time), or
#    continuous where noted.
# `tools/make_test_videos.sh bench` writes only /tmp/avsal-bench-1080p.mp4 (not committed): 10 s of 1080p30 H.264
# High profile (B-frames, CABAC, ~8.8 Mb/s, with temporal noise so it does not compress like a still) plus AAC, for
# DecodeBenchmarkTest. Re-running the script re-encodes the clips; Matroska/WebM files differ in their random UIDs.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/avsal-io/src/test/resources/video"
mkdir -p "$out"
ff=(ffmpeg -hide_banner -loglevel error -y)
# Existing clips are kept (the tests were written against them); FORCE=1 re-encodes all.
need() { [[ "${FORCE:-0}" == 1 || ! -f "$out/$1" ]]; }

if [[ "${1:-}" == bench ]]; then
  "${ff[@]}" -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=10,noise=alls=12:allf=t" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=10" \
    -c:v libx264 -preset medium -profile:v high -b:v 8M -pix_fmt yuv420p -c:a aac -b:a 128k /tmp/avsal-bench-1080p.mp4
  exit 0
fi

# Bars and colour blocks as a geq expression over the frame number N.
bit="255*mod(floor(N/pow(2,floor(8*X/W))),2)"
q="floor(4*X/W)"
pic() { # $1 = size, $2 = rate, $3 = duration (seconds)
  local top="lt(Y,H/2)"
  echo "color=c=black:s=$1:r=$2:d=$3,format=rgb24,geq=r='if($top,$bit,255*eq($q,0)+128*eq($q,3))':g='if($top,$bit,255*eq($q,1)+128*eq($q,3))':b='if($top,$bit,255*eq($q,2)+128*eq($q,3))'"
}
gate="lt(mod(t,1),0.5)"

# A: mp4, H.264 High (B-frames), 160x96, 25 fps, 3 s (75 frames); AAC 44.1 kHz stereo, L 440 Hz, R 1000 Hz, gated.
need sync_h264_aac44k_stereo.mp4 && "${ff[@]}" -f lavfi -i "$(pic 160x96 25 3)" \
  -f lavfi -i "aevalsrc=exprs='0.5*sin(2*PI*440*t)*$gate|0.5*sin(2*PI*1000*t)*$gate':s=44100:d=3" \
  -c:v libx264 -preset medium -crf 16 -pix_fmt yuv420p -g 25 -bf 2 -c:a aac -b:a 128k \
  -movflags +faststart -shortest "$out/sync_h264_aac44k_stereo.mp4"

# B: mkv, H.264, no audio, variable frame rate: frames 0-24 every 40 ms from 0, 25-39 every 100 ms from 1.0 s,
#    40-59 every 20 ms from 2.5 s (60 frames, last at 2.88 s).
need vfr_h264_noaudio.mkv && "${ff[@]}" -f lavfi -i "$(pic 160x96 50 1.2),settb=1/50,setpts='if(lt(N,25),2*N,if(lt(N,40),50+5*(N-25),125+N-40))'" \
  -fps_mode passthrough -c:v libx264 -preset medium -crf 16 -pix_fmt yuv420p -bf 0 "$out/vfr_h264_noaudio.mkv"

# C: mp4, H.264 coded 160x96 with a display matrix rotating it 90 degrees clockwise (as phones shoot portrait;
#    ffprobe: rotation=-90; shown 96x160), 25 fps, 2 s;
#    AAC 48 kHz 5.1: FL 300, FR 500, FC 700, LFE 100, BL 900, BR 1100 Hz, gated.
need rot90_h264_aac48k_51.mp4 && "${ff[@]}" -f lavfi -i "$(pic 160x96 25 2)" \
  -f lavfi -i "aevalsrc=exprs='0.3*sin(2*PI*300*t)*$gate|0.3*sin(2*PI*500*t)*$gate|0.3*sin(2*PI*700*t)*$gate|0.3*sin(2*PI*100*t)*$gate|0.3*sin(2*PI*900*t)*$gate|0.3*sin(2*PI*1100*t)*$gate':c=5.1:s=48000:d=2" \
  -c:v libx264 -preset medium -crf 16 -pix_fmt yuv420p -g 25 -c:a aac -b:a 192k -shortest /tmp/avsal-rot-src.mp4
# ffmpeg 5.1 writes the rotate tag as a display matrix only when stream-copying.
[[ -f /tmp/avsal-rot-src.mp4 ]] && "${ff[@]}" -i /tmp/avsal-rot-src.mp4 -c copy -metadata:s:v:0 rotate=270 -movflags +faststart "$out/rot90_h264_aac48k_51.mp4"
rm -f /tmp/avsal-rot-src.mp4

# D: webm, VP9 at an odd size 161x119, 25 fps, 2 s; Opus 48 kHz stereo, 440 Hz on both channels, continuous.
need odd_vp9_opus.webm && "${ff[@]}" -f lavfi -i "$(pic 161x119 25 2)" \
  -f lavfi -i "aevalsrc=exprs='0.5*sin(2*PI*440*t)|0.5*sin(2*PI*440*t)':s=48000:d=2" \
  -c:v libvpx-vp9 -crf 20 -b:v 0 -deadline good -cpu-used 4 -pix_fmt yuv420p -g 25 -c:a libopus -b:a 64k \
  -shortest "$out/odd_vp9_opus.webm"

# E: audio only (AAC in m4a, 0.5 s of 440 Hz): no video stream.
need audio_only.m4a && "${ff[@]}" -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=0.5" -c:a aac -b:a 64k "$out/audio_only.m4a"

# F: mkv, H.264 160x96 25 fps 1 s, two AAC mono 44.1 kHz streams: #0 440 Hz (not default), #1 1000 Hz (default),
#    continuous at amplitude 1/8 (the sine source's default).
need two_audio_streams.mkv && "${ff[@]}" -f lavfi -i "$(pic 160x96 25 1)" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=1" -f lavfi -i "sine=frequency=1000:sample_rate=44100:duration=1" \
  -map 0:v -map 1:a -map 2:a -c:v libx264 -preset medium -crf 16 -pix_fmt yuv420p \
  -c:a aac -b:a 64k -disposition:a:0 0 -disposition:a:1 default -shortest "$out/two_audio_streams.mkv"

ls -l "$out"
