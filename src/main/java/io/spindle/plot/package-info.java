/**
 * Pictures of training for people to look at, drawn with JFreeChart into images and PNG files.
 *
 * <ul>
 *   <li>{@link io.spindle.plot.LossHistory}: a run's training and validation losses by step and elapsed time, read
 *       from a {@code metrics.jsonl} file (the fields {@code step}, {@code loss}, {@code elapsed_s} and
 *       {@code val_loss} that {@code spindle train-lm} writes) or made from an array of losses; or any other per-step
 *       number of such a file, such as the {@code reward} and {@code kl} of {@code spindle rl};
 *       {@link io.spindle.plot.LossChart} draws one or more of them against step or time.
 *   <li>{@link io.spindle.plot.Heatmap}: a matrix as coloured cells with row and column labels, e.g. the attention
 *       probabilities of one head (query tokens down, key tokens across);
 *       {@link io.spindle.plot.ConfusionMatrixChart} counts predictions against labels and draws them as one.
 *   <li>{@link io.spindle.plot.Png}: writes an image to a PNG file.
 * </ul>
 *
 * <p>Everything renders off screen (headless AWT is enough). Inputs are plain arrays, lists and files, so that the
 * package stays independent of how the numbers were made.
 *
 * <p>May import JFreeChart, {@code java.awt}, {@code javax.imageio}, Jackson (to read {@code metrics.jsonl}) and
 * {@link io.spindle.data.BadInputException} (a malformed metrics file is bad input); nothing else from Spindle.
 */
package io.spindle.plot;
