package io.spindle.cli;

import io.spindle.data.BadInputException;
import io.spindle.plot.LossChart;
import io.spindle.plot.LossHistory;
import io.spindle.plot.Png;
import io.spindle.train.MetricsLog;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spindle plot}: the loss curves of a model folder's {@code metrics.jsonl} (training loss of every step,
 * validation loss where train-lm evaluated) drawn to a PNG, by default {@code loss.png} in the folder.
 */
@Command(name = "plot", sortOptions = false,
    description = "Draw the training and validation loss of a model folder's metrics.jsonl to a PNG.")
final class PlotCommand implements Callable<Integer> {
  /** The picture this command writes into the model folder by default (train-lm may replace such a folder). */
  static final String LOSS_PNG = "loss.png";

  @Mixin
  ModelDirOption model;

  @Option(names = "--output", paramLabel = "PNG", description = "Image to write (default: MODEL-DIR/loss.png).")
  Path output;

  @Option(names = "--x", defaultValue = "step", paramLabel = "AXIS",
      description = "Horizontal axis: step or time (default: ${DEFAULT-VALUE}).")
  String axis;

  @Option(names = "--log-scale", description = "Logarithmic loss axis.")
  boolean logScale;

  @Option(names = "--width", defaultValue = "800", description = "Width in pixels (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "500", description = "Height in pixels (default: ${DEFAULT-VALUE}).")
  int height;

  @Override
  public Integer call() throws Exception {
    LossChart.Axis x = switch (axis) {
      case "step" -> LossChart.Axis.STEP;
      case "time" -> LossChart.Axis.TIME;
      default -> throw new BadInputException("--x must be step or time, got '" + axis + "'");
    };
    if (width <= 0 || height <= 0) {
      throw new BadInputException("--width and --height must be positive, got " + width + " x " + height);
    }
    LossHistory history = LossHistory.read(model.dir.resolve(MetricsLog.FILE_NAME));
    if (history.train().isEmpty()) {
      throw new BadInputException(model.dir.resolve(MetricsLog.FILE_NAME) + " holds no step");
    }
    if (x == LossChart.Axis.TIME && !history.hasTimes()) {
      throw new BadInputException(model.dir.resolve(MetricsLog.FILE_NAME) + " has steps without elapsed_s: use --x step");
    }
    Path target = output != null ? output : model.dir.resolve(LOSS_PNG);
    Png.write(LossChart.of(history).withTitle("Loss of " + model.dir.toAbsolutePath().normalize().getFileName())
        .withAxis(x).withLogScale(logScale).draw(width, height), target);
    System.err.println("spindle: wrote " + target);
    return 0;
  }
}
