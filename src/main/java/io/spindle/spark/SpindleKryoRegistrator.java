package io.spindle.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.spindle.train.Evaluation;
import io.spindle.train.ExampleChunk;
import io.spindle.train.PairChunk;
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
 * {@code spark.kryo.registrationRequired=true}: the broadcast weights ({@code float[]}), the task results and
 * shuffled partial sums ({@link GradientSum}, in its own compact format), the cached chunks ({@link TokenChunk}) and
 * what building them shuffles or collects (pieces keyed by {@link SparkTokenStream.ChunkKey}, {@code int[]},
 * {@code long[]} statistics), for classifiers the examples ({@link LabeledSequence}) and their cached
 * {@link ExampleChunk}s, for translation models the pairs ({@link TranslationPair}) and their cached
 * {@link PairChunk}s; validation scores ({@link Evaluation}); for text, the per-partition token counts of {@link SparkVocabulary} and the broadcast
 * {@code tokenizer.json} ({@code byte[]}). Records get explicit serializers: Kryo's field serializer cannot build
 * them.
 */
public final class SpindleKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(float[].class);
    kryo.register(int[].class);
    kryo.register(long[].class);
    kryo.register(GradientSum.class, new GradientSumSerializer());
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
      output.writeInt(pair.source().length);
      output.writeInts(pair.source());
      output.writeInt(pair.target().length);
      output.writeInts(pair.target());
    }

    @Override
    public TranslationPair read(Kryo kryo, Input input, Class<TranslationPair> type) {
      int[] source = input.readInts(input.readInt());
      return new TranslationPair(source, input.readInts(input.readInt()));
    }
  }

  static final class PairChunkSerializer extends Serializer<PairChunk> {
    @Override
    public void write(Kryo kryo, Output output, PairChunk chunk) {
      output.writeInt(chunk.index());
      output.writeInt(chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        output.writeInt(chunk.sources()[i].length);
        output.writeInts(chunk.sources()[i]);
        output.writeInt(chunk.targets()[i].length);
        output.writeInts(chunk.targets()[i]);
      }
    }

    @Override
    public PairChunk read(Kryo kryo, Input input, Class<PairChunk> type) {
      int index = input.readInt();
      int size = input.readInt();
      int[][] sources = new int[size][];
      int[][] targets = new int[size][];
      for (int i = 0; i < size; i++) {
        sources[i] = input.readInts(input.readInt());
        targets[i] = input.readInts(input.readInt());
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
      output.writeInt(example.ids().length);
      output.writeInts(example.ids());
    }

    @Override
    public LabeledSequence read(Kryo kryo, Input input, Class<LabeledSequence> type) {
      int label = input.readInt();
      return new LabeledSequence(input.readInts(input.readInt()), label);
    }
  }

  static final class ExampleChunkSerializer extends Serializer<ExampleChunk> {
    @Override
    public void write(Kryo kryo, Output output, ExampleChunk chunk) {
      output.writeInt(chunk.index());
      output.writeInt(chunk.size());
      output.writeInts(chunk.labels());
      for (int[] ids : chunk.ids()) {
        output.writeInt(ids.length);
        output.writeInts(ids);
      }
    }

    @Override
    public ExampleChunk read(Kryo kryo, Input input, Class<ExampleChunk> type) {
      int index = input.readInt();
      int size = input.readInt();
      int[] labels = input.readInts(size);
      int[][] ids = new int[size][];
      for (int i = 0; i < size; i++) {
        ids[i] = input.readInts(input.readInt());
      }
      return new ExampleChunk(index, ids, labels);
    }
  }

  /** {@link GradientSum}'s own wire format, which sums its parts and applies the optional bf16 compression. */
  static final class GradientSumSerializer extends Serializer<GradientSum> {
    @Override
    public void write(Kryo kryo, Output output, GradientSum sum) {
      try {
        DataOutputStream out = new DataOutputStream(output);
        sum.writeTo(out);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("writing a GradientSum", e);
      }
    }

    @Override
    public GradientSum read(Kryo kryo, Input input, Class<GradientSum> type) {
      try {
        return GradientSum.readFrom(new DataInputStream(input));
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
      output.writeInt(chunk.tokens().length);
      output.writeInts(chunk.tokens());
    }

    @Override
    public TokenChunk read(Kryo kryo, Input input, Class<TokenChunk> type) {
      int index = input.readInt();
      long offset = input.readLong();
      int owned = input.readInt();
      int length = input.readInt();
      return new TokenChunk(index, offset, owned, input.readInts(length));
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
