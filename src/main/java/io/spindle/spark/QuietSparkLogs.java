package io.spindle.spark;

import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * A Spark plugin ({@code spark.plugins=io.spindle.spark.QuietSparkLogs}; {@code spindle train-lm} adds it) that makes
 * Spark's default logging fit a training run of thousands of one-job steps:
 *
 * <ul>
 *   <li>on executors, {@code org.apache.spark} logs from WARN once the executor has started: every step otherwise
 *       adds about 13 INFO lines per executor ({@code TorrentBroadcast}, {@code MemoryStore}, {@code BlockManager},
 *       {@code Executor}), while Spark's start-up lines and its warnings and errors stay;
 *   <li>on the driver and executors, {@code io.spindle} logs from INFO, so that the BLAS backend line (and checkpoint
 *       and resume lines) show even when {@code spark.log.level} has raised the root level to WARN.
 * </ul>
 *
 * <p>It changes nothing when the JVM's log4j2 configuration is not Spark's built-in default profile (a
 * {@code log4j2.properties} in {@code SPARK_CONF_DIR}, {@code -Dlog4j2.configurationFile}, {@code bin/spindle}'s own):
 * whoever configured logging keeps exactly what they configured.
 *
 * <p>Executors run their plugins after fetching the application's jars, so the plugin works from the application
 * jar alone. Lines logged before that (the executor's start-up) keep Spark's levels.
 */
public final class QuietSparkLogs implements SparkPlugin {
  /** The Spark logger that executors raise to WARN, and Spindle's, kept at INFO. */
  static final String SPARK = "org.apache.spark";
  static final String SPINDLE = "io.spindle";

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public Map<String, String> init(SparkContext sc, PluginContext pluginContext) {
        applyIfLog4j2(false);
        return Map.of();
      }
    };
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        applyIfLog4j2(true);
      }
    };
  }

  private static void applyIfLog4j2(boolean executor) {
    try {
      if (LogManager.getContext(false) instanceof LoggerContext context) {
        apply(context, executor);
      }
    } catch (LinkageError e) {
      // log4j-core is not on this JVM's class path (Spark's logging was replaced): there is no default profile to adapt
    }
  }

  /**
   * When {@code context} runs Spark's default log4j2 profile: {@code io.spindle} at INFO unless a level is configured
   * for it, and on executors {@code org.apache.spark} at WARN. Returns whether it changed anything.
   */
  static boolean apply(LoggerContext context, boolean executor) {
    if (!isSparkDefault(context)) {
      return false;
    }
    Configuration config = context.getConfiguration();
    if (!SPINDLE.equals(config.getLoggerConfig(SPINDLE).getName())) {
      setLevel(config, SPINDLE, Level.INFO);
    }
    if (executor) {
      setLevel(config, SPARK, Level.WARN);
    }
    context.updateLoggers();
    return true;
  }

  private static void setLevel(Configuration config, String name, Level level) {
    LoggerConfig current = config.getLoggerConfig(name);
    if (current.getName().equals(name)) {
      current.setLevel(level);
    } else {
      config.addLogger(name, new LoggerConfig(name, level, true)); // additive: the parent's appenders print it
    }
  }

  /** Whether {@code context} runs Spark's built-in profile ({@code org/apache/spark/log4j2-defaults.properties}). */
  static boolean isSparkDefault(LoggerContext context) {
    ConfigurationSource source = context.getConfiguration().getConfigurationSource();
    String location = source == null ? null : source.getLocation();
    return location != null && location.replace('\\', '/').matches(".*org/apache/spark/log4j2-[a-z-]+\\.properties$");
  }
}
