package io.spindle.plot;

import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Images to PNG files. */
public final class Png {
  private Png() {}

  /** Writes {@code image} to {@code file} as a PNG, creating missing parent folders; replaces an existing file. */
  public static void write(RenderedImage image, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer for an image of type " + image.getClass().getName());
    }
  }
}
