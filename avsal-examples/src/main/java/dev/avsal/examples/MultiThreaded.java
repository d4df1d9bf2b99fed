package dev.avsal.examples;

import dev.avsal.AvSalPredictor;
import dev.avsal.SaliencyMap;
import dev.avsal.SaliencySession;
import dev.avsal.io.VideoFrame;
import dev.avsal.io.VideoReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Example: several threads sharing one {@link AvSalPredictor}, as its javadoc allows (the predictor and its model
 * are thread-safe; the weights are loaded once). Each thread streams its own video through its own
 * {@link SaliencySession} (a session carries one video's temporal state and belongs to one thread) and its own
 * {@link VideoReader} (readers are not thread-safe either).
 *
 * <p>On a CPU the threads share LibTorch's intra-op pool, so this mostly overlaps decoding with inference and
 * keeps the cores busy between small operations; give the predictor {@code optThreads(cores / threads)} when the
 * videos are many.
 *
 * <pre>java ... dev.avsal.examples.MultiThreaded a.mp4 b.mkv c.webm</pre>
 */
public final class MultiThreaded {
    private MultiThreaded() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: MultiThreaded VIDEO...");
            System.exit(2);
        }
        List<Path> videos = new ArrayList<>();
        for (String a : args) videos.add(Path.of(a));
        try (AvSalPredictor p = AvSalPredictor.builder().setRandomWeights("avsal-r-tiny", 1).build()) {
            List<List<SaliencyMap>> maps = predictAll(p, videos, 5);
            for (int i = 0; i < videos.size(); i++) System.out.println(videos.get(i) + ": " + maps.get(i).size() + " maps");
        }
    }

    /** One thread per video, all on one predictor; maps per video, in input order. */
    public static List<List<SaliencyMap>> predictAll(AvSalPredictor predictor, List<Path> videos, double fps)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(videos.size());
        try {
            List<Future<List<SaliencyMap>>> jobs = new ArrayList<>();
            for (Path v : videos) jobs.add(pool.submit(() -> predictOne(predictor, v, fps)));
            List<List<SaliencyMap>> out = new ArrayList<>();
            for (Future<List<SaliencyMap>> j : jobs) out.add(j.get()); // rethrows a thread's failure
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** What each thread does: its own reader, its own session, the shared predictor. */
    static List<SaliencyMap> predictOne(AvSalPredictor predictor, Path video, double fps) throws Exception {
        List<SaliencyMap> maps = new ArrayList<>();
        try (VideoReader reader = VideoReader.builder().setFile(video).optFrameRate(fps)
                     .optTargetSize(predictor.inputWidth(), predictor.inputHeight()).build();
             SaliencySession session = predictor.open()) {
            for (VideoFrame f; (f = reader.read()) != null; ) maps.add(session.push(f.toFrame()));
        }
        return maps;
    }
}
