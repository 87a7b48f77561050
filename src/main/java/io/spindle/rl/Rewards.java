package io.spindle.rl;

import io.spindle.data.BadInputException;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.ClassifierInference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.PatternSyntaxException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The built-in rewards by name, as the command line (and any other string setting) gives them:
 * <ul>
 *   <li>{@code match:REGEX}: {@link MatchFraction}, the share of the completion's characters inside matches of
 *       REGEX, e.g. {@code match:[aeiouAEIOU]};
 *   <li>{@code vowels}: the same as {@code match:[aeiouAEIOU]};
 *   <li>{@code length:MIN-MAX}: {@link LengthBand}, full reward for completions of MIN to MAX characters;
 *   <li>{@code classifier:DIR:CLASS}: {@link ClassifierReward}, the probability of class index CLASS under the
 *       encoder classifier in the model folder DIR ({@code model_type "encoder-classifier"}, with the
 *       {@code tokenizer.json} its texts are encoded with); DIR may itself contain colons, CLASS is what follows the
 *       last one.
 * </ul>
 */
public final class Rewards {
  /** The character class of {@code vowels}. */
  public static final String VOWELS = "[aeiouAEIOU]";

  private Rewards() {}

  /**
   * The reward {@code spec} names; a classifier is broadcast with {@code jsc}, or held in the reward when
   * {@code jsc} is null (in-process training). Throws {@link BadInputException} saying what is wrong with the spec.
   */
  public static Reward parse(String spec, JavaSparkContext jsc) throws IOException {
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? spec : spec.substring(0, colon);
    String argument = colon < 0 ? "" : spec.substring(colon + 1);
    switch (kind) {
      case "vowels":
        return new MatchFraction(VOWELS);
      case "match":
        try {
          return new MatchFraction(argument);
        } catch (PatternSyntaxException e) {
          throw new BadInputException("reward " + spec + ": not a regular expression: " + e.getDescription());
        }
      case "length":
        return lengthBand(spec, argument);
      case "classifier":
        return classifier(spec, argument, jsc);
      default:
        throw new BadInputException("reward '" + spec + "': expected vowels, match:REGEX, length:MIN-MAX or "
            + "classifier:DIR:CLASS");
    }
  }

  private static LengthBand lengthBand(String spec, String argument) {
    String[] bounds = argument.split("-", -1);
    try {
      if (bounds.length == 2) {
        return new LengthBand(Integer.parseInt(bounds[0].trim()), Integer.parseInt(bounds[1].trim()));
      }
    } catch (IllegalArgumentException e) {
      throw new BadInputException("reward " + spec + ": " + e.getMessage());
    }
    throw new BadInputException("reward " + spec + ": expected length:MIN-MAX, e.g. length:20-40");
  }

  private static ClassifierReward classifier(String spec, String argument, JavaSparkContext jsc)
      throws IOException {
    int last = argument.lastIndexOf(':');
    if (last <= 0) {
      throw new BadInputException("reward " + spec + ": expected classifier:DIR:CLASS (a model folder and a class "
          + "index)");
    }
    int classIndex;
    try {
      classIndex = Integer.parseInt(argument.substring(last + 1).trim());
    } catch (NumberFormatException e) {
      throw new BadInputException("reward " + spec + ": the class '" + argument.substring(last + 1)
          + "' is not a class index");
    }
    ModelFolder.Contents<EncoderClassifier> folder;
    try {
      folder = ModelFolder.load(EncoderClassifierFormat.INSTANCE, Path.of(argument.substring(0, last)));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("reward " + spec + ": " + e.getMessage(), e);
    }
    EncoderClassifier model = folder.model();
    if (classIndex < 0 || classIndex >= model.config().numClasses()) {
      throw new BadInputException("reward " + spec + ": class " + classIndex + " outside [0, "
          + model.config().numClasses() + "), the classifier's classes");
    }
    ClassifierInference inference = jsc == null ? ClassifierInference.local(model)
        : ClassifierInference.broadcast(jsc, model);
    return new ClassifierReward(inference, folder.tokenizer(), classIndex, "classifier:"
        + Path.of(argument.substring(0, last)).toAbsolutePath().normalize() + ":" + classIndex);
  }
}
