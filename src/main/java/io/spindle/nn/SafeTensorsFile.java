package io.spindle.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole safetensors file read into memory: its {@code __metadata__} strings and every tensor as float32, both in
 * header order (for files Spindle wrote, the order they were written in). Both maps are unmodifiable.
 */
public record SafeTensorsFile(Map<String, String> metadata, Map<String, TensorData> tensors) {
  public SafeTensorsFile {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** The tensor called {@code name}; throws naming it if the file has none. */
  public TensorData tensor(String name) {
    TensorData t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("safetensors: no tensor named '" + name + "' among the file's "
          + tensors.size());
    }
    return t;
  }
}
