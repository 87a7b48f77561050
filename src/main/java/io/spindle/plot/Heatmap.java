package io.spindle.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * A matrix drawn as coloured cells, row 0 at the top: white for 0, dark blue for the scale's maximum (the largest
 * value unless {@link #withScaleMax} says otherwise), with a colour legend, labels along both axes and, optionally,
 * a text in every cell. For attention probabilities the rows are the queries and the columns the keys.
 *
 * <p>Immutable; {@code Heatmap.of(values).withRowLabels(...).withColumnLabels(...).draw(width, height)}.
 */
public final class Heatmap {
  private static final Color LOW = Color.WHITE;
  private static final Color HIGH = new Color(0x08306b);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font CELL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private final double[][] values;
  private final List<String> rowLabels;
  private final List<String> columnLabels;
  private final String title;
  private final String rowAxisLabel;
  private final String columnAxisLabel;
  private final String[][] cellText; // null: no text in the cells
  private final double scaleMax; // NaN: the largest value

  private Heatmap(double[][] values, List<String> rowLabels, List<String> columnLabels, String title,
      String rowAxisLabel, String columnAxisLabel, String[][] cellText, double scaleMax) {
    this.values = values;
    this.rowLabels = rowLabels;
    this.columnLabels = columnLabels;
    this.title = title;
    this.rowAxisLabel = rowAxisLabel;
    this.columnAxisLabel = columnAxisLabel;
    this.cellText = cellText;
    this.scaleMax = scaleMax;
  }

  /** A heatmap of {@code values[row][column]} (copied), rows and columns labelled by their indices. */
  public static Heatmap of(double[][] values) {
    int rows = values.length;
    int columns = rows == 0 ? 0 : values[0].length;
    if (rows == 0 || columns == 0) {
      throw new IllegalArgumentException("heatmap: no values");
    }
    double[][] copy = new double[rows][];
    for (int i = 0; i < rows; i++) {
      if (values[i].length != columns) {
        throw new IllegalArgumentException("heatmap: row " + i + " has " + values[i].length + " values, row 0 has "
            + columns);
      }
      copy[i] = values[i].clone();
    }
    return new Heatmap(copy, indices(rows), indices(columns), "", "", "", null, Double.NaN);
  }

  /** A heatmap of {@code values[row][column]}, e.g. one head's attention probabilities. */
  public static Heatmap of(float[][] values) {
    double[][] d = new double[values.length][];
    for (int i = 0; i < values.length; i++) {
      d[i] = new double[values[i].length];
      for (int j = 0; j < d[i].length; j++) {
        d[i][j] = values[i][j];
      }
    }
    return of(d);
  }

  public Heatmap withTitle(String value) {
    return new Heatmap(values, rowLabels, columnLabels, value, rowAxisLabel, columnAxisLabel, cellText, scaleMax);
  }

  /** One label per row, top to bottom. */
  public Heatmap withRowLabels(List<String> labels) {
    requireSize("row labels", labels.size(), values.length);
    return new Heatmap(values, List.copyOf(labels), columnLabels, title, rowAxisLabel, columnAxisLabel, cellText,
        scaleMax);
  }

  /** One label per column, left to right. */
  public Heatmap withColumnLabels(List<String> labels) {
    requireSize("column labels", labels.size(), values[0].length);
    return new Heatmap(values, rowLabels, List.copyOf(labels), title, rowAxisLabel, columnAxisLabel, cellText,
        scaleMax);
  }

  /** The names of the two axes: what the rows are (left) and what the columns are (bottom). */
  public Heatmap withAxisLabels(String rows, String columns) {
    return new Heatmap(values, rowLabels, columnLabels, title, rows, columns, cellText, scaleMax);
  }

  /** A text to print in every cell ({@code text[row][column]}, same shape as the values; null or "" for none). */
  public Heatmap withCellText(String[][] text) {
    requireSize("cell text rows", text.length, values.length);
    String[][] copy = new String[text.length][];
    for (int i = 0; i < text.length; i++) {
      requireSize("cell text row " + i, text[i].length, values[0].length);
      copy[i] = text[i].clone();
    }
    return new Heatmap(values, rowLabels, columnLabels, title, rowAxisLabel, columnAxisLabel, copy, scaleMax);
  }

  /** The value drawn darkest (larger values are drawn as it); by default the largest value. */
  public Heatmap withScaleMax(double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException("heatmap: scale maximum must be positive, got " + value);
    }
    return new Heatmap(values, rowLabels, columnLabels, title, rowAxisLabel, columnAxisLabel, cellText, value);
  }

  /** Draws the heatmap into an RGB image of {@code width} x {@code height} pixels. */
  public BufferedImage draw(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("heatmap: size must be positive, got " + width + " x " + height);
    }
    int rows = values.length;
    int columns = values[0].length;
    double[][] xyz = new double[3][rows * columns]; // x = column, y = row, z = value
    double max = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < columns; j++) {
        xyz[0][i * columns + j] = j;
        xyz[1][i * columns + j] = i;
        xyz[2][i * columns + j] = values[i][j];
        max = Math.max(max, values[i][j]);
      }
    }
    double top = Double.isNaN(scaleMax) ? (max > 0 ? max : 1) : scaleMax;
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("values", xyz);
    LinearScale scale = new LinearScale(top);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(scale);
    XYPlot plot = new XYPlot(data, axis(columnAxisLabel, columnLabels, false), axis(rowAxisLabel, rowLabels, true),
        renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setRangeAxisLocation(AxisLocation.TOP_OR_LEFT);
    if (cellText != null) {
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < columns; j++) {
          String text = cellText[i][j];
          if (text != null && !text.isEmpty()) {
            XYTextAnnotation a = new XYTextAnnotation(text, j, i);
            a.setFont(CELL_FONT);
            a.setPaint(values[i][j] > top / 2 ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(a);
          }
        }
      }
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    NumberAxis legendAxis = new NumberAxis();
    legendAxis.setRange(0, top);
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setStripWidth(12);
    legend.setMargin(8, 8, 8, 8);
    chart.addSubtitle(legend);
    chart.setBackgroundPaint(Color.WHITE);
    return chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null);
  }

  /** An axis with one tick per label at 0, 1, ..., its cells centred on them; rows run downwards. */
  private static SymbolAxis axis(String name, List<String> labels, boolean rows) {
    SymbolAxis axis = new SymbolAxis(name, labels.toArray(new String[0]));
    axis.setRange(-0.5, labels.size() - 0.5);
    axis.setGridBandsVisible(false);
    axis.setTickLabelFont(TICK_FONT);
    axis.setInverted(rows);
    if (!rows) {
      int longest = labels.stream().mapToInt(String::length).max().orElse(0);
      axis.setVerticalTickLabels(labels.size() > 12 || longest > 3);
    }
    return axis;
  }

  private static List<String> indices(int n) {
    List<String> labels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      labels.add(Integer.toString(i));
    }
    return labels;
  }

  private static void requireSize(String what, int got, int expected) {
    if (got != expected) {
      throw new IllegalArgumentException("heatmap: " + got + " " + what + " for " + expected);
    }
  }

  /** White at 0 to {@link #HIGH} at the top, linearly in each RGB channel; values beyond are clamped. */
  private record LinearScale(double top) implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return top;
    }

    @Override
    public Paint getPaint(double value) {
      double f = Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, value / top));
      return new Color(mix(LOW.getRed(), HIGH.getRed(), f), mix(LOW.getGreen(), HIGH.getGreen(), f),
          mix(LOW.getBlue(), HIGH.getBlue(), f));
    }

    private static int mix(int a, int b, double f) {
      return (int) Math.round(a + (b - a) * f);
    }
  }
}
