package dev.avsal.examples.cli;

import dev.avsal.AvSalException;
import dev.avsal.checkpoint.DType;
import dev.avsal.model.ClipVisionConfig;
import dev.avsal.model.WeightConverter;
import dev.avsal.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code avsal convert}: official encoder files into one compact safetensors file ({@link WeightConverter}). */
@Command(name = "convert", mixinStandardHelpOptions = true,
        header = "Convert the official CLIP and ImageBind files into one compact safetensors file.",
        description = {"Convert OpenAI's CLIP .pt (or a Hugging Face / open_clip CLIP file) and ImageBind's .pth into"
                + " one safetensors file holding only the tensors AVSal-R uses (the CLIP image tower and ImageBind's"
                + " audio branch; with --head, a complete model file). The result is loaded back before it is"
                + " renamed into place; its SHA-256 is printed."})
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--clip", required = true, paramLabel = "FILE", description = "CLIP weights (e.g. ViT-B-16.pt).")
    Path clip;

    @Option(names = "--imagebind", required = true, paramLabel = "FILE",
            description = "ImageBind weights (e.g. imagebind_huge.pth); only the audio branch is kept.")
    Path imageBind;

    @Option(names = "--head", paramLabel = "FILE", description = "A head-only file (from training or AvSalModel"
            + ".saveHead): the output is then a complete model file for AvSalModel.load(file).")
    Path head;

    @Option(names = "--clip-config", paramLabel = "JSON", description = "A Hugging Face config.json for the CLIP file"
            + " (needed when its activation or head count differs from OpenAI's).")
    Path clipConfig;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The file to write.")
    Path output;

    @Option(names = "--fp16", description = "Store matrices as float16 (half the size; 1-d tensors stay float32).")
    boolean fp16;

    @Option(names = "--force", description = "Replace the output file if it exists.")
    boolean force;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws AvSalException {
        WeightConverter.Builder b = WeightConverter.builder().setClip(clip).setImageBind(imageBind).optHead(head)
                .optDType(fp16 ? DType.F16 : DType.F32).optOverwrite(force);
        if (clipConfig != null) b.optClipConfig(ClipVisionConfig.fromHfConfig(clipConfig));
        WeightConverter.Result r = b.build().convert(output);
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", r.file().toString());
            m.put("sha256", r.sha256());
            m.put("bytes", r.bytes());
            m.put("tensors", r.tensors());
            m.put("dropped", r.dropped());
            m.put("dtype", r.dtype().name());
            m.put("model", r.model());
            m.put("clip", r.clip().toString());
            m.put("audio", r.audio().toString());
            out.println(Json.write(m));
        } else {
            out.printf("wrote %s: %d tensors (%s), %.1f MB; dropped %d tensors of the sources%n", r.file(), r.tensors(),
                    r.dtype(), r.bytes() / 1e6, r.dropped());
            out.printf("  %s%n  %s%n", r.clip(), r.audio());
            out.println(r.model() != null ? "  a complete model file (" + r.model() + ")"
                    : "  encoders only: load with AvSalModel.load(head, " + r.file().getFileName() + ", "
                    + r.file().getFileName() + ")");
            out.printf("%s  %s%n", r.sha256(), r.file().getFileName());
        }
        out.flush();
        return 0;
    }
}
