package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All trainable parameters of a model in one flat buffer, with a twin flat gradient buffer, and named views into
 * both (in declaration order). Broadcasting weights, summing gradients across Spark tasks, optimizer updates,
 * checkpoints and safetensors I/O all work on the two flat buffers.
 */
public final class Parameters {
  private final Tensor values; // (P,)
  private final Tensor grads; // (P,)
  private final Map<String, Variable> byName;
  private final Map<String, Integer> offsets;

  private Parameters(Tensor values, Tensor grads, Map<String, Variable> byName, Map<String, Integer> offsets) {
    this.values = values;
    this.grads = grads;
    this.byName = Collections.unmodifiableMap(byName);
    this.offsets = Collections.unmodifiableMap(offsets);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The parameter called {@code name}; throws naming it if there is none. */
  public Variable get(String name) {
    Variable v = byName.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return v;
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** Names in declaration (= buffer) order. */
  public List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  /** Offset of a parameter's first element in the flat buffers. */
  public int offsetOf(String name) {
    get(name);
    return offsets.get(name);
  }

  /** The parameter holding element {@code index} of the flat buffers, with the element's index in it: "wte[12]". */
  public String nameAt(int index) {
    String found = null;
    for (Map.Entry<String, Integer> e : offsets.entrySet()) {
      if (e.getValue() <= index) {
        found = e.getKey();
      }
    }
    if (found == null || index >= values.size()) {
      throw new IndexOutOfBoundsException("element " + index + " of " + values.size() + " parameters");
    }
    return found + "[" + (index - offsets.get(found)) + "]";
  }

  /** The flat value buffer (P,); parameter views share it. */
  public Tensor values() {
    return values;
  }

  /** The flat gradient buffer (P,); gradients accumulate here until {@link #zeroGrad()}. */
  public Tensor grads() {
    return grads;
  }

  /** Total number of scalar parameters P. */
  public int count() {
    return values.size();
  }

  /** Sets every gradient to zero. */
  public void zeroGrad() {
    grads.fillInPlace(0f);
  }

  /** Declares parameters (name, shape) in order, then allocates both flat buffers once. */
  public static final class Builder {
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    private Builder() {}

    public Builder add(String name, int... shape) {
      if (shapes.containsKey(name)) {
        throw new IllegalArgumentException("duplicate parameter name " + name);
      }
      shapes.put(name, Shape.validate(shape));
      return this;
    }

    public Parameters build() {
      long total = 0;
      for (int[] s : shapes.values()) {
        total += Shape.size(s);
      }
      if (total > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("more than 2^31-1 parameters");
      }
      Tensor values = Tensor.zeros((int) total);
      Tensor grads = Tensor.zeros((int) total);
      Map<String, Variable> byName = new LinkedHashMap<>();
      Map<String, Integer> offsets = new LinkedHashMap<>();
      int offset = 0;
      for (Map.Entry<String, int[]> e : shapes.entrySet()) {
        int[] s = e.getValue();
        Variable v = Variable.leaf(Tensor.view(values.storage(), offset, s), Tensor.view(grads.storage(), offset, s));
        byName.put(e.getKey(), v);
        offsets.put(e.getKey(), offset);
        offset += Shape.size(s);
      }
      return new Parameters(values, grads, byName, offsets);
    }
  }
}
