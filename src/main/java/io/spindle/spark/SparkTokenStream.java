package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.GptConfig;
import io.spindle.train.LmObjective;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The training token stream on a cluster: an RDD of token sequences, concatenated in RDD order (partition by
 * partition, element by element, as nanoGPT concatenates its documents into {@code train.bin}), validated and re-cut
 * into P cached {@link TokenChunk}s along a {@link StreamLayout}, one per partition. P is the number of tasks per
 * training step.
 *
 * <p>Building runs two Spark jobs before any training step: one that counts tokens per input partition and checks
 * every id against the vocabulary, and one that cuts the sequences at the chunk borders (overlapping by T tokens),
 * shuffles the pieces to their chunk and caches the chunks; a third collects the validation tail when one is held
 * out. The input sequences are cached (memory and disk) while these jobs run, unless the caller cached them, so
 * they are computed once. Errors in the data (an empty dataset, a stream shorter than T + 1 tokens, an id outside
 * {@code [0, V)}) are {@link IllegalArgumentException}s naming the problem. Only the total length matters:
 * sequences shorter than T are fine, they are joined to their neighbours.
 *
 * <p><b>Validation tail.</b> With a validation fraction f, the last {@code floor(n * f)} tokens of the stream of n
 * are held out and collected to the driver ({@link #validationTokens()}), and the chunks cover the first
 * {@code n - floor(n * f)}: exactly {@code io.spindle.data.TokenSplit}'s cut of the same stream, so the in-process
 * and the Spark trainer train and validate on the same tokens. For text ({@link #fromText}) the tail is the end of
 * the last lines in RDD order (the last lines of the last file for {@code textFile}), not a random sample.
 *
 * <p>{@link #close()} unpersists the chunks.
 */
public final class SparkTokenStream implements SparkParts<TokenChunk>, AutoCloseable {
  private final JavaRDD<TokenChunk> chunks;
  private JavaRDD<TokenChunk> validation;
  private final StreamLayout layout;
  private final int vocabSize;
  private final int[] validationTokens;

  private SparkTokenStream(JavaRDD<TokenChunk> chunks, StreamLayout layout, int vocabSize, int[] validationTokens) {
    this.chunks = chunks;
    this.layout = layout;
    this.vocabSize = vocabSize;
    this.validationTokens = validationTokens;
  }

  /**
   * Validates {@code sequences} against the vocabulary and block size and cuts their concatenation into
   * {@code partitions} cached chunks; nothing is held out for validation.
   */
  public static SparkTokenStream of(JavaRDD<int[]> sequences, int blockSize, int vocabSize, int partitions) {
    return of(sequences, blockSize, vocabSize, partitions, 0);
  }

  /**
   * {@link #of(JavaRDD, int, int, int)} holding out the last {@code floor(n * validationFraction)} tokens for
   * validation (see the class comment); {@code validationFraction} must be in [0, 1).
   */
  public static SparkTokenStream of(JavaRDD<int[]> sequences, int blockSize, int vocabSize, int partitions,
      double validationFraction) {
    if (blockSize < 1 || vocabSize < 1 || partitions < 1) {
      throw new BadInputException("training data: block size, vocab size and partitions must be >= 1, got "
          + blockSize + ", " + vocabSize + ", " + partitions);
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new BadInputException("training data: validation fraction must be in [0, 1), got "
          + validationFraction);
    }
    boolean cache = sequences.getStorageLevel().equals(StorageLevel.NONE());
    if (cache) {
      sequences.persist(StorageLevel.MEMORY_AND_DISK());
    }
    try {
      return build(sequences, blockSize, vocabSize, partitions, validationFraction);
    } finally {
      if (cache) {
        sequences.unpersist(false);
      }
    }
  }

  private static SparkTokenStream build(JavaRDD<int[]> sequences, int blockSize, int vocabSize, int partitions,
      double validationFraction) {
    List<long[]> stats = new ArrayList<>(SparkJobs.run("checking the training data",
        () -> sequences.mapPartitionsWithIndex(statistics(vocabSize), false).collect()));
    stats.sort(Comparator.comparingLong(s -> s[0]));
    long[] offsets = new long[sequences.getNumPartitions()];
    long total = 0;
    for (long[] s : stats) {
      if (s[3] >= 0) {
        throw new BadInputException("training data: token id " + s[4] + " (sequence " + s[3]
            + " of input partition " + s[0] + ", position " + s[5] + ") is outside the vocabulary [0, " + vocabSize
            + ")");
      }
      offsets[(int) s[0]] = total;
      total += s[2];
    }
    if (total == 0) {
      throw new BadInputException("training data: the dataset is empty (no tokens in "
          + sequences.getNumPartitions() + " partition(s))");
    }
    long held = (long) Math.floor(total * validationFraction);
    long trainLength = total - held;
    if (trainLength < blockSize + 1L) {
      throw new BadInputException("training data: the token stream has " + total + " tokens"
          + (held > 0 ? " (" + trainLength + " for training after holding out " + held + " for validation)" : "")
          + "; block size " + blockSize + " needs at least " + (blockSize + 1L)
          + " (T inputs and one more target)");
    }
    if (held > Integer.MAX_VALUE - 8) {
      throw new BadInputException("training data: " + held + " validation tokens do not fit in one array on"
          + " the driver; use a smaller validation fraction");
    }
    int[] validation = held == 0 ? new int[0] : tail(sequences, offsets, total, trainLength, (int) held);
    StreamLayout layout = new StreamLayout(trainLength, partitions, blockSize);
    JavaPairRDD<ChunkKey, int[]> pieces = JavaPairRDD.fromJavaRDD(
        sequences.mapPartitionsWithIndex(cutter(offsets, layout), false));
    JavaRDD<TokenChunk> chunks = pieces.repartitionAndSortWithinPartitions(new ChunkPartitioner(partitions))
        .mapPartitionsWithIndex(assembler(layout), true)
        .setName("spindle token chunks (" + total + " tokens, " + partitions + " chunks)")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long built = SparkJobs.run("cutting the training data into chunks", chunks::count);
    if (built != partitions) {
      chunks.unpersist(false);
      throw new IllegalStateException("training data: built " + built + " chunks, expected " + partitions);
    }
    return new SparkTokenStream(chunks, layout, vocabSize, validation);
  }

  /**
   * The {@code length} tokens from global position {@code from} on, collected in stream order; partitions that end
   * before {@code from} are not read.
   */
  private static int[] tail(JavaRDD<int[]> sequences, long[] offsets, long total, long from, int length) {
    List<int[]> pieces = SparkJobs.run("collecting the validation tokens", () -> sequences
        .mapPartitionsWithIndex((Integer index, Iterator<int[]> it) -> {
          long partitionEnd = index + 1 < offsets.length ? offsets[index + 1] : total;
          int[] mine = new int[0];
          int n = 0;
          long position = offsets[index];
          while (partitionEnd > from && it.hasNext()) {
            int[] s = it.next();
            long start = Math.max(position, from);
            long end = position + s.length;
            if (start < end) {
              if (n + (end - start) > mine.length) {
                mine = Arrays.copyOf(mine, (int) Math.max(2L * mine.length, n + (end - start)));
              }
              System.arraycopy(s, (int) (start - position), mine, n, (int) (end - start));
              n += (int) (end - start);
            }
            position = end;
          }
          return n == 0 ? Collections.<int[]>emptyIterator()
              : Collections.singletonList(Arrays.copyOf(mine, n)).iterator();
        }, false).collect()); // collect keeps partition order, hence stream order
    int[] tokens = new int[length];
    int n = 0;
    for (int[] piece : pieces) {
      System.arraycopy(piece, 0, tokens, n, piece.length);
      n += piece.length;
    }
    if (n != length) {
      throw new IllegalStateException("training data: collected " + n + " validation tokens, expected " + length);
    }
    return tokens;
  }

  /**
   * The stream of the text {@code String.join("\n", lines)}, tokenized on the executors with {@code tokenizer}
   * (broadcast once; see {@code TextSequences}), with the last {@code validationFraction} of its tokens held out:
   * the same ids, chunks and validation tokens as tokenizing that text on the driver and calling {@link #fromTokens}
   * on {@code io.spindle.data.TokenSplit}'s training part. Lines keep their RDD order; for
   * {@code JavaSparkContext.textFile} that is file order, and a final newline of a file adds no empty line.
   */
  public static SparkTokenStream fromText(JavaRDD<String> lines, Tokenizer tokenizer, int blockSize,
      int partitions, double validationFraction) {
    return of(TextSequences.of(lines, tokenizer), blockSize, tokenizer.vocabSize(), partitions, validationFraction);
  }

  /** {@link #of} over a stream held on the driver, shipped to the cluster in pieces of at most 2^20 tokens. */
  public static SparkTokenStream fromTokens(JavaSparkContext context, int[] tokens, int blockSize, int vocabSize,
      int partitions) {
    int pieceLength = 1 << 20;
    List<int[]> pieces = new ArrayList<>();
    for (int start = 0; start < tokens.length; start += pieceLength) {
      pieces.add(Arrays.copyOfRange(tokens, start, Math.min(tokens.length, start + pieceLength)));
    }
    return of(context.parallelize(pieces, Math.max(1, Math.min(partitions, pieces.size()))), blockSize, vocabSize,
        partitions);
  }

  /**
   * {@link #of} over text files of whitespace-separated token ids (a file, directory or glob on any Hadoop file
   * system), one sequence per line, lines concatenated in file order. Throws {@link IllegalArgumentException} naming
   * the path if nothing matches it or a matching file cannot be opened, and naming the text if it is not an id.
   */
  public static SparkTokenStream fromTokenIdFiles(JavaSparkContext context, String path, int blockSize,
      int vocabSize, int partitions) {
    List<String> files = new ArrayList<>();
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(context.hadoopConfiguration());
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null || matches.length == 0) {
        throw new BadInputException("training data: no file matches " + path);
      }
      for (FileStatus m : matches) {
        for (FileStatus f : m.isDirectory() ? fs.listStatus(m.getPath()) : new FileStatus[] {m}) {
          if (f.isFile() && !f.getPath().getName().startsWith(".") && !f.getPath().getName().startsWith("_")) {
            fs.open(f.getPath()).close();
            files.add(f.getPath().toString());
          }
        }
      }
    } catch (IOException e) {
      throw new BadInputException("training data: cannot read " + path + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new BadInputException("training data: no readable file in " + path);
    }
    JavaRDD<int[]> sequences = context.textFile(String.join(",", files)).map(SparkTokenStream::parseIds);
    return of(sequences, blockSize, vocabSize, partitions);
  }

  private static int[] parseIds(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return new int[0];
    }
    String[] words = trimmed.split("\\s+");
    int[] ids = new int[words.length];
    for (int i = 0; i < words.length; i++) {
      try {
        ids[i] = Integer.parseInt(words[i]);
      } catch (NumberFormatException e) {
        throw new BadInputException("training data: '" + words[i] + "' is not a token id (line \""
            + (trimmed.length() > 60 ? trimmed.substring(0, 60) + "..." : trimmed) + "\")", e);
      }
    }
    return ids;
  }

  /** The cached chunks, one per partition, partition i holding chunk i. */
  public JavaRDD<TokenChunk> chunks() {
    return chunks;
  }

  @Override
  public JavaRDD<TokenChunk> parts() {
    return chunks;
  }

  /**
   * The tokens held out for validation, the stream's tail, on the driver (empty when none were). Not copied: do not
   * modify.
   */
  public int[] validationTokens() {
    return validationTokens;
  }

  /**
   * The validation tail as data for the trainer, one cached part (scored in consecutive windows), or null when it
   * has fewer than 2 tokens.
   */
  public SparkParts<TokenChunk> validation() {
    if (validationTokens.length < 2) {
      return null;
    }
    if (validation == null) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(chunks.context());
      validation = jsc.parallelize(List.of(LmObjective.whole(validationTokens, layout.blockSize())), 1).cache()
          .setName("spindle validation tokens");
    }
    JavaRDD<TokenChunk> parts = validation;
    long size = validationTokens.length;
    return new SparkParts<>() {
      @Override
      public JavaRDD<TokenChunk> parts() {
        return parts;
      }

      @Override
      public long size() {
        return size;
      }
    };
  }

  /**
   * The objective of training a model of {@code model} with {@code training} on this stream; throws naming both when
   * the stream was built for another block size or a larger vocabulary.
   */
  public LmObjective objective(GptConfig model, TrainingConfig training) {
    if (blockSize() != model.blockSize() || vocabSize > model.vocabSize()) {
      throw new IllegalArgumentException("training data was built for block size " + blockSize()
          + " and vocabulary " + vocabSize + "; the model has block_size " + model.blockSize()
          + " and vocab_size " + model.vocabSize());
    }
    return new LmObjective(model, training.seed(), training.batchSize(), length());
  }

  /** n, the number of training tokens in the stream (the validation tail excluded). */
  public long length() {
    return layout.length();
  }

  @Override
  public long size() {
    return layout.length();
  }

  /** P, chunks and hence tasks per training step. */
  @Override
  public int partitions() {
    return layout.chunks();
  }

  public int blockSize() {
    return layout.blockSize();
  }

  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void close() {
    chunks.unpersist(false);
    if (validation != null) {
      validation.unpersist(false);
    }
  }

  /**
   * Per input partition: {index, sequences, tokens, bad sequence or -1, bad id, bad position} (long[] so that it
   * crosses the wire without a serializer of its own).
   */
  private static org.apache.spark.api.java.function.Function2<Integer, Iterator<int[]>, Iterator<long[]>>
      statistics(int vocabSize) {
    return (index, sequences) -> {
      long count = 0;
      long tokens = 0;
      long[] result = {index, 0, 0, -1, 0, 0};
      while (sequences.hasNext()) {
        int[] s = sequences.next();
        for (int i = 0; i < s.length && result[3] < 0; i++) {
          if (s[i] < 0 || s[i] >= vocabSize) {
            result[3] = count;
            result[4] = s[i];
            result[5] = i;
          }
        }
        count++;
        tokens += s.length;
      }
      result[1] = count;
      result[2] = tokens;
      return Collections.singletonList(result).iterator();
    };
  }

  /** Cuts each sequence at the chunk borders into (chunk, global offset) → piece, duplicating the overlaps. */
  private static org.apache.spark.api.java.function.Function2<Integer, Iterator<int[]>, Iterator<Tuple2<ChunkKey,
      int[]>>> cutter(long[] offsets, StreamLayout layout) {
    return (index, sequences) -> {
      List<Tuple2<ChunkKey, int[]>> out = new ArrayList<>();
      long position = offsets[index];
      while (sequences.hasNext()) {
        int[] s = sequences.next();
        long end = position + s.length;
        for (int c = layout.firstChunkHolding(position); c < layout.chunks() && layout.start(c) < end; c++) {
          long from = Math.max(position, layout.start(c));
          long to = Math.min(end, layout.heldEnd(c));
          if (from < to) {
            out.add(new Tuple2<>(new ChunkKey(c, from),
                Arrays.copyOfRange(s, (int) (from - position), (int) (to - position))));
          }
        }
        position = end;
      }
      return out.iterator();
    };
  }

  /** Joins the pieces of chunk {@code index} (sorted by offset) into its {@link TokenChunk}, checking contiguity. */
  private static org.apache.spark.api.java.function.Function2<Integer, Iterator<Tuple2<ChunkKey, int[]>>,
      Iterator<TokenChunk>> assembler(StreamLayout layout) {
    return (index, pieces) -> {
      long start = layout.start(index);
      int[] tokens = new int[(int) (layout.heldEnd(index) - start)];
      long next = start;
      while (pieces.hasNext()) {
        Tuple2<ChunkKey, int[]> piece = pieces.next();
        if (piece._1().chunk() != index || piece._1().offset() != next) {
          throw new IllegalStateException("chunk " + index + ": piece " + piece._1() + " does not follow position "
              + next);
        }
        System.arraycopy(piece._2(), 0, tokens, (int) (next - start), piece._2().length);
        next += piece._2().length;
      }
      if (next != start + tokens.length) {
        throw new IllegalStateException("chunk " + index + ": holds tokens up to " + next + ", expected "
            + (start + tokens.length));
      }
      return Collections.singletonList(new TokenChunk(index, start, (int) (layout.ownedEnd(index) - start), tokens))
          .iterator();
    };
  }

  /** The shuffle key of a piece: its chunk, then its global offset (the sort order within the chunk). */
  record ChunkKey(int chunk, long offset) implements Comparable<ChunkKey>, java.io.Serializable {
    @Override
    public int compareTo(ChunkKey o) {
      return chunk != o.chunk ? Integer.compare(chunk, o.chunk) : Long.compare(offset, o.offset);
    }
  }

  /** Sends a piece to its chunk's partition. */
  static final class ChunkPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    ChunkPartitioner(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return ((ChunkKey) key).chunk();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ChunkPartitioner other && other.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }
}
