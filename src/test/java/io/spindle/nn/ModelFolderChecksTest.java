package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
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
    GptFolder.save(Gpt.create(new GptConfig(TOK.vocabSize(), 8, 1, 2, 8, 0.0, true), 1), TOK, dir);
    return dir;
  }

  @Test
  void configJsonMustBeExactlyOneObjectWithUniqueKeys(@TempDir Path dir) throws Exception {
    Path folder = gptFolder(dir.resolve("m"));
    Path config = folder.resolve("config.json");
    String good = Files.readString(config);
    Files.writeString(config, good.replace("{", "{\n  \"n_layer\" : 1,"));
    assertContains(failure(() -> GptFolder.load(folder)), config.toString(), "Duplicate field 'n_layer'");
    Files.writeString(config, good + " trailing");
    assertContains(failure(() -> GptFolder.load(folder)), config.toString(), "not valid JSON");
    Files.writeString(config, good + good);
    assertContains(failure(() -> GptFolder.load(folder)), config.toString(), "not valid JSON", "Trailing token");
    Files.writeString(config, good.replace(",", ",,"));
    assertContains(failure(() -> GptFolder.load(folder)), config.toString(), "not valid JSON", "line ");
    Files.writeString(config, good.replace("\"n_layer\" : 1", "\"n_layer\" : 1000000000"));
    assertContains(failure(() -> GptFolder.load(folder)), config.toString(), "n_layer 1000000000", "parameters");
    Files.writeString(config, good);
    assertDoesNotThrow(() -> GptFolder.load(folder));
  }

  @Test
  void tokenizerJsonMustBeExactlyOneObject(@TempDir Path dir) throws Exception {
    Path folder = gptFolder(dir.resolve("m"));
    Path tokenizer = folder.resolve(Tokenizer.FILE_NAME);
    String good = Files.readString(tokenizer);
    Files.writeString(tokenizer, good + "{}");
    assertContains(failure(() -> GptFolder.load(folder)), tokenizer.toString(), "not valid JSON");
    Files.writeString(tokenizer, good.replaceFirst("\"version\"", "\"type\" : \"char\",\n  \"version\""));
    assertContains(failure(() -> GptFolder.load(folder)), tokenizer.toString(), "Duplicate field 'type'");
  }

  @Test
  void nonFiniteWeightsAreRefusedNamingTheTensor(@TempDir Path dir) throws Exception {
    Gpt gpt = Gpt.create(new GptConfig(TOK.vocabSize(), 8, 1, 2, 8, 0.0, true), 1);
    gpt.parameters().get("transformer.h.0.mlp.c_fc.weight").value().set(5, Float.NaN);
    GptFolder.save(gpt, TOK, dir.resolve("gpt"));
    assertContains(failure(() -> GptFolder.load(dir.resolve("gpt"))), "model.safetensors",
        "'transformer.h.0.mlp.c_fc.weight' holds NaN at element 5");

    EncoderClassifier classifier = EncoderClassifier.create(EncoderConfig.of(TOK.vocabSize(), 8, 1, 2, 8, 3), 1);
    classifier.parameters().values().set(3, Float.POSITIVE_INFINITY);
    EncoderClassifierFolder.save(classifier, TOK, dir.resolve("classifier"));
    assertContains(failure(() -> EncoderClassifierFolder.load(dir.resolve("classifier"))), "model.safetensors",
        "holds Infinity");

    EncoderDecoder translator = EncoderDecoder.create(
        EncoderDecoderConfig.of(TOK.vocabSize(), TOK.vocabSize(), 8, 8, 1, 2, 8), 1);
    translator.parameters().values().set(7, Float.NaN);
    EncoderDecoderFolder.save(translator, TOK, TOK, dir.resolve("translator"));
    assertContains(failure(() -> EncoderDecoderFolder.load(dir.resolve("translator"))), "holds NaN");
  }

  @Test
  void aTokenizerThatCannotDecodeEveryIdIsRefusedAtLoad(@TempDir Path dir) throws Exception {
    CharTokenizer small = CharTokenizer.learn(List.of("helo"), TokenizerOptions.defaults());
    GptFolder.save(Gpt.create(new GptConfig(TOK.vocabSize(), 8, 1, 2, 8, 0.0, true), 1), small, dir.resolve("gpt"));
    assertContains(failure(() -> GptFolder.load(dir.resolve("gpt"))), "tokenizer.json has " + small.vocabSize()
        + " tokens but vocab_size is " + TOK.vocabSize(), "cannot decode");

    EncoderDecoder translator = EncoderDecoder.create(
        EncoderDecoderConfig.of(TOK.vocabSize(), TOK.vocabSize(), 8, 8, 1, 2, 8), 1);
    EncoderDecoderFolder.save(translator, TOK, small, dir.resolve("translator"));
    assertContains(failure(() -> EncoderDecoderFolder.load(dir.resolve("translator"))), "target tokenizer has",
        "cannot decode");
    EncoderDecoderFolder.save(translator, small, TOK, dir.resolve("small-source")); // only encodes: fine
    assertDoesNotThrow(() -> EncoderDecoderFolder.load(dir.resolve("small-source")));

    // A classifier's vocabulary may be set larger than its tokenizer's; it never decodes.
    EncoderClassifierFolder.save(EncoderClassifier.create(EncoderConfig.of(TOK.vocabSize() + 5, 8, 1, 2, 8, 3), 1),
        TOK, dir.resolve("classifier"));
    assertDoesNotThrow(() -> EncoderClassifierFolder.load(dir.resolve("classifier")));
  }
}
