package dev.avsal.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plain-Java double-precision definitions of the CLIP ViT tower and the ImageBind audio branch, written from the
 * papers' / official code's equations (not from LibTorch), one sample at a time. Tokens are rows {@code [L][W]}.
 */
final class RefNets {
    private RefNets() {}

    // ---- building blocks ----

    static double[][] linear(double[][] x, float[] w, float[] b, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++)
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) s += x[r][i] * w[o * in + i];
                y[r][o] = s;
            }
        return y;
    }

    static double[][] layerNorm(double[][] x, float[] g, float[] b, double eps) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            int n = x[r].length;
            double mean = 0, var = 0;
            for (double v : x[r]) mean += v;
            mean /= n;
            for (double v : x[r]) var += (v - mean) * (v - mean);
            var /= n; // biased variance, as LayerNorm uses
            y[r] = new double[n];
            for (int i = 0; i < n; i++) y[r][i] = (x[r][i] - mean) / Math.sqrt(var + eps) * g[i] + b[i];
        }
        return y;
    }

    /** Multi-head softmax attention, scale 1/sqrt(head width); q [Lq][W], k and v [Lk][W]. */
    static double[][] attention(double[][] q, double[][] k, double[][] v, int heads) {
        int w = q[0].length, d = w / heads;
        double[][] out = new double[q.length][w];
        double scale = 1 / Math.sqrt(d);
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < q.length; i++) {
                double[] s = new double[k.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k.length; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) dot += q[i][h * d + c] * k[j][h * d + c];
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < k.length; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j < k.length; j++)
                    for (int c = 0; c < d; c++) out[i][h * d + c] += s[j] / sum * v[j][h * d + c];
            }
        return out;
    }

    static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int r = 0; r < a.length; r++) for (int i = 0; i < a[r].length; i++) y[r][i] = a[r][i] + b[r][i];
        return y;
    }

    static double[][] map(double[][] x, java.util.function.DoubleUnaryOperator f) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            y[r] = new double[x[r].length];
            for (int i = 0; i < x[r].length; i++) y[r][i] = f.applyAsDouble(x[r][i]);
        }
        return y;
    }

    static double quickGelu(double x) { return x / (1 + Math.exp(-1.702 * x)); }

    static double gelu(double x) { return 0.5 * x * (1 + erf(x / Math.sqrt(2))); }

    /** erf to ~1e-14: Maclaurin series for |z| < 3, Lentz continued fraction of erfc beyond. */
    static double erf(double z) {
        double a = Math.abs(z);
        double r;
        if (a < 3) {
            double term = a, sum = a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else { // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
            double f = a, c = a, dd = 0;
            for (int n = 1; n < 300; n++) {
                double an = n / 2.0;
                dd = a + an * dd;
                dd = 1 / dd;
                c = a + an / c;
                double delta = c * dd;
                f *= delta;
                if (Math.abs(delta - 1) < 1e-16) break;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return z < 0 ? -r : r;
    }

    /** Conv2d without bias and padding: in [C][H][W], weight [O][C][k][k] flat, returns [O][oh*ow]. */
    static double[][] conv(double[][][] in, float[] w, int out, int k, int stride) {
        int c = in.length, h = in[0].length, wd = in[0][0].length;
        int oh = (h - k) / stride + 1, ow = (wd - k) / stride + 1;
        double[][] y = new double[out][oh * ow];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int ch = 0; ch < c; ch++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                                s += in[ch][i * stride + ky][j * stride + kx] * w[((o * c + ch) * k + ky) * k + kx];
                    y[o][i * ow + j] = s;
                }
        return y;
    }

    static double[][] transpose(double[][] x) {
        double[][] y = new double[x[0].length][x.length];
        for (int r = 0; r < x.length; r++) for (int i = 0; i < x[r].length; i++) y[i][r] = x[r][i];
        return y;
    }

    /** Keys' cubic convolution kernel with a = -0.75 (PyTorch's bicubic). */
    static double cubic(double x) {
        double a = -0.75;
        x = Math.abs(x);
        if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    /** Bicubic resize of one axis with align_corners=false, edge-clamped taps: in[n][...] -> out[m][...]. */
    static double[][] resizeAxis(double[][] in, int m) {
        int n = in.length, w = in[0].length;
        double scale = (double) n / m;
        double[][] out = new double[m][w];
        for (int o = 0; o < m; o++) {
            double src = scale * (o + 0.5) - 0.5;
            int i0 = (int) Math.floor(src);
            double t = src - i0;
            for (int tap = -1; tap <= 2; tap++) {
                int idx = Math.min(Math.max(i0 + tap, 0), n - 1);
                double wt = cubic(tap - t);
                for (int c = 0; c < w; c++) out[o][c] += wt * in[idx][c];
            }
        }
        return out;
    }

    /** Bicubic resize of a patch grid [n*n][W] (row-major) to [gh*gw][W]. */
    static double[][] resizeGrid(double[][] grid, int n, int gh, int gw) {
        int w = grid[0].length;
        double[][][] rows = new double[n][][]; // per source row: resize along columns
        for (int r = 0; r < n; r++) {
            double[][] line = new double[n][];
            for (int c = 0; c < n; c++) line[c] = grid[r * n + c];
            rows[r] = resizeAxis(line, gw);
        }
        double[][] out = new double[gh * gw][];
        for (int c = 0; c < gw; c++) {
            double[][] col = new double[n][];
            for (int r = 0; r < n; r++) col[r] = rows[r][c];
            double[][] res = resizeAxis(col, gh);
            for (int r = 0; r < gh; r++) out[r * gw + c] = res[r];
        }
        return out;
    }

    static double[][] rows(float[] flat, int r, int c) {
        double[][] y = new double[r][c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) y[i][j] = flat[i * c + j];
        return y;
    }

    static float[] slice(float[] a, int from, int len) {
        float[] y = new float[len];
        System.arraycopy(a, from, y, 0, len);
        return y;
    }

    // ---- CLIP ViT ----

    /** Result for one image: hidden[k] = tokens after block k (k = 0: after ln_pre). */
    record ClipOut(List<double[][]> hidden, double[] pooled, double[] embedding) {}

    static ClipOut clip(Map<String, float[]> p, ClipVisionConfig c, double[][][] image) {
        int w = c.width(), ps = c.patchSize(), n = c.grid();
        int gh = image[0].length / ps, gw = image[0][0].length / ps;
        double[][] patches = transpose(conv(image, p.get("conv1.weight"), w, ps, ps)); // [N][W]
        double[][] pos = rows(p.get("positional_embedding"), n * n + 1, w);
        double[][] grid = new double[n * n][];
        System.arraycopy(pos, 1, grid, 0, n * n);
        if (gh != n || gw != n) grid = resizeGrid(grid, n, gh, gw);
        double[][] x = new double[1 + gh * gw][w];
        float[] cls = p.get("class_embedding");
        for (int i = 0; i < w; i++) x[0][i] = cls[i] + pos[0][i];
        for (int t = 0; t < gh * gw; t++) for (int i = 0; i < w; i++) x[t + 1][i] = patches[t][i] + grid[t][i];
        double eps = c.layerNormEps();
        x = layerNorm(x, p.get("ln_pre.weight"), p.get("ln_pre.bias"), eps);
        List<double[][]> hidden = new ArrayList<>();
        hidden.add(x);
        for (int b = 0; b < c.layers(); b++) {
            String k = "transformer.resblocks." + b + ".";
            double[][] h = layerNorm(x, p.get(k + "ln_1.weight"), p.get(k + "ln_1.bias"), eps);
            float[] in = p.get(k + "attn.in_proj_weight"), inB = p.get(k + "attn.in_proj_bias");
            double[][] q = linear(h, slice(in, 0, w * w), slice(inB, 0, w), w);
            double[][] kk = linear(h, slice(in, w * w, w * w), slice(inB, w, w), w);
            double[][] v = linear(h, slice(in, 2 * w * w, w * w), slice(inB, 2 * w, w), w);
            double[][] a = linear(attention(q, kk, v, c.heads()), p.get(k + "attn.out_proj.weight"),
                    p.get(k + "attn.out_proj.bias"), w);
            x = add(x, a);
            h = layerNorm(x, p.get(k + "ln_2.weight"), p.get(k + "ln_2.bias"), eps);
            h = linear(h, p.get(k + "mlp.c_fc.weight"), p.get(k + "mlp.c_fc.bias"), c.mlpWidth());
            h = map(h, c.activation() == ClipVisionConfig.Activation.QUICK_GELU ? RefNets::quickGelu : RefNets::gelu);
            x = add(x, linear(h, p.get(k + "mlp.c_proj.weight"), p.get(k + "mlp.c_proj.bias"), w));
            hidden.add(x);
        }
        double[] pooled = layerNorm(new double[][] {x[0]}, p.get("ln_post.weight"), p.get("ln_post.bias"), eps)[0];
        double[] emb = null;
        if (c.outputDim() > 0) {
            float[] proj = p.get("proj"); // [W][out]: x @ proj
            emb = new double[c.outputDim()];
            for (int o = 0; o < c.outputDim(); o++)
                for (int i = 0; i < w; i++) emb[o] += pooled[i] * proj[i * c.outputDim() + o];
        }
        return new ClipOut(hidden, pooled, emb);
    }

    // ---- ImageBind audio ----

    record AudioOut(double[][] tokens, double[] embedding) {}

    static AudioOut imagebind(Map<String, float[]> p, ImageBindAudioConfig c, double[][] mel) {
        String pre = "modality_preprocessors.audio.", trunk = "modality_trunks.audio.", head = "modality_heads.audio.";
        int w = c.width();
        double[][] x = transpose(conv(new double[][][] {mel}, p.get(pre + "rgbt_stem.proj.weight"), w, c.kernel(),
                c.stride()));
        x = layerNorm(x, p.get(pre + "rgbt_stem.norm_layer.weight"), p.get(pre + "rgbt_stem.norm_layer.bias"), 1e-5);
        double[][] t = new double[x.length + 1][];
        t[0] = new double[w];
        float[] cls = p.get(pre + "cls_token");
        for (int i = 0; i < w; i++) t[0][i] = cls[i];
        System.arraycopy(x, 0, t, 1, x.length);
        x = add(t, rows(p.get(pre + "pos_embedding_helper.pos_embed"), t.length, w));
        for (int b = 0; b < c.layers(); b++) {
            String k = trunk + "blocks." + b + ".";
            double[][] h = layerNorm(x, p.get(k + "norm_1.weight"), p.get(k + "norm_1.bias"), 1e-6);
            float[] in = p.get(k + "attn.in_proj_weight"), inB = p.get(k + "attn.in_proj_bias");
            double[][] q = linear(h, slice(in, 0, w * w), slice(inB, 0, w), w);
            double[][] kk = linear(h, slice(in, w * w, w * w), slice(inB, w, w), w);
            double[][] v = linear(h, slice(in, 2 * w * w, w * w), slice(inB, 2 * w, w), w);
            kk = appendRow(kk, p.get(k + "attn.bias_k"));
            v = appendRow(v, p.get(k + "attn.bias_v"));
            x = add(x, linear(attention(q, kk, v, c.heads()), p.get(k + "attn.out_proj.weight"),
                    p.get(k + "attn.out_proj.bias"), w));
            h = layerNorm(x, p.get(k + "norm_2.weight"), p.get(k + "norm_2.bias"), 1e-6);
            h = map(linear(h, p.get(k + "mlp.fc1.weight"), p.get(k + "mlp.fc1.bias"), c.mlpWidth()), RefNets::gelu);
            x = add(x, linear(h, p.get(k + "mlp.fc2.weight"), p.get(k + "mlp.fc2.bias"), w));
        }
        double[][] tokens = layerNorm(x, p.get(head + "0.weight"), p.get(head + "0.bias"), 1e-6);
        double[] e = linear(new double[][] {tokens[0]}, p.get(head + "2.weight"), null, c.outputDim())[0];
        double norm = 0;
        for (double v : e) norm += v * v;
        norm = Math.max(Math.sqrt(norm), 1e-12);
        double scale = Math.min(Math.exp(p.get("modality_postprocessors.audio.1.log_logit_scale")[0]), 100);
        for (int i = 0; i < e.length; i++) e[i] = e[i] / norm * scale;
        return new AudioOut(tokens, e);
    }

    private static double[][] appendRow(double[][] x, float[] row) {
        double[][] y = new double[x.length + 1][];
        System.arraycopy(x, 0, y, 0, x.length);
        y[x.length] = new double[row.length];
        for (int i = 0; i < row.length; i++) y[x.length][i] = row[i];
        return y;
    }
}
