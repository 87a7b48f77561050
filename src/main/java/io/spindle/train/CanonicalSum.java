package io.spindle.train;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A sum of the per-draw gradients (and losses) of a step's global batch along one canonical pairwise tree over the
 * draw indices 0..B-1, so that the bits of the sum depend on the draws alone, never on which thread or Spark
 * partition computed which draw nor on the order the pieces meet.
 *
 * <p><b>The tree.</b> Leaf j is draw j's gradient. Node (l, k) covers draws {@code [k 2^l, (k+1) 2^l)}; its value is
 * {@code left + right}, element by element in float (the loss in double), where left is node (l-1, 2k) and right is
 * node (l-1, 2k+1); a node whose right child covers no draw (B not a power of two) is its left child unchanged. The
 * root is the node of level {@code ceil(log2 B)}. Each node's value is thus one fixed expression of its leaves.
 *
 * <p><b>Why any partitioning gives the same bits.</b> A holder of any set of leaves adds each leaf and combines two
 * present siblings into their parent at once ({@link #addLeaf}, {@link #merge}); IEEE addition is commutative, so
 * {@code a + b} and {@code b + a} are the same bits, and a parent is only ever formed from its two complete children.
 * Whatever the split of the draws, and in whatever order the partial sums are merged, every node is computed by its
 * one expression, and the root is the same. A holder of a contiguous range of draws keeps at most about
 * {@code 2 log2 B} nodes (the maximal subtrees inside the range), which is what a Spark task sends.
 *
 * <p>Arrays added are taken, not copied, and combined in place. Not thread-safe.
 */
public final class CanonicalSum {
  private final int leaves;
  private final int rootLevel;
  private final TreeMap<Long, Node> nodes = new TreeMap<>();
  private long count;

  /** The value of a node of the tree: the summed gradient and loss of its draws. */
  public record Node(int level, int index, float[] gradient, double lossSum) {}

  /** An empty sum over a global batch of {@code leaves} draws. */
  public CanonicalSum(int leaves) {
    if (leaves < 1) {
      throw new IllegalArgumentException("CanonicalSum: leaves must be >= 1, got " + leaves);
    }
    this.leaves = leaves;
    this.rootLevel = 32 - Integer.numberOfLeadingZeros(leaves - 1); // ceil(log2 B)
  }

  /** B, the draws of the global batch. */
  public int leaves() {
    return leaves;
  }

  /** The count (target tokens or examples) of the draws added so far. */
  public long count() {
    return count;
  }

  /** Adds draw {@code j}'s gradient (taken), loss and count. */
  public void addLeaf(int j, float[] gradient, double lossSum, long drawCount) {
    if (j < 0 || j >= leaves) {
      throw new IllegalArgumentException("CanonicalSum: draw " + j + " outside [0, " + leaves + ")");
    }
    count += drawCount;
    insert(new Node(0, j, gradient, lossSum));
  }

  /** Adds a node of another sum (taken), as read from the wire; its count comes with {@link #addCount}. */
  public void addNode(Node node) {
    if (node.level() < 0 || node.level() > rootLevel || (long) node.index() << node.level() >= leaves) {
      throw new IllegalArgumentException("CanonicalSum: no node (" + node.level() + ", " + node.index()
          + ") in a tree of " + leaves + " leaves");
    }
    insert(node);
  }

  /** Adds the count of nodes added with {@link #addNode}. */
  public void addCount(long n) {
    count += n;
  }

  /** Adds {@code other}'s nodes and count into this sum (taking its arrays) and returns this. */
  public CanonicalSum merge(CanonicalSum other) {
    if (other.leaves != leaves) {
      throw new IllegalArgumentException("CanonicalSum: sums over " + leaves + " and " + other.leaves + " draws");
    }
    for (Node n : other.nodes.values()) {
      insert(n);
    }
    count += other.count;
    return this;
  }

  /** The nodes held, in key order (for the wire). */
  public List<Node> nodes() {
    return new ArrayList<>(nodes.values());
  }

  /** Whether every draw has been added: only the root is held. */
  public boolean complete() {
    return nodes.size() == 1 && nodes.firstEntry().getValue().level() == rootLevel;
  }

  /** The root: the sum over every draw. Throws if a draw is missing. */
  public Node root() {
    if (!complete()) {
      throw new IllegalStateException("CanonicalSum: " + nodes.size() + " subtrees of " + leaves
          + " draws, not the whole tree: a draw is missing");
    }
    return nodes.firstEntry().getValue();
  }

  private static long key(int level, int index) {
    return ((long) level << 32) | index;
  }

  /** Puts {@code node} in, combining it with its sibling, and the parent with its sibling, while they are present. */
  private void insert(Node node) {
    Node n = node;
    while (n.level() < rootLevel) {
      int sibling = n.index() ^ 1;
      boolean left = (n.index() & 1) == 0;
      Node parent;
      if (left && (long) sibling << n.level() >= leaves) {
        parent = new Node(n.level() + 1, n.index() >> 1, n.gradient(), n.lossSum()); // no right child: promoted
      } else {
        Node other = nodes.remove(key(n.level(), sibling));
        if (other == null) {
          break;
        }
        if (nodes.containsKey(key(n.level(), n.index()))) {
          throw new IllegalStateException("CanonicalSum: node (" + n.level() + ", " + n.index() + ") added twice");
        }
        parent = left ? combine(n, other) : combine(other, n);
      }
      n = parent;
    }
    if (nodes.putIfAbsent(key(n.level(), n.index()), n) != null) {
      throw new IllegalStateException("CanonicalSum: node (" + n.level() + ", " + n.index() + ") added twice");
    }
  }

  /** The parent of {@code left} and {@code right}: left + right, into left's array. */
  private static Node combine(Node left, Node right) {
    float[] l = left.gradient();
    float[] r = right.gradient();
    if (l.length != r.length) {
      throw new IllegalStateException("CanonicalSum: gradients of " + l.length + " and " + r.length + " elements");
    }
    for (int i = 0; i < l.length; i++) {
      l[i] += r[i];
    }
    return new Node(left.level() + 1, left.index() >> 1, l, left.lossSum() + right.lossSum());
  }
}
