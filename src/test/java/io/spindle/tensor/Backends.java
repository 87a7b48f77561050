package io.spindle.tensor;

import java.util.Locale;

/**
 * Test-side access to one named BLAS backend and to storage of the kind it uses in training, whatever backend
 * {@link Blas#get()} chose for this JVM. Benchmarks in other packages use it to compare backends side by side;
 * the backend classes themselves stay package-private.
 */
public final class Backends {
  private Backends() {}

  /** A fresh backend by its {@link Blas#name()}: {@code "native"} (throws if OpenBLAS cannot load) or {@code "java"}. */
  public static Blas create(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "native":
        return new NativeBlas();
      case "java":
        return new JavaBlas();
      default:
        throw new IllegalArgumentException("Backends.create: unknown backend '" + name + "', expected native or java");
    }
  }

  /** Zero-filled storage of {@code length} floats in the memory {@code blas} reads in place (off-heap or heap). */
  public static Storage allocateFor(Blas blas, int length) {
    return Storage.allocate(length, blas.prefersDirectMemory());
  }
}
