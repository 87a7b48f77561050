package io.spindle.nn;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Storage;
import io.spindle.tensor.Tensor;
import java.util.Arrays;

/**
 * A shape and its row-major float32 values in a plain on-heap array: what {@link SafeTensors#read} returns per
 * tensor. Serializable by any means that handles {@code int[]} and {@code float[]}, and compared by content.
 *
 * <p>The record holds the values array it is given (no copy), so {@link #toTensor()} can view it without copying.
 */
public record TensorData(int[] shape, float[] values) {
  public TensorData {
    shape = Shape.validate(shape);
    if (values.length != Shape.size(shape)) {
      throw new IllegalArgumentException("TensorData: " + values.length + " values for shape "
          + Shape.toString(shape));
    }
  }

  /** A copy of {@code tensor}'s shape and values. */
  public static TensorData of(Tensor tensor) {
    return new TensorData(tensor.shape(), tensor.toArray());
  }

  /** A copy of the shape. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** A tensor viewing {@link #values()} in place (on-heap storage, no copy). */
  public Tensor toTensor() {
    return Tensor.view(Storage.wrap(values), 0, shape);
  }

  /**
   * Equal shapes and equal values as {@link Arrays#equals(float[], float[])} compares them: bit patterns after
   * collapsing every NaN to one, so NaN equals NaN and 0.0 differs from -0.0.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof TensorData t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "TensorData" + Shape.toString(shape);
  }
}
