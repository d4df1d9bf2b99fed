package dev.avsal.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.avsal.examples.Demo;
import dev.avsal.io.VideoReader;
import dev.avsal.train.MapScores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's table in a smaller configuration: the audio-visual model must beat both baselines on held-out clips. */
class DemoTest {
    @TempDir
    Path tmp;

    @Test
    void audioVisualModelBeatsSilencedAudioAndCentrePrior() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Demo.Result r = Demo.run(Demo.Options.quick(tmp), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        MapScores av = r.row(Demo.AV).scores(), si = r.row(Demo.SILENCED).scores(), cp = r.row(Demo.CENTER).scores();
        for (MapScores b : new MapScores[] {si, cp}) {
            assertTrue(av.cc() > b.cc(), text);
            assertTrue(av.nss() > b.nss(), text);
            assertTrue(av.sim() > b.sim(), text);
            assertTrue(av.aucJudd() > b.aucJudd(), text);
        }
        assertTrue(r.audioWins(), text);
        assertTrue(text.contains("AUC-Judd") && text.contains("silenced audio") && text.contains("center prior"), text);
        // what `avsal demo --json` prints is results.json, checked against the demo schema
        Map<?, ?> json = CliJsonSchemaTest.check("demo", new CliTest.Result(0, Files.readString(r.results()), ""));
        String report = Files.readString(tmp.resolve("report.html"));
        assertTrue(report.contains("<svg") && report.contains(((List<?>) json.get("test_clips")).get(0).toString()),
                "the HTML report shows the test clips");
        assertEquals(true, json.get("audio_visual_beats_both"));
        assertEquals(av.cc(), ((Number) ((Map<?, ?>) ((Map<?, ?>) json.get("scores")).get(Demo.AV)).get("cc")).doubleValue(), 1e-12);
        try (VideoReader v = VideoReader.builder().setFile(r.overlay()).build()) {
            int n = 0;
            while (v.read() != null) n++;
            assertEquals(Demo.Options.quick(tmp).frames(), n);
        }
        // a second run into the same folder is refused without force
        assertThrows(IOException.class, () -> Demo.run(Demo.Options.quick(tmp), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(Files.exists(tmp.resolve("data/videos")));
    }
}
