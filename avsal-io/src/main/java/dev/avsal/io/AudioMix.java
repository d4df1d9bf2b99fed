package dev.avsal.io;

/** How the channels of the source audio become the one mono channel of the audio windows. */
public enum AudioMix {
    /** Plain average of all channels (default): every channel counts, nothing clips. */
    MEAN,
    /** The first channel only (what ImageBind itself does: kaldi fbank reads channel 0 of a multichannel clip). */
    FIRST_CHANNEL,
    /** FFmpeg's standard downmix matrix (centre and surrounds at -3 dB, LFE dropped); may exceed [-1, 1]. */
    FFMPEG_DOWNMIX
}
