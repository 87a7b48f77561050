package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.ModelFolder.Contents;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What loading a model folder refuses, in one line naming the file: a config.json that is not exactly one JSON
 * object with unique keys, weights that are not finite, and a tokenizer that cannot decode every id the model may
 * produce; and what it still accepts (a classifier's tokenizer smaller than its vocabulary).
 */
class ModelFolderChecksTest {
  private static final CharTokenizer TOK = CharTokenizer.learn(List.of("hello world"), TokenizerOptions.defaults());

  private static String failure(Executable load) {
    String message = assertThrows(IllegalArgumentException.class, load).getMessage();
    assertFalse(message.contains("\n"), "one line: " + message);
    return message;
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + message + "' lacks '" + part + "'");
    }
  }

  private static Path gptFolder(Path dir) throws Exception {
    ModelFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(Gpt.create(new GptConfig(TOK.vocabSize(), 8, 1, 2,
        8, 0.0, true), 1), TOK), dir);
    return dir;
  }

  private static <C extends Serializable, M extends Network<?>> Contents<M> load(ModelFormat<C, M> format, Path dir)
      throws Exception {
    return ModelFolder.load(format, dir);
  }

  /**
   * Saves {@code model} (whose weights {@code poison} then makes non-finite) as a folder of {@code format}: the
   * folder is written while the weights are finite, since saving refuses others, and its weights file rewritten.
   */
  private static <C extends Serializable, M extends Network<?>> Path saveNonFinite(ModelFormat<C, M> format, M model,
      Runnable poison, Path dir) throws Exception {
    ModelFolder.save(format, Contents.of(model, TOK), dir);
    poison.run();
    try (OutputStream out = Files.newOutputStream(dir.resolve(ModelFolder.WEIGHTS))) {
      format.writeWeights(format.config(model), model.parameters(), out);
    }
    return dir;
  }

  @Test
  void configJsonMustBeExactlyOneObjectWithUniqueKeys(@TempDir Path dir) throws Exception {
    Path folder = gptFolder(dir.resolve("m"));
    Path config = folder.resolve("config.json");
    String good = Files.readString(config);
    Files.writeString(config, good.replace("{", "{\n  \"n_layer\" : 1,"));
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), config.toString(), "Duplicate field 'n_layer'");
    Files.writeString(config, good + " trailing");
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), config.toString(), "not valid JSON");
    Files.writeString(config, good + good);
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), config.toString(), "not valid JSON", "Trailing token");
    Files.writeString(config, good.replace(",", ",,"));
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), config.toString(), "not valid JSON", "line ");
    Files.writeString(config, good.replace("\"n_layer\" : 1", "\"n_layer\" : 1000000000"));
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), config.toString(), "n_layer 1000000000", "parameters");
    Files.writeString(config, good);
    assertDoesNotThrow(() -> load(GptFormat.INSTANCE, folder));
  }

  @Test
  void tokenizerJsonMustBeExactlyOneObject(@TempDir Path dir) throws Exception {
    Path folder = gptFolder(dir.resolve("m"));
    Path tokenizer = folder.resolve(Tokenizer.FILE_NAME);
    String good = Files.readString(tokenizer);
    Files.writeString(tokenizer, good + "{}");
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), tokenizer.toString(), "not valid JSON");
    Files.writeString(tokenizer, good.replaceFirst("\"version\"", "\"type\" : \"char\",\n  \"version\""));
    assertContains(failure(() -> load(GptFormat.INSTANCE, folder)), tokenizer.toString(), "Duplicate field 'type'");
  }

  @Test
  void nonFiniteWeightsAreRefusedNamingTheTensor(@TempDir Path dir) throws Exception {
    Gpt gpt = Gpt.create(new GptConfig(TOK.vocabSize(), 8, 1, 2, 8, 0.0, true), 1);
    Path g = saveNonFinite(GptFormat.INSTANCE, gpt,
        () -> gpt.parameters().get("transformer.h.0.mlp.c_fc.weight").value().set(5, Float.NaN), dir.resolve("gpt"));
    assertContains(failure(() -> load(GptFormat.INSTANCE, g)), "model.safetensors",
        "transformer.h.0.mlp.c_fc.weight[5] holds NaN");

    EncoderClassifier classifier = EncoderClassifier.create(EncoderConfig.of(TOK.vocabSize(), 8, 1, 2, 8, 3), 1);
    Path c = saveNonFinite(EncoderClassifierFormat.INSTANCE, classifier,
        () -> classifier.parameters().values().set(3, Float.POSITIVE_INFINITY), dir.resolve("classifier"));
    assertContains(failure(() -> load(EncoderClassifierFormat.INSTANCE, c)), "model.safetensors", "holds Infinity");

    EncoderDecoder translator = EncoderDecoder.create(
        EncoderDecoderConfig.of(TOK.vocabSize(), TOK.vocabSize(), 8, 8, 1, 2, 8), 1);
    Path t = saveNonFinite(EncoderDecoderFormat.INSTANCE, translator,
        () -> translator.parameters().values().set(7, Float.NaN), dir.resolve("translator"));
    assertContains(failure(() -> load(EncoderDecoderFormat.INSTANCE, t)), "holds NaN");
  }

  @Test
  void aTokenizerThatCannotDecodeEveryIdIsRefusedAtLoad(@TempDir Path dir) throws Exception {
    CharTokenizer small = CharTokenizer.learn(List.of("helo"), TokenizerOptions.defaults());
    ModelFolder.save(GptFormat.INSTANCE, Contents.of(Gpt.create(new GptConfig(TOK.vocabSize(), 8, 1, 2, 8, 0.0,
        true), 1), small), dir.resolve("gpt"));
    assertContains(failure(() -> load(GptFormat.INSTANCE, dir.resolve("gpt"))),
        dir.resolve("gpt").resolve(Tokenizer.FILE_NAME).toString(), "has " + small.vocabSize()
        + " tokens but the model's vocabulary is " + TOK.vocabSize(), "cannot decode");

    EncoderDecoder translator = EncoderDecoder.create(
        EncoderDecoderConfig.of(TOK.vocabSize(), TOK.vocabSize(), 8, 8, 1, 2, 8), 1);
    ModelFolder.save(EncoderDecoderFormat.INSTANCE, new Contents<>(translator, TOK, small),
        dir.resolve("translator"));
    assertContains(failure(() -> load(EncoderDecoderFormat.INSTANCE, dir.resolve("translator"))),
        ModelFolder.TARGET_TOKENIZER, "target vocabulary", "cannot decode");
    ModelFolder.save(EncoderDecoderFormat.INSTANCE, new Contents<>(translator, small, TOK),
        dir.resolve("small-source")); // only encodes: fine
    assertDoesNotThrow(() -> load(EncoderDecoderFormat.INSTANCE, dir.resolve("small-source")));

    // A classifier's vocabulary may be set larger than its tokenizer's; it never decodes.
    ModelFolder.save(EncoderClassifierFormat.INSTANCE, Contents.of(EncoderClassifier.create(
        EncoderConfig.of(TOK.vocabSize() + 5, 8, 1, 2, 8, 3), 1), TOK), dir.resolve("classifier"));
    assertDoesNotThrow(() -> load(EncoderClassifierFormat.INSTANCE, dir.resolve("classifier")));
  }
}
