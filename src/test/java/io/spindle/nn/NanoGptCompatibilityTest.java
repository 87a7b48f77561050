package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.data.CharTokenizer;
import io.spindle.data.TokenizerOptions;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights written by PyTorch with nanoGPT's module tree and state_dict() keys (including the causal-mask buffers
 * older nanoGPT keeps in its state dict) load into Spindle's GPT and score the same: mean loss within 1e-4.
 * Runs {@code nanogpt_reference.py} with Debian's PyTorch ({@code python3-torch}); skipped where it is absent.
 */
class NanoGptCompatibilityTest {
  private static final String PYTHON = "/usr/bin/python3";

  @Test
  void nanoGptStateDictScoresTheSame(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(new File(PYTHON).canExecute() && hasTorch(), "python3 with torch is not installed");
    int[] ids = new int[16 * 3 + 1];
    Random rnd = new Random(1);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rnd.nextInt(37);
    }
    Path script = Path.of(getClass().getResource("nanogpt_reference.py").toURI());
    Process p = new ProcessBuilder(PYTHON, script.toString(), dir.toString(), "3").redirectErrorStream(true).start();
    p.getOutputStream().write(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "))
        .getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    double torchLoss = Double.parseDouble(out);

    // Any tokenizer of the model's 37 tokens (4 specials and 33 characters): a folder's tokenizer must decode every id.
    CharTokenizer.learn(List.of("abcdefghijklmnopqrstuvwxyz0123456"), TokenizerOptions.defaults())
        .save(dir.resolve("tokenizer.json"));
    Gpt model = ModelFolder.load(GptFormat.INSTANCE, dir).model();
    int n = (ids.length - 1) / 16;
    int[] x = Arrays.copyOfRange(ids, 0, n * 16);
    int[] y = Arrays.copyOfRange(ids, 1, n * 16 + 1);
    double loss = model.loss(Graph.inference(), x, y, n, 16, false, 0, Reduction.MEAN).value().get(0);
    assertTrue(torchLoss > 3.0, "reference loss " + torchLoss);
    assertEquals(torchLoss, loss, 1e-4);
  }

  private static boolean hasTorch() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
