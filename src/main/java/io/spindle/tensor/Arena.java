package io.spindle.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Recycles tensor storage across training steps.
 *
 * <p>A training step allocates the same sequence of activation and gradient buffers every time. The arena hands
 * them out in order and, after {@link #reset()}, hands the same storage out again, so from the second step on a
 * step allocates no tensor memory. A request larger than the slot it lands in replaces that slot (the shapes
 * changed; the old storage is left to the garbage collector).
 *
 * <p>Order of use: {@link #zeros} / {@link #uninitialized} during a step, then {@link #reset()} once every tensor
 * taken from the arena is dead. Tensors taken before a reset must not be used after it. Not thread-safe: one arena
 * per training thread.
 */
public final class Arena {
  private final List<Storage> slots = new ArrayList<>();
  private int cursor;

  /** A zero-filled tensor of this shape from the next slot. */
  public Tensor zeros(int... shape) {
    return uninitialized(shape).fillInPlace(0f);
  }

  /** A tensor of this shape from the next slot, holding whatever the slot held; the caller overwrites it all. */
  public Tensor uninitialized(int... shape) {
    int[] s = Shape.validate(shape);
    int n = Shape.size(s);
    Storage storage;
    if (cursor < slots.size() && slots.get(cursor).length() >= n) {
      storage = slots.get(cursor);
    } else {
      storage = Storage.allocate(n);
      if (cursor < slots.size()) {
        slots.set(cursor, storage);
      } else {
        slots.add(storage);
      }
    }
    cursor++;
    return Tensor.view(storage, 0, s);
  }

  /** Makes every slot available again; all tensors handed out so far become invalid. */
  public void reset() {
    cursor = 0;
  }

  /** Floats held by the arena's slots. */
  public long capacity() {
    long n = 0;
    for (Storage s : slots) {
      n += s.length();
    }
    return n;
  }
}
