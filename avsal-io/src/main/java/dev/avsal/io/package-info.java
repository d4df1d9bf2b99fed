/** Video and audio decoding (FFmpeg) and saliency outputs: PNG and .npy maps, saliency and overlay videos. */
package dev.avsal.io;
