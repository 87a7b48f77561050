package io.spindle.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.spindle.train.Evaluation;
import io.spindle.train.ExampleChunk;
import io.spindle.train.PairChunk;
import io.spindle.train.PromptChunk;
import io.spindle.train.TokenChunk;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers with Kryo everything Spindle sends between driver and executors, so training runs with
 * {@code spark.serializer=org.apache.spark.serializer.KryoSerializer},
 * {@code spark.kryo.registrator=io.spindle.spark.SpindleKryoRegistrator} and
 * {@code spark.kryo.registrationRequired=true}: the broadcast weights ({@link FlatWeights} for training steps and
 * evaluation, {@code float[]} for inference; both in bulk), the task results and
 * shuffled partial sums ({@link GradientSum}, in its own compact format), the cached chunks ({@link TokenChunk}) and
 * what building them shuffles or collects (pieces keyed by {@link SparkTokenStream.ChunkKey}, {@code int[]},
 * {@code long[]} statistics), for classifiers the examples ({@link LabeledSequence}) and their cached
 * {@link ExampleChunk}s, for translation models the pairs ({@link TranslationPair}) and their cached
 * {@link PairChunk}s; for reinforcement learning the cached {@link PromptChunk}s; validation scores ({@link Evaluation}); for text, the per-partition token counts of {@link SparkVocabulary} and the broadcast
 * {@code tokenizer.json} ({@code byte[]}). Records get explicit serializers: Kryo's field serializer cannot build
 * them.
 */
