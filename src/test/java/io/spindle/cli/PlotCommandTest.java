package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spindle plot}: a PNG of the loss curves from a model folder's metrics.jsonl. */
class PlotCommandTest {
  static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  /** A metrics.jsonl of a falling loss over 60 steps, validated every 20, as train-lm writes it. */
  void writeMetrics(Path modelDir) throws Exception {
    Files.createDirectories(modelDir);
    StringBuilder sb = new StringBuilder();
    for (int step = 1; step <= 60; step++) {
      sb.append(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%.4f,\"lr\":0.001,\"tokens_per_sec\":1000.0,"
          + "\"elapsed_s\":%.2f,\"grad_norm\":1.0%s}%n", step, 4 / Math.sqrt(step), 0.25 * step,
          step % 20 == 0 ? String.format(Locale.ROOT, ",\"val_loss\":%.4f", 4.2 / Math.sqrt(step)) : ""));
    }
    Files.writeString(modelDir.resolve("metrics.jsonl"), sb.toString());
  }

  @Test
  void writesLossPngOfTheRequestedSize() throws Exception {
    Path model = dir.resolve("model");
    writeMetrics(model);
    CliTest.Run r = CliTest.run("plot", "--model-dir", model.toString(), "--width", "640", "--height", "360");
    assertEquals(0, r.status(), r.err());
    Path png = model.resolve("loss.png");
    byte[] bytes = Files.readAllBytes(png);
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), "PNG signature");
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(640, image.getWidth());
    assertEquals(360, image.getHeight());
    assertTrue(count(image, new Color(0x1f77b4)) > 100, "the training curve is drawn");
    assertTrue(count(image, new Color(0xff7f0e)) > 20, "the validation curve is drawn");
  }

  @Test
  void drawsAgainstTimeToAChosenFile() throws Exception {
    Path model = dir.resolve("model");
    writeMetrics(model);
    Path out = dir.resolve("pictures/curve.png");
    CliTest.Run r = CliTest.run("plot", "--model-dir", model.toString(), "--x", "time", "--log-scale", "--output",
        out.toString());
    assertEquals(0, r.status(), r.err());
    BufferedImage image = ImageIO.read(out.toFile());
    assertEquals(800, image.getWidth());
    assertEquals(500, image.getHeight());
  }

  @Test
  void trainLmMayReplaceAFolderHoldingItsPicture() throws Exception {
    Path text = dir.resolve("text.txt");
    Files.writeString(text, "the cat sat on the mat. ".repeat(100));
    Path model = dir.resolve("model");
    String[] train = {"train-lm", "--text", text.toString(), "--model-dir", model.toString(), "--steps", "3",
        "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4",
        "--eval-every", "2", "--sample-tokens", "0", "--threads", "1"};
    assertEquals(0, CliTest.run(train).status());
    assertEquals(0, CliTest.run("plot", "--model-dir", model.toString()).status());
    assertTrue(Files.isRegularFile(model.resolve("loss.png")));
    CliTest.Run again = CliTest.run(train);
    assertEquals(0, again.status(), again.err());
  }

  @Test
  void badInputsPrintOneLineAndFail() throws Exception {
    CliTest.Run missing = CliTest.run("plot", "--model-dir", dir.resolve("nothing").toString());
    assertEquals(1, missing.status());
    assertTrue(missing.err().startsWith("spindle: no metrics file"), missing.err());
    Path model = dir.resolve("model");
    writeMetrics(model);
    CliTest.Run axis = CliTest.run("plot", "--model-dir", model.toString(), "--x", "tokens");
    assertEquals(1, axis.status());
    assertTrue(axis.err().contains("--x must be step or time"), axis.err());
    assertTrue(!Files.exists(model.resolve("loss.png")));
  }

  private static int count(BufferedImage image, Color colour) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        Color c = new Color(image.getRGB(x, y));
        if (Math.abs(c.getRed() - colour.getRed()) + Math.abs(c.getGreen() - colour.getGreen())
            + Math.abs(c.getBlue() - colour.getBlue()) < 60) {
          n++;
        }
      }
    }
    return n;
  }
}
