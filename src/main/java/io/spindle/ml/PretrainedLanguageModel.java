package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.HadoopFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The language model a {@link TransformerClassifier} fine-tunes: a GPT and the tokenizer it was trained with, from a
 * fitted {@link TransformerLMModel} or from a path. The path is either a saved {@code TransformerLMModel} (its
 * {@code data/} is a model folder) or a model folder written by {@code spindle train-lm}; either must hold a
 * {@code tokenizer.json}, since the classifier's ids must come from the same tokenizer.
 *
 * @param network the pretrained GPT (never changed: the classifier copies its weights)
 * @param tokenizer its tokenizer
 * @param source where it came from, for messages
 */
record PretrainedLanguageModel(Gpt network, Tokenizer tokenizer, String source) {
  /** A fitted or loaded language model. */
  static PretrainedLanguageModel of(TransformerLMModel model) {
    return new PretrainedLanguageModel(model.network(), model.tokenizer(), "initial model " + model.uid());
  }

  /** The language model at {@code path} (see the class comment); a missing file is an error naming it. */
  static PretrainedLanguageModel load(String path, Configuration conf) {
    try {
      Path dir = new Path(path);
      boolean folder = dir.getFileSystem(conf).isFile(new Path(dir, ModelFolder.CONFIG));
      String data = folder ? path : ModelPersistence.dataDir(path);
      ModelFolder.Contents<Gpt> contents = HadoopFolder.load(GptFormat.INSTANCE, data, conf);
      if (contents.tokenizer() == null) {
        throw new BadInputException("initialModelPath " + path + ": the language model has no "
            + ModelFolder.TOKENIZER + "; the classifier needs the tokenizer its ids come from");
      }
      return new PretrainedLanguageModel(contents.model(), contents.tokenizer(), "initialModelPath " + path);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the initial model at " + path, e);
    }
  }

  /**
   * A short fingerprint of {@code tokenizer}: the first 16 hex digits of the SHA-256 of its {@code tokenizer.json}
   * bytes. Equal tokenizers give equal fingerprints; the ids column of a {@link SpindleTokenizerModel} carries it.
   */
  static String fingerprint(Tokenizer tokenizer) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(tokenizer.toBytes());
      return String.format("%064x", new BigInteger(1, digest)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
