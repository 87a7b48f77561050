package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

/**
 * {@link QuietSparkLogs} on log4j2 contexts of their own (not the tests' global one): Spark's default profile gets
 * Spark's INFO lines silenced on executors and Spindle's kept; any other configuration is left alone.
 */
class QuietSparkLogsTest {
  private static final String BROADCAST = "org.apache.spark.broadcast.TorrentBroadcast";
  private static final String BLAS = "io.spindle.tensor.BlasSelection";

  private static LoggerContext context(String name, String resource) throws Exception {
    URI uri = QuietSparkLogsTest.class.getClassLoader().getResource(resource).toURI();
    return Configurator.initialize(name, null, uri);
  }

  @Test
  void executorsOfSparksDefaultProfileLogSparkFromWarnAndSpindleFromInfo() throws Exception {
    LoggerContext context = context("spark-default-executor", "org/apache/spark/log4j2-defaults.properties");
    try {
      assertTrue(QuietSparkLogs.isSparkDefault(context));
      assertTrue(context.getLogger(BROADCAST).isInfoEnabled(), "Spark's profile logs INFO");
      assertTrue(QuietSparkLogs.apply(context, true));
      assertFalse(context.getLogger(BROADCAST).isInfoEnabled());
      assertTrue(context.getLogger(BROADCAST).isWarnEnabled());
      assertTrue(context.getLogger(BLAS).isInfoEnabled());
      assertFalse(context.getLogger(BLAS).isDebugEnabled());
    } finally {
      context.stop();
    }
  }

  @Test
  void driversKeepSparksLevelsAndLogSpindleFromInfoUnderARootOfWarn() throws Exception {
    LoggerContext context = context("spark-default-driver", "org/apache/spark/log4j2-defaults.properties");
    try {
      context.getConfiguration().getRootLogger().setLevel(Level.WARN); // what spark.log.level=WARN does
      context.updateLoggers();
      assertFalse(context.getLogger(BLAS).isInfoEnabled());
      assertTrue(QuietSparkLogs.apply(context, false));
      assertTrue(context.getLogger(BLAS).isInfoEnabled());
      assertEquals(Level.WARN, context.getLogger(BROADCAST).getLevel(), "the driver's Spark levels are unchanged");
    } finally {
      context.stop();
    }
  }

  @Test
  void aConfigurationOfTheUsersIsLeftAlone() throws Exception {
    LoggerContext context = context("user-configured", "log4j2-test.properties");
    try {
      assertFalse(QuietSparkLogs.isSparkDefault(context));
      Level spindle = context.getLogger(BLAS).getLevel();
      Level spark = context.getLogger(BROADCAST).getLevel();
      assertFalse(QuietSparkLogs.apply(context, true));
      assertEquals(spindle, context.getLogger(BLAS).getLevel());
      assertEquals(spark, context.getLogger(BROADCAST).getLevel());
    } finally {
      context.stop();
    }
  }
}
