package io.spindle.tensor;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JVM's {@link Blas} backend once, on first use, and logs the choice once.
 *
 * <p>Settings (a system property wins over the environment variable):
 * <ul>
 *   <li>{@code spindle.blas} / {@code SPINDLE_BLAS}: {@code auto} (default: native, else Java), {@code native} or
 *       {@code java}. If native is asked for but cannot load, Spindle logs one warning and uses Java; it never
 *       fails a job for want of a native library.</li>
 *   <li>{@code spindle.blas.threads} / {@code SPINDLE_BLAS_THREADS}: threads per BLAS call in this JVM, default 1
 *       (Spark runs one task per core). {@link Blas#setThreads} changes it later.</li>
 * </ul>
 */
final class BlasSelection {
  static final String BACKEND_PROPERTY = "spindle.blas";
  static final String THREADS_PROPERTY = "spindle.blas.threads";

  private static final Logger LOG = LoggerFactory.getLogger(BlasSelection.class);

  private BlasSelection() {}

  static Blas active() {
    return Holder.ACTIVE;
  }

  /** Lazy, thread-safe initialisation through class loading. */
  private static final class Holder {
    static final Blas ACTIVE = fromSettings();
  }

  static String setting(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
    }
    return value == null ? null : value.trim();
  }

  private static Blas fromSettings() {
    Blas blas = choose(setting(BACKEND_PROPERTY));
    blas.setThreads(threads());
    LOG.info("Spindle BLAS backend: {} - {}; {}", blas.name(), blas.describe(), Simd.describe());
    return blas;
  }

  /**
   * The backend a {@code spindle.blas} value asks for: {@code null} or empty means auto, case is ignored, an
   * unknown value is warned about and treated as auto. Separate from the settings so tests can call it.
   */
  static Blas choose(String requested) {
    String mode = requested == null || requested.isEmpty() ? "auto" : requested.toLowerCase(Locale.ROOT);
    Blas blas;
    switch (mode) {
      case "java":
        blas = new JavaBlas();
        break;
      case "auto":
      case "native":
        blas = loadNativeOrFallBack(mode);
        break;
      default:
        LOG.warn("Unknown {}={}; expected auto, native or java. Using auto.", BACKEND_PROPERTY, requested);
        blas = loadNativeOrFallBack("auto");
    }
    return blas;
  }

  private static Blas loadNativeOrFallBack(String mode) {
    try {
      return new NativeBlas();
    } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, ...: any failure means "not here"
      LOG.warn("Native OpenBLAS could not load ({}: {}); using the pure-Java BLAS{}.",
          e.getClass().getSimpleName(), e.getMessage(),
          "native".equals(mode) ? " although " + BACKEND_PROPERTY + "=native was requested" : "");
      return new JavaBlas();
    }
  }

  private static int threads() {
    return threadsSetting(THREADS_PROPERTY);
  }

  /**
   * A thread count read with {@link #setting}: a positive integer, 1 when unset; any other value is warned about and
   * read as 1 (a job never fails for a mistyped tuning knob). Shared by {@code spindle.blas.threads} and
   * {@link Parallel}'s {@code spindle.op.threads}.
   */
  static int threadsSetting(String property) {
    String value = setting(property);
    if (value == null || value.isEmpty()) {
      return 1;
    }
    try {
      int threads = Integer.parseInt(value);
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    LOG.warn("Ignoring {}={}: expected a positive integer; using 1.", property, value);
    return 1;
  }
}
