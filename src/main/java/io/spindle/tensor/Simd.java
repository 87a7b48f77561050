package io.spindle.tensor;

/**
 * Whether Spindle's own element kernels (GELU, LayerNorm's row sums) run on the incubating Vector API
 * ({@code jdk.incubator.vector}): SIMD float code that HotSpot's C2 compiles to AVX2/AVX-512 or NEON instructions,
 * where plain loops with exponentials or float reductions stay scalar.
 *
 * <p>The module is only there when the JVM starts with {@code --add-modules jdk.incubator.vector}, as
 * {@code bin/spindle}, the tests and the benchmarks do (the flag is in {@code pom.xml}'s {@code spindle.jvm.flags}),
 * and as Spark executors do when {@code spark.executor.extraJavaOptions} carries it. Without it every kernel takes its
 * plain-Java path: same results to float rounding, slower. {@code -Dspindle.simd=false} forces the plain path even
 * when the module is present (to compare the two, or to rule the Vector API out when hunting a problem).
 *
 * <p>Classes that use the Vector API are only loaded behind a check of {@link #ENABLED}, so a JVM without the module
 * never touches them.
 */
public final class Simd {
  /** True when the Vector API module is present and not switched off by {@code -Dspindle.simd=false}. */
  public static final boolean ENABLED = detect();

  private Simd() {}

  private static boolean detect() {
    return !"false".equalsIgnoreCase(System.getProperty("spindle.simd", "true"))
        && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** One line for logs: whether the vector kernels are on, and why not when they are off. */
  public static String describe() {
    if (ENABLED) {
      return "Vector API kernels on";
    }
    return "false".equalsIgnoreCase(System.getProperty("spindle.simd", "true"))
        ? "Vector API kernels off (-Dspindle.simd=false)"
        : "Vector API kernels off (start the JVM with --add-modules jdk.incubator.vector to turn them on)";
  }
}
