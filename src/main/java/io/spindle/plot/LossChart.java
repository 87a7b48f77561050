package io.spindle.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Loss curves: the training loss of every step as a line and the validation loss as a dashed line with a dot per
 * evaluation, for one run or several side by side, against the step or the elapsed time.
 *
 * <p>Immutable; built with {@link #of(LossHistory)} or {@link #of(String, LossHistory)}, more runs added with
 * {@link #and}, then drawn with {@link #draw}:
 * {@code LossChart.of("in-process", a).and("Spark", b).withAxis(LossChart.Axis.TIME).draw(800, 450)}.
 */
public final class LossChart {
  /** What the horizontal axis shows. */
  public enum Axis {
    /** The step number. */
    STEP,
    /** Seconds since training started (needs times: {@link LossHistory#hasTimes()}). */
    TIME
  }

  /** One run's curves and its name in the legend (empty for a single unnamed run). */
  private record Run(String name, LossHistory history) {}

  /** Line colours, one per run (matplotlib's first "tab10" colours, readable on white). */
  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
      new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b)};

  private final List<Run> runs;
  private final String title;
  private final Axis axis;
  private final boolean logScale;
  private final String valueLabel; // null: a loss

  private LossChart(List<Run> runs, String title, Axis axis, boolean logScale, String valueLabel) {
    this.runs = List.copyOf(runs);
    this.title = title;
    this.axis = axis;
    this.logScale = logScale;
    this.valueLabel = valueLabel;
  }

  /** A chart of one unnamed run: its series are called "train" and "validation". */
  public static LossChart of(LossHistory history) {
    return of("", history);
  }

  /** A chart of one named run: its series are called "NAME train" and "NAME validation". */
  public static LossChart of(String name, LossHistory history) {
    return new LossChart(List.of(new Run(name, history)), "Loss", Axis.STEP, false, null);
  }

  /** This chart with one more run, drawn in the next colour. */
  public LossChart and(String name, LossHistory history) {
    List<Run> more = new ArrayList<>(runs);
    more.add(new Run(name, history));
    return new LossChart(more, title, axis, logScale, valueLabel);
  }

  public LossChart withTitle(String value) {
    return new LossChart(runs, value, axis, logScale, valueLabel);
  }

  public LossChart withAxis(Axis value) {
    return new LossChart(runs, title, value, logScale, valueLabel);
  }

  /** A logarithmic loss axis, for losses that fall by orders of magnitude (losses must then be positive). */
  public LossChart withLogScale(boolean value) {
    return new LossChart(runs, title, axis, value, valueLabel);
  }

  /**
   * Names what is drawn when it is not a loss, such as "mean reward" for the {@code reward} of a {@code spindle rl}
   * run read by {@link LossHistory#read(java.nio.file.Path, String)}: the vertical axis is labelled with it, and each
   * run's training series is called by it instead of "train" (validation series keep their name).
   */
  public LossChart withValueLabel(String value) {
    return new LossChart(runs, title, axis, logScale, value);
  }

  /**
   * Draws the chart into an RGB image of {@code width} x {@code height} pixels.
   *
   * @throws IllegalArgumentException when there is no point to draw, a size is not positive, the time axis is asked
   *     for but a run lacks times, or the log scale is asked for with a loss that is not positive
   */
  public BufferedImage draw(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("loss chart: size must be positive, got " + width + " x " + height);
    }
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    for (int r = 0; r < runs.size(); r++) {
      Run run = runs.get(r);
      if (axis == Axis.TIME && !run.history().hasTimes()) {
        throw new IllegalArgumentException("loss chart: run '" + run.name() + "' has no times to draw against");
      }
      boolean single = runs.size() == 1;
      Color trainColour = PALETTE[r % PALETTE.length];
      Color validationColour = single ? PALETTE[1] : trainColour;
      String trainName = valueLabel == null ? "train" : valueLabel;
      addSeries(data, renderer, label(run.name(), trainName), run.history().train(), trainColour, false);
      addSeries(data, renderer, label(run.name(), "validation"), run.history().validation(), validationColour, true);
    }
    if (data.getSeriesCount() == 0) {
      throw new IllegalArgumentException("loss chart: no loss to draw");
    }
    NumberAxis x = new NumberAxis(axis == Axis.STEP ? "step" : "seconds");
    x.setAutoRangeIncludesZero(false);
    if (axis == Axis.STEP) {
      x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    String yLabel = valueLabel == null ? "loss" : valueLabel;
    ValueAxis y;
    if (logScale) {
      LogAxis log = new LogAxis(yLabel + " (log scale)");
      log.setSmallestValue(Double.MIN_NORMAL);
      log.setNumberFormatOverride(new DecimalFormat("0.###")); // 0.25 rather than 10^-0.6
      y = log;
    } else {
      NumberAxis linear = new NumberAxis(yLabel);
      linear.setAutoRangeIncludesZero(false);
      y = linear;
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    Charts.whiteBackground(plot);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null);
  }

  private void addSeries(XYSeriesCollection data, XYLineAndShapeRenderer renderer, String label,
      List<LossHistory.Point> points, Color colour, boolean validation) {
    if (points.isEmpty()) {
      return;
    }
    XYSeries series = new XYSeries(label, false, true);
    for (LossHistory.Point p : points) {
      if (logScale && !(p.loss() > 0)) {
        throw new IllegalArgumentException("loss chart: loss " + p.loss() + " at step " + p.step()
            + " cannot be drawn on a log scale");
      }
      series.add(axis == Axis.STEP ? p.step() : p.seconds(), p.loss());
    }
    int index = data.getSeriesCount();
    data.addSeries(series);
    renderer.setSeriesPaint(index, colour);
    renderer.setSeriesShapesVisible(index, validation);
    renderer.setSeriesShape(index, new Ellipse2D.Double(-3, -3, 6, 6));
    renderer.setSeriesStroke(index, validation
        ? new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
        : new BasicStroke(1.2f));
  }

  private static String label(String name, String series) {
    return name.isEmpty() ? series : name + " " + series;
  }
}
