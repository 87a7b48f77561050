package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.fixtures.Fixtures;
import io.spindle.fixtures.WriteFixtures;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed model folders ({@link WriteFixtures}) read by today's code: each loads with the config and
 * tokenizers it was written with and computes the logits pinned when it was written, and saving what was loaded
 * writes the committed files again, byte for byte. A change of the layout or of a file's format (a renamed file,
 * field or tensor, another default, another tensor layout) fails here; if the change is meant, regenerate the
 * fixtures as {@link WriteFixtures} says.
 */
class FormatFixtureTest {
  static JsonNode expected;

  @TempDir
  Path dir;

  @BeforeAll
  static void readExpected() throws IOException {
    expected = Fixtures.expected();
  }

  @Test
  void theGptFolderLoadsWithItsTokenizerAndComputesThePinnedLogits() throws IOException {
    ModelFolder.Contents<Gpt> folder = ModelFolder.load(GptFormat.INSTANCE, folder(WriteFixtures.GPT_FOLDER));
    assertEquals(WriteFixtures.GPT, folder.model().config());
    assertEquals(WriteFixtures.GPT_TOKENIZER, folder.tokenizer());
    assertEquals(WriteFixtures.GPT_TOKENIZER, folder.targetTokenizer());
    JsonNode pinned = expected.get(WriteFixtures.GPT_FOLDER);
    assertArrayEquals(Fixtures.ints(pinned.get("input_ids")), WriteFixtures.gptInput(folder.tokenizer()));
    Fixtures.assertLogits(pinned, WriteFixtures.gptLogits(folder.model(), folder.tokenizer()), "GPT");
  }

  @Test
  void theEncoderDecoderFolderLoadsWithItsOwnTargetTokenizer() throws IOException {
    ModelFolder.Contents<EncoderDecoder> folder = ModelFolder.load(EncoderDecoderFormat.INSTANCE,
        folder(WriteFixtures.TRANSLATOR_FOLDER));
    assertEquals(WriteFixtures.TRANSLATOR, folder.model().config());
    assertEquals(WriteFixtures.SOURCE_TOKENIZER, folder.tokenizer());
    assertEquals(WriteFixtures.TARGET_TOKENIZER, folder.targetTokenizer());
    assertNotEquals(folder.tokenizer(), folder.targetTokenizer());
    JsonNode pinned = expected.get(WriteFixtures.TRANSLATOR_FOLDER);
    var batch = WriteFixtures.translatorInput(folder.tokenizer(), folder.targetTokenizer());
    assertArrayEquals(Fixtures.ints(pinned.get("source_ids")), batch.source().ids());
    assertArrayEquals(Fixtures.ints(pinned.get("decoder_input_ids")), batch.decoderInput().ids());
    Fixtures.assertLogits(pinned, WriteFixtures.translatorLogits(folder.model(), folder.tokenizer(),
        folder.targetTokenizer()), "encoder-decoder");
  }

  @Test
  void theEncoderClassifierFolderLoadsWithItsTokenizer() throws IOException {
    ModelFolder.Contents<EncoderClassifier> folder = ModelFolder.load(EncoderClassifierFormat.INSTANCE,
        folder(WriteFixtures.CLASSIFIER_FOLDER));
    assertEquals(WriteFixtures.CLASSIFIER, folder.model().config());
    assertEquals(WriteFixtures.CLASSIFIER_TOKENIZER, folder.tokenizer());
    JsonNode pinned = expected.get(WriteFixtures.CLASSIFIER_FOLDER);
    assertArrayEquals(Fixtures.ints(pinned.get("input_ids")),
        WriteFixtures.classifierInput(folder.tokenizer()).ids());
    Fixtures.assertLogits(pinned, WriteFixtures.classifierLogits(folder.model(), folder.tokenizer()),
        "encoder classifier");
  }

  @Test
  void savingALoadedFolderWritesTheCommittedBytes() throws IOException {
    resave(GptFormat.INSTANCE, WriteFixtures.GPT_FOLDER);
    resave(EncoderDecoderFormat.INSTANCE, WriteFixtures.TRANSLATOR_FOLDER);
    resave(EncoderClassifierFormat.INSTANCE, WriteFixtures.CLASSIFIER_FOLDER);
  }

  private <C extends Serializable, M extends Network<?>> void resave(ModelFormat<C, M> format, String name)
      throws IOException {
    Path copy = dir.resolve(name);
    ModelFolder.save(format, ModelFolder.load(format, folder(name)), copy);
    Fixtures.assertSameFiles(folder(name), copy);
  }

  private static Path folder(String name) {
    return Fixtures.committed().resolve(name);
  }
}