public final class SpindleKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    register(kryo, true);
  }

  /**
   * Registers Spindle's classes; {@code bulk} false keeps the element-by-element float codecs of earlier versions
   * (Kryo's stock {@code float[]} serializer, {@link FloatBytes}' baseline path for gradients), the baseline of
   * {@code bin/bench spark --baseline}. The bytes of a {@link GradientSum} are the same either way.
   */
  static void register(Kryo kryo, boolean bulk) {
    if (bulk) {
      kryo.register(float[].class, new FloatArraySerializer());
    } else {
      kryo.register(float[].class);
    }
    kryo.register(int[].class);
    kryo.register(long[].class);
    kryo.register(GradientSum.class, new GradientSumSerializer(bulk));
    kryo.register(FlatWeights.class, new FlatWeightsSerializer());
    kryo.register(TokenChunk.class, new TokenChunkSerializer());
    kryo.register(SparkTokenStream.ChunkKey.class, new ChunkKeySerializer());
    kryo.register(int[][].class);
    kryo.register(LabeledSequence.class, new LabeledSequenceSerializer());
    kryo.register(ExampleChunk.class, new ExampleChunkSerializer());
    kryo.register(byte[].class);
    kryo.register(SparkVocabulary.Counts.class, new CountsSerializer());
    kryo.register(TranslationPair.class, new TranslationPairSerializer());
    kryo.register(PairChunk.class, new PairChunkSerializer());
    kryo.register(Evaluation.class, new EvaluationSerializer());
    kryo.register(PromptChunk.class, new PromptChunkSerializer());
  }

  /** An id sequence as its length and its ints: the one layout of every {@code int[]} inside Spindle's records. */
  private static void writeIds(Output output, int[] ids) {
    output.writeInt(ids.length);
    output.writeInts(ids);
  }

  private static int[] readIds(Input input) {
    return input.readInts(input.readInt());
  }

  /** Each row by {@link #writeIds}, one after another; the row count is the caller's to write. */
  private static void writeRows(Output output, int[][] rows) {
    for (int[] row : rows) {
      writeIds(output, row);
    }
  }

  private static int[][] readRows(Input input, int count) {
    int[][] rows = new int[count][];
    for (int i = 0; i < count; i++) {
      rows[i] = readIds(input);
    }
    return rows;
  }

  static final class PromptChunkSerializer extends Serializer<PromptChunk> {
    @Override
    public void write(Kryo kryo, Output output, PromptChunk chunk) {
      output.writeInt(chunk.index());
      output.writeInt(chunk.size());
      writeRows(output, chunk.prompts());
    }

    @Override
    public PromptChunk read(Kryo kryo, Input input, Class<PromptChunk> type) {
      int index = input.readInt();
      return new PromptChunk(index, readRows(input, input.readInt()));
    }
  }

  static final class EvaluationSerializer extends Serializer<Evaluation> {
    @Override
    public void write(Kryo kryo, Output output, Evaluation e) {
      output.writeDouble(e.lossSum());
      output.writeLong(e.count());
      output.writeLong(e.correct());
    }

    @Override
    public Evaluation read(Kryo kryo, Input input, Class<Evaluation> type) {
      return new Evaluation(input.readDouble(), input.readLong(), input.readLong());
    }
  }

  static final class TranslationPairSerializer extends Serializer<TranslationPair> {
    @Override
    public void write(Kryo kryo, Output output, TranslationPair pair) {
      writeIds(output, pair.source());
      writeIds(output, pair.target());
    }

    @Override
    public TranslationPair read(Kryo kryo, Input input, Class<TranslationPair> type) {
      int[] source = readIds(input);
      return new TranslationPair(source, readIds(input));
    }
  }

  static final class PairChunkSerializer extends Serializer<PairChunk> {
    @Override
    public void write(Kryo kryo, Output output, PairChunk chunk) {
      output.writeInt(chunk.index());
      output.writeInt(chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        writeIds(output, chunk.sources()[i]);
        writeIds(output, chunk.targets()[i]);
      }
    }

    @Override
    public PairChunk read(Kryo kryo, Input input, Class<PairChunk> type) {
      int index = input.readInt();
      int size = input.readInt();
      int[][] sources = new int[size][];
      int[][] targets = new int[size][];
      for (int i = 0; i < size; i++) {
        sources[i] = readIds(input);
        targets[i] = readIds(input);
      }
      return new PairChunk(index, sources, targets);
    }
  }

  static final class CountsSerializer extends Serializer<SparkVocabulary.Counts> {
    @Override
    public void write(Kryo kryo, Output output, SparkVocabulary.Counts counts) {
      output.writeLong(counts.lines);
      output.writeInt(counts.counts.size());
      counts.counts.forEach((token, n) -> {
        output.writeString(token);
        output.writeLong(n);
      });
    }

    @Override
    public SparkVocabulary.Counts read(Kryo kryo, Input input, Class<SparkVocabulary.Counts> type) {
      long lines = input.readLong();
      int size = input.readInt();
      HashMap<String, Long> counts = new HashMap<>(2 * size);
      for (int i = 0; i < size; i++) {
        counts.put(input.readString(), input.readLong());
      }
      return new SparkVocabulary.Counts(counts, lines);
    }
  }

  static final class LabeledSequenceSerializer extends Serializer<LabeledSequence> {
    @Override
    public void write(Kryo kryo, Output output, LabeledSequence example) {
      output.writeInt(example.label());
      writeIds(output, example.ids());
    }

    @Override
    public LabeledSequence read(Kryo kryo, Input input, Class<LabeledSequence> type) {
      int label = input.readInt();
      return new LabeledSequence(readIds(input), label);
    }
  }

  static final class ExampleChunkSerializer extends Serializer<ExampleChunk> {
    @Override
    public void write(Kryo kryo, Output output, ExampleChunk chunk) {
      output.writeInt(chunk.index());
      output.writeInt(chunk.size());
      output.writeInts(chunk.labels());
      writeRows(output, chunk.ids());
    }

    @Override
    public ExampleChunk read(Kryo kryo, Input input, Class<ExampleChunk> type) {
      int index = input.readInt();
      int size = input.readInt();
      int[] labels = input.readInts(size);
      return new ExampleChunk(index, readRows(input, size), labels);
    }
  }

  /**
   * {@code float[]} (the broadcast weights) as its length and its float32 elements in bulk ({@link FloatBytes});
   * Kryo's own serializer writes one element at a time.
   */
  static final class FloatArraySerializer extends Serializer<float[]> {
    @Override
    public void write(Kryo kryo, Output output, float[] a) {
      output.writeVarInt(a.length, true);
      try {
        FloatBytes.write(new DataOutputStream(output), a, a.length, true);
      } catch (IOException e) {
        throw new UncheckedIOException("writing a float[]", e);
      }
    }

    @Override
    public float[] read(Kryo kryo, Input input, Class<float[]> type) {
      float[] a = new float[input.readVarInt(true)];
      try {
        FloatBytes.read(new DataInputStream(input), a, a.length, true);
      } catch (IOException e) {
        throw new UncheckedIOException("reading a float[]", e);
      }
      return a;
    }
  }

  /** {@link FlatWeights}' own wire format: the broadcast weights, in bulk straight from the driver's buffer. */
  static final class FlatWeightsSerializer extends Serializer<FlatWeights> {
    @Override
    public void write(Kryo kryo, Output output, FlatWeights weights) {
      try {
        weights.writeTo(new DataOutputStream(output));
      } catch (IOException e) {
        throw new UncheckedIOException("writing the broadcast weights", e);
      }
    }

    @Override
    public FlatWeights read(Kryo kryo, Input input, Class<FlatWeights> type) {
      try {
        return FlatWeights.readFrom(new DataInputStream(input));
      } catch (IOException e) {
        throw new UncheckedIOException("reading the broadcast weights", e);
      }
    }
  }

  /** {@link GradientSum}'s own wire format, which sums its parts and applies the optional bf16 compression. */
  static final class GradientSumSerializer extends Serializer<GradientSum> {
    private final boolean bulk;

    GradientSumSerializer(boolean bulk) {
      this.bulk = bulk;
    }

    @Override
    public void write(Kryo kryo, Output output, GradientSum sum) {
      try {
        DataOutputStream out = new DataOutputStream(output);
        sum.writeTo(out, bulk);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("writing a GradientSum", e);
      }
    }

    @Override
    public GradientSum read(Kryo kryo, Input input, Class<GradientSum> type) {
      try {
        return GradientSum.readFrom(new DataInputStream(input), bulk);
      } catch (IOException e) {
        throw new UncheckedIOException("reading a GradientSum", e);
      }
    }
  }

  static final class TokenChunkSerializer extends Serializer<TokenChunk> {
    @Override
    public void write(Kryo kryo, Output output, TokenChunk chunk) {
      output.writeInt(chunk.index());
      output.writeLong(chunk.offset());
      output.writeInt(chunk.owned());
      writeIds(output, chunk.tokens());
    }

    @Override
    public TokenChunk read(Kryo kryo, Input input, Class<TokenChunk> type) {
      int index = input.readInt();
      long offset = input.readLong();
      int owned = input.readInt();
      return new TokenChunk(index, offset, owned, readIds(input));
    }
  }

  static final class ChunkKeySerializer extends Serializer<SparkTokenStream.ChunkKey> {
    @Override
    public void write(Kryo kryo, Output output, SparkTokenStream.ChunkKey key) {
      output.writeInt(key.chunk());
      output.writeLong(key.offset());
    }

    @Override
    public SparkTokenStream.ChunkKey read(Kryo kryo, Input input, Class<SparkTokenStream.ChunkKey> type) {
      return new SparkTokenStream.ChunkKey(input.readInt(), input.readLong());
    }
  }
}
