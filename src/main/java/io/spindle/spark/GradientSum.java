package io.spindle.spark;

import io.spindle.tensor.Tensor;
import io.spindle.train.CanonicalSum;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code treeAggregate} combines: the gradient of the summed loss over the windows of some partitions, the
 * summed loss and the target-token count.
 *
 * <p><b>Deterministic summation.</b> Float addition is not associative, and Spark merges task results and shuffled
 * values in the order they arrive, so summing eagerly would make the bits of the result depend on timing (and a
 * retried task or a resumed run would not reproduce a run exactly). Instead, {@link #mergeInPlace} only collects
 * <em>parts</em>, each keyed by the lowest partition index it covers; the parts are added up in key order when the
 * sum leaves the JVM (serialization, at each level of the aggregation tree) and when the driver reads it. Which
 * partitions meet at which tree node is fixed by Spark's treeAggregate (partition i goes to node i mod c), so the
 * whole sum is a function of the partition count and depth alone. The price: a tree node holds all its inputs until
 * it sends its sum on (at most about {@code scale + P / scale} gradients at the driver's final fold).
 *
 * <p><b>Canonical summation</b> ({@link #canonical}): with {@code TrainingConfig.deterministic}, tasks add each draw's
 * gradient as a leaf of a {@link CanonicalSum}, a fixed pairwise tree over the draw indices, and merging combines
 * sibling subtrees only; the sum is then a function of the global batch alone, the same bits for any partitioning,
 * aggregation depth and thread count (float32 only: bfloat16 rounding where subtrees cross the wire would depend on
 * the partitioning).
 *
 * <p><b>A task's own gradient</b> may stay in its workspace's buffer, lent ({@link LentGradient}): the writer streams
 * it from there, and a merge in the same JVM copies it out first. The bytes and the sums are the same.
 *
 * <p><b>Stored gradients.</b> A sum that knows its step's weights broadcast ({@link #of(int, LentGradient, double,
 * long, Map, boolean, long)}; merged sums inherit it) and is written where Spark runs, with a gradient of at least
 * {@link GradientBlock#MIN_BYTES} (1 MiB by default), stores the gradient as a block in the executor's block manager
 * and writes a reference instead of the elements ({@link GradientBlock}); the reader adds the block's elements
 * straight into its sum. A sum of one stored part passes the reference on unread. A canonical sum stores each
 * subtree's gradient the same way, and its reader reads them back at once (merging subtrees adds arrays). The
 * elements and the order of the additions are those of the inline format, so the sums are the same bits.
 *
 * <p><b>Named sums.</b> Besides the loss, an objective may report further named sums (a reinforcement-learning step's
 * summed reward, say: {@code BatchGradient.Result#sums}); they are added exactly where and in the order the loss is.
 *
 * <p><b>Wire format</b> (Java serialization and {@link SpindleKryoRegistrator}'s Kryo serializer alike): token count,
 * compression flag, the weights broadcast's id (or -1), part count (0 or 1), then the part's key, loss sum, named
 * sums, length and elements, float32 or, when compressed, bfloat16 ({@link Bf16}, rounded at every tree level); a
 * stored part writes -1 for the length, then its block's name and its length. A canonical sum writes a negative part
 * count, {@code -(nodes + 1)}, then the tree's leaf count and each node's level, index, loss sum, named sums, length
 * and float32 elements (or, stored, -1, the block's name and the length). Named sums are their count, then each as a
 * (modified UTF-8 name, double) pair in name order.
 */
public final class GradientSum implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int BLOCK = 8192;
  /** The length written for a stored part. */
  private static final int STORED = -1;

  private transient TreeMap<Integer, Part> parts;
  private transient long tokens;
  private transient boolean bf16;
  /** The canonical sum, in canonical mode (then {@link #parts} is unused); null otherwise. */
  private transient CanonicalSum canonical;
  /** The id of the step's weights broadcast, under which a writer may store the gradient; -1 if unknown. */
  private transient long storeUnder = -1;
  /** Whether {@link #sumInto} has put the gradient elsewhere. */
  private transient boolean taken;

  /**
   * A partition's contribution; its gradient is an array, or (a task's own, until written) {@code lent}, or a block
   * in some executor's block manager ({@code stored}).
   */
  private record Part(float[] gradient, LentGradient lent, GradientBlock stored, double lossSum,
      Map<String, Double> sums) {
    Part(float[] gradient, double lossSum, Map<String, Double> sums) {
      this(gradient, null, null, lossSum, sums);
    }

    /** This part with its gradient as an array: a lent one copied out (ending the loan), a stored one read. */
    Part owned() {
      if (lent != null) {
        return new Part(lent.take(), lossSum, sums);
      }
      if (stored != null) {
        return new Part(stored.toArray(), lossSum, sums);
      }
      return this;
    }

    int length() {
      return gradient != null ? gradient.length : lent != null ? lent.length() : stored.length();
    }

    void checkLength(int length) {
      if (length() != length) {
        throw new IllegalStateException("GradientSum: gradients of " + length + " and " + length() + " elements");
      }
    }

    /**
     * This part's gradient g into {@code target[offset..]}: copied ({@code add} false) or {@code target[i] += g[i]}
     * (true); a lent one is read from its buffer (the loan stays), a stored one from its block.
     */
    void into(FloatBuffer target, int offset, int length, boolean add) {
      checkLength(length);
      if (stored != null) {
        stored.read(target, offset, add);
      } else if (lent != null) {
        GradientBlock.copyOrAdd(lent.buffer(), lent.offset(), target, offset, length, add);
      } else {
        GradientBlock.copyOrAdd(FloatBuffer.wrap(gradient), 0, target, offset, length, add);
      }
    }
  }

  private GradientSum(TreeMap<Integer, Part> parts, long tokens, boolean bf16) {
    this.parts = parts;
    this.tokens = tokens;
    this.bf16 = bf16;
  }

  /** The neutral element; {@code bf16} selects compression on the wire. */
  public static GradientSum empty(boolean bf16) {
    return new GradientSum(new TreeMap<>(), 0, bf16);
  }

  /** The empty canonical sum over a global batch of {@code draws} draws. */
  public static GradientSum canonical(int draws) {
    GradientSum s = empty(false);
    s.canonical = new CanonicalSum(draws);
    return s;
  }

  /** A task's canonical partial sum (its subtrees; taken, not copied). */
  public static GradientSum of(CanonicalSum sum) {
    return of(sum, -1);
  }

  /**
   * A task's canonical partial sum at the step whose weights broadcast is {@code storeUnder}, where a writer may
   * store each subtree's gradient ({@link GradientBlock}; -1: never). The reader reads them back at once.
   */
  static GradientSum of(CanonicalSum sum, long storeUnder) {
    GradientSum s = empty(false);
    s.canonical = sum;
    s.tokens = sum.count();
    s.storeUnder = storeUnder;
    return s;
  }

  /** The contribution of one partition with no named sums (the array is taken, not copied). */
  public static GradientSum of(int partition, float[] gradient, double lossSum, long tokens, boolean bf16) {
    return of(partition, gradient, lossSum, tokens, Map.of(), bf16);
  }

  /** The contribution of one partition (the array is taken, not copied; {@code sums} is copied). */
  public static GradientSum of(int partition, float[] gradient, double lossSum, long tokens, Map<String, Double> sums,
      boolean bf16) {
    GradientSum s = empty(bf16);
    s.parts.put(partition, new Part(gradient, lossSum, new TreeMap<>(sums)));
    s.tokens = tokens;
    return s;
  }

  /**
   * A task's contribution whose gradient stays in its buffer until written ({@link LentGradient}), at the step whose
   * weights broadcast is {@code storeUnder} (where a writer may store it, {@link GradientBlock}; -1: never);
   * otherwise like {@link #of(int, float[], double, long, Map, boolean)}.
   */
  static GradientSum of(int partition, LentGradient gradient, double lossSum, long tokens, Map<String, Double> sums,
      boolean bf16, long storeUnder) {
    GradientSum s = empty(bf16);
    s.parts.put(partition, new Part(null, gradient, null, lossSum, new TreeMap<>(sums)));
    s.tokens = tokens;
    s.storeUnder = storeUnder;
    return s;
  }

  /** Adds {@code other} into this one (taking its arrays) and returns this; both must cover disjoint partitions. */
  public GradientSum mergeInPlace(GradientSum other) {
    if ((canonical == null) != (other.canonical == null)) {
      throw new IllegalStateException("GradientSum: a canonical and a partition-keyed sum cannot be merged");
    }
    storeUnder = storeUnder >= 0 ? storeUnder : other.storeUnder;
    if (canonical != null) {
      canonical.merge(other.canonical);
      tokens = canonical.count();
      return this;
    }
    for (Map.Entry<Integer, Part> e : other.parts.entrySet()) {
      if (parts.putIfAbsent(e.getKey(), e.getValue()) != null) {
        throw new IllegalStateException("GradientSum: partition " + e.getKey() + " merged twice");
      }
    }
    tokens += other.tokens;
    bf16 |= other.bf16;
    return this;
  }

  /** Number of target tokens summed over. */
  public long tokens() {
    return tokens;
  }

  /** The summed loss. */
  public double lossSum() {
    if (canonical != null) {
      return canonical.root().lossSum();
    }
    collapse();
    return parts.isEmpty() ? 0 : parts.firstEntry().getValue().lossSum();
  }

  /** The named sums, added over the partitions (empty if none reported any); in name order, unmodifiable. */
  public Map<String, Double> sums() {
    if (canonical != null) {
      return canonical.root().sums();
    }
    collapse();
    return parts.isEmpty() ? Map.of() : Collections.unmodifiableMap(parts.firstEntry().getValue().sums());
  }

  /** The summed gradient, or null if no partition contributed one. Owned by this sum. */
  public float[] gradient() {
    if (canonical != null) {
      return canonical.root().gradient();
    }
    checkNotTaken();
    collapse();
    if (parts.isEmpty()) {
      return null;
    }
    Map.Entry<Integer, Part> only = parts.firstEntry();
    Part owned = only.getValue().owned();
    parts.put(only.getKey(), owned);
    return owned.gradient();
  }

  /**
   * Puts the summed gradient into {@code target} and returns true, or returns false (target untouched) if no part
   * has one: the parts in key order, the first copied and the others added, the operations (and bits) of
   * {@link #gradient()}, but without an array of the gradient's size: a stored part is read straight into the
   * target. The token count, loss and named sums stay readable; the gradient is then gone from this sum.
   */
  public boolean sumInto(Tensor target) {
    if (canonical != null) {
      float[] g = canonical.root().gradient();
      if (g == null) {
        return false;
      }
      target.copyFrom(g);
      return true;
    }
    if (parts.isEmpty()) {
      return false;
    }
    checkNotTaken();
    sumParts(target.buffer(), target.offset(), target.size(), null, false);
    taken = true;
    return true;
  }

  private void checkNotTaken() {
    if (taken) {
      throw new IllegalStateException("GradientSum: the gradient was already put into a tensor (sumInto)");
    }
  }

  /** Adds the parts up in key order into the first one. */
  private void collapse() {
    if (parts.size() < 2) {
      return;
    }
    checkNotTaken();
    Part head = parts.firstEntry().getValue();
    boolean inPlace = head.gradient() != null; // the first part's own array becomes the sum
    float[] sum = inPlace ? head.gradient() : new float[head.length()];
    sumParts(FloatBuffer.wrap(sum), 0, sum.length, sum, inPlace);
  }

  /**
   * Adds the parts up in key order into {@code target[offset..offset + length)}, the first copied (or already
   * there, {@code firstInPlace}) and the others added, giving lent buffers back; then leaves one part with the summed
   * loss and named sums, and {@code gradient} (the target's array, or null when the target is not one).
   */
  private void sumParts(FloatBuffer target, int offset, int length, float[] gradient, boolean firstInPlace) {
    int firstKey = parts.firstKey();
    if (!firstInPlace && parts.values().stream().allMatch(p -> p.stored() != null)) {
      // the driver's case: remote blocks are fetched two at a time, and added in key order
      List<GradientBlock> blocks = new ArrayList<>();
      for (Part p : parts.values()) {
        p.checkLength(length);
        blocks.add(p.stored());
      }
      GradientBlock.readAll(blocks, target, offset, false);
    } else {
      for (Map.Entry<Integer, Part> e : parts.entrySet()) {
        Part p = e.getValue();
        boolean first = e.getKey() == firstKey;
        if (!(first && firstInPlace)) {
          p.into(target, offset, length, !first);
          if (p.lent() != null) {
            p.lent().giveBack();
          }
        }
      }
    }
    double loss = 0;
    TreeMap<String, Double> sums = new TreeMap<>();
    for (Map.Entry<Integer, Part> e : parts.entrySet()) {
      Part p = e.getValue();
      boolean first = e.getKey() == firstKey;
      loss = first ? p.lossSum() : loss + p.lossSum();
      p.sums().forEach((name, value) -> sums.merge(name, value, Double::sum));
    }
    parts.clear();
    parts.put(firstKey, new Part(gradient, loss, sums));
  }

  void writeTo(DataOutput out) throws IOException {
    writeTo(out, true);
  }

  /** The wire format; {@code bulk} false writes float32 elements one by one ({@link FloatBytes}' baseline). */
  void writeTo(DataOutput out, boolean bulk) throws IOException {
    out.writeLong(tokens);
    out.writeBoolean(bf16);
    out.writeLong(storeUnder);
    if (canonical != null) {
      List<CanonicalSum.Node> nodes = canonical.nodes();
      out.writeInt(-(nodes.size() + 1));
      out.writeInt(canonical.leaves());
      for (CanonicalSum.Node n : nodes) {
        out.writeInt(n.level());
        out.writeInt(n.index());
        out.writeDouble(n.lossSum());
        writeSums(out, n.sums());
        writeArray(out, n.gradient(), false, bulk);
      }
      return;
    }
    collapse();
    out.writeInt(parts.size());
    if (parts.isEmpty()) {
      return;
    }
    Map.Entry<Integer, Part> e = parts.firstEntry();
    out.writeInt(e.getKey());
    out.writeDouble(e.getValue().lossSum());
    writeSums(out, e.getValue().sums());
    Part part = e.getValue();
    if (part.stored() != null && part.stored().bf16() == bf16) { // passed on unread
      writeStored(out, part.stored());
      return;
    }
    LentGradient lent = part.lent();
    if (lent != null && bulk) { // straight from the task's buffer, then the workspace goes back to its pool
      if (GradientBlock.worthStoring(storeUnder, lent.length(), bf16)) {
        writeStored(out, GradientBlock.store(storeUnder, lent.buffer(), lent.offset(), lent.length(), bf16));
      } else {
        writeFloats(out, lent.buffer(), lent.offset(), lent.length(), bf16);
      }
      lent.giveBack(); // a later read or write of this part throws
      return;
    }
    writeArray(out, part.owned().gradient(), bf16, bulk);
  }

  /** {@code g}'s length and elements ({@link #writeFloats}), or, where worth it, a stored block's reference. */
  private void writeArray(DataOutput out, float[] g, boolean compress, boolean bulk) throws IOException {
    if (bulk && GradientBlock.worthStoring(storeUnder, g.length, compress)) {
      writeStored(out, GradientBlock.store(storeUnder, FloatBuffer.wrap(g), 0, g.length, compress));
    } else {
      writeFloats(out, g, compress, bulk);
    }
  }

  private static void writeStored(DataOutput out, GradientBlock block) throws IOException {
    out.writeInt(STORED);
    out.writeUTF(block.name());
    out.writeInt(block.length());
  }

  /** The reference {@link #writeStored} wrote, after its {@link #STORED} marker. */
  private static GradientBlock readStored(DataInput in, boolean bf16) throws IOException {
    return new GradientBlock(in.readUTF(), in.readInt(), bf16);
  }

  /** The count of {@code sums}, then each (name, value) in name order. */
  private static void writeSums(DataOutput out, Map<String, Double> sums) throws IOException {
    out.writeInt(sums.size());
    for (Map.Entry<String, Double> named : new TreeMap<>(sums).entrySet()) {
      out.writeUTF(named.getKey());
      out.writeDouble(named.getValue());
    }
  }

  /** Named sums written by {@link #writeSums}. */
  private static Map<String, Double> readSums(DataInput in) throws IOException {
    int named = in.readInt();
    if (named < 0) {
      throw new IOException("GradientSum: negative count of named sums " + named);
    }
    TreeMap<String, Double> sums = new TreeMap<>();
    for (int i = 0; i < named; i++) {
      String name = in.readUTF();
      sums.put(name, in.readDouble());
    }
    return sums;
  }

  /** The length and the elements of {@code g}: float32 in bulk ({@link FloatBytes}), or bfloat16 in blocks. */
  private static void writeFloats(DataOutput out, float[] g, boolean bf16, boolean bulk) throws IOException {
    if (!bf16) {
      out.writeInt(g.length);
      FloatBytes.write(out, g, g.length, bulk);
      return;
    }
    writeFloats(out, FloatBuffer.wrap(g), 0, g.length, true);
  }

  /** The same bytes as {@link #writeFloats(DataOutput, float[], boolean, boolean)}, in bulk from {@code src}. */
  private static void writeFloats(DataOutput out, FloatBuffer src, int offset, int length, boolean bf16)
      throws IOException {
    out.writeInt(length);
    if (!bf16) {
      FloatBytes.write(out, src, offset, length);
      return;
    }
    int width = 2;
    ByteBuffer block = ByteBuffer.allocate(BLOCK * width).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < length; start += BLOCK) {
      int n = Math.min(BLOCK, length - start);
      Bf16.encode(src, offset + start, block, 0, n);
      out.write(block.array(), 0, n * width);
    }
  }

  static GradientSum readFrom(DataInput in) throws IOException {
    return readFrom(in, true);
  }

  /** Reads the wire format; {@code bulk} false reads float32 elements one by one ({@link FloatBytes}' baseline). */
  static GradientSum readFrom(DataInput in, boolean bulk) throws IOException {
    long tokens = in.readLong();
    boolean bf16 = in.readBoolean();
    long storeUnder = in.readLong();
    int count = in.readInt();
    GradientSum s = new GradientSum(new TreeMap<>(), tokens, bf16);
    s.storeUnder = storeUnder;
    if (count < 0) {
      CanonicalSum sum = new CanonicalSum(in.readInt());
      for (int i = 0; i < -count - 1; i++) {
        int level = in.readInt();
        int index = in.readInt();
        double loss = in.readDouble();
        Map<String, Double> sums = readSums(in);
        int length = in.readInt();
        float[] g = length == STORED ? readStored(in, false).toArray() // read now: merging subtrees adds arrays
            : readFloats(in, length, false, bulk);
        sum.addNode(new CanonicalSum.Node(level, index, g, loss, sums));
      }
      sum.addCount(tokens);
      s.canonical = sum;
      return s;
    }
    if (count == 0) {
      return s;
    }
    if (count != 1) {
      throw new IOException("GradientSum: " + count + " parts on the wire, expected 0 or 1");
    }
    int key = in.readInt();
    double loss = in.readDouble();
    Map<String, Double> sums = readSums(in);
    int length = in.readInt();
    if (length == STORED) {
      s.parts.put(key, new Part(null, null, readStored(in, bf16), loss, sums));
      return s;
    }
    s.parts.put(key, new Part(readFloats(in, length, bf16, bulk), loss, sums));
    return s;
  }

  /** The {@code length} elements written by {@link #writeFloats} after their length. */
  private static float[] readFloats(DataInput in, int length, boolean bf16, boolean bulk) throws IOException {
    if (length < 0) {
      throw new IOException("GradientSum: negative length " + length);
    }
    float[] g = new float[length];
    if (!bf16) {
      FloatBytes.read(in, g, length, bulk);
      return g;
    }
    int width = 2;
    byte[] bytes = new byte[BLOCK * width];
    ByteBuffer block = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < length; start += BLOCK) {
      int n = Math.min(BLOCK, length - start);
      in.readFully(bytes, 0, n * width);
      Bf16.decode(block, 0, g, start, n);
    }
    return g;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    writeTo(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    GradientSum s = readFrom(in);
    parts = s.parts;
    tokens = s.tokens;
    bf16 = s.bf16;
    canonical = s.canonical;
    storeUnder = s.storeUnder;
  }

  @Override
  public String toString() {
    return "GradientSum(" + (canonical != null ? canonical.nodes().size() + " subtree(s) of " + canonical.leaves()
        + " draws" : parts.size() + " part(s)") + ", " + tokens + " tokens" + (bf16 ? ", bf16" : "") + ")";
  }
}
