package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.TokenizerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model-folder codec's guards: non-finite weights are never saved; a tokenizer must fit the vocabulary. */
class ModelFolderTest {
  @TempDir
  Path dir;

  @Test
  void nonFiniteWeightsAreNeverSaved() {
    CharTokenizer tok = CharTokenizer.learn(List.of("abc"), TokenizerOptions.defaults());
    Gpt model = Gpt.create(new GptConfig(tok.vocabSize(), 4, 1, 1, 4, 0, true), 1);
    int last = model.parameters().count() - 1;
    model.parameters().values().set(last, Float.POSITIVE_INFINITY);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(model, tok), dir.resolve("m")));
    assertTrue(e.getMessage().contains("not finite") && e.getMessage().contains("Infinity"), e.getMessage());
    assertTrue(e.getMessage().contains(model.parameters().names().get(model.parameters().names().size() - 1)),
        "names the parameter: " + e.getMessage());
  }

  @Test
  void aTokenizerLargerThanTheVocabularyIsRefusedAtLoad() throws Exception {
    CharTokenizer small = CharTokenizer.learn(List.of("ab"), TokenizerOptions.defaults());
    CharTokenizer large = CharTokenizer.learn(List.of("abcdefgh"), TokenizerOptions.defaults());
    ModelFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(Gpt.create(new GptConfig(small.vocabSize(), 4, 1,
        1, 4, 0, true), 1), large), dir);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFolder.load(GptFormat.INSTANCE, dir));
    assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains(large.vocabSize() + " tokens"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve(ModelFolder.TARGET_TOKENIZER)));
  }
}
